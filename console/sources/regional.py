"""The regional view: one line of live figures per branch of a shared database. No Qt imports.

A console connected to a shared database (PostgreSQL, or a SQLite file several processes write to) lists every
branch stored there — real and demo alike; the caller may filter (``RegionalReader.branches`` carries each branch's
``is_demo``; the demo branch runs on its own, possibly accelerated, clock, so its figures at the wall clock's "now"
mean little) — with its lobby occupancy, ticket queue, today's service level and open alerts.

Figures use the same definitions as the branch window (``console/sources/live_view.py``) over the
same data: today's tickets (the branch-local day containing ``at``), so a branch reads the same here as in its own
window.

The view is refreshed every ~2 s (and on change notices) from a worker thread, for up to ~50 branches, so reads are
incremental rather than a whole day of tickets per branch per refresh:

- tickets: one ``TodayTickets`` per branch holds the day's tickets and, after the first read of a day, fetches only
  tickets with feed events stored since (two small queries per branch when nothing changed);
- lobby occupancy: two queries for all branches (``repository.latest_lobby_samples``);
- open alerts: two queries for all branches (``repository.open_alert_counts``);
- the branch list itself is read on every refresh (branches are added, renamed, given another capacity).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from console.domain.alert_engine import SEVERITY_ORDER
from console.domain.queue_metrics import is_waiting, longest_wait_s, service_level
from console.domain.records import BranchInfo, OccupancyPoint, TicketRecord
from console.domain.vocabulary import QUEUED_SERVICE_TYPES, AlertSeverity
from storage import repository
from storage.database import Database

#: A camera's lobby sample counts towards "occupancy now" when taken at most this long before (or, a clock ahead of
#: the reader's, after) the read's instant. Cameras store a sample every few seconds (``camera/worker.py``: 5 s by
#: default); two minutes without one means the camera (or its analysing PC) is down, and its last count would show
#: a lobby that may have emptied or filled since.
FRESH_FOR = timedelta(minutes=2)

#: The regional view's seconds between two reads when no change notice arrives (SQLite, or notices lost).
PERIOD_S = 2.0
#: Least seconds between two reads under a stream of notices (fifty branches notify many times a second).
MIN_GAP_S = 0.5

#: The service target when none is given: ``[staffing] target_wait_min``'s default (the regional window passes the
#: setting, as the branch window's live view does: ``console/sources/live_view.py``).
SERVICE_TARGET = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class BranchSummary:
    """One branch's line in the regional view, at one instant.

    Times are aware (UTC as stored); durations are seconds; ``service_level`` is a share in [0, 1].
    """

    code: str
    name: str
    timezone: str  # IANA name
    #: People in the lobby now: over the branch's cameras, the sum of each camera's newest lobby-total sample taken
    #: within ``FRESH_FOR`` of the read's instant; None when no camera has a sample that fresh (no cameras, or all
    #: of them down) — unknown, not an empty lobby.
    occupancy: int | None
    capacity: int  # lobby capacity in people (``BranchInfo.lobby_capacity``)
    waiting: int  # tickets waiting to be called now, over the queued service types (the window's waiting total)
    longest_wait_s: float  # longest current wait of a waiting ticket, seconds; 0.0 when nobody waits
    #: Today's share of tickets called within the target among those called or abandoned; None before any ticket
    #: was called or abandoned today (a share of nothing is not 100%).
    service_level: float | None
    alerts: int  # open alerts: raised or acknowledged, not resolved
    worst: AlertSeverity | None  # the highest severity among the open alerts; None without any
    sample_at: datetime | None  # when the newest sample counted in ``occupancy`` was taken; None when that is None


class TodayTickets:
    """One branch's tickets issued on one local day, kept up to date incrementally (the branch window's reader,
    ``console/sources/database.py``, and the regional view read them alike).

    The first read of a day loads the whole day; later reads of the same day fetch only tickets with feed events
    stored since the newest event seen (``repository.load_changed_tickets``): a busy branch holds ~1000 tickets a
    day, and fifty of them read every two seconds must not all be loaded again. A changed ticket whose issue time
    moved out of the day (a late "issued" event dates it to another day) leaves it. Not thread-safe: one reader
    thread.
    """

    def __init__(self, db: Database, code: str) -> None:
        self._db = db
        self.code = code
        self.day_start: datetime | None = None  # start of the day held (None: nothing read yet)
        self.last_event_id = 0  # newest feed event row taken into account
        self._tickets: dict[str, TicketRecord] = {}
        self._sorted: tuple[TicketRecord, ...] | None = None  # the tickets by issue time, until one changes

    def read(self, start: datetime, end: datetime) -> tuple[TicketRecord, ...]:
        """The tickets issued in [start, end) (aware; the branch's local day) as stored now, by issue time. A
        different ``start`` than the previous read's (a new day, or the branch's time zone changed) loads the
        whole day again."""
        if self.day_start != start:
            # the newest event id first: an event stored between the two queries is fetched again next time
            newest = repository.newest_ticket_event_id(self._db, self.code)
            loaded = repository.load_tickets(self._db, self.code, start, end)
            self._tickets = {t.ticket_id: t for t in loaded}
            self.day_start, self.last_event_id, self._sorted = start, newest, None
        else:
            changed, self.last_event_id = repository.load_changed_tickets(self._db, self.code, self.last_event_id)
            for ticket in changed:  # another day's ticket of the same number is another ticket: left alone
                if start <= ticket.issued_at < end:
                    self._tickets[ticket.ticket_id] = ticket
            if changed:
                self._sorted = None
        if self._sorted is None:
            self._sorted = tuple(sorted(self._tickets.values(), key=lambda t: t.issued_at))
        return self._sorted


def waiting_total(tickets: Iterable[TicketRecord], at: datetime) -> int:
    """Tickets waiting to be called at ``at`` in the counter queues (the queued service types; self-service is
    left out): the same count as ``sum(q.waiting for q in queue_metrics.service_queues(tickets, counters, at))``,
    the branch window's waiting total, without the per-type handling times and estimates that also computes (a
    fifth of the time: 0.2 rather than 0.9 ms for a day of 800 tickets, times 50 branches every refresh)."""
    return sum(1 for t in tickets if t.service_type in QUEUED_SERVICE_TYPES and is_waiting(t, at))


def worst_severity(severities: Iterable[AlertSeverity]) -> AlertSeverity | None:
    """The highest of ``severities`` in the alert engine's order (info < warning < critical; the values' alphabetical
    order is not that), or None when there are none."""
    return max(severities, key=SEVERITY_ORDER.index, default=None)


def day_bounds(zone: ZoneInfo, at: datetime) -> tuple[datetime, datetime]:
    """The start and end (aware, in ``zone``) of the local day in ``zone`` that contains the instant ``at``; the end
    is the next local midnight (23 or 25 hours later on a day the clocks change)."""
    day = at.astimezone(zone).date()
    start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)


def summarise(branch: BranchInfo, tickets: Sequence[TicketRecord], lobby: Sequence[OccupancyPoint],
              open_alerts: Mapping[AlertSeverity, int], at: datetime, level: float | None) -> BranchSummary:
    """One branch's line from its data: ``tickets`` of its day, ``lobby`` the newest fresh lobby-total sample of each
    camera (``repository.latest_lobby_samples``), ``open_alerts`` its open alerts per severity, at instant ``at``;
    ``level`` is today's service level, ``queue_metrics.service_level(tickets, target)``, passed in because it
    changes only with the tickets, not with ``at`` (``RegionalReader`` keeps it until a ticket changes)."""
    return BranchSummary(
        code=branch.code,
        name=branch.name,
        timezone=branch.timezone,
        occupancy=sum(p.count for p in lobby) if lobby else None,
        capacity=branch.lobby_capacity,
        waiting=waiting_total(tickets, at),
        longest_wait_s=longest_wait_s(tickets, at),
        service_level=level,
        alerts=sum(open_alerts.values()),
        worst=worst_severity(s for s, n in open_alerts.items() if n > 0),
        sample_at=max((p.at for p in lobby), default=None),
    )


class RegionalReader:
    """Reads every branch's ``BranchSummary`` from a shared database, incrementally across calls (see the module
    docstring). Keep one per view and call ``read`` from one worker thread (not thread-safe)."""

    def __init__(self, db: Database, service_target: timedelta = SERVICE_TARGET) -> None:
        self._db = db
        self._service_target = service_target
        self._today: dict[str, TodayTickets] = {}
        # per branch, today's service level and the ticket tuple it was computed from: TodayTickets returns the same
        # tuple until a ticket changes, and the level depends on nothing else (20 ms saved per read of 50 branches)
        self._levels: dict[str, tuple[tuple[TicketRecord, ...], float | None]] = {}
        #: The branches as of the last ``read``, ordered by code (``is_demo`` there lets a caller leave out the demo).
        self.branches: list[BranchInfo] = []

    def read(self, at: datetime | None = None) -> list[BranchSummary]:
        """Every branch's summary at ``at`` (aware; default: now), ordered by code. Today is, per branch, the local
        day in its time zone that contains ``at``. ``at`` is meant to be "now": occupancy takes samples within
        ``FRESH_FOR`` either side of it, and today's figures count the day's tickets as stored now."""
        if at is None:
            at = datetime.now(UTC)
        elif at.tzinfo is None:
            raise ValueError(f"at must be timezone-aware, got naive {at!r}")
        branches = repository.list_branches(self._db)
        lobby = repository.latest_lobby_samples(self._db, at - FRESH_FOR, at + FRESH_FOR)
        alerts = repository.open_alert_counts(self._db)
        known = {b.code for b in branches}
        for gone in [code for code in self._today if code not in known]:
            del self._today[gone]
            self._levels.pop(gone, None)
        result = []
        for branch in branches:
            start, end = day_bounds(ZoneInfo(branch.timezone), at)
            today = self._today.get(branch.code)
            if today is None:
                today = self._today[branch.code] = TodayTickets(self._db, branch.code)
            tickets = today.read(start, end)
            cached = self._levels.get(branch.code)
            if cached is None or cached[0] is not tickets:
                cached = self._levels[branch.code] = (tickets, service_level(tickets, self._service_target))
            result.append(summarise(branch, tickets, lobby.get(branch.code, ()), alerts.get(branch.code, {}), at,
                                    cached[1]))
        self.branches = branches
        return result
