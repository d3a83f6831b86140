"""Reporting an incident and working through its emergency plan.

``ReportIncidentDialog``: what happened (eight types, large and readable), a short note (where, who), and whether
it is a drill. ``IncidentDialog``: the incident's plan as a checklist — each step ticked shows when and by whom —,
whom to call, and closing it with a summary. What the buttons store is decided by ``console/app/incident_controller.py``
(``tick(position, done)`` and ``close(summary)`` return None when stored, else why not).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.domain.incidents import Contact, Incident, IncidentType
from widgets import labels

# the most a note may hold (the stored alert's detail)
NOTE_MAX = 200


class ReportIncidentDialog(QDialog):
    """``kind()``, ``note()`` and ``drill()`` once accepted."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Report incident"))
        self.types = QListWidget()
        self.types.setObjectName("incidentTypes")
        for kind in IncidentType:
            item = QListWidgetItem(labels.incident_type(kind))
            item.setData(Qt.ItemDataRole.UserRole, kind.value)
            self.types.addItem(item)
        self.types.setCurrentRow(0)
        font = self.types.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.types.setFont(font)
        self.note_edit = QLineEdit()
        self.note_edit.setMaxLength(NOTE_MAX)
        self.note_edit.setPlaceholderText(self.tr("Where, who, what you see (optional)"))
        self.drill_box = QCheckBox(self.tr("This is a drill (演练): it runs the same way and never counts as real"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.report_button = buttons.addButton(self.tr("Report"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.report_button.setObjectName("reportIncident")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.types.itemDoubleClicked.connect(lambda _: self.accept())
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("What is happening?")))
        layout.addWidget(self.types, 1)
        form = QFormLayout()
        form.addRow(self.tr("Note"), self.note_edit)
        layout.addLayout(form)
        layout.addWidget(self.drill_box)
        layout.addWidget(buttons)
        self.resize(560, 480)

    def kind(self) -> IncidentType:
        item = self.types.currentItem()
        return IncidentType(item.data(Qt.ItemDataRole.UserRole)) if item is not None else IncidentType.OTHER

    def note(self) -> str:
        return self.note_edit.text().strip()

    def drill(self) -> bool:
        return self.drill_box.isChecked()


class IncidentDialog(QDialog):
    """One incident: its plan's steps to tick, whom to call, and closing it with a summary."""

    def __init__(self, incident: Incident, contacts: Sequence[Contact], tz, *,
                 tick: Callable[[int, bool], str | None], close: Callable[[str], str | None],
                 reload: Callable[[], Incident | None], export: Callable[[Path], str | None] | None = None,
                 can_act: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.incident, self.tz = incident, tz
        self._tick, self._close, self._reload, self._export = tick, close, reload, export
        self.can_act = can_act
        what = labels.incident_type(incident.kind)
        self.setWindowTitle((self.tr("Drill: %1") if incident.drill else self.tr("Incident: %1")).replace("%1", what))
        self.header = QLabel()
        self.header.setObjectName("incidentHeader")
        self.header.setWordWrap(True)
        steps_box = QGroupBox(self.tr("Emergency plan"))
        self.steps_layout = QVBoxLayout(steps_box)
        self.step_boxes: list[QCheckBox] = []
        self.step_times: list[QLabel] = []
        for step in incident.steps:
            box = QCheckBox(f"{step.position + 1}. {step.text}")
            box.setObjectName("incidentStep")
            when = QLabel()
            when.setObjectName("incidentStepTime")
            when.setIndent(28)  # under its step's text, not under the box
            when.setStyleSheet("color: #15803d")
            box.toggled.connect(lambda done, position=step.position: self._toggled(position, done))
            self.steps_layout.addWidget(box)
            self.steps_layout.addWidget(when)
            self.step_boxes.append(box)
            self.step_times.append(when)
        calls = QLabel(self.tr("Call: %1").replace("%1", ", ".join(f"{c.name} ({c.number})" if c.name != c.number
                                                                 else c.number for c in contacts))
                       if contacts else self.tr("No numbers to call in this plan"))
        calls.setObjectName("incidentContacts")
        calls.setWordWrap(True)
        self.summary = QPlainTextEdit()
        self.summary.setPlaceholderText(self.tr("What happened and what was done (needed to close)"))
        self.summary.setMaximumHeight(90)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b91c1c")
        self.error.setWordWrap(True)
        self.close_button = QPushButton(self.tr("Close incident"))
        self.close_button.clicked.connect(self.close_incident)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.export_button = QPushButton(self.tr("Export record (PDF)…"))
        self.export_button.clicked.connect(self.export_record)
        self.export_button.setVisible(export is not None)
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(calls)
        layout.addWidget(steps_box)
        layout.addWidget(QLabel(self.tr("Summary")))
        layout.addWidget(self.summary)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(640, 560)
        self.show_incident(incident)

    def show_incident(self, incident: Incident) -> None:
        self.incident = incident
        reported = incident.raised_at.astimezone(self.tz).strftime("%H:%M:%S")
        head = (self.tr("Drill: %1") if incident.drill else self.tr("Incident: %1")).replace(
            "%1", labels.incident_type(incident.kind))
        lines = [f"<b>{head}</b>", self.tr("Reported %1 by %2").replace("%1", reported).replace(
            "%2", incident.raised_by)]
        if incident.note:
            lines.append(incident.note)
        closed = incident.closed_at is not None
        if closed:
            lines.append(self.tr("Closed %1 by %2").replace("%1", incident.closed_at.astimezone(self.tz).strftime(
                "%H:%M:%S")).replace("%2", incident.closed_by or "?"))
        self.header.setText("<br>".join(line.replace("<", "&lt;") if i else line for i, line in enumerate(lines)))
        for step, box, when in zip(incident.steps, self.step_boxes, self.step_times, strict=True):
            box.blockSignals(True)
            box.setChecked(step.done_at is not None)
            box.blockSignals(False)
            box.setEnabled(self.can_act and not closed)
            when.setText(self.tr("done %1 by %2").replace("%1", step.done_at.astimezone(self.tz).strftime("%H:%M:%S"))
                         .replace("%2", step.done_by or "?") if step.done_at is not None else "")
            when.setVisible(step.done_at is not None)
        if closed:
            self.summary.setPlainText(incident.summary)
        self.summary.setReadOnly(closed or not self.can_act)
        self.close_button.setEnabled(self.can_act and not closed)

    def _refresh(self) -> None:
        fresh = self._reload()
        if fresh is not None:
            self.show_incident(fresh)

    @Slot()
    def _toggled(self, position: int, done: bool) -> None:
        problem = self._tick(position, done)
        self.error.setText(problem or "")
        self._refresh()

    @Slot()
    def export_record(self, path: str | None = None) -> bool:
        """The one-page record as a PDF (asks where unless ``path`` is given)."""
        if self._export is None:
            return False
        if not path:
            from PySide6.QtWidgets import QFileDialog

            suggested = f"incident-{self.incident.alert_id}.pdf"
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Export record"), suggested, self.tr("PDF (*.pdf)"))
            if not path:
                return False
        problem = self._export(Path(path))
        self.error.setText(self.tr("Not written: %1").replace("%1", problem) if problem else "")
        return problem is None

    @Slot()
    def close_incident(self) -> None:
        summary = self.summary.toPlainText().strip()
        if not summary:
            self.error.setText(self.tr("Write a summary before closing: what happened and what was done."))
            return
        problem = self._close(summary)
        if problem is not None:
            self.error.setText(problem)
            return
        self.error.setText("")
        self._refresh()
