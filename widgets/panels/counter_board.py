"""Counter board: every counter's state, staff, current ticket and today's figures."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QMenu, QPushButton, QVBoxLayout, QWidget

from console.domain.counter_actions import after_current_ticket, allowed_actions
from console.domain.records import CounterStatus
from console.domain.vocabulary import CounterAction, CounterState
from console.sources.live_view import BranchView
from widgets import labels
from widgets.tables import ensure_rows, make_table, set_cell

#: Background of the state cell while a request for the counter is pending.
PENDING_COLOUR = "#fde68a"

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
    """The counters table with the manager's actions (buttons under the table and a context menu).

    ``sig_action(counter_id, CounterAction)`` asks for an action on the selected counter; choosing the staff member
    or service types, checking and storing happen in ``console/app/counter_controller.py``.
    """

    sig_action = Signal(str, object)

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
        self.counters: tuple[CounterStatus, ...] = ()
        self.actions_enabled = True  # False for a user whose role may not change counters
        self.why_disabled: str | None = None  # the buttons' tooltip then
        self.buttons: dict[CounterAction, QPushButton] = {}
        row = QHBoxLayout()
        for action, text in (
            (CounterAction.OPEN, self.tr("Open…")),
            (CounterAction.PAUSE, self.tr("Pause")),
            (CounterAction.CLOSE, self.tr("Close…")),
            (CounterAction.ASSIGN_STAFF, self.tr("Staff…")),
            (CounterAction.SET_SERVICE_TYPES, self.tr("Service types…")),
        ):
            button = QPushButton(text)
            button.setObjectName(f"counter_{action.value}")
            button.setProperty("counter_action", action.value)
            button.clicked.connect(self._button_clicked)
            self.buttons[action] = button
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.table)
        layout.addLayout(row)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self._update_buttons()

    def set_actions_denied(self, why: str | None) -> None:
        """The board's actions disabled for a role that may not change counters (None: allowed)."""
        self.actions_enabled = why is None
        self.why_disabled = why
        self._update_buttons()

    def selected_counter(self) -> CounterStatus | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.counters):
            return None
        return self.counters[rows[0].row()]

    def select_counter(self, counter_id: str) -> None:
        for row, c in enumerate(self.counters):
            if c.counter_id == counter_id:
                self.table.selectRow(row)

    @Slot()
    def _button_clicked(self) -> None:
        self._ask(CounterAction(self.sender().property("counter_action")))

    @Slot(QAction)
    def _menu_chosen(self, item: QAction) -> None:
        self._ask(CounterAction(item.data()))

    def _ask(self, action: CounterAction) -> None:
        counter = self.selected_counter()
        if counter is not None and self.actions_enabled:
            self.sig_action.emit(counter.counter_id, action)

    def _update_buttons(self) -> None:
        counter = self.selected_counter()
        allowed = allowed_actions(counter) if counter is not None and self.actions_enabled else frozenset()
        for action, button in self.buttons.items():
            button.setEnabled(action in allowed)
            if not self.actions_enabled and self.why_disabled:
                button.setToolTip(self.why_disabled)
            elif counter is None:
                button.setToolTip(self.tr("Select a counter first"))
            elif action not in allowed:
                button.setToolTip(self.tr("Not possible while the counter is %1")
                                  .replace("%1", labels.counter_state(counter.state).lower()))
            else:
                button.setToolTip("")

    def _context_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid():
            return
        self.table.selectRow(index.row())
        counter = self.selected_counter()
        if counter is None:
            return
        menu = QMenu(self)
        allowed = allowed_actions(counter) if self.actions_enabled else frozenset()
        for action, button in self.buttons.items():
            item = menu.addAction(button.text())
            item.setData(action.value)
            item.setEnabled(action in allowed)
        menu.triggered.connect(self._menu_chosen)
        menu.exec(self.table.viewport().mapToGlobal(pos))
        menu.deleteLater()

    @Slot(object)
    def show_view(self, view: BranchView) -> None:
        snap = view.snapshot
        names = {s.staff_id: s.name for s in snap.staff}
        selected = self.selected_counter()
        self.counters = snap.counters
        ensure_rows(self.table, len(snap.counters))
        for row, c in enumerate(snap.counters):
            figures = view.counters.get(c.counter_id)
            since = (snap.at - c.ticket_since).total_seconds() if c.ticket_since is not None else None
            set_cell(self.table, row, self.COL_COUNTER, labels.counter_name(c.counter_id, c.name))
            set_cell(self.table, row, self.COL_TYPES, " · ".join(labels.service_type(t) for t in c.service_types))
            request = view.pending.get(c.counter_id)
            if request is None:
                set_cell(self.table, row, self.COL_STATE, labels.counter_state(c.state),
                         background=STATE_COLOURS[c.state])
            else:
                template = (self.tr("%1 → %2 after this customer") if after_current_ticket(request, c)
                            else self.tr("%1 → %2 requested"))
                set_cell(self.table, row, self.COL_STATE,
                         template.replace("%1", labels.counter_state(c.state))
                         .replace("%2", labels.counter_action(request.action).lower()),
                         background=PENDING_COLOUR)
            set_cell(self.table, row, self.COL_STAFF, names.get(c.staff_id, c.staff_id or "—") if c.staff_id else "—")
            set_cell(self.table, row, self.COL_TICKET, c.ticket_number or "—")
            set_cell(self.table, row, self.COL_FOR, labels.mm_ss(since) if since is not None else "—", align_right=True)
            set_cell(self.table, row, self.COL_SERVED, str(figures.served if figures else 0), align_right=True)
            set_cell(self.table, row, self.COL_AVG,
                     labels.mm_ss(figures.avg_handling_s) if figures and figures.avg_handling_s is not None else "—",
                     align_right=True)
        if selected is not None and (self.selected_counter() is None
                                     or self.selected_counter().counter_id != selected.counter_id):
            self.select_counter(selected.counter_id)
        self._update_buttons()
