"""The application context: owns every long-lived part of a running console and stops them in order.

Parts: the database (opened by ``console.bootstrap``), the one database writer thread, the branch source (the demo
runner, or a poller of a real branch's stored data) and the GUI-thread ``BranchController``. The main window can be
rebuilt (language switch) without touching any of them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject

from console.advice_job import AdviceService
from console.bootstrap import Environment
from camera.model_store import ModelStore
from console.branch_controller import BranchController
from console.camera_manager import CameraManager
from console.counter_desk import CounterDesk
from console.db_source import DatabaseSource
from console.demo import DemoRecorder
from console.demo_runner import DemoRunner
from console.domain.counter_actions import PENDING_FOR
from console.domain.records import BranchInfo
from console.sim.profile import demo_profile
from console.ticket_api import ApiError, TicketApi
from storage import repository
from storage.tasks import StoreFeedEvents
from storage.writer import DatabaseWriter

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SourceOptions:
    """How the window's branch source is chosen and, for the demo, driven."""

    force_demo: bool = False
    speed: float = 1.0
    seed: int = 1
    sim_date: date | None = None
    sim_start: clock_time | None = None


#: Where the demo picks up when started outside business hours: a morning in full swing.
DEMO_OFF_HOURS_START = clock_time(10, 0)


def demo_start(options: SourceOptions, branch: BranchInfo, now: datetime) -> tuple[date, clock_time | None]:
    """The demo's day and the time of day to fast-forward to.

    --sim-start wins; with --sim-date alone the day plays from its start (15 minutes before opening); otherwise the
    demo shows today as at the branch's current time when that is within business hours, else at 10:00, so a
    console started in the evening still opens on a lively branch. None means "from the start of the day".
    """
    day = options.sim_date or now.date()
    if options.sim_start is not None:
        return day, options.sim_start
    if options.sim_date is not None:
        return day, None
    opening = (datetime.combine(day, branch.opens) - timedelta(minutes=15)).time()
    if opening <= now.time().replace(tzinfo=None) <= branch.closes:
        return day, now.time().replace(tzinfo=None, microsecond=0)
    return day, DEMO_OFF_HOURS_START


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("branch-lobby-console")
    except PackageNotFoundError:
        return "dev"


class AppContext(QObject):
    """Created in the GUI thread after the QApplication; ``start`` once, ``stop`` once (idempotent)."""

    def __init__(self, env: Environment, options: SourceOptions) -> None:
        super().__init__()
        self.env = env
        self.options = options
        self.controller = BranchController(self)
        self.writer = DatabaseWriter(env.db)
        self.runner: DemoRunner | None = None
        self.db_source: DatabaseSource | None = None
        self.ticket_api: TicketApi | None = None
        self.api_error: str | None = None  # why the ticket feed could not start, for the status bar
        self.cameras: CameraManager | None = None
        self.branch_code: str | None = None
        self.desk: CounterDesk | None = None  # the manager's counter requests
        staffing = env.settings.staffing
        self.advice = AdviceService(staffing.target_wait_min, staffing.target_share, enabled=staffing.advice,
                                    parent=self)
        self.controller.sig_view.connect(self.advice.show_view)
        self.alerts = None  # console.alert_service.AlertService, once started
        self.notifier = None  # console.alert_delivery.Notifier, when alerts go to chat or e-mail
        self.reports = None  # console.scheduled_report.ReportService, the closing-time day report
        self._stopped = False

    @property
    def simulated(self) -> bool:
        return self.runner is not None

    def _real_branch(self) -> str | None:
        real = [b.code for b in repository.list_branches(self.env.db) if not b.is_demo]
        return real[0] if real else None

    def start(self) -> None:
        self.writer.start()
        real = None if self.options.force_demo else self._real_branch()
        if real is None:
            profile = demo_profile()
            day, start_at = demo_start(self.options, profile.branch, datetime.now(ZoneInfo(profile.branch.timezone)))
            self.branch_code = profile.branch.code
            self.runner = DemoRunner(
                day=day,
                seed=self.options.seed,
                speed=self.options.speed,
                publish=self.controller.submit_snapshot,
                recorder=DemoRecorder(self.writer.submit),
                start_at=start_at,
            )
            self.runner.start()
            log.info("demo branch started: %s, seed %s, speed %sx", day, self.options.seed, self.options.speed)
        else:
            self.branch_code = real
            self.db_source = DatabaseSource(self.env.db, real, publish=self.controller.submit_snapshot,
                                            submit=self.writer.submit)
            self.db_source.start()
            log.info("branch %s started from the database", real)
            self.start_ticket_api()
        self._start_desk()
        self.start_cameras()
        self.advice.start()
        self.start_alerts()

    def _start_desk(self) -> None:
        """Counter requests: the demo's simulator carries them out; a real branch's ticketing system reads them from
        the HTTP API (requests of the last ``PENDING_FOR`` show as pending again after a restart)."""
        assert self.branch_code is not None

        def store(task) -> None:
            self.writer.submit_and_wait(task, timeout_s=5.0)

        if self.runner is not None:
            self.desk = CounterDesk(self.branch_code, store, self.runner.submit_command)
            return
        source = self.db_source
        self.desk = CounterDesk(self.branch_code, store, (lambda _command: source.poke()) if source else None)
        since = datetime.now(UTC) - PENDING_FOR
        self.controller.requests = repository.load_counter_commands(self.env.db, self.branch_code, since=since)

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
        try:
            self.ticket_api = TicketApi(host=api.host, port=api.port, token=api.token,
                                        local_tz=ZoneInfo(branch.timezone) if branch else ZoneInfo("UTC"),
                                        store=store, version=_package_version(),
                                        on_stored=source.poke if source is not None else None,
                                        commands=lambda after: repository.load_counter_commands(
                                            self.env.db, code, after_id=after))
            self.ticket_api.start()
        except ApiError as exc:
            self.ticket_api = None
            self.api_error = str(exc)
            log.error("%s", exc)

    def start_alerts(self) -> None:
        """The alert rules engine (rules and open alerts from the database) and its delivery to chat and e-mail."""
        assert self.branch_code is not None
        from console.alert_delivery import Notifier
        from console.alert_service import AlertService

        writer = self.writer
        alerts = self.env.settings.alerts
        if alerts.webhook_url or alerts.email_to:
            self.notifier = Notifier(alerts, lambda task: writer.submit_and_wait(task, 10.0), self.branch_code)
            self.notifier.start()
        staffing = self.env.settings.staffing
        self.alerts = AlertService(self.env.db, self.branch_code, lambda task: writer.submit_and_wait(task, 10.0),
                                   staffing.target_wait_min, staffing.target_share,
                                   notify=self.notifier.submit if self.notifier is not None else None, parent=self)
        self.alerts.cameras = self.cameras
        self.controller.sig_view.connect(self.alerts.show_view)
        self.alerts.start()
        from pathlib import Path

        from console.scheduled_report import ReportService

        branch = repository.load_branch(self.env.db, self.branch_code)
        if self.runner is not None:  # the demo's clock is simulated: its report only when a time is set
            branch = demo_profile().branch if alerts.report_time.strip() else None
        if branch is not None:
            folder = Path(alerts.report_dir) if alerts.report_dir else Path(self.env.data_dir) / "reports"
            self.reports = ReportService(self.env.db, branch, alerts, folder, staffing.target_wait_min, parent=self)
            self.reports.start()

    def start_cameras(self) -> None:
        """The branch's real cameras (none in a fresh demo); each runs in its own threads."""
        assert self.branch_code is not None
        self.cameras = CameraManager(self.branch_code, ModelStore(self.env.data_dir), self.writer.submit, self,
                                     offline_after_s=self.env.settings.cameras.offline_after_s)
        self.controller.attach_cameras(self.cameras)
        setups = repository.load_cameras(self.env.db, self.branch_code)
        if any(setup.lines for setup in setups):
            branch = repository.load_branch(self.env.db, self.branch_code)
            tz = ZoneInfo(branch.timezone) if branch is not None else None
            today = datetime.now(tz).date()
            midnight = datetime.combine(today, clock_time(0), tzinfo=tz)
            totals = repository.load_line_totals(self.env.db, self.branch_code, midnight)
            self.controller.seed_visitors(today, sum(i for i, _ in totals.values()), sum(o for _, o in totals.values()))
        self.cameras.start(setups)

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self.advice.stop()
        if self.alerts is not None:
            self.alerts.stop()
        if self.reports is not None:
            self.reports.stop()
        if self.notifier is not None:
            self.notifier.stop()
        if self.cameras is not None:
            self.cameras.stop()
        if self.runner is not None:
            self.runner.stop()
        if self.ticket_api is not None:
            self.ticket_api.stop()
        if self.db_source is not None:
            self.db_source.stop()
        self.writer.stop()
