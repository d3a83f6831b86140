"""Dialogs of the roster editor: one roster record (shift or leave) and the staff directory.

The shift dialog reads its fields through ``console.staffing.roster_io.record_from_row`` — the same parsing and checks as a
CSV/Excel import row — so a time that does not parse, a shift ending before it starts or a break outside the shift
is refused with the same reason, shown under the fields, and the dialog stays open.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, tzinfo

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.domain.records import ShiftRecord, StaffMember
from console.domain.vocabulary import QUEUED_SERVICE_TYPES, ServiceType, ShiftKind, StaffRole
from console.staffing.roster_io import record_from_row
from widgets import labels
from widgets.tables import make_table


class ShiftDialog(QDialog):
    """Add or change one roster record of ``day``; ``record()`` after Accepted."""

    def __init__(self, staff: Sequence[StaffMember], counters: Sequence[str], day: date, tz: tzinfo,
                 record: ShiftRecord | None = None, staff_id: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Roster record") + f" — {day.isoformat()}")
        self.day, self.tz, self.staff = day, tz, list(staff)
        self.person = QComboBox()
        for p in staff:
            self.person.addItem(f"{p.name} ({p.staff_id})", p.staff_id)
        self.kind = QComboBox()
        self.kind.addItem(self.tr("Work"), ShiftKind.WORK.value)
        self.kind.addItem(self.tr("Leave"), ShiftKind.LEAVE.value)
        self.start = QLineEdit("08:45")
        self.end = QLineEdit("17:30")
        self.counter = QComboBox()
        self.counter.addItem(self.tr("Back office / floor (no counter)"), "")
        for cid in counters:
            self.counter.addItem(labels.counter_name(cid), cid)
        self.breaks = QLineEdit()
        self.breaks.setPlaceholderText(self.tr("e.g. 12:00-12:45; 15:00-15:15"))
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b91c1c")
        if record is not None:
            staff_id = record.staff_id
            self.kind.setCurrentIndex(max(0, self.kind.findData(record.kind.value)))
            self.start.setText(record.start.astimezone(tz).strftime("%H:%M"))
            self.end.setText(record.end.astimezone(tz).strftime("%H:%M"))
            self.counter.setCurrentIndex(max(0, self.counter.findData(record.counter_id or "")))
            self.breaks.setText("; ".join(f"{b.start.astimezone(tz):%H:%M}-{b.end.astimezone(tz):%H:%M}"
                                          for b in record.breaks))
        if staff_id is not None:
            self.person.setCurrentIndex(max(0, self.person.findData(staff_id)))
        form = QFormLayout(self)
        form.addRow(self.tr("Person"), self.person)
        form.addRow(self.tr("Kind"), self.kind)
        form.addRow(self.tr("Start (HH:MM)"), self.start)
        form.addRow(self.tr("End (HH:MM)"), self.end)
        form.addRow(self.tr("Counter"), self.counter)
        form.addRow(self.tr("Breaks"), self.breaks)
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self._record: ShiftRecord | None = None

    def row(self) -> dict[str, str]:
        return {"employee_no": str(self.person.currentData() or ""), "date": self.day.isoformat(),
                "start": self.start.text(), "end": self.end.text(), "kind": str(self.kind.currentData()),
                "counter_id": str(self.counter.currentData() or ""), "breaks": self.breaks.text()}

    def accept(self) -> None:
        try:
            self._record = record_from_row(self.row(), {p.staff_id for p in self.staff}, self.tz)
        except ValueError as exc:
            self.error.setText(str(exc))
            return
        super().accept()

    def record(self) -> ShiftRecord | None:
        return self._record


class PersonDialog(QDialog):
    """One staff directory entry: employee number (fixed once stored), name, role, service types."""

    def __init__(self, member: StaffMember | None, check: Callable[[StaffMember], str | None],
                 taken: set[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Staff member"))
        self.check, self.taken, self.is_new = check, taken, member is None
        self.number = QLineEdit(member.staff_id if member else "")
        self.number.setReadOnly(member is not None)
        self.name = QLineEdit(member.name if member else "")
        self.role = QComboBox()
        for role in StaffRole:
            self.role.addItem(labels.staff_role(role), role.value)
        if member is not None:
            self.role.setCurrentIndex(max(0, self.role.findData(member.role.value)))
        self.skills: dict[ServiceType, QCheckBox] = {}
        skill_row = QHBoxLayout()
        for st in (*QUEUED_SERVICE_TYPES, ServiceType.SELF_SERVICE):
            box = QCheckBox(labels.service_type(st))
            box.setChecked(member is not None and st in member.skills)
            self.skills[st] = box
            skill_row.addWidget(box)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b91c1c")
        form = QFormLayout(self)
        form.addRow(self.tr("Employee no."), self.number)
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Role"), self.role)
        form.addRow(self.tr("Can handle"), skill_row)
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def member(self) -> StaffMember:
        return StaffMember(self.number.text().strip(), self.name.text().strip(), StaffRole(self.role.currentData()),
                           tuple(st for st, box in self.skills.items() if box.isChecked()))

    def accept(self) -> None:
        member = self.member()
        problem = self.check(member)
        if self.is_new and member.staff_id in self.taken:
            self.error.setText(self.tr("Employee no. %1 is already in the directory.").replace("%1", member.staff_id))
            return
        if problem is not None:
            self.error.setText({
                "employee_no": self.tr("Employee no. %1 must be 1–32 letters, digits, '.', '_' or '-'.")
                .replace("%1", repr(member.staff_id)),
                "name": self.tr("The name is empty."),
                "skills": self.tr("Tick at least one service type the person can handle."),
            }[problem])
            return
        super().accept()


class StaffDirectoryDialog(QDialog):
    """The branch's staff: add, change, remove (a person with roster records stays; see ``RemoveStaffMember``)."""

    def __init__(self, desk, parent: QWidget | None = None, read_only: bool = False) -> None:
        super().__init__(parent)
        self.desk = desk
        self.setWindowTitle(self.tr("Staff directory"))
        self.table = make_table([self.tr("Employee no."), self.tr("Name"), self.tr("Role"), self.tr("Can handle")],
                                stretch_column=3)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.add_button = QPushButton(self.tr("Add…"))
        self.edit_button = QPushButton(self.tr("Change…"))
        self.remove_button = QPushButton(self.tr("Remove"))
        for b in (self.add_button, self.edit_button, self.remove_button):
            b.setEnabled(not read_only)
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.remove_button.clicked.connect(self.remove)
        self.table.doubleClicked.connect(self.edit)
        row = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.remove_button):
            row.addWidget(b)
        row.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(row)
        layout.addWidget(close)
        self.members: list[StaffMember] = []
        self.changed = False
        self.reload()
        self.resize(640, 420)

    def reload(self) -> None:
        self.members = self.desk.staff()
        self.table.setRowCount(len(self.members))
        for r, p in enumerate(self.members):
            from PySide6.QtWidgets import QTableWidgetItem

            for c, text in enumerate((p.staff_id, p.name, labels.staff_role(p.role),
                                      " · ".join(labels.service_type(t) for t in p.skills))):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(r, c, item)

    def selected(self) -> StaffMember | None:
        rows = self.table.selectionModel().selectedRows()
        return self.members[rows[0].row()] if rows else None

    def _store(self, do: Callable[[], None], what: str) -> bool:
        from storage.writer import WriteFailed

        try:
            do()
        except WriteFailed as exc:
            QMessageBox.warning(self, self.tr("Staff directory"),
                                self.tr("%1 was not stored: %2").replace("%1", what).replace("%2", str(exc)))
            return False
        self.changed = True
        self.reload()
        return True

    @Slot()
    def add(self) -> None:
        dialog = PersonDialog(None, self.desk.check_member, {p.staff_id for p in self.members}, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            member = dialog.member()
            self._store(lambda: self.desk.save_member(member), member.staff_id)

    @Slot()
    def edit(self) -> None:
        current = self.selected()
        if current is None or not self.edit_button.isEnabled():
            return
        dialog = PersonDialog(current, self.desk.check_member, set(), self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            member = dialog.member()
            self._store(lambda: self.desk.save_member(member), member.staff_id)

    @Slot()
    def remove(self) -> None:
        current = self.selected()
        if current is None:
            return
        self._store(lambda: self.desk.remove_member(current.staff_id), f"{current.name} ({current.staff_id})")


def hm(at: datetime, tz: tzinfo) -> str:
    return at.astimezone(tz).strftime("%H:%M")
