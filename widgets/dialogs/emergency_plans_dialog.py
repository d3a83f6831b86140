"""File → Emergency plans… (应急预案): each incident type's plan — its steps in order and whom to call — and the
crowding alert's checklist for each level, edited by the branch manager, and for each incident type the roles told
at once when one is reported (their console sounds, their chat robot and e-mail get it: console/domain/alert_routing.py).
``save(plans)`` stores them (None when stored, else why not); a plan without a step, a number without a name, or an
incident plan that tells nobody is refused with the reason and nothing is stored.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from console.domain.alert_routing import ROUTED_ROLES
from console.domain.incidents import Contact, IncidentType
from console.domain.permissions import Role
from widgets import labels

# what the editor keeps of one plan: (steps, contacts as (name, number))
PlanText = tuple[list[str], list[tuple[str, str]]]


class EmergencyPlansDialog(QDialog):
    """``plans``: kind ("medical", …, "crowding_warning", "crowding_critical") → (steps, contacts); ``save`` gets the
    edited mapping. ``notify``: incident kind → the roles told at once, edited in place (the caller's ``save`` reads
    it)."""

    def __init__(self, plans: dict[str, PlanText], save: Callable[[dict[str, PlanText]], str | None],
                 parent: QWidget | None = None, read_only: bool = False,
                 notify: dict[str, list[str]] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Emergency plans"))
        self.plans = {kind: (list(steps), list(contacts)) for kind, (steps, contacts) in plans.items()}
        self.notify = notify if notify is not None else {}
        self.save_plans = save
        self.kinds = QListWidget()
        self.kinds.setObjectName("planKinds")
        for kind in self.plans:
            item = QListWidgetItem(self.kind_words(kind))
            item.setData(Qt.ItemDataRole.UserRole, kind)
            self.kinds.addItem(item)
        self.steps = QPlainTextEdit()
        self.steps.setPlaceholderText(self.tr("One step per line, in the order to take them"))
        self.contacts = QPlainTextEdit()
        self.contacts.setPlaceholderText(self.tr("One per line: name, then the number (110, 120, 119, the security "
                                                 "desk…)"))
        self.contacts.setMaximumHeight(110)
        self.contacts_label = QLabel(self.tr("Whom to call"))
        self.notify_label = QLabel(self.tr("Tell at once (their console sounds; their chat robot and e-mail, as set "
                                           "in Settings → Alert delivery)"))
        self.notify_label.setWordWrap(True)
        self.notify_boxes = {role: QCheckBox(labels.user_role(Role(role))) for role in ROUTED_ROLES}
        notify_row = QHBoxLayout()
        for box in self.notify_boxes.values():
            box.setEnabled(not read_only)
            notify_row.addWidget(box)
        notify_row.addStretch(1)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b91c1c")
        self.error.setWordWrap(True)
        for edit in (self.steps, self.contacts):
            edit.setReadOnly(read_only)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(not read_only)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        right = QVBoxLayout()
        right.addWidget(QLabel(self.tr("Steps")))
        right.addWidget(self.steps, 1)
        right.addWidget(self.contacts_label)
        right.addWidget(self.contacts)
        right.addWidget(self.notify_label)
        right.addLayout(notify_row)
        row = QHBoxLayout()
        row.addWidget(self.kinds, 1)
        row.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(row, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self._shown: str | None = None
        self.kinds.currentItemChanged.connect(self._kind_changed)
        self.kinds.setCurrentRow(0)
        self.resize(900, 520)

    def kind_words(self, kind: str) -> str:
        if kind == "crowding_warning":
            return self.tr("Crowding — warning level")
        if kind == "crowding_critical":
            return self.tr("Crowding — critical level")
        return labels.incident_type(IncidentType(kind))

    def _keep(self) -> None:
        """The text on screen back into ``plans`` (of the kind shown)."""
        if self._shown is None:
            return
        steps = [line.strip() for line in self.steps.toPlainText().splitlines() if line.strip()]
        contacts = []
        for line in self.contacts.toPlainText().splitlines():
            name, _, number = line.strip().rpartition(" ")
            if line.strip():
                contacts.append((name.strip(), number.strip()))
        self.plans[self._shown] = (steps, contacts)
        if not self._shown.startswith("crowding"):
            self.notify[self._shown] = [r for r, box in self.notify_boxes.items() if box.isChecked()]

    @Slot()
    def _kind_changed(self) -> None:
        self._keep()
        item = self.kinds.currentItem()
        if item is None:
            return
        kind = item.data(Qt.ItemDataRole.UserRole)
        steps, contacts = self.plans[kind]
        self._shown = kind
        self.steps.setPlainText("\n".join(steps))
        self.contacts.setPlainText("\n".join(f"{name} {number}" if name != number else number
                                             for name, number in contacts))
        crowding = kind.startswith("crowding")
        for widget in (self.contacts, self.contacts_label, self.notify_label, *self.notify_boxes.values()):
            widget.setVisible(not crowding)
        told = self.notify.get(kind, list(ROUTED_ROLES))
        for role, box in self.notify_boxes.items():
            box.setChecked(role in told)

    def accept(self) -> None:
        self._keep()
        for kind, (steps, contacts) in self.plans.items():
            if not steps:
                self.error.setText(self.tr("%1: at least one step is needed.").replace("%1", self.kind_words(kind)))
                return
            if not kind.startswith("crowding") and kind in self.notify and not self.notify[kind]:
                self.error.setText(self.tr("%1: tell at least one role at once.").replace("%1",
                                                                                          self.kind_words(kind)))
                return
            for name, number in contacts:
                if not number or not any(ch.isdigit() for ch in number):
                    self.error.setText(self.tr("%1: \"%2\" is not a name followed by a number.").replace(
                        "%1", self.kind_words(kind)).replace("%2", f"{name} {number}".strip()))
                    return
        problem = self.save_plans(self.plans)
        if problem is not None:
            self.error.setText(self.tr("Not saved: %1").replace("%1", problem))
            return
        super().accept()


def plan_texts(plans, crowding: dict[str, Sequence[str]]) -> dict[str, PlanText]:
    """The editor's mapping from the branch's plans (``EmergencyPlan`` by type) and crowding steps by level."""
    texts: dict[str, PlanText] = {kind.value: (list(plan.steps), [(c.name, c.number) for c in plan.contacts])
                                  for kind, plan in plans.items()}
    texts.update({kind: (list(steps), []) for kind, steps in crowding.items()})
    return texts


def contacts_of(pairs: Sequence[tuple[str, str]]) -> tuple[Contact, ...]:
    """Contacts from the editor's (name, number) pairs; a number alone is its own name (110, 120, 119)."""
    return tuple(Contact(name or number, number) for name, number in pairs)
