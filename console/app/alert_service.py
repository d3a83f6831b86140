"""The live alert engine of a running console: rules and open alerts rebuilt from the database at start, evaluated
by an APScheduler 3.x job on a schedule and whenever new data arrives, stored through the writer, signalled to the
GUI thread and handed to the notifier.

Threads: ``AlertService`` lives in the GUI thread. ``show_view`` (a bound slot) turns each branch view into a plain
``BranchState`` and asks the scheduler to run the evaluation job now; the job also runs every ``EVERY_S`` seconds
(escalations and cooldowns move with the clock even when nothing new arrives). The job runs on the scheduler's
thread: it measures, steps the engine under a lock, stores each change (waiting for the row's id) and emits
``sig_alerts`` with the open alerts and the changes. The signal belongs to this GUI-thread object, so the connected
bound slots of the window run in the GUI thread. Jobs never touch widgets. ``coalesce`` folds runs missed while one
was busy into one; ``misfire_grace_time`` still runs a late one.

The engine's clock is the branch clock of the view (the simulated clock on the demo branch): sustain times,
cooldowns and escalations are branch seconds.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from PySide6.QtCore import QObject, Signal, Slot

from console.alerts.store import load_rules
from console.domain.alert_engine import ActiveAlert, AlertChange, AlertEngine, ChangeKind, RuleError, RuleSpec
from console.domain.alert_measures import BranchState, CameraState, measure_all
from console.domain.incidents import incident_type_of
from console.domain.records import AlertRecord
from console.domain.vocabulary import AlertState, TicketEventType
from console.staffing.demand import fallback_counter_time_s
from storage import repository
from storage.database import Database
from storage.tasks import AcknowledgeAlert, SaveAlert, SaveAlertRules
from storage.writer import WriteFailed

log = logging.getLogger(__name__)

EVERY_S = 5.0
#: how long one run keeps evaluating newer views that arrived while it was busy, seconds (well inside EVERY_S)
CATCH_UP_S = 1.0


#: the unit of each rule kind's figure, for the plain message
UNITS = {"crowding": "%", "long_wait": " min", "queue": " tickets per counter", "service_level": "%",
         "idle_counter": " min", "staffing": " counters", "camera_offline": " s", "not_logged_in": " min", "priority_wait": " min",
         "low_rating": " of 5"}


def message_of(alert: ActiveAlert, kind: str | None = None) -> str:
    """A plain English line for storage, logs, e-mail and webhooks (the window words its own, translated): the
    figure rounded to one decimal, with its unit."""
    unit = UNITS.get(kind or alert.rule_id.split(".")[0], "")
    return (f"{alert.rule_id} {alert.subject}: {round(alert.value, 1):g}{unit} (threshold {alert.threshold:g}{unit})"
            + (f" [{alert.detail}]" if alert.detail else ""))


def record_of(change: AlertChange, kind: str | None = None) -> AlertRecord:
    """The stored form of a change (``kind``: the rule's kind, for the message's unit; else read from its id)."""
    a = change.alert
    resolved = change.kind is ChangeKind.RESOLVED
    state = AlertState.RESOLVED if resolved else AlertState.ACKNOWLEDGED if a.acknowledged else AlertState.RAISED
    return AlertRecord(alert_id=a.alert_id, rule=a.rule_id, severity=a.severity, state=state, subject=a.subject,
                       message=message_of(a, kind), raised_at=a.raised_at, resolved_at=change.at if resolved else None,
                       value=a.peak, threshold=a.threshold, detail=a.detail, escalated=a.escalated)


@dataclass(frozen=True)
class AlertUpdate:
    """What the window gets after each evaluation: open alerts (with their stored ids) and what just changed."""

    at: datetime
    open: tuple[ActiveAlert, ...]
    changes: tuple[AlertChange, ...]
    rules: dict[str, RuleSpec]


class AlertService(QObject):
    sig_alerts = Signal(object)  # AlertUpdate, emitted from the scheduler's thread

    def __init__(self, db: Database, branch_code: str, store, service_target_min: float, target_share: float,
                 notify=None, parent: QObject | None = None, follow: bool = False) -> None:
        super().__init__(parent)
        #: follow the alerts another console raises and stores (a branch opened from the regional view): read the
        #: open alerts back instead of evaluating, so one branch never gets two sets of alerts
        self.follow = follow
        self.db = db
        self.code = branch_code
        self._store = store  # submit_and_wait of the writer
        self._notify = notify  # callable(AlertChange, AlertRecord, rule kind or None) or None
        self.target_s = service_target_min * 60
        self.target_share = target_share
        self.fallback = fallback_counter_time_s()
        self.engine = AlertEngine(load_rules(db, branch_code))
        self._lock = threading.Lock()
        self._state: BranchState | None = None
        self._last_at: datetime | None = None
        self._cameras: dict[str, datetime | None] = {}  # camera id → offline since (branch clock)
        self._logins: dict[str, list[datetime]] = {}
        self._scheduler: BackgroundScheduler | None = None
        self._busy = False  # a run is in progress (set and read without a lock: a stale read costs one run)
        self._again = False
        self._queued = False  # brought forward, not started yet
        self.evaluations = 0
        self.latest: AlertUpdate | None = None
        self.cameras = None  # the CameraManager, when the branch has real cameras
        self._restore()

    def set_notify(self, notify) -> None:
        """Hand changes to ``notify`` from the next evaluation on (a notifier started after the engine)."""
        with self._lock:
            self._notify = notify

    def _stored_open(self) -> list[ActiveAlert]:
        return [ActiveAlert(r.rule, r.subject, r.severity, r.raised_at, r.value or 0.0, r.value or 0.0,
                            r.threshold or 0.0, r.detail, acknowledged=r.state is AlertState.ACKNOWLEDGED,
                            escalated=r.escalated, alert_id=r.alert_id)
                for r in repository.load_open_alerts(self.db, self.code)]

    def _open_incidents(self) -> list[ActiveAlert]:
        """Incidents not closed yet (reported here, from another PC or the command line): people report them, no
        rule measures them, so they are shown beside the engine's alerts, never handed to it."""
        return [a for a in self._stored_open() if incident_type_of(a.rule_id) is not None]

    def _restore(self) -> None:
        restored = [a for a in self._stored_open() if incident_type_of(a.rule_id) is None]
        self.engine.restore(restored)
        if restored:
            log.info("%d open alerts restored", len(restored))

    def _load_logins(self, day_start: datetime, at: datetime) -> None:
        events = repository.load_ticket_events(self.db, self.code, day_start, at + timedelta(seconds=1),
                                               types=(TicketEventType.STAFF_LOGIN,))
        for e in events:
            if e.staff_id:
                self._logins.setdefault(e.staff_id, []).append(e.at)

    # --- scheduler ------------------------------------------------------------------------------------------

    def start(self) -> None:
        if self._scheduler is not None:
            return
        self._scheduler = BackgroundScheduler(daemon=True, job_defaults={"coalesce": True, "max_instances": 1,
                                                                         "misfire_grace_time": 30})
        self._scheduler.add_job(self.run, "interval", seconds=EVERY_S, id="alerts")
        self._scheduler.start()

    def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=True)
            self._scheduler = None

    def _run_soon(self) -> None:
        """Bring the next run forward to now — unless one is running, or was brought forward and has not started
        yet: it then evaluates the newest view when it runs (bringing it forward again before it starts would make
        the scheduler start a second one and skip it with a warning)."""
        if self._busy or self._queued:
            self._again = True
            return
        scheduler = self._scheduler
        if scheduler is not None and scheduler.running:
            self._queued = True
            try:
                scheduler.modify_job("alerts", next_run_time=datetime.now(UTC))
            except Exception:  # the job is being removed at shutdown
                self._queued = False

    # --- GUI thread -----------------------------------------------------------------------------------------

    @Slot(object)
    def show_view(self, view) -> None:
        """A new branch view: keep it as a plain state and evaluate now."""
        snap = view.snapshot
        at = snap.at
        if not self._logins and self._state is None:
            midnight = at.replace(hour=0, minute=0, second=0, microsecond=0)
            self._load_logins(midnight, at)
        if self._state is not None and at.date() != self._state.at.date():
            self._logins.clear()
        for c in snap.counters:
            if c.staff_id:
                seen = self._logins.setdefault(c.staff_id, [])
                if not seen or seen[-1] < c.state_since:
                    seen.append(min(at, c.state_since))
        cameras = self._camera_states(at, snap)
        zone_counts = dict(snap.zone_counts)
        manager = self.cameras
        figures = manager.lobby_figures() if manager is not None and manager.has_cameras else ()
        self._state = BranchState(
            at=at, tickets=snap.tickets, counters=snap.counters, roster=snap.roster, lobby_count=view.lobby_count,
            lobby_capacity=snap.branch.lobby_capacity, lobby_figures=figures, zones=snap.zones, zone_counts=zone_counts, cameras=cameras,
            logins={k: tuple(v) for k, v in self._logins.items()}, service_target_s=self.target_s,
            target_share=self.target_share, counter_time_fallback_s=self.fallback)
        self._run_soon()

    def _camera_states(self, at: datetime, snap) -> tuple[CameraState, ...]:
        manager = self.cameras
        states = []
        if manager is not None and manager.has_cameras:
            for camera_id, setup in manager.setups.items():
                if not setup.camera.enabled:
                    continue
                latest = manager.latest.get(camera_id)
                online = latest is not None and latest.status is not None and latest.status.state == "online"
                if online:
                    self._cameras[camera_id] = None
                elif self._cameras.get(camera_id) is None:
                    self._cameras[camera_id] = at
                states.append(CameraState(camera_id, online, self._cameras.get(camera_id), setup.camera.name))
        return tuple(states)

    def acknowledge(self, alert_id: int, user: str, note: str, resolve: bool = False) -> str | None:
        """Acknowledge (or resolve by hand) a stored alert; None when done, else why not."""
        try:
            self._store(AcknowledgeAlert(alert_id, user, note, datetime.now(UTC), resolve=resolve))
        except WriteFailed as exc:
            return str(exc)
        with self._lock:
            key = next((k for k, a in self.engine.open.items() if a.alert_id == alert_id), None)
            if key is not None:
                if resolve:
                    at = self._state.at if self._state is not None else datetime.now(UTC)
                    self.engine.resolve_by_hand(key[0], key[1], at)
                else:
                    self.engine.acknowledge(*key)
        self._run_soon()
        return None

    def save_rules(self, rules: list[RuleSpec], user: str) -> str | None:
        """Validate and store the branch's rules, then use them; None when done, else why not."""
        from console.domain.alert_engine import check_rule, rule_to_dict

        try:
            for r in rules:
                check_rule(r)
        except RuleError as exc:
            return str(exc)
        ids = [r.rule_id for r in rules]
        if len(set(ids)) != len(ids):
            return "two rules have the same name"
        try:
            self._store(SaveAlertRules(self.code, tuple(rule_to_dict(r) for r in rules), user, datetime.now(UTC)))
        except WriteFailed as exc:
            return str(exc)
        with self._lock:
            for rule_id in list(self.engine.rules):
                if rule_id not in ids:
                    self.engine.remove_rule(rule_id)
            for r in rules:
                self.engine.set_rule(r)
        self._run_soon()
        return None

    # --- scheduler thread -----------------------------------------------------------------------------------

    def run(self) -> AlertUpdate | None:
        """The job: evaluate the latest state, again while new data arrived meanwhile — for at most
        ``CATCH_UP_S``: views arriving faster than evaluations (the demo fast-forwarding its morning at start) would
        otherwise keep one run going past the next interval, which the scheduler then skips with a warning. What is
        left is evaluated at the next view or interval (tests call this directly)."""
        self._busy, self._queued = True, False
        started = time.monotonic()
        try:
            update = self._evaluate()
            while self._again and time.monotonic() - started < CATCH_UP_S:
                self._again = False
                update = self._evaluate() or update
            return update
        finally:
            self._busy = False

    def _evaluate(self) -> AlertUpdate | None:
        state = self._state
        if state is None:
            return None
        if self.follow:
            update = AlertUpdate(state.at, tuple(self._stored_open()), (), dict(self.engine.rules))
            self.evaluations += 1
            self.latest = update
            self.sig_alerts.emit(update)
            return update
        with self._lock:
            changes = self.engine.evaluate(state.at, measure_all(state))
            stored: list[AlertChange] = []
            for change in changes:
                rule = self.engine.rules.get(change.alert.rule_id)
                record = record_of(change, rule.kind.value if rule is not None else None)
                task = SaveAlert(self.code, record)
                try:
                    self._store(task)
                except WriteFailed as exc:  # shown from the writer's counters; the alert still shows
                    log.error("alert %s %s not stored: %s", change.alert.rule_id, change.alert.subject, exc)
                    stored.append(change)
                    continue
                alert_id = task.stored_id[0] if task.stored_id else None
                live = self.engine.open.get((change.alert.rule_id, change.alert.subject))
                if live is not None and live.alert_id is None:
                    live.alert_id = alert_id
                change = AlertChange(change.kind, replace(change.alert, alert_id=alert_id), change.at)
                stored.append(change)
                if self._notify is not None and change.kind is not ChangeKind.DOWNGRADED:
                    self._notify(change, replace(record, alert_id=alert_id), rule.kind.value if rule else None)
            update = AlertUpdate(state.at, tuple(replace(a) for a in self.engine.open.values())
                                 + tuple(self._open_incidents()), tuple(stored), dict(self.engine.rules))
        self.evaluations += 1
        self._last_at = state.at
        self.latest = update
        self.sig_alerts.emit(update)
        return update
