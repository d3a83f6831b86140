"""The regional view's table: one row per branch with its lobby, queue, service level and open alerts.

Plain data in (``console.sources.regional.BranchSummary``), no database. A row is tinted by its worst open alert (red for
critical, amber for a warning) and its occupancy cell by how full the lobby is; a double click or Enter asks for the
branch to be opened (``sig_open``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QLabel, QTableWidget, QVBoxLayout, QWidget

from widgets import labels
from widgets.tables import cell_text, ensure_rows, make_table, set_cell

CRITICAL_TINT = "#fee2e2"
WARNING_TINT = "#fef3c7"
FULL_TINT = "#fecaca"  # occupancy at or above capacity


class RegionTable(QWidget):
    sig_open = Signal(str)  # branch code

    COL_BRANCH, COL_OCCUPANCY, COL_WAITING, COL_LONGEST, COL_LEVEL, COL_ALERTS, COL_UPDATED = range(7)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table: QTableWidget = make_table([
            self.tr("Branch"), self.tr("Lobby now"), self.tr("Waiting"), self.tr("Longest wait"),
            self.tr("Service level today"), self.tr("Open alerts"), self.tr("Newest camera figures"),
        ], self, stretch_column=self.COL_UPDATED)
        self.table.setObjectName("regionTable")
        self.table.cellDoubleClicked.connect(lambda row, _col: self._open_row(row))
        self.table.activated.connect(lambda index: self._open_row(index.row()))
        self.hint = QLabel(self.tr("Every branch of the shared database, live. Double-click a branch (or select it "
                                   "and press Enter) to open its panels."))
        self.hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.hint)
        layout.addWidget(self.table)
        self.codes: list[str] = []

    def set_queue_hidden(self, why: str | None) -> None:
        """Hide the queue's columns (waiting, longest wait, service level) for a role that may not see the queue;
        ``why`` (None: shown) goes into the hint line."""
        for column in (self.COL_WAITING, self.COL_LONGEST, self.COL_LEVEL):
            self.table.setColumnHidden(column, why is not None)
        if why is not None:
            self.hint.setText(self.hint.text() + " " + why)

    def _open_row(self, row: int) -> None:
        if 0 <= row < len(self.codes):
            self.sig_open.emit(self.codes[row])

    def selected_code(self) -> str | None:
        row = self.table.currentRow()
        return self.codes[row] if 0 <= row < len(self.codes) else None

    @Slot(object)
    def show_summaries(self, summaries: Sequence, at: datetime) -> None:
        """``summaries``: BranchSummary rows in display order; ``at``: the instant they were read (UTC)."""
        selected = self.selected_code()
        self.codes = [s.code for s in summaries]
        ensure_rows(self.table, len(summaries))
        for row, s in enumerate(summaries):
            tint = CRITICAL_TINT if s.worst is not None and s.worst.value == "critical" else \
                WARNING_TINT if s.alerts else None
            set_cell(self.table, row, self.COL_BRANCH, f"{s.name} ({s.code})", background=tint)
            if s.occupancy is None:
                occupancy, full = self.tr("no camera figures"), None
            else:
                share = f" · {100 * s.occupancy / s.capacity:.0f}%" if s.capacity else ""
                occupancy = f"{s.occupancy} / {s.capacity}{share}"
                full = FULL_TINT if s.capacity and s.occupancy >= s.capacity else None
            set_cell(self.table, row, self.COL_OCCUPANCY, occupancy, background=full or tint, align_right=True)
            set_cell(self.table, row, self.COL_WAITING, str(s.waiting), background=tint, align_right=True)
            set_cell(self.table, row, self.COL_LONGEST, self.tr("%1 min").replace("%1", f"{s.longest_wait_s / 60:.0f}")
                     if s.waiting or s.longest_wait_s else "—", background=tint, align_right=True)
            set_cell(self.table, row, self.COL_LEVEL, "—" if s.service_level is None else f"{100 * s.service_level:.0f}%",
                     background=tint, align_right=True)
            set_cell(self.table, row, self.COL_ALERTS, self._alerts_text(s), background=tint, align_right=True)
            set_cell(self.table, row, self.COL_UPDATED, self._age_text(s.sample_at, at), background=tint)
        self.table.resizeColumnToContents(self.COL_BRANCH)
        if selected in self.codes:
            self.table.selectRow(self.codes.index(selected))

    def _alerts_text(self, s) -> str:
        if not s.alerts:
            return "0"
        return f"{s.alerts} ({labels.alert_severity(s.worst)})" if s.worst is not None else str(s.alerts)

    def _age_text(self, sample_at: datetime | None, at: datetime) -> str:
        if sample_at is None:
            return "—"
        seconds = max(0, int((at - sample_at).total_seconds()))
        return self.tr("%1 s ago").replace("%1", str(seconds)) if seconds < 120 else \
            self.tr("%1 min ago").replace("%1", str(seconds // 60))

    def text(self, row: int, column: int) -> str:
        return cell_text(self.table, row, column)

