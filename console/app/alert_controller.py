"""GUI-thread side of the alerts: the list and the banner follow the ``AlertService``; acknowledging and resolving
go through a dialog (a note, and for a crowding alert the branch's emergency-plan steps as a checklist); a new or
escalated alert also makes a sound that differs by severity and a tray notification where the desktop has a tray,
when it is for the role logged in here (console/domain/alert_routing.py: the rule kinds and lowest level that are the
role's; an incident reported on another PC or from the command line sounds once, for the roles its plan names).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QObject, Slot
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QMessageBox,
    QWidget,
)

from console.alerts.incidents import crowding_plan, plan_roles
from console.alerts.store import write_alerts
from console.app.alert_service import AlertService, AlertUpdate, record_of
from console.domain.alert_engine import SEVERITY_ORDER, ChangeKind, RuleKind, ScopeKind
from console.domain.incidents import crowding_steps, incident_type_of
from console.domain.permissions import Permission, ack_permission
from console.domain.records import AlertRecord
from console.domain.vocabulary import AlertSeverity, AlertState, ServiceType
from storage import repository
from widgets import labels
from widgets.alert_words import describe
from widgets.dialogs.acknowledge_dialog import AcknowledgeDialog
from widgets.panels.alert_list import AlertBanner, AlertList


def ack_denial(context, alert) -> str | None:
    """Why the logged-in user may not acknowledge or resolve ``alert`` (None: they may)."""
    if context.viewer:
        return QCoreApplication.translate("MainWindow", "Alerts of a branch opened from the regional view are "
                                          "acknowledged at the branch's own console.")
    return labels.denied(context.operator.role, ack_permission(alert.rule), context.operator.read_only)


def default_plan(severity: AlertSeverity, language: str = "en") -> list[str]:
    """Built-in emergency-plan steps (应急预案) for crowding, used until the branch sets its own."""
    return list(crowding_steps(language, severity))


class AlertController(QObject):
    """Owned by the window; keeps no reference to it (dialogs are parented to ``self.parent()``)."""

    def __init__(self, service: AlertService | None, alert_list: AlertList, banner: AlertBanner, context,
                 window: QWidget) -> None:
        super().__init__(window)
        self.service = service
        self.list = alert_list
        self.banner = banner
        self.db = context.env.db
        self.code = context.branch_code
        self.settings = context.env.settings.alerts
        self.user = context.desk.user if context.desk is not None else "console"
        self.context = context  # for the logged-in user's role
        self.sounder = None
        self.tray = None
        self.routes = self.settings.route_table()
        #: incidents already shown (reported here, or open when the window started): only new ones sound
        self.incidents_seen: set[int] = set()
        self._incidents_primed = False
        self.signalled: list[tuple[AlertSeverity, str, bool, bool]] = []  # (level, text, sound, tray), for tests
        self.rows: list[AlertRecord] = []
        self._loaded = False
        self._snapshots_seen = 0
        self.shown_at: datetime | None = None  # wall clock of the last time the banner changed (measurements)
        alert_list.sig_acknowledge.connect(self.acknowledge)
        alert_list.sig_resolve.connect(self.resolve)
        alert_list.sig_export.connect(self.export)
        alert_list.sig_rules.connect(self.open_rules)
        self.controller = context.controller
        self.cameras = context.cameras
        #: opens an incident's dialog (console/app/incident_controller.py), set by the window
        self.incidents = None
        #: told the level of the lobby's open crowding alert (None: none) after each evaluation
        self.lobby_level: Callable[[AlertSeverity | None], None] | None = None
        banner.sig_acknowledge.connect(self.acknowledge)
        if service is not None:
            service.sig_alerts.connect(self.on_update)
            if service.latest is not None:
                self.on_update(service.latest)
        else:
            alert_list.can_acknowledge = False

    def _snapshot_version(self) -> int:
        """Goes up when an alert snapshot was stored (0 without snapshots): the list then reads them again."""
        taker = getattr(getattr(self, "context", None), "snapshots", None)
        return taker.version if taker is not None else 0

    def plan_for(self, alert: AlertRecord) -> list[str]:
        """A crowding alert's checklist: the branch's stored plan for its level (File → Emergency plans…), else the
        settings file's from before plans were stored, else the built-in steps."""
        if alert.rule.split(".")[0] != "crowding":
            return []
        critical = alert.severity is AlertSeverity.CRITICAL
        stored = crowding_plan(self.db, self.code, critical) if self.code is not None else None
        if stored:
            return stored
        custom = self.settings.plan_critical if critical else self.settings.plan_warning
        return list(custom) if custom else default_plan(alert.severity, QLocale().name())

    def reload(self, tz=None) -> None:
        """The branch day's alerts (on the branch clock: the simulated day on the demo branch) and any older open
        ones, from the database."""
        if self.code is None:
            return
        view = self.controller.latest
        now = view.snapshot.at if view is not None else datetime.now(tz)
        tz = tz or now.tzinfo
        midnight = now.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
        rows = {a.alert_id: a for a in repository.load_alerts(self.db, self.code, midnight - timedelta(hours=12))}
        for a in repository.load_open_alerts(self.db, self.code):
            rows[a.alert_id] = a
        self.rows = list(rows.values())
        self._loaded = True
        failed: dict[int, str] = {}
        for d in repository.load_deliveries(self.db, [a for a in rows if a is not None]):
            if d.state == "failed":
                failed[d.alert_id] = f"{d.channel} → {d.target}: {d.last_error}"
        self.list.failed_deliveries = failed
        from storage.alert_snapshots import load_alert_snapshots

        self.list.snapshots = load_alert_snapshots(self.db, [a for a in rows if a is not None])
        self._snapshots_seen = self._snapshot_version()
        self.list.tz = self.banner.tz = tz
        self.list.set_alerts(self.rows)

    @Slot(object)
    def on_update(self, update: AlertUpdate) -> None:
        tz = update.at.tzinfo
        if update.changes or not self._loaded or self._snapshot_version() != self._snapshots_seen:
            self.reload(tz)  # the list reads the database only when something changed
        stored = {a.alert_id: a for a in self.rows}
        open_records = []
        for a in update.open:
            base = stored.get(a.alert_id)
            state = base.state if base is not None else (
                AlertState.ACKNOWLEDGED if a.acknowledged else AlertState.RAISED)
            open_records.append(AlertRecord(a.alert_id, a.rule_id, a.severity, state, a.subject, "", a.raised_at,
                                            value=a.value, threshold=a.threshold, detail=a.detail,
                                            escalated=a.escalated))
        self.banner.tz = tz
        if self.lobby_level is not None:  # the big lobby number takes the colour of its crowding alert's level
            crowding = [a.severity for a in update.open if a.subject == "lobby"
                        and (rule := update.rules.get(a.rule_id)) is not None and rule.kind is RuleKind.CROWDING]
            self.lobby_level(max(crowding, key=SEVERITY_ORDER.index) if crowding else None)
        before = self.banner.alert
        self.banner.show_alerts(open_records)
        if self.banner.alert != before:
            import time

            self.shown_at = time.monotonic()
        role = self.context.operator.role
        for change in update.changes:
            if change.kind in (ChangeKind.RAISED, ChangeKind.WORSENED, ChangeKind.ESCALATED):
                rule = update.rules.get(change.alert.rule_id)
                kind = rule.kind.value if rule is not None else change.alert.rule_id.split(".")[0]
                sound, tray = self.routes.signals_here(role, kind, change.alert.severity)
                self._signal(change.alert.severity, describe(record_of(change)), sound, tray)
        for a in update.open:
            kind = incident_type_of(a.rule_id)
            if kind is None or a.alert_id is None or a.alert_id in self.incidents_seen:
                continue
            self.incidents_seen.add(a.alert_id)
            if self._incidents_primed and self.code is not None:
                roles = plan_roles(self.db, self.code, kind)
                sound, tray = self.routes.signals_here(role, None, a.severity, roles)
                record = stored.get(a.alert_id) or AlertRecord(a.alert_id, a.rule_id, a.severity, AlertState.RAISED,
                                                               a.subject, "", a.raised_at, detail=a.detail)
                self._signal(a.severity, describe(record), sound, tray)
        self._incidents_primed = True

    def _signal(self, severity: AlertSeverity, text: str, sound: bool = True, tray: bool = True) -> None:
        """Sound and tray message for an alert on this PC: ``sound``/``tray`` say whether it is the logged-in
        role's (the settings' ``sound`` and ``tray`` switch either off for everyone)."""
        sound, tray = sound and self.settings.sound, tray and self.settings.tray
        self.signalled.append((severity, text, sound, tray))
        if sound:
            from console.app.alert_sound import play

            play(severity)
        if tray:
            from PySide6.QtWidgets import QSystemTrayIcon

            if QSystemTrayIcon.isSystemTrayAvailable():
                if self.tray is None:
                    window = self.parent()
                    self.tray = QSystemTrayIcon(window.windowIcon(), self)
                    self.tray.show()
                icon = {AlertSeverity.CRITICAL: QSystemTrayIcon.MessageIcon.Critical,
                        AlertSeverity.WARNING: QSystemTrayIcon.MessageIcon.Warning}.get(
                    severity, QSystemTrayIcon.MessageIcon.Information)
                self.tray.showMessage(labels.alert_severity(severity), text, icon, 10_000)

    @Slot(object)
    def acknowledge(self, alert: AlertRecord) -> bool:
        return self._act(alert, resolve=False)

    @Slot(object)
    def resolve(self, alert: AlertRecord) -> bool:
        return self._act(alert, resolve=True)

    def _act(self, alert: AlertRecord, resolve: bool, note: str | None = None) -> bool:
        if self.service is None or alert.alert_id is None:
            return False
        why = ack_denial(self.context, alert)
        if why is not None:
            QMessageBox.warning(self.parent(), self.tr("Alert"), why)
            return False
        if note is None and incident_type_of(alert.rule) is not None and self.incidents is not None:
            self.incidents.open(alert.alert_id)  # an incident is worked through its own plan and closed there
            return True
        if note is None:
            dialog = AcknowledgeDialog(alert, self.plan_for(alert), resolve, self.parent())
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
            note = dialog.text()
        problem = self.service.acknowledge(alert.alert_id, self.user, note, resolve=resolve)
        if problem is not None:
            QMessageBox.warning(self.parent(), self.tr("Alert"), self.tr("Not stored: %1").replace("%1", problem))
            return False
        self.reload(self.list.tz)
        return True

    def scopes(self) -> dict[ScopeKind, list[tuple[str, str]]]:
        """What a rule can be limited to, per kind of subject (``ScopeKind``): (the subject a measurement names, the
        words the editor shows) — the lobby and zones, the service types the counters take, counters and cameras by
        name, staff as "name (employee number)"."""
        view = self.controller.latest
        found: dict[ScopeKind, list[tuple[str, str]]] = {kind: [] for kind in ScopeKind}
        found[ScopeKind.PLACE].append(("lobby", self.tr("Lobby")))
        if view is not None:
            snap = view.snapshot
            found[ScopeKind.PLACE] += [(z.name, labels.zone_name(z.name)) for z in snap.zones]
            types = {t for c in snap.counters for t in c.service_types}
            found[ScopeKind.SERVICE_TYPE] = [(t.value, labels.service_type(t)) for t in ServiceType if t in types]
            found[ScopeKind.COUNTER] = [(c.counter_id, labels.counter_name(c.counter_id, c.name))
                                        for c in snap.counters]
            found[ScopeKind.STAFF] = [(m.staff_id, f"{m.name} ({m.staff_id})") for m in snap.staff]
        if self.cameras is not None:
            found[ScopeKind.CAMERA] = [(cid, s.camera.name) for cid, s in self.cameras.setups.items()]
        return {kind: list(dict.fromkeys(options)) for kind, options in found.items()}

    @Slot()
    def open_rules(self) -> None:
        from widgets.dialogs.alert_rules_editor import AlertRulesDialog

        if self.service is None:
            return
        service, user, controller = self.service, self.user, self.controller

        def now() -> datetime:
            view = controller.latest
            return view.snapshot.at if view is not None else datetime.now().astimezone()

        read_only = not self.context.operator.may(Permission.EDIT_RULES)
        dialog = AlertRulesDialog(list(service.engine.rules.values()), self.scopes(),
                                  lambda rules: service.save_rules(rules, user), now, self.parent(),
                                  read_only=read_only)
        dialog.exec()

    @Slot()
    def export(self, path: str | None = None) -> bool:
        if not path:
            path, _ = QFileDialog.getSaveFileName(self.parent(), self.tr("Export alerts"), "alerts.csv",
                                                  self.tr("CSV (*.csv);;Excel (*.xlsx)"))
            if not path:
                return False
        from console.reports.export import ExportError

        try:
            write_alerts(Path(path), self.list.shown, self.list.tz)
        except ExportError as exc:
            QMessageBox.warning(self.parent(), self.tr("Export alerts"), str(exc))
            return False
        return True
