"""Alerts panel: the day's alerts (and any older ones still open), filterable by state, severity and rule, with
acknowledge / resolve buttons, CSV export and the rules editor. The banner (``AlertBanner``) shows the most severe
alert not acknowledged yet above all panels.

What the buttons do (dialogs, storage) is decided in ``console/app/alert_controller.py``; the words for an alert are
``widgets/alert_words.py``'s ``describe``, so the banner, the list and the dialogs say the same thing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.domain.records import AlertRecord
from console.domain.vocabulary import AlertSeverity, AlertState
from widgets import labels
from widgets.alert_words import describe
from widgets.tables import ensure_rows, make_table, set_cell

SEVERITY_COLOURS = {AlertSeverity.INFO: "#e0f2fe", AlertSeverity.WARNING: "#fef3c7", AlertSeverity.CRITICAL: "#fecaca"}
BANNER_COLOURS = {AlertSeverity.INFO: "#bae6fd", AlertSeverity.WARNING: "#fcd34d", AlertSeverity.CRITICAL: "#f87171"}
RULE_KINDS = ("crowding", "long_wait", "queue", "service_level", "idle_counter", "staffing", "camera_offline",
              "not_logged_in", "priority_wait", "low_rating")


class AlertList(QWidget):
    """``sig_acknowledge(AlertRecord)``, ``sig_resolve(AlertRecord)``, ``sig_export()``, ``sig_rules()``."""

    sig_acknowledge = Signal(object)
    sig_resolve = Signal(object)
    sig_export = Signal()
    sig_rules = Signal()

    COL_RAISED, COL_SEVERITY, COL_WHAT, COL_STATE, COL_WHO, COL_ENDED = range(6)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel(self.tr("No alerts today"))
        self.state_filter = QComboBox()
        self.state_filter.addItem(self.tr("All states"), "")
        self.state_filter.addItem(self.tr("Open (not resolved)"), "open")
        for st in AlertState:
            self.state_filter.addItem(labels.alert_state(st), st.value)
        self.severity_filter = QComboBox()
        self.severity_filter.addItem(self.tr("All severities"), "")
        for sev in AlertSeverity:
            self.severity_filter.addItem(labels.alert_severity(sev), sev.value)
        self.rule_filter = QComboBox()
        self.rule_filter.addItem(self.tr("All rules"), "")
        for kind in RULE_KINDS:
            self.rule_filter.addItem(labels.rule_name(kind), kind)
        for box in (self.state_filter, self.severity_filter, self.rule_filter):
            box.currentIndexChanged.connect(self._refilter)
        self.table = make_table(
            [self.tr("Raised"), self.tr("Severity"), self.tr("Alert"), self.tr("State"), self.tr("By / note"),
             self.tr("Ended")],
            stretch_column=self.COL_WHAT,
        )
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.setWordWrap(True)
        self.narrow = False  # set by resizeEvent: who/ended columns hidden, the alert's words wrapped on two lines
        self.ack_button = QPushButton(self.tr("Acknowledge…"))
        self.resolve_button = QPushButton(self.tr("Resolve…"))
        self.export_button = QPushButton(self.tr("Export CSV…"))
        self.rules_button = QPushButton(self.tr("Rules…"))
        self.ack_button.clicked.connect(self._ack_clicked)
        self.resolve_button.clicked.connect(self._resolve_clicked)
        self.export_button.clicked.connect(self.sig_export)
        self.rules_button.clicked.connect(self.sig_rules)
        filters = QHBoxLayout()
        for w in (self.state_filter, self.severity_filter, self.rule_filter):
            filters.addWidget(w)
        filters.addStretch(1)
        buttons = QHBoxLayout()
        for b in (self.ack_button, self.resolve_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.rules_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        # the selected alert in full (the table's column shows the start of a long sentence): readable at a glance
        self.detail = QLabel()
        self.detail.setObjectName("alertDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setFrameShape(QFrame.Shape.StyledPanel)
        self.detail.setMinimumHeight(self.fontMetrics().lineSpacing() * 3 + 8)
        layout.addWidget(self.detail)
        layout.addLayout(buttons)
        self.alerts: list[AlertRecord] = []  # all, newest first
        self.shown: list[AlertRecord] = []
        self.can_acknowledge = True
        self.ack_denied: Callable[[AlertRecord], str | None] | None = None  # why this user may not acknowledge it
        self.tz = None  # the branch's time zone (set by the controller)
        self.failed_deliveries: dict[int, str] = {}  # alert id → why its message could not be delivered
        self.snapshots: dict[int, list[str]] = {}  # alert id → its snapshot files (privacy: heads blurred)
        self._selection_changed()

    def matches(self, a: AlertRecord) -> bool:
        state, severity, rule = (self.state_filter.currentData(), self.severity_filter.currentData(),
                                 self.rule_filter.currentData())
        if state == "open" and a.state is AlertState.RESOLVED:
            return False
        if state and state != "open" and a.state.value != state:
            return False
        if severity and a.severity.value != severity:
            return False
        return not rule or a.rule.split(".")[0] == rule or a.rule == rule

    def set_alerts(self, alerts: Sequence[AlertRecord]) -> None:
        self.alerts = sorted(alerts, key=lambda a: (a.raised_at, a.alert_id or 0), reverse=True)
        active = sum(1 for a in self.alerts if a.state is not AlertState.RESOLVED)
        self.summary.setText(self.tr("No alerts today") if not self.alerts else
                             self.tr("%1 open, %2 today").replace("%1", str(active))
                             .replace("%2", str(len(self.alerts))))
        self._refilter()

    @Slot()
    def _refilter(self) -> None:
        selected = self.selected()
        self.shown = [a for a in self.alerts if self.matches(a)]
        ensure_rows(self.table, len(self.shown))
        for row, a in enumerate(self.shown):
            set_cell(self.table, row, self.COL_RAISED, a.raised_at.astimezone(self.tz).strftime("%H:%M:%S"))
            sev = labels.alert_severity(a.severity) + (" ↑" if a.escalated else "")
            set_cell(self.table, row, self.COL_SEVERITY, sev, background=SEVERITY_COLOURS[a.severity])
            words = describe(a)
            set_cell(self.table, row, self.COL_WHAT, words)
            detail = [words] + [self.tr("Snapshot: %1").replace("%1", path)
                                for path in self.snapshots.get(a.alert_id or -1, ())]
            self.table.item(row, self.COL_WHAT).setToolTip("\n".join(detail))
            set_cell(self.table, row, self.COL_STATE, labels.alert_state(a.state))
            who = a.resolved_by or a.acknowledged_by or ""
            if a.note:
                who = f"{who}: {a.note}" if who else a.note
            failed = self.failed_deliveries.get(a.alert_id or -1)
            if failed:
                who = ("⚠ " + self.tr("not delivered") + (f" · {who}" if who else ""))
            set_cell(self.table, row, self.COL_WHO, who or "—")
            self.table.item(row, self.COL_WHO).setToolTip(failed or "")
            ended = a.resolved_at.astimezone(self.tz).strftime("%H:%M:%S") if a.resolved_at else "—"
            set_cell(self.table, row, self.COL_ENDED, ended)
        self._fit_rows()
        if selected is not None:
            row = next((i for i, a in enumerate(self.shown) if a.alert_id == selected.alert_id), None)
            if row is not None:
                self.table.selectRow(row)
        self._selection_changed()

    #: below this width (pixels) the panel drops the "By / note" and "Ended" columns (the detail pane below the list
    #: gives both) and wraps each alert's words on up to two lines, so the sentence itself stays readable
    NARROW_PX = 720

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        narrow = self.width() < self.NARROW_PX
        if narrow != self.narrow:
            self.narrow = narrow
            self.table.setColumnHidden(self.COL_WHO, narrow)
            self.table.setColumnHidden(self.COL_ENDED, narrow)
        self._fit_rows()

    def _fit_rows(self) -> None:
        """Rows one line high on a wide panel; on a narrow one, two lines for the alert's words."""
        line = self.table.fontMetrics().lineSpacing()
        height = 2 * line + 8 if self.narrow else line + 8
        vertical = self.table.verticalHeader()
        if vertical.defaultSectionSize() != height:
            vertical.setDefaultSectionSize(height)

    def selected(self) -> AlertRecord | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.shown[rows[0].row()] if rows and rows[0].row() < len(self.shown) else None

    def select_alert(self, alert_id: int) -> bool:
        row = next((i for i, a in enumerate(self.shown) if a.alert_id == alert_id), None)
        if row is None:
            return False
        self.table.selectRow(row)
        return True

    def detail_text(self, a: AlertRecord | None) -> str:
        """The alert in full for the detail pane: level (and the escalation mark), the sentence, when it was raised
        and ended, its state and who did what, and its snapshots."""
        if a is None:
            return self.tr("Select an alert to read it in full here.")
        head = labels.alert_severity(a.severity)
        if a.escalated:
            head += " · " + self.tr("↑ escalated: not acknowledged in time, notified again")
        lines = [f"{head} — {describe(a)}"]
        times = self.tr("Raised %1").replace("%1", a.raised_at.astimezone(self.tz).strftime("%H:%M:%S"))
        if a.resolved_at:
            times += " · " + self.tr("ended %1").replace("%1", a.resolved_at.astimezone(self.tz).strftime("%H:%M:%S"))
        times += " · " + (self.tr("not acknowledged yet") if a.state is AlertState.RAISED
                          else labels.alert_state(a.state))
        who = a.resolved_by or a.acknowledged_by
        if who:
            times += " · " + self.tr("by %1").replace("%1", who)
        if a.note:
            times += " · " + a.note
        lines.append(times)
        failed = self.failed_deliveries.get(a.alert_id or -1)
        if failed:
            lines.append("⚠ " + self.tr("not delivered: %1").replace("%1", failed))
        lines += [self.tr("Snapshot: %1").replace("%1", path) for path in self.snapshots.get(a.alert_id or -1, ())]
        return "\n".join(lines)

    @Slot()
    def _selection_changed(self) -> None:
        a = self.selected()
        self.detail.setText(self.detail_text(a if a is not None else (self.shown[0] if self.shown else None)))
        open_ = a is not None and a.state is not AlertState.RESOLVED and a.alert_id is not None
        why = self.ack_denied(a) if open_ and self.ack_denied is not None else None
        self.ack_button.setEnabled(open_ and a.state is AlertState.RAISED and self.can_acknowledge and why is None)
        self.resolve_button.setEnabled(open_ and self.can_acknowledge and why is None)
        self.ack_button.setToolTip(why or "")
        self.resolve_button.setToolTip(why or "")

    def set_export_denied(self, why: str | None) -> None:
        """Export disabled, with ``why`` as its tooltip, for a role that may not export (None: allowed)."""
        self.export_button.setEnabled(why is None)
        self.export_button.setToolTip(why or "")

    @Slot()
    def _ack_clicked(self) -> None:
        if (a := self.selected()) is not None:
            self.sig_acknowledge.emit(a)

    @Slot()
    def _resolve_clicked(self) -> None:
        if (a := self.selected()) is not None:
            self.sig_resolve.emit(a)


class AlertBanner(QFrame):
    """The most severe open alert nobody has acknowledged yet, in the severity's colour. ``sig_visible`` asks the
    window to show or hide the bar holding it (a widget in a tool bar is shown and hidden through the bar);
    ``sig_acknowledge(AlertRecord)``."""

    sig_acknowledge = Signal(object)
    sig_visible = Signal(bool)  # the window shows or hides the bar that holds the banner

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alertBanner")
        self.text = QLabel()
        self.text.setObjectName("alertBannerText")
        self.text.setWordWrap(True)
        self.more = QLabel()
        self.button = QPushButton(self.tr("Acknowledge…"))
        self.button.clicked.connect(self._clicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.more)
        layout.addWidget(self.button)
        self.alert: AlertRecord | None = None
        self.tz = None
        self.ack_denied: Callable[[AlertRecord], str | None] | None = None  # as AlertList.ack_denied
        self._open: list[AlertRecord] = []

    def show_alerts(self, open_alerts: Sequence[AlertRecord]) -> None:
        self._open = list(open_alerts)
        waiting = [a for a in open_alerts if a.state is AlertState.RAISED]
        if not waiting:
            self.alert = None
            self.sig_visible.emit(False)
            return
        order = {AlertSeverity.INFO: 0, AlertSeverity.WARNING: 1, AlertSeverity.CRITICAL: 2}
        top = max(waiting, key=lambda a: (order[a.severity], a.escalated, a.raised_at))
        self.alert = top
        self.setStyleSheet(f"#alertBanner {{ background: {BANNER_COLOURS[top.severity]}; border-radius: 4px; }}")
        since = self.tr("since %1").replace("%1", top.raised_at.astimezone(self.tz).strftime("%H:%M:%S"))
        self.text.setText(f"{labels.alert_severity(top.severity)} — {describe(top)} ({since})")
        others = len(waiting) - 1
        self.more.setText(self.tr("+%1 more").replace("%1", str(others)) if others else "")
        why = self.ack_denied(top) if self.ack_denied is not None else None
        self.button.setEnabled(top.alert_id is not None and why is None)
        self.button.setToolTip(why or "")
        self.sig_visible.emit(True)

    def refresh(self) -> None:
        """Show the same alerts again (the user changed)."""
        self.show_alerts(self._open)

    @Slot()
    def _clicked(self) -> None:
        if self.alert is not None:
            self.sig_acknowledge.emit(self.alert)
