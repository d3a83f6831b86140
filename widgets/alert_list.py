"""Alerts panel: the day's alerts, newest first, with severity, what they are about, and when they ended."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from console import labels
from console.branch_controller import BranchView
from console.domain.records import AlertRecord
from console.domain.vocabulary import AlertSeverity, AlertState, ServiceType
from widgets.tables import ensure_rows, make_table, set_cell

SEVERITY_COLOURS = {AlertSeverity.INFO: "#e0f2fe", AlertSeverity.WARNING: "#fef3c7", AlertSeverity.CRITICAL: "#fecaca"}


class AlertList(QWidget):
    COL_RAISED, COL_SEVERITY, COL_WHAT, COL_STATE, COL_ENDED = range(5)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel(self.tr("No alerts today"))
        self.table = make_table(
            [self.tr("Raised"), self.tr("Severity"), self.tr("Alert"), self.tr("State"), self.tr("Ended")],
            stretch_column=self.COL_WHAT,
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)
        self._shown_version: tuple[int, int] | None = None

    def describe(self, alert: AlertRecord) -> str:
        value = f"{alert.value:.0f}" if alert.value is not None else "?"
        if alert.rule == "long_wait":
            kind = labels.service_type(ServiceType(alert.subject))
            return self.tr("Long wait for %1: %2 min").replace("%1", kind).replace("%2", value)
        if alert.rule == "crowding":
            return self.tr("Lobby crowded: %1 people").replace("%1", value)
        return f"{alert.rule}: {alert.subject}"

    @Slot(object)
    def show_view(self, view: BranchView) -> None:
        history = view.snapshot.alerts
        active = sum(1 for a in history if a.state is not AlertState.RESOLVED)
        if not history:
            self.summary.setText(self.tr("No alerts today"))
        else:
            self.summary.setText(self.tr("%1 active, %2 today").replace("%1", str(active)).replace("%2", str(len(history))))
        ensure_rows(self.table, len(history))
        for row, alert in enumerate(history):
            set_cell(self.table, row, self.COL_RAISED, alert.raised_at.strftime("%H:%M:%S"))
            set_cell(self.table, row, self.COL_SEVERITY, labels.alert_severity(alert.severity),
                     background=SEVERITY_COLOURS[alert.severity])
            set_cell(self.table, row, self.COL_WHAT, self.describe(alert))
            self.table.item(row, self.COL_WHAT).setToolTip(self.describe(alert))
            set_cell(self.table, row, self.COL_STATE, labels.alert_state(alert.state))
            ended = alert.resolved_at.strftime("%H:%M:%S") if alert.state is AlertState.RESOLVED and alert.resolved_at else "—"
            set_cell(self.table, row, self.COL_ENDED, ended)
