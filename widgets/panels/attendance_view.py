"""Attendance of a day: every roster record against the counter logins and manual check-ins (late, left early,
absent; ``console/domain/attendance.py``), manual check-in and check-out for the selected person at the branch's
current time, and the monthly export (the same columns as ``main.py attendance --export``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.domain.attendance import AttendanceRow, AttendanceStatus
from console.staffing.roster_desk import RosterDesk, attendance_table
from widgets.tables import make_table

STATUS_COLOURS = {
    AttendanceStatus.LATE: "#fed7aa",
    AttendanceStatus.LEFT_EARLY: "#fed7aa",
    AttendanceStatus.LATE_AND_LEFT_EARLY: "#fdba74",
    AttendanceStatus.ABSENT: "#fecaca",
    AttendanceStatus.NOT_IN_YET: "#fef3c7",
    AttendanceStatus.ON_TIME: "#bbf7d0",
}


class AttendanceView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk: RosterDesk | None = None
        self.now: Callable[[], datetime] | None = None
        self.rows: list[AttendanceRow] = []
        self.day_edit = QDateEdit()
        self.day_edit.setCalendarPopup(True)
        self.day_edit.setDisplayFormat("yyyy-MM-dd")
        self.day_edit.dateChanged.connect(self.reload)
        self.table = make_table([self.tr("Name"), self.tr("Employee no."), self.tr("Rostered"), self.tr("Counter"),
                                 self.tr("Status"), self.tr("First login"), self.tr("Last logout"),
                                 self.tr("Minutes at counter")], stretch_column=4)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.check_in = QPushButton(self.tr("Check in"))
        self.check_out = QPushButton(self.tr("Check out"))
        self.export = QPushButton(self.tr("Export month…"))
        self.check_in.clicked.connect(self._check_in)
        self.check_out.clicked.connect(self._check_out)
        self.export.clicked.connect(self.export_month)
        self.summary = QLabel()
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Day")))
        top.addWidget(self.day_edit)
        top.addWidget(self.summary, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.check_in)
        bottom.addWidget(self.check_out)
        bottom.addStretch(1)
        bottom.addWidget(self.export)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

    def status_text(self, status: AttendanceStatus) -> str:
        return {
            AttendanceStatus.ON_TIME: self.tr("On time"),
            AttendanceStatus.LATE: self.tr("Late"),
            AttendanceStatus.LEFT_EARLY: self.tr("Left early"),
            AttendanceStatus.LATE_AND_LEFT_EARLY: self.tr("Late, left early"),
            AttendanceStatus.ABSENT: self.tr("Absent"),
            AttendanceStatus.UPCOMING: self.tr("Not started"),
            AttendanceStatus.NOT_IN_YET: self.tr("On shift, not logged in yet"),
            AttendanceStatus.LEAVE: self.tr("On leave"),
            AttendanceStatus.NOT_CHECKED: self.tr("Back office (not checked)"),
        }[status]

    def attach(self, desk: RosterDesk, now: Callable[[], datetime], day: date, read_only: bool = False) -> None:
        self.desk, self.now = desk, now
        self.set_read_only(read_only)
        self.day_edit.setDate(QDate(day.year, day.month, day.day))
        self.reload()

    def set_read_only(self, read_only: bool, why: str | None = None) -> None:
        """Check in / out disabled for a role that may not, with ``why`` as their tooltip."""
        for b in (self.check_in, self.check_out):
            b.setEnabled(not read_only)
        self.check_in.setToolTip(why if read_only and why else self.tr(
            "Record the selected person as arrived now (for staff without a counter login)"))
        self.check_out.setToolTip(why if read_only and why else "")

    def current_day(self) -> date:
        q = self.day_edit.date()
        return date(q.year(), q.month(), q.day())

    @Slot()
    def reload(self) -> None:
        if self.desk is None or self.now is None:
            return
        tz = self.desk.tz
        day = self.current_day()
        self.rows = self.desk.attendance(day, day, self.now())
        names = {p.staff_id: p.name for p in self.desk.staff()}
        self.table.setRowCount(len(self.rows))

        def hm(at: datetime | None) -> str:
            return at.astimezone(tz).strftime("%H:%M") if at else "—"

        for r, row in enumerate(self.rows):
            s = row.shift
            status = self.status_text(row.status)
            if row.late_min:
                status += " " + self.tr("(%1 min late)").replace("%1", f"{row.late_min:.0f}")
            if row.early_min:
                status += " " + self.tr("(%1 min early)").replace("%1", f"{row.early_min:.0f}")
            cells = (names.get(s.staff_id, s.staff_id), s.staff_id, f"{hm(s.start)}–{hm(s.end)}", s.counter_id or "—",
                     status, hm(row.first_login), hm(row.last_logout), f"{row.minutes_at_counter:.0f}")
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if c == 4 and row.status in STATUS_COLOURS:
                    from PySide6.QtGui import QColor

                    item.setBackground(QColor(STATUS_COLOURS[row.status]))
                self.table.setItem(r, c, item)
        late = sum(1 for r in self.rows if r.status in (AttendanceStatus.LATE, AttendanceStatus.LATE_AND_LEFT_EARLY))
        absent = sum(1 for r in self.rows if r.status is AttendanceStatus.ABSENT)
        waited = sum(1 for r in self.rows if r.status is AttendanceStatus.NOT_IN_YET)
        early = sum(1 for r in self.rows if r.status in (AttendanceStatus.LEFT_EARLY,
                                                          AttendanceStatus.LATE_AND_LEFT_EARLY))
        text = self.tr("%1 records: %2 late, %3 left early, %4 absent").replace("%1", str(len(self.rows))) \
            .replace("%2", str(late)).replace("%3", str(early)).replace("%4", str(absent))
        if waited:
            text += self.tr(", %1 on shift not logged in yet").replace("%1", str(waited))
        self.summary.setText(text)

    def selected_staff(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()].shift.staff_id if rows else None

    def record(self, check_out: bool) -> bool:
        from storage.writer import WriteFailed

        staff_id = self.selected_staff()
        if self.desk is None or self.now is None or staff_id is None:
            QMessageBox.information(self, self.tr("Attendance"), self.tr("Select a person in the table first."))
            return False
        try:
            self.desk.check_in(staff_id, self.now(), check_out=check_out)
        except WriteFailed as exc:
            QMessageBox.critical(self, self.tr("Attendance"), self.tr("Not stored: %1").replace("%1", str(exc)))
            return False
        self.reload()
        return True

    @Slot()
    def _check_in(self) -> None:
        self.record(False)

    @Slot()
    def _check_out(self) -> None:
        self.record(True)

    @Slot()
    def export_month(self, path: str | None = None) -> bool:
        from console.reports.export import ExportError, write_table

        if self.desk is None or self.now is None:
            return False
        day = self.current_day()
        first = day.replace(day=1)
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Export attendance"), f"attendance-{first:%Y-%m}.xlsx",
                                                  self.tr("Excel (*.xlsx);;CSV (*.csv)"))
            if not path:
                return False
        columns, table = attendance_table(self.desk, first, self.now())
        try:
            write_table(Path(path), "Attendance", columns, table)
        except ExportError as exc:
            QMessageBox.warning(self, self.tr("Export attendance"), str(exc))
            return False
        self.summary.setText(self.tr("%1 records of %2 written to %3").replace("%1", str(len(table)))
                             .replace("%2", f"{first:%Y-%m}").replace("%3", path))
        return True
