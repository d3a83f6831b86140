"""GUI-thread controller between a branch source (the demo runner) and the panels.

The source's worker thread calls ``submit_snapshot`` (a Qt signal's emit): because the controller lives in the GUI
thread, the connected bound slot ``_on_snapshot`` runs in the GUI thread as a queued call. There the controller
derives the figures every panel shows (plain domain functions; alert rules are evaluated by the source, in its
own thread, and arrive with the snapshot) and emits one ``BranchView`` to the widgets, so all
panels show the same instant. Widgets never see the source, the simulator or ORM rows.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from PySide6.QtCore import QObject, Signal, Slot

from console.domain.appointments import AppointmentCounts, AppointmentNow, appointments_in_play, count_statuses
from console.domain.counter_actions import pending_commands
from console.domain.day_report import DayReport, build_day_report
from console.domain.presence import StaffPresence, staff_presence
from console.domain.queue_metrics import (
    CounterFigures,
    PeriodFigures,
    ServiceQueue,
    counter_figures,
    longest_wait_s,
    period_figures,
    service_level,
    service_queues,
)
from console.domain.records import CounterCommand, LineCrossings, OccupancyPoint
from console.domain.vocabulary import ZoneKind
from console.snapshot import BranchSnapshot

log = logging.getLogger(__name__)

#: Service-level target used on the live panels until thresholds become editable: called within 10 minutes.
SERVICE_TARGET = timedelta(minutes=10)

#: The day report is recomputed at most this often (seconds of wall time), and always on a paused snapshot.
REPORT_PERIOD_S = 1.0


@dataclass
class OccupancySeries:
    """The day's occupancy samples for the chart: epoch seconds and counts, lobby total and per zone."""

    day: date | None = None
    times: list[float] = field(default_factory=list)
    lobby: list[int] = field(default_factory=list)
    waiting: list[tuple[float, int]] = field(default_factory=list)  # people in waiting-area zones

    def reset(self, day: date) -> None:
        self.day = day
        self.times.clear()
        self.lobby.clear()
        self.waiting.clear()


@dataclass(frozen=True)
class BranchView:
    """What every panel shows at one instant (all figures derived from ``snapshot``)."""

    snapshot: BranchSnapshot
    queues: tuple[ServiceQueue, ...]
    counters: dict[str, CounterFigures]
    longest_wait_s: float
    waiting_total: int
    service_level_today: float | None
    today: PeriodFigures  # tickets called or abandoned so far today
    last_hour: PeriodFigures  # ... in the last 60 minutes
    presence: tuple[StaffPresence, ...]
    report: DayReport | None
    occupancy: OccupancySeries
    lobby_count: int  # from the real cameras when there are any, else from the source (the simulated camera)
    zone_counts: dict[ZoneKind, int]  # people per kind of zone, summed over cameras
    cameras_live: bool  # real cameras feed the lobby figures
    visitors_today: int | None = None  # "in" crossings of the cameras' counting lines today; None without lines
    waiting_dwell: tuple[int, float, float] | None = None  # people in waiting zones, mean and longest stay (s)
    pending: dict[str, CounterCommand] = field(default_factory=dict)  # counter id → request not carried out yet
    appointment_counts: AppointmentCounts | None = None  # today's appointments now (None: no appointments today)
    appointments_now: tuple[AppointmentNow, ...] = ()  # due, late, checked in and waiting, recently missing

    @property
    def people_waiting(self) -> int | None:
        """People the cameras count in waiting zones (None when no camera watches a waiting area)."""
        return self.zone_counts.get(ZoneKind.WAITING)

    @property
    def people_without_ticket(self) -> int | None:
        """People waiting (camera) − tickets waiting (queue system): above 0, people in the waiting area without a
        ticket (or companions); below 0, tickets whose holders are not in the waiting area (left, or elsewhere in
        the branch). None without a camera on a waiting area."""
        people = self.people_waiting
        return None if people is None else people - self.waiting_total


class BranchController(QObject):
    """Receives snapshots from a worker thread and publishes ``BranchView``s in the GUI thread."""

    sig_snapshot = Signal(object)  # BranchSnapshot, emitted from the source's thread
    sig_view = Signal(object)  # BranchView, in the GUI thread
    sig_day_changed = Signal(object)  # date

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.series = OccupancySeries()
        self.camera_series = OccupancySeries()
        self.cameras = None  # console.camera_manager.CameraManager, when the branch has real cameras
        self._camera_lobby: dict[str, int] = {}
        self._camera_waiting: dict[str, int] = {}
        self.visitors_day: date | None = None
        self.visitors = 0  # "in" crossings today (local day of the branch) of the cameras analysed here
        self._remote_visitors = (0, 0)  # today's (in, out) of the cameras counted elsewhere, as stored
        self.exits = 0
        self.latest: BranchView | None = None
        self._report: DayReport | None = None
        self._report_at = 0.0
        self.snapshots_received = 0
        self.requests: list[CounterCommand] = []  # the manager's counter requests still pending (GUI thread)
        self.sig_snapshot.connect(self._on_snapshot)

    def add_request(self, command: CounterCommand) -> None:
        """A counter request just stored: shown as pending until the counter reports its result; the board is
        redrawn at once from the latest snapshot."""
        self.requests.append(command)
        if self.latest is not None:
            self.sig_view.emit(self._build_view(self.latest.snapshot))

    def attach_cameras(self, manager) -> None:
        """Real cameras: their samples feed the lobby chart and their counts the lobby figures."""
        self.cameras = manager
        manager.sig_samples.connect(self._on_camera_samples)
        manager.sig_crossings.connect(self._on_camera_crossings)

    def seed_visitors(self, day: date, visitors: int, exits: int) -> None:
        """Today's crossings already stored (a restart in the middle of the day keeps the day's total)."""
        self.visitors_day, self.visitors, self.exits = day, visitors, exits

    @Slot(object)
    def _on_camera_crossings(self, crossings: list[LineCrossings]) -> None:
        """Crossings of one camera's lines in one sample period (queued from its thread)."""
        if not crossings:
            return
        tz = self.latest.snapshot.at.tzinfo if self.latest else None
        day = crossings[0].at.astimezone(tz).date()
        if self.visitors_day != day:
            self.visitors_day, self.visitors, self.exits = day, 0, 0
        self.visitors += sum(c.in_count for c in crossings)
        self.exits += sum(c.out_count for c in crossings)

    @Slot(object)
    def _on_camera_samples(self, points: list[OccupancyPoint]) -> None:
        """Samples of one camera (queued from its thread): the chart plots the sum over cameras."""
        if not points or self.cameras is None:
            return
        camera_id = points[0].camera_id or ""
        kinds = self.cameras.zone_kinds(camera_id)
        at = points[0].at
        local_day = at.astimezone(self.latest.snapshot.at.tzinfo).date() if self.latest else at.date()
        if self.camera_series.day != local_day:
            self.camera_series.reset(local_day)
            self._camera_lobby.clear()
            self._camera_waiting.clear()
        for p in points:
            if p.zone is None:
                self._camera_lobby[camera_id] = p.count
        self._camera_waiting[camera_id] = sum(p.count for p in points
                                              if p.zone is not None and kinds.get(p.zone) is ZoneKind.WAITING)
        stamp = at.timestamp()
        self.camera_series.times.append(stamp)
        self.camera_series.lobby.append(sum(self._camera_lobby.values()))
        self.camera_series.waiting.append((stamp, sum(self._camera_waiting.values())))

    def submit_snapshot(self, snapshot: BranchSnapshot) -> None:
        """Thread-safe entry point for sources."""
        self.sig_snapshot.emit(snapshot)

    @Slot(object)
    def _on_snapshot(self, snapshot: BranchSnapshot) -> None:
        self.snapshots_received += 1
        if self.series.day != snapshot.day:
            self.series.reset(snapshot.day)
            self._report = None
            self.sig_day_changed.emit(snapshot.day)
        waiting_zones = {z.name for z in snapshot.zones if z.kind is ZoneKind.WAITING}
        for point in snapshot.new_samples:
            stamp = point.at.timestamp()
            if point.zone is None:
                self.series.times.append(stamp)
                self.series.lobby.append(point.count)
            elif point.zone in waiting_zones:
                self.series.waiting.append((stamp, point.count))
        if self.cameras is not None and not snapshot.simulated:  # cameras counted by workers, read back
            self.cameras.update_remote(snapshot.new_samples, snapshot.camera_states, snapshot.at)
            remote = set(self.cameras.remote_ids())
            totals = [v for (camera_id, _line), v in (snapshot.line_totals or {}).items() if camera_id in remote]
            self._remote_visitors = (sum(i for i, _ in totals), sum(o for _, o in totals))
        self.sig_view.emit(self._build_view(snapshot))

    def _build_view(self, snap: BranchSnapshot) -> BranchView:
        at = snap.at
        tickets = snap.tickets
        queues = tuple(service_queues(tickets, snap.counters, at))
        figures = counter_figures(tickets, [c.counter_id for c in snap.counters])
        now = time.monotonic()
        if self._report is None or snap.paused or now - self._report_at >= REPORT_PERIOD_S:
            self._report = build_day_report(tickets, snap.day, at.tzinfo,  # type: ignore[arg-type]
                                            SERVICE_TARGET.total_seconds() / 60, snap.appointments, at)
            self._report_at = now
        view = BranchView(
            snapshot=snap,
            queues=queues,
            counters=figures,
            longest_wait_s=longest_wait_s(tickets, at),
            waiting_total=sum(q.waiting for q in queues),
            service_level_today=service_level(tickets, SERVICE_TARGET),
            today=period_figures(tickets, SERVICE_TARGET, None, at),
            last_hour=period_figures(tickets, SERVICE_TARGET, at - timedelta(minutes=60), at),
            presence=tuple(staff_presence(snap.staff, snap.roster, snap.counters, at)),
            report=self._report,
            pending=self._pending(snap),
            appointment_counts=count_statuses(snap.appointments, at) if snap.appointments else None,
            appointments_now=tuple(appointments_in_play(snap.appointments, tickets, at)),
            **self._lobby_figures(snap),
        )
        self.latest = view
        return view

    def _pending(self, snap: BranchSnapshot) -> dict[str, CounterCommand]:
        pending = pending_commands(self.requests, snap.counters, snap.at) if self.requests else {}
        self.requests = list(pending.values())  # once carried out, a request never shows again
        return pending

    def _lobby_figures(self, snap: BranchSnapshot) -> dict[str, object]:
        manager = self.cameras
        if manager is not None and manager.has_cameras:
            has_lines = any(setup.lines for setup in manager.setups.values() if setup.camera.enabled)
            today = datetime.now(snap.at.tzinfo).date()  # cameras run on the wall clock, even beside the demo queue
            return {
                "occupancy": self.camera_series,
                "lobby_count": manager.lobby_count(),
                "zone_counts": manager.zone_counts_by_kind(),
                "cameras_live": True,
                "visitors_today": ((self.visitors if self.visitors_day == today else 0) + self._remote_visitors[0])
                if has_lines else None,
                "waiting_dwell": manager.dwell_in(ZoneKind.WAITING),
            }
        by_kind: dict[ZoneKind, int] = {}
        for zone in snap.zones:
            by_kind[zone.kind] = by_kind.get(zone.kind, 0) + snap.zone_counts.get(zone.name, 0)
        return {"occupancy": self.series, "lobby_count": snap.lobby_count, "zone_counts": by_kind,
                "cameras_live": False}
