"""The live view of one branch: every figure its window shows at one instant, built without Qt.

A source (the demo runner, or the reader of a real branch's stored data) publishes ``BranchSnapshot``s; ``LiveView``
turns each into one ``BranchView`` — the queues, counters, waits, service level, staff presence, the day report
and the lobby figures — so all panels show the same instant. The branch window's ``BranchController`` (Qt) only
carries snapshots into the GUI thread and hands them here; the regional view (``console/sources/regional.py``)
computes its per-branch line from the same domain functions (``longest_wait_s``, ``service_level``; a waiting count
equal to ``queue_figures``'s, without the per-type estimates) and the same service target, so a branch reads the
same in both.

The service target ("called within N minutes") is ``[staffing] target_wait_min`` of the settings, the same one the
closing day report, the coverage plan and the live advice use; ``service_target`` turns it into a ``timedelta``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

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
from console.domain.records import CounterCommand, CounterStatus, LineCrossings, OccupancyPoint, TicketRecord
from console.domain.vocabulary import ZoneKind
from console.sources.snapshot import BranchSnapshot

#: The day report is recomputed at most this often (seconds of wall time), and always on a paused snapshot.
REPORT_PERIOD_S = 1.0


def service_target(target_wait_min: float) -> timedelta:
    """The service target as a duration: a ticket called within ``target_wait_min`` minutes is within target."""
    return timedelta(minutes=target_wait_min)


@dataclass(frozen=True)
class QueueFigures:
    """The queue's headline figures at one instant (what the branch window's status and the regional row show)."""

    queues: tuple[ServiceQueue, ...]
    waiting_total: int  # tickets waiting over the queued service types
    longest_wait_s: float  # seconds; 0.0 when nobody waits
    service_level_today: float | None  # share of today's called or abandoned tickets called within the target


def queue_figures(tickets: Sequence[TicketRecord], counters: Iterable[CounterStatus], at: datetime,
                  target: timedelta) -> QueueFigures:
    """The queue figures of today's ``tickets`` at ``at`` with the service ``target``."""
    queues = tuple(service_queues(tickets, counters, at))
    return QueueFigures(queues=queues, waiting_total=sum(q.waiting for q in queues),
                        longest_wait_s=longest_wait_s(tickets, at),
                        service_level_today=service_level(tickets, target))


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
    service_target_min: float = 10.0  # the service target the figures use: called within this many minutes

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


class LocalCameras(Protocol):
    """What the live view reads of the cameras this console runs (the Qt shell's camera manager)."""

    setups: dict[str, Any]

    @property
    def has_cameras(self) -> bool: ...

    def lobby_count(self) -> int: ...

    def zone_counts_by_kind(self) -> dict[ZoneKind, int]: ...

    def dwell_in(self, kind: ZoneKind) -> tuple[int, float, float] | None: ...

    def zone_kinds(self, camera_id: str) -> dict[str, ZoneKind]: ...

    def update_remote(self, samples: Sequence[OccupancyPoint], states: Any, at: datetime) -> None: ...

    def remote_ids(self) -> Iterable[str]: ...


class LiveView:
    """Builds ``BranchView``s from a branch source's snapshots and the cameras' samples and crossings.

    Not thread-safe: the branch window calls it from the GUI thread only. ``target_wait_min`` is the service
    target in minutes (the settings' ``[staffing] target_wait_min``).
    """

    def __init__(self, target_wait_min: float = 10.0) -> None:
        self.target_wait_min = target_wait_min
        self.target = service_target(target_wait_min)
        self.series = OccupancySeries()
        self.camera_series = OccupancySeries()
        self.cameras: LocalCameras | None = None
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
        self.requests: list[CounterCommand] = []  # the manager's counter requests still pending

    def add_request(self, command: CounterCommand) -> BranchView | None:
        """A counter request just stored: shown as pending until the counter reports its result. Returns the view
        rebuilt from the latest snapshot (None before the first one)."""
        self.requests.append(command)
        return self.build(self.latest.snapshot) if self.latest is not None else None

    def seed_visitors(self, day: date, visitors: int, exits: int) -> None:
        """Today's crossings already stored (a restart in the middle of the day keeps the day's total)."""
        self.visitors_day, self.visitors, self.exits = day, visitors, exits

    def add_crossings(self, crossings: Sequence[LineCrossings]) -> None:
        """Crossings of one camera's lines in one sample period."""
        if not crossings:
            return
        tz = self.latest.snapshot.at.tzinfo if self.latest else None
        day = crossings[0].at.astimezone(tz).date()
        if self.visitors_day != day:
            self.visitors_day, self.visitors, self.exits = day, 0, 0
        self.visitors += sum(c.in_count for c in crossings)
        self.exits += sum(c.out_count for c in crossings)

    def add_camera_samples(self, points: Sequence[OccupancyPoint]) -> None:
        """Samples of one camera run by this console: the chart plots the sum over cameras."""
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

    def take(self, snapshot: BranchSnapshot) -> tuple[bool, BranchView]:
        """A new snapshot from the source: whether it starts a new day, and the view of it."""
        self.snapshots_received += 1
        new_day = self.series.day != snapshot.day
        if new_day:
            self.series.reset(snapshot.day)
            self._report = None
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
        return new_day, self.build(snapshot)

    def build(self, snap: BranchSnapshot) -> BranchView:
        """The view of ``snap`` (the day report at most every ``REPORT_PERIOD_S``, or always when paused)."""
        at, tickets, target = snap.at, snap.tickets, self.target
        queue = queue_figures(tickets, snap.counters, at, target)
        now = time.monotonic()
        if self._report is None or snap.paused or now - self._report_at >= REPORT_PERIOD_S:
            self._report = build_day_report(tickets, snap.day, at.tzinfo,  # type: ignore[arg-type]
                                            self.target_wait_min, snap.appointments, at)
            self._report_at = now
        view = BranchView(
            snapshot=snap,
            queues=queue.queues,
            counters=counter_figures(tickets, [c.counter_id for c in snap.counters]),
            longest_wait_s=queue.longest_wait_s,
            waiting_total=queue.waiting_total,
            service_level_today=queue.service_level_today,
            today=period_figures(tickets, target, None, at),
            last_hour=period_figures(tickets, target, at - timedelta(minutes=60), at),
            presence=tuple(staff_presence(snap.staff, snap.roster, snap.counters, at)),
            report=self._report,
            pending=self._pending(snap),
            appointment_counts=count_statuses(snap.appointments, at) if snap.appointments else None,
            appointments_now=tuple(appointments_in_play(snap.appointments, tickets, at)),
            service_target_min=self.target_wait_min,
            **self._lobby_figures(snap),
        )
        self.latest = view
        return view

    def _pending(self, snap: BranchSnapshot) -> dict[str, CounterCommand]:
        pending = pending_commands(self.requests, snap.counters, snap.at) if self.requests else {}
        self.requests = list(pending.values())  # once carried out, a request never shows again
        return pending

    def _lobby_figures(self, snap: BranchSnapshot) -> dict[str, Any]:
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
