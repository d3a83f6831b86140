"""Dialogs of the counter board: pick the staff member for a counter, pick a counter's service types.

Both show why a choice is not possible (the same check the request goes through, ``check_command``) instead of
letting the manager pick it and fail afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.domain.counter_actions import Refusal
from console.domain.presence import StaffPresence
from console.domain.records import CounterStatus
from console.domain.vocabulary import QUEUED_SERVICE_TYPES, ServiceType
from widgets import labels
from widgets.tables import make_table


class StaffPickerDialog(QDialog):
    """Choose who works at a counter. ``check(staff_id)`` says why a person cannot (None when they can);
    ``explain`` words a refusal."""

    def __init__(self, counter: CounterStatus, people: Sequence[StaffPresence],
                 check: Callable[[str], Refusal | None], explain: Callable[[Refusal], str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Staff for %1").replace(
            "%1", labels.counter_name(counter.counter_id, counter.name)))
        self.table: QTableWidget = make_table(
            [self.tr("Name"), self.tr("Employee no."), self.tr("Now"), self.tr("Can handle")], stretch_column=3)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.staff_ids: list[str] = []
        self.table.setRowCount(len(people))
        first_ok = None
        for row, p in enumerate(people):
            refusal = check(p.staff.staff_id)
            cells = (p.staff.name, p.staff.staff_id, labels.presence(p),
                     " · ".join(labels.service_type(t) for t in p.staff.skills))
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if refusal is not None:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled & ~Qt.ItemFlag.ItemIsSelectable)
                    item.setToolTip(explain(refusal))
                self.table.setItem(row, col, item)
            self.staff_ids.append(p.staff.staff_id)
            if refusal is None and first_ok is None:
                first_ok = row
        hint = QLabel(self.tr("Greyed-out people cannot take this counter now; point at one to see why."))
        hint.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(self._double_clicked)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(hint)
        layout.addWidget(self.buttons)
        if first_ok is not None:
            self.table.selectRow(first_ok)
        self._selection_changed()
        self.resize(560, 360)

    @Slot()
    def _double_clicked(self) -> None:
        if self.selected() is not None:
            self.accept()

    def selected(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.staff_ids[rows[0].row()] if rows else None

    def _selection_changed(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(self.selected() is not None)


class ServiceTypesDialog(QDialog):
    """Tick the service types a counter takes, the first ticked one preferred when calling."""

    def __init__(self, counter: CounterStatus, parent: QWidget | None = None,
                 offered: Sequence[ServiceType] = QUEUED_SERVICE_TYPES) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Service types of %1").replace(
            "%1", labels.counter_name(counter.counter_id, counter.name)))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("The counter calls tickets of the ticked types:")))
        current = list(counter.service_types)
        ordered = current + [t for t in offered if t not in current]
        self.boxes: dict[ServiceType, QCheckBox] = {}
        for st in ordered:
            box = QCheckBox(labels.service_type(st))
            box.setChecked(st in current)
            box.toggled.connect(self._changed)
            self.boxes[st] = box
            layout.addWidget(box)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._changed()

    def selected(self) -> tuple[ServiceType, ...]:
        return tuple(st for st, box in self.boxes.items() if box.isChecked())

    def _changed(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.selected()))
