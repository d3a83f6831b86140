"""The composition root of a branch window: owns every long-lived part of a running console.

Parts, in the order ``start`` starts them: the one database writer thread; the branch source (the demo runner, or
a poller of a real branch's stored data) and, on a real branch, the ticketing system's HTTP feed; the counter desk;
the cameras; the staffing advice; alert snapshots and the retention purge; the alert service with its delivery
(the snapshot taker before the alerts that feed it, so it stops after them) and the closing-time report. The database itself is opened by ``console.bootstrap`` and closed by whoever opened it.

Every part is a typed attribute (None until started, or when this console does not run it). Each part started is
pushed onto one ``ExitStack``; ``stop`` closes the stack, so the parts stop in the reverse order of their start
(what feeds another part stops before it), and a part whose stop fails does not keep the others running. The main
window can be rebuilt (language switch) without touching any of them.
"""

from __future__ import annotations

import logging
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject

from camera.model_store import ModelStore
from console import __version__
from console.alerts.delivery import Notifier
from console.alerts.snapshots import AlertSnapshots
from console.app.advice_service import AdviceService
from console.app.alert_service import AlertService
from console.app.branch_controller import BranchController
from console.app.camera_manager import CameraManager, counted_here
from console.app.report_service import ReportService
from console.bootstrap import Environment
from console.domain.counter_actions import PENDING_FOR
from console.domain.records import BranchInfo
from console.feed.events import FeedWindow
from console.feed.http_api import ApiError, TicketApi
from console.security.access import Operator, demo_operator
from console.security.camera_passwords import full_setup
from console.security.retention_job import RetentionJob
from console.security.secret_store import API_TOKEN
from console.sim.profile import demo_profile
from console.sim.scenarios import scenario_named, with_scenario
from console.sources.database import DatabaseSource
from console.sources.demo_day import DemoRecorder
from console.sources.demo_runner import DemoRunner
from console.staffing.counter_desk import CounterDesk
from storage import repository
from storage.tasks import StoreFeedEvents
from storage.writer import DatabaseWriter

log = logging.getLogger(__name__)


class _Stoppable(Protocol):
    def stop(self) -> None: ...


@dataclass(frozen=True)
class SourceOptions:
    """How the window's branch source is chosen and, for the demo, driven."""

    force_demo: bool = False
    #: the branch to open (``--branch``; default: the database's only real branch, else the first)
    branch: str | None = None
    #: a branch opened from the regional view: it reads what the branch's own console and workers store and runs
    #: nothing of its own (no cameras, ticket feed, alert evaluation, reports or purges); see ``start``
    viewer: bool = False
    #: the headless service (``main.py serve``): the ticket feed, alerts with their deliveries, the closing report
    #: and the retention purge, without a window; cameras are read from what the window or workers store
    service: bool = False
    speed: float = 1.0
    seed: int = 1
    sim_date: date | None = None
    sim_start: clock_time | None = None
    #: a demo scenario (``console/sim/scenarios.py``): its surges, and its start unless --sim-start is given
    scenario: str | None = None


#: Where the demo picks up when started outside business hours: a morning in full swing.
DEMO_OFF_HOURS_START = clock_time(10, 0)


def demo_start(options: SourceOptions, branch: BranchInfo, now: datetime) -> tuple[date, clock_time | None]:
    """The demo's day and the time of day to fast-forward to.

    --sim-start wins; then a scenario's own start (just before its rush); with --sim-date alone the day plays from
    its start (15 minutes before opening); otherwise the
    demo shows today as at the branch's current time when that is within business hours, else at 10:00, so a
    console started in the evening still opens on a lively branch. None means "from the start of the day".
    """
    day = options.sim_date or now.date()
    if options.sim_start is not None:
        return day, options.sim_start
    if options.scenario is not None:
        return day, scenario_named(options.scenario).starts_at
    if options.sim_date is not None:
        return day, None
    opening = (datetime.combine(day, branch.opens) - timedelta(minutes=15)).time()
    if opening <= now.time().replace(tzinfo=None) <= branch.closes:
        return day, now.time().replace(tzinfo=None, microsecond=0)
    return day, DEMO_OFF_HOURS_START


class AppContext(QObject):
    """Created in the GUI thread after the QApplication; ``start`` once, ``stop`` once (idempotent)."""

    def __init__(self, env: Environment, options: SourceOptions) -> None:
        super().__init__()
        self.env = env
        self.options = options
        self.controller = BranchController(self, env.settings.staffing.target_wait_min)
        self.writer = DatabaseWriter(env.db)
        self.runner: DemoRunner | None = None
        self.db_source: DatabaseSource | None = None
        self.ticket_api: TicketApi | None = None
        self.api_error: str | None = None  # why the ticket feed could not start, for the status bar
        self.cameras: CameraManager | None = None
        self.branch_code: str | None = None
        self.desk: CounterDesk | None = None  # the manager's counter requests
        self.operator: Operator = demo_operator()  # who is logged in (set before start on a real branch)
        staffing = env.settings.staffing
        self.advice = AdviceService(staffing.target_wait_min, staffing.target_share, enabled=staffing.advice,
                                    parent=self)
        self.controller.sig_view.connect(self.advice.show_view)
        self.alerts: AlertService | None = None  # once started
        self.notifier: Notifier | None = None  # when alerts go to chat or e-mail
        self.reports: ReportService | None = None  # the closing-time day report
        self.snapshots: AlertSnapshots | None = None  # when alert snapshots are on
        self.retention: RetentionJob | None = None  # when raw data has a retention period
        self.summaries = None  # the day summaries for period reports (console/reports/summary_job.py)
        #: the headless service running this branch's feed, alerts, deliveries and reports ("host pid N"), when one
        #: ran as this window started: the window then follows its alerts instead of raising its own
        self.service_holder: str | None = None
        self._running = ExitStack()  # the stop of every part started, run in reverse order by ``stop``
        self._stopped = False

    def _started(self, part: _Stoppable) -> None:
        """``part`` was just started: ``stop`` stops it, before every part started earlier."""
        self._running.callback(part.stop)

    @property
    def simulated(self) -> bool:
        return self.runner is not None

    def _real_branch(self) -> str | None:
        real = [b.code for b in repository.list_branches(self.env.db) if not b.is_demo]
        return real[0] if real else None

    def branch_to_open(self) -> str | None:
        """The real branch ``start`` will open (it needs a login), or None for the demo."""
        if self.options.force_demo:
            return None
        return self.options.branch or self._real_branch()

    @property
    def viewer(self) -> bool:
        return self.options.viewer

    @property
    def follows(self) -> bool:
        """Alerts, deliveries, the closing report and the purge run elsewhere: in the branch's own console (a branch
        opened from the regional view) or in its headless service."""
        return self.viewer or self.service_holder is not None

    def set_operator(self, operator: Operator) -> None:
        """A user logged in or switched: what they do from now on is stored under their name."""
        self.operator = operator
        if self.desk is not None:
            self.desk.user = operator.username
        if self.cameras is not None:
            self.cameras.user = operator.username

    def start(self) -> None:
        self.writer.start()
        self._started(self.writer)
        real = self.branch_to_open()
        if real is None:
            scenario = scenario_named(self.options.scenario) if self.options.scenario else None
            profile = with_scenario(demo_profile(), scenario)
            day, start_at = demo_start(self.options, profile.branch, datetime.now(ZoneInfo(profile.branch.timezone)))
            self.branch_code = profile.branch.code
            self.runner = DemoRunner(
                day=day,
                seed=self.options.seed,
                speed=self.options.speed,
                publish=self.controller.submit_snapshot,
                recorder=DemoRecorder(self.writer.submit),
                start_at=start_at,
                profile=profile,
            )
            self.runner.start()
            self._started(self.runner)
            log.info("demo branch started: %s, seed %s, speed %sx", day, self.options.seed, self.options.speed)
        else:
            self.branch_code = real
            self.db_source = DatabaseSource(self.env.db, real, publish=self.controller.submit_snapshot,
                                            submit=self.writer.submit)
            self.db_source.start()
            self._started(self.db_source)
            log.info("branch %s %s from the database", real, "viewed" if self.viewer else "started")
            if not self.viewer and not self.options.service:
                self.service_holder = repository.live_service(self.env.db, real, datetime.now(UTC))
                if self.service_holder is not None:
                    log.info("branch %s: its service (%s) runs the ticket feed, alerts and reports; this window "
                             "follows them", real, self.service_holder)
            if not self.follows:
                self.start_ticket_api()
        self._start_desk()
        self.start_cameras()
        if not self.options.service:
            self.advice.start()
            self._started(self.advice)
        if not self.viewer:  # before the alerts, which hand their updates to the snapshot taker: it stops after them
            self.start_privacy()
        self.start_alerts()

    def _start_desk(self) -> None:
        """Counter requests: the demo's simulator carries them out; a real branch's ticketing system reads them from
        the HTTP API (requests of the last ``PENDING_FOR`` show as pending again after a restart)."""
        assert self.branch_code is not None

        def store(task) -> None:
            self.writer.submit_and_wait(task, timeout_s=5.0)

        if self.runner is not None:
            self.desk = CounterDesk(self.branch_code, store, self.runner.submit_command, self.operator.username)
            return
        source = self.db_source
        self.desk = CounterDesk(self.branch_code, store, (lambda _command: source.poke()) if source else None,
                                self.operator.username)
        since = datetime.now(UTC) - PENDING_FOR
        self.controller.live.requests = repository.load_counter_commands(self.env.db, self.branch_code, since=since)

    def start_ticket_api(self) -> None:
        """The ticketing system's HTTP feed, when enabled in the settings (real branches only: the demo branch's
        queue is its simulator). A failure to listen is logged and shown; the console runs on without it."""
        api = self.env.settings.api
        if not api.enabled:
            return
        assert self.branch_code is not None
        branch = repository.load_branch(self.env.db, self.branch_code)
        code = self.branch_code

        def store(events: list) -> tuple[int, int]:
            task = StoreFeedEvents(code, tuple(events))
            self.writer.submit_and_wait(task, timeout_s=10.0)
            return task.stored, task.duplicates

        source = self.db_source
        from console.feed.people_api import console_api_for
        from console.feed.token import TokenError, current_token

        try:
            token = current_token(self.env.secrets)
        except TokenError as exc:
            self.api_error = str(exc)
            log.error("ticket feed not started: %s", exc)
            return
        try:
            self.ticket_api = TicketApi(host=api.host, port=api.port, token=token,
                                        local_tz=ZoneInfo(branch.timezone) if branch else ZoneInfo("UTC"),
                                        store=store, version=__version__,
                                        on_stored=source.poke if source is not None else None,
                                        commands=lambda after: repository.load_counter_commands(
                                            self.env.db, code, after_id=after),
                                        console=console_api_for(self),
                                        window=FeedWindow(api.oldest_event_days, api.future_event_hours))
            if branch is not None:
                self.ticket_api.service_names = dict(branch.service_names)
            self.ticket_api.start()
            self._started(self.ticket_api)
            # a token rotated in this process (Settings → API) is taken at once; the old one is refused
            self._running.callback(self.env.secrets.watch(API_TOKEN, self.ticket_api.set_token))
        except ApiError as exc:
            self.ticket_api = None
            self.api_error = str(exc)
            log.error("%s", exc)

    def update_delivery(self, alerts) -> None:
        """Deliver with new settings from now on (Settings → Alert delivery); a notifier starts when the first chat
        robot or e-mail address is set. The alert engine keeps running."""
        from console.alerts.delivery import configured, smtp_password

        if self.notifier is not None:
            self.notifier.update(alerts)
        elif configured(alerts) and self.alerts is not None and not self.follows:
            writer = self.writer
            self.notifier = Notifier(alerts, lambda task: writer.submit_and_wait(task, 10.0), self.branch_code,
                                     password=smtp_password(self.env.secrets))
            self.notifier.start()
            self._started(self.notifier)
            self.alerts.set_notify(self.notifier.submit)

    def start_alerts(self) -> None:
        """The alert rules engine (rules and open alerts from the database) and its delivery to chat and e-mail."""
        assert self.branch_code is not None
        from console.alerts.delivery import configured, smtp_password

        writer = self.writer
        alerts = self.env.settings.alerts
        staffing = self.env.settings.staffing
        if self.follows:  # the branch's own console or service evaluates, stores, delivers and reports
            self.alerts = AlertService(self.env.db, self.branch_code, lambda task: writer.submit_and_wait(task, 10.0),
                                       staffing.target_wait_min, staffing.target_share, parent=self, follow=True)
            self.alerts.cameras = self.cameras
            self.controller.sig_view.connect(self.alerts.show_view)
            self.alerts.start()
            self._started(self.alerts)
            return
        if configured(alerts):
            self.notifier = Notifier(alerts, lambda task: writer.submit_and_wait(task, 10.0), self.branch_code,
                                     password=smtp_password(self.env.secrets))
            self.notifier.start()
            self._started(self.notifier)
        self.alerts = AlertService(self.env.db, self.branch_code, lambda task: writer.submit_and_wait(task, 10.0),
                                   staffing.target_wait_min, staffing.target_share,
                                   notify=self.notifier.submit if self.notifier is not None else None, parent=self)
        self.alerts.cameras = self.cameras
        self.controller.sig_view.connect(self.alerts.show_view)
        if self.snapshots is not None:
            self.alerts.sig_alerts.connect(self.snapshots.on_update)  # a plain callable: runs in the job's thread
        self.alerts.start()
        self._started(self.alerts)

        branch = repository.load_branch(self.env.db, self.branch_code)
        if self.runner is not None:  # the demo's clock is simulated: its report only when a time is set
            branch = demo_profile().branch if alerts.report_time.strip() else None
        if branch is not None:
            folder = Path(alerts.report_dir) if alerts.report_dir else Path(self.env.data_dir) / "reports"
            self.reports = ReportService(self.env.db, branch, alerts, folder, staffing.target_wait_min, parent=self,
                                         password=smtp_password(self.env.secrets))
            self.reports.start()
            self._started(self.reports)

    def start_privacy(self) -> None:
        """Alert snapshots (only when switched on), the retention purge and the day summaries for period reports (at
        start, then nightly)."""
        from console.alerts.snapshots import snapshot_folder, start_alert_snapshots

        privacy = self.env.settings.privacy
        writer = self.writer  # paths stored before the Alerts panel is told to read them
        if not self.options.service:  # snapshots are pictures of the cameras this console shows
            self.snapshots = start_alert_snapshots(privacy, self.env.data_dir, self.cameras,
                                                   lambda task: writer.submit_and_wait(task, 10.0))
        if self.snapshots is not None:
            self._started(self.snapshots)
        if self.service_holder is None and self.branch_code is not None:
            from console.reports.summary_job import SummaryJob

            branch = repository.load_branch(self.env.db, self.branch_code)
            if branch is not None:
                self.summaries = SummaryJob(self.env.db, branch.code, ZoneInfo(branch.timezone), self.writer.submit,
                                            self.env.settings.staffing.target_wait_min)
                self.summaries.start()
                self._started(self.summaries)
        if privacy.retention_days > 0 and self.service_holder is None:
            self.retention = RetentionJob(self.env.db, privacy.retention_days,
                                          snapshot_folder(privacy, self.env.data_dir), self.writer.submit_and_wait,
                                          self.env.settings.staffing.target_wait_min)
            self.retention.start()
            self._started(self.retention)

    def start_cameras(self) -> None:
        """The branch's real cameras (none in a fresh demo); each runs in its own threads."""
        assert self.branch_code is not None
        self.cameras = CameraManager(self.branch_code, ModelStore(self.env.data_dir), self.writer.submit, self,
                                     offline_after_s=self.env.settings.cameras.offline_after_s,
                                     secrets=self.env.secrets, viewer=self.viewer or self.options.service)
        self.cameras.user = self.operator.username
        self.controller.attach_cameras(self.cameras)
        code = self.branch_code  # the database keeps no passwords: they come back from the secret store
        setups = [full_setup(self.env.secrets, code, s) for s in repository.load_cameras(self.env.db, code)]
        if any(setup.lines for setup in setups):
            branch = repository.load_branch(self.env.db, self.branch_code)
            tz = ZoneInfo(branch.timezone) if branch is not None else None
            today = datetime.now(tz).date()
            midnight = datetime.combine(today, clock_time(0), tzinfo=tz)
            here = {s.camera.camera_id for s in setups if counted_here(s, self.cameras.viewer)}  # the others: from each read
            totals = [v for (camera_id, _line), v in
                      repository.load_line_totals(self.env.db, self.branch_code, midnight).items() if camera_id in here]
            self.controller.seed_visitors(today, sum(i for i, _ in totals), sum(o for _, o in totals))
        self.cameras.start(setups)
        self._started(self.cameras)

    def stop(self) -> None:
        """Stop every part started, in the reverse order of their start (idempotent)."""
        if self._stopped:
            return
        self._stopped = True
        self._running.close()
