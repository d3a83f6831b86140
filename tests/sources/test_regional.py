"""The regional view (console/sources/regional.py) over a real database: every branch's occupancy, queue, service level and
open alerts, checked against figures computed here in plain Python from the rows the test wrote; later reads fetch
only what changed (no day reloads) and still agree with a fresh full read."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from console.domain.queue_metrics import service_queues
from console.domain.records import AlertRecord, BranchInfo, OccupancyPoint, TicketEvent
from console.domain.vocabulary import AlertSeverity, AlertState, ServiceType, TicketEventType
from console.sources.regional import (
    FRESH_FOR,
    BranchSummary,
    RegionalReader,
    TodayTickets,
    day_bounds,
    waiting_total,
    worst_severity,
)
from storage import models as m
from storage import repository
from storage.database import Database, open_database
from storage.records import CameraSpec
from storage.tasks import RecordOccupancy, SaveAlert, SaveBranchSetup, StoreFeedEvents
from storage.writer import apply_now

AT = datetime(2026, 11, 27, 4, 30, tzinfo=UTC)  # Shanghai 12:30 on the 27th, Berlin 05:30, New York 23:30 the 26th
TARGET_S = 600.0  # the reader's default service target: 10 minutes
QUEUED = {ServiceType.CASH, ServiceType.NON_CASH, ServiceType.CORPORATE, ServiceType.VIP}  # not self-service

SHANGHAI = BranchInfo("R1", "Shanghai", "Asia/Shanghai", time(9), time(17), lobby_capacity=40)
BERLIN = BranchInfo("R2", "Berlin", "Europe/Berlin", time(8), time(16), lobby_capacity=25)
NEW_YORK = BranchInfo("R3", "New York", "America/New_York", time(9), time(17), lobby_capacity=30, is_demo=True)
BRANCHES = {b.code: b for b in (SHANGHAI, BERLIN, NEW_YORK)}


def ago(minutes: float = 0, seconds: float = 0, base: datetime = AT) -> datetime:
    return base - timedelta(minutes=minutes, seconds=seconds)


@dataclass
class Ticket:
    """What the test knows of a ticket from the events it wrote."""

    service_type: ServiceType
    issued: datetime
    called: datetime | None = None
    finished: datetime | None = None
    abandoned: bool = False


class Feed:
    """Writes ticket feed events and keeps its own plain model of the tickets they describe."""

    def __init__(self) -> None:
        self.tickets: dict[tuple[str, str], Ticket] = {}
        self.pending: dict[str, list[TicketEvent]] = {}
        self._n = 0

    def _event(self, code: str, kind: TicketEventType, at: datetime, tid: str, **extra) -> None:
        self._n += 1
        self.pending.setdefault(code, []).append(TicketEvent(f"e{self._n}", kind, at, ticket_id=tid, **extra))

    def issue(self, code: str, tid: str, service_type: ServiceType, at: datetime) -> None:
        self._event(code, TicketEventType.ISSUED, at, tid, number=tid, service_type=service_type)
        self.tickets[code, tid] = Ticket(service_type, at)

    def call(self, code: str, tid: str, at: datetime) -> None:
        self._event(code, TicketEventType.CALLED, at, tid, counter_id="1", staff_id="E1")
        self.tickets[code, tid].called = at

    def finish(self, code: str, tid: str, at: datetime) -> None:
        self._event(code, TicketEventType.FINISHED, at, tid, counter_id="1")
        self.tickets[code, tid].finished = at

    def abandon(self, code: str, tid: str, at: datetime) -> None:
        self._event(code, TicketEventType.ABANDONED, at, tid)
        t = self.tickets[code, tid]
        t.finished, t.abandoned = at, True

    def transfer(self, code: str, tid: str, service_type: ServiceType, at: datetime) -> None:
        self._event(code, TicketEventType.TRANSFERRED, at, tid, service_type=service_type)
        t = self.tickets[code, tid]
        t.service_type, t.called, t.finished = service_type, None, None

    def store(self, db: Database) -> None:
        apply_now(db, *(StoreFeedEvents(code, tuple(events)) for code, events in self.pending.items()))
        self.pending.clear()


@dataclass
class World:
    """Everything written, as the test's own records."""

    feed: Feed
    samples: dict[str, list[OccupancyPoint]]
    alerts: dict[str, list[AlertRecord]]  # as last saved


def expected(world: World, code: str, at: datetime) -> dict:
    """The figures the reader must give, from the test's own records (no console code)."""
    zone = ZoneInfo(BRANCHES[code].timezone)
    today = at.astimezone(zone).date()
    tickets = [t for (c, _), t in world.feed.tickets.items() if c == code and t.issued.astimezone(zone).date() == today]

    def waits(t: Ticket) -> bool:
        return t.issued <= at and (t.called is None or t.called > at) and (t.finished is None or t.finished > at)

    waiting_now = [t for t in tickets if waits(t)]
    called = [t for t in tickets if t.called is not None]
    abandoned = [t for t in tickets if t.called is None and t.abandoned]
    within = [t for t in called if (t.called - t.issued).total_seconds() <= TARGET_S]
    newest: dict[str | None, OccupancyPoint] = {}
    for p in world.samples.get(code, []):
        fresh = p.zone is None and abs(p.at - at) <= FRESH_FOR
        if fresh and (p.camera_id not in newest or p.at > newest[p.camera_id].at):
            newest[p.camera_id] = p
    open_alerts = [a for a in world.alerts.get(code, []) if a.state is not AlertState.RESOLVED]
    rank = {AlertSeverity.INFO: 0, AlertSeverity.WARNING: 1, AlertSeverity.CRITICAL: 2}
    branch = BRANCHES[code]
    return {
        "code": code, "name": branch.name, "timezone": branch.timezone, "capacity": branch.lobby_capacity,
        "occupancy": sum(p.count for p in newest.values()) if newest else None,
        "sample_at": max(p.at for p in newest.values()) if newest else None,
        "waiting": sum(1 for t in waiting_now if t.service_type in QUEUED),
        "longest_wait_s": max(((at - t.issued).total_seconds() for t in waiting_now), default=0.0),
        "service_level": len(within) / (len(called) + len(abandoned)) if called or abandoned else None,
        "alerts": len(open_alerts),
        "worst": max((a.severity for a in open_alerts), key=rank.__getitem__, default=None),
    }


def as_dict(s: BranchSummary) -> dict:
    return {name: getattr(s, name) for name in BranchSummary.__slots__}


def alert(rule: str, severity: AlertSeverity, state: AlertState, raised: datetime) -> AlertRecord:
    return AlertRecord(alert_id=None, rule=rule, severity=severity, state=state, subject="lobby", message=rule,
                       raised_at=raised, resolved_at=raised + timedelta(minutes=1) if state is AlertState.RESOLVED
                       else None)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = open_database(db_url)
    yield database
    database.close()


@pytest.fixture
def world(db: Database) -> World:
    """R1 (Shanghai) with two cameras, R2 (Berlin) whose one camera's sample is stale, R3 (New York) without cameras;
    tickets of today and of the local day before; open and resolved alerts."""
    apply_now(db,
              SaveBranchSetup(branch=NEW_YORK),  # stored first: the result is still ordered by code
              SaveBranchSetup(branch=SHANGHAI, cameras=(CameraSpec("C1", "Door", "0", "usb"),
                                                        CameraSpec("C2", "Hall", "1", "usb"))),
              SaveBranchSetup(branch=BERLIN, cameras=(CameraSpec("B1", "Lobby", "0", "usb"),)))
    feed = Feed()
    # R1: Shanghai's day started at 16:00 UTC on the 26th
    feed.issue("R1", "Y1", ServiceType.CASH, datetime(2026, 11, 26, 15, 0, tzinfo=UTC))  # yesterday, never closed
    feed.issue("R1", "A1", ServiceType.CASH, ago(60))
    feed.call("R1", "A1", ago(45))  # waited 15 min: outside the target
    feed.finish("R1", "A1", ago(40))
    feed.issue("R1", "A2", ServiceType.CASH, ago(50))
    feed.call("R1", "A2", ago(45))  # 5 min: within
    feed.finish("R1", "A2", ago(41))
    feed.issue("R1", "A3", ServiceType.CASH, ago(20))  # waiting
    feed.issue("R1", "A4", ServiceType.NON_CASH, ago(5))  # waiting
    feed.issue("R1", "A5", ServiceType.VIP, ago(30))
    feed.abandon("R1", "A5", ago(10))  # counts against the service level
    feed.issue("R1", "A6", ServiceType.SELF_SERVICE, ago(40))  # waits longest, but not in a counter queue
    feed.issue("R1", "A7", ServiceType.CASH, ago(30))
    feed.call("R1", "A7", ago(25))  # called, at the counter
    feed.issue("R1", "A8", ServiceType.NON_CASH, ago(15))
    feed.call("R1", "A8", ago(12))
    feed.transfer("R1", "A8", ServiceType.CASH, ago(11))  # waiting again, as a cash ticket
    # R2: Berlin's day started at 23:00 UTC on the 26th
    feed.issue("R2", "B0", ServiceType.CASH, datetime(2026, 11, 26, 22, 30, tzinfo=UTC))  # 23:30 local, yesterday
    feed.issue("R2", "B1", ServiceType.CASH, ago(10))
    feed.issue("R2", "B2", ServiceType.CASH, ago(8))
    feed.call("R2", "B2", ago(7))
    feed.issue("R2", "B3", ServiceType.CORPORATE, datetime(2026, 11, 26, 23, 10, tzinfo=UTC))  # 00:10 local, today
    feed.call("R2", "B3", datetime(2026, 11, 26, 23, 12, tzinfo=UTC))
    feed.finish("R2", "B3", datetime(2026, 11, 26, 23, 20, tzinfo=UTC))
    # R3: New York's day (the 26th) started at 05:00 UTC on the 26th
    feed.issue("R3", "N1", ServiceType.CASH, datetime(2026, 11, 26, 4, 50, tzinfo=UTC))  # 23:50 on the 25th
    feed.issue("R3", "N2", ServiceType.CASH, ago(60))  # waiting
    feed.store(db)
    samples = {
        "R1": [OccupancyPoint(ago(seconds=90), 4, None, "C1"), OccupancyPoint(ago(seconds=10), 6, None, "C1"),
               OccupancyPoint(ago(minutes=3), 20, None, "C2"), OccupancyPoint(ago(seconds=60), 10, None, "C2"),
               OccupancyPoint(ago(seconds=30), 3, None, "C2"),
               OccupancyPoint(ago(seconds=5), 99, "waiting", "C1")],  # a zone's count: not the lobby total
        "R2": [OccupancyPoint(ago(minutes=3), 7, None, "B1")],  # older than FRESH_FOR
    }
    alerts = {
        "R1": [alert("crowding", AlertSeverity.WARNING, AlertState.RAISED, ago(20)),
               alert("long_wait", AlertSeverity.CRITICAL, AlertState.ACKNOWLEDGED, ago(15)),
               alert("queue", AlertSeverity.CRITICAL, AlertState.RESOLVED, ago(50))],
        "R2": [alert("queue", AlertSeverity.INFO, AlertState.RAISED, ago(5)),
               alert("crowding", AlertSeverity.WARNING, AlertState.RESOLVED, ago(30))],
    }
    apply_now(db, *(RecordOccupancy(code, tuple(points)) for code, points in samples.items()),
              *(SaveAlert(code, a) for code, records in alerts.items() for a in records))
    return World(feed, samples, alerts)


def test_every_branch_read_and_checked(db: Database, world: World) -> None:
    summaries = RegionalReader(db).read(AT)
    assert [s.code for s in summaries] == ["R1", "R2", "R3"]
    for s in summaries:
        assert as_dict(s) == expected(world, s.code, AT), s.code
    r1, r2, r3 = summaries
    # the figures spelled out, so the expectations above cannot drift with the code
    assert (r1.occupancy, r1.sample_at) == (6 + 3, ago(seconds=10))
    assert (r1.waiting, r1.longest_wait_s, r1.service_level) == (3, 40 * 60.0, 2 / 4)  # A3, A4, A8; A6 waits 40 min
    assert (r1.alerts, r1.worst) == (2, AlertSeverity.CRITICAL)
    assert (r2.occupancy, r2.sample_at, r2.waiting, r2.service_level) == (None, None, 1, 1.0)
    assert (r2.alerts, r2.worst) == (1, AlertSeverity.INFO)
    assert (r3.occupancy, r3.waiting, r3.longest_wait_s, r3.service_level) == (None, 1, 3600.0, None)
    assert (r3.alerts, r3.worst, r3.capacity) == (0, None, 30)


def test_later_reads_fetch_only_changes(db: Database, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    reader = RegionalReader(db)
    reader.read(AT)
    assert [b.is_demo for b in reader.branches] == [False, False, True]
    day_loads: list[str] = []
    load_tickets = repository.load_tickets

    def counted(db_: Database, code: str, start: datetime, end: datetime):
        day_loads.append(code)
        return load_tickets(db_, code, start, end)

    monkeypatch.setattr(repository, "load_tickets", counted)
    at2 = AT + timedelta(minutes=1)
    feed = world.feed
    feed.call("R1", "A3", ago(seconds=30, base=at2))  # a waiting ticket changes state: 20.5 min, outside
    feed.finish("R1", "A7", ago(seconds=40, base=at2))
    feed.issue("R1", "A9", ServiceType.VIP, ago(seconds=20, base=at2))
    feed.transfer("R1", "A4", ServiceType.CORPORATE, ago(seconds=50, base=at2))  # still waiting, another queue
    feed.abandon("R3", "N2", ago(seconds=10, base=at2))
    feed.abandon("R1", "Y1", ago(seconds=15, base=at2))  # yesterday's ticket closed today: stays out of today
    feed.store(db)
    new_samples = {"R1": [OccupancyPoint(ago(seconds=2, base=at2), 1, None, "C2")],
                   "R2": [OccupancyPoint(ago(seconds=5, base=at2), 5, None, "B1")]}
    for code, points in new_samples.items():
        world.samples[code] += points
    acknowledged = world.alerts["R1"][1]
    stored_id = repository.load_open_alerts(db, "R1")[1].alert_id
    resolved = AlertRecord(**{**as_fields(acknowledged), "alert_id": stored_id, "state": AlertState.RESOLVED,
                              "resolved_at": at2})
    world.alerts["R1"][1] = resolved
    apply_now(db, *(RecordOccupancy(code, tuple(points)) for code, points in new_samples.items()),
              SaveAlert("R1", resolved))

    second = reader.read(at2)
    assert day_loads == []  # the same local days: only changed tickets were fetched
    for s in second:
        assert as_dict(s) == expected(world, s.code, at2), s.code
    r1, r2, r3 = second
    assert (r1.occupancy, r1.sample_at, r1.waiting) == (6 + 1, ago(seconds=2, base=at2), 3)  # A4, A8, A9
    assert r1.service_level == pytest.approx(2 / 5)  # A3 now called, outside the target
    assert (r1.alerts, r1.worst) == (1, AlertSeverity.WARNING)
    assert (r2.occupancy, r2.sample_at) == (5, ago(seconds=5, base=at2))
    assert (r3.waiting, r3.longest_wait_s, r3.service_level) == (0, 0.0, 0.0)
    assert second == RegionalReader(db).read(at2)  # a fresh reader loads whole days: the same figures
    assert reader.read(at2) == second  # nothing new: nothing changes

    # 05:10 UTC: New York's new day has begun (00:10 local on the 27th); Shanghai's and Berlin's have not
    at3 = AT + timedelta(minutes=40)
    feed.issue("R3", "N3", ServiceType.CASH, ago(minutes=5, base=at3))
    feed.issue("R1", "A10", ServiceType.CASH, ago(minutes=1, base=at3))
    feed.store(db)
    day_loads.clear()  # (the fresh readers above loaded whole days)
    third = reader.read(at3)
    assert day_loads == ["R3"]
    for s in third:
        assert as_dict(s) == expected(world, s.code, at3), s.code
    assert (third[2].waiting, third[2].longest_wait_s, third[2].service_level) == (1, 300.0, None)
    assert third[0].occupancy is None  # R1's newest samples are now older than FRESH_FOR
    assert third == RegionalReader(db).read(at3)


def test_a_removed_branch_leaves_the_view(db: Database, world: World) -> None:
    reader = RegionalReader(db)
    reader.read(AT)
    with db.session() as s:
        s.delete(s.scalars(select(m.Branch).where(m.Branch.code == "R2")).one())
    assert [s.code for s in reader.read(AT)] == ["R1", "R3"]


def test_waiting_total_is_the_branch_windows(db: Database, world: World) -> None:
    """The count without the queue estimates equals the window's total (service_queues) at several instants."""
    for code, branch in BRANCHES.items():
        tickets = TodayTickets(db, code).read(*day_bounds(ZoneInfo(branch.timezone), AT))
        for at in (AT - timedelta(minutes=k) for k in range(0, 70, 7)):
            assert waiting_total(tickets, at) == sum(q.waiting for q in service_queues(tickets, (), at))


def test_severity_order_is_the_alert_engines() -> None:
    assert worst_severity([AlertSeverity.WARNING, AlertSeverity.CRITICAL]) is AlertSeverity.CRITICAL
    assert worst_severity([AlertSeverity.INFO, AlertSeverity.WARNING]) is AlertSeverity.WARNING
    assert worst_severity([]) is None


def test_naive_instant_refused(db: Database) -> None:
    with pytest.raises(ValueError):
        RegionalReader(db).read(datetime(2026, 11, 27, 12, 0))


def as_fields(a: AlertRecord) -> dict:
    return {name: getattr(a, name) for name in AlertRecord.__slots__}
