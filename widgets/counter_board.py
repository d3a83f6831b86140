"""Counter board: every counter's state, staff, current ticket and today's figures."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QVBoxLayout, QWidget

from console import labels
from console.branch_controller import BranchView
from console.domain.vocabulary import CounterState
from widgets.tables import ensure_rows, make_table, set_cell

#: Background colours of the state column; the state is also written as a word (colour is never the only cue).
STATE_COLOURS = {
    CounterState.SERVING: "#bbf7d0",
    CounterState.OPEN: "#bfdbfe",
    CounterState.IDLE: "#fef08a",
    CounterState.PAUSED: "#fed7aa",
    CounterState.CLOSED: "#e5e7eb",
    CounterState.OFFLINE: "#fecaca",
}


class CounterBoard(QWidget):
    COL_COUNTER, COL_TYPES, COL_STATE, COL_STAFF, COL_TICKET, COL_FOR, COL_SERVED, COL_AVG = range(8)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = make_table(
            [
                self.tr("Counter"),
                self.tr("Service types"),
                self.tr("State"),
                self.tr("Staff"),
                self.tr("Ticket"),
                self.tr("For"),
                self.tr("Served today"),
                self.tr("Avg handling"),
            ],
            stretch_column=self.COL_TYPES,
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.table)

    @Slot(object)
    def show_view(self, view: BranchView) -> None:
        snap = view.snapshot
        names = {s.staff_id: s.name for s in snap.staff}
        ensure_rows(self.table, len(snap.counters))
        for row, c in enumerate(snap.counters):
            figures = view.counters.get(c.counter_id)
            since = (snap.at - c.ticket_since).total_seconds() if c.ticket_since is not None else None
            set_cell(self.table, row, self.COL_COUNTER, labels.counter_name(c.counter_id))
            set_cell(self.table, row, self.COL_TYPES, " · ".join(labels.service_type(t) for t in c.service_types))
            set_cell(self.table, row, self.COL_STATE, labels.counter_state(c.state), background=STATE_COLOURS[c.state])
            set_cell(self.table, row, self.COL_STAFF, names.get(c.staff_id, c.staff_id or "—") if c.staff_id else "—")
            set_cell(self.table, row, self.COL_TICKET, c.ticket_number or "—")
            set_cell(self.table, row, self.COL_FOR, labels.mm_ss(since) if since is not None else "—", align_right=True)
            set_cell(self.table, row, self.COL_SERVED, str(figures.served if figures else 0), align_right=True)
            set_cell(self.table, row, self.COL_AVG,
                     labels.mm_ss(figures.avg_handling_s) if figures and figures.avg_handling_s is not None else "—",
                     align_right=True)
