"""Acknowledging or resolving an alert: a note of what was done and by whom, and for a crowding alert the
branch's emergency-plan (应急预案) steps for that level as a checklist; the ticked steps lead the stored note."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from console.domain.records import AlertRecord
from widgets import labels
from widgets.alert_words import describe


class AcknowledgeDialog(QDialog):
    """A note for acknowledging or resolving an alert; for crowding, the plan's steps to tick off."""

    def __init__(self, alert: AlertRecord, plan: list[str], resolve: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Resolve alert") if resolve else self.tr("Acknowledge alert"))
        layout = QVBoxLayout(self)
        head = QLabel(f"{labels.alert_severity(alert.severity)} — {describe(alert)}")
        head.setWordWrap(True)
        layout.addWidget(head)
        self.steps: list[QCheckBox] = []
        if plan:
            layout.addWidget(QLabel(self.tr("Emergency plan (应急预案) for this level:")))
            for step in plan:
                box = QCheckBox(step)
                self.steps.append(box)
                layout.addWidget(box)
        layout.addWidget(QLabel(self.tr("Note (what was done, by whom):")))
        self.note = QPlainTextEdit()
        self.note.setFixedHeight(70)
        layout.addWidget(self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def text(self) -> str:
        """The note, with the plan steps ticked off listed first."""
        done = [b.text() for b in self.steps if b.isChecked()]
        parts = [f"✓ {d}" for d in done]
        if self.note.toPlainText().strip():
            parts.append(self.note.toPlainText().strip())
        return "\n".join(parts)
