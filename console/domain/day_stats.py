"""Aggregated statistics kept after the raw data is purged (``storage/retention.py``): plain functions from the raw
records of whole days to small per-day and per-half-hour figures. Pure Python over plain records.

What is kept, and why (what the product reads later):
- occupancy, per branch-local day, half-hour of the clock (09:00, 09:30, ...) and place (the lobby, "" , or a zone
  name): the number of sample instants, the mean and the peak of the people counted, and when the peak was first
  reached. The count at an instant is the sum over the cameras of their samples at that instant (as the day
  report's occupancy peaks and the charts add them up);
- tickets, per day and service type ("" = all types together, because a percentile of a day cannot be rebuilt from
  its parts): issued, served, no-show, gave up (abandoned), still open, called, mean / 90th percentile (nearest
  rank) / longest wait, called within the service standard at the time of the purge (``target_wait_s``), the share
  within it (called within ÷ (called + gave up), as ``queue_metrics.service_level``), transaction times, and the
  counter time (called → finished) the forecast's coverage uses;
- tickets per issue day, half-hour of the clock and service type: issued (by issue time: the forecast's input),
  served (by finish time), called and the sum of their waits (by call time): the day report's 30-minute intervals;
- counting-line crossings per day, half-hour, camera and line (visitors in and out).
Days and half-hours are those of the branch's time zone; waits and durations in seconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from statistics import fmean

from console.domain.day_report import percentile_nearest_rank
from console.domain.queue_metrics import cycle_s, handling_s, wait_s
from console.domain.records import LineCrossings, OccupancyPoint, TicketRecord
from console.domain.vocabulary import TicketStatus

HALF_HOUR = timedelta(minutes=30)
ALL_TYPES = ""  # the service-type key of a day's row over every type
LOBBY = ""  # the place key of the lobby


def slot_of(at: datetime, zone: tzinfo) -> tuple[date, time]:
    """The branch-local day and half-hour of the clock that ``at`` falls in."""
    local = at.astimezone(zone)
    return local.date(), time(local.hour, 30 if local.minute >= 30 else 0)


@dataclass(frozen=True, slots=True)
class OccupancySlot:
    day: date
    slot: time  # local start of the half-hour
    zone: str  # LOBBY or a zone name
    samples: int  # sample instants in the half-hour
    mean: float  # people
    peak: int  # people
    peak_at: datetime  # first instant of the peak (UTC)


def occupancy_slots(points: Iterable[OccupancyPoint], zone: tzinfo) -> list[OccupancySlot]:
    """Per day, half-hour and place: sample instants, mean and peak of the people counted (cameras added up)."""
    per_instant: dict[tuple[str, datetime], int] = {}
    for p in points:
        key = (p.zone or LOBBY, p.at)
        per_instant[key] = per_instant.get(key, 0) + p.count
    groups: dict[tuple[date, time, str], list[tuple[datetime, int]]] = {}
    for (place, at), count in per_instant.items():
        day, slot = slot_of(at, zone)
        groups.setdefault((day, slot, place), []).append((at, count))
    out = []
    for (day, slot, place), values in sorted(groups.items()):
        values.sort()
        peak = max(n for _, n in values)
        out.append(OccupancySlot(day, slot, place, len(values), fmean(n for _, n in values), peak,
                                 next(at for at, n in values if n == peak)))
    return out


@dataclass(frozen=True, slots=True)
class CrossingSlot:
    day: date
    slot: time
    camera_id: str
    line: str
    in_count: int
    out_count: int


def crossing_slots(crossings: Iterable[LineCrossings], zone: tzinfo) -> list[CrossingSlot]:
    """People in and out per day, half-hour, camera and line (the stored rows are increments)."""
    sums: dict[tuple[date, time, str, str], list[int]] = {}
    for c in crossings:
        day, slot = slot_of(c.at, zone)
        total = sums.setdefault((day, slot, c.camera_id, c.line), [0, 0])
        total[0] += c.in_count
        total[1] += c.out_count
    return [CrossingSlot(d, s, cam, line, i, o) for (d, s, cam, line), (i, o) in sorted(sums.items())]


@dataclass(frozen=True, slots=True)
class TicketDay:
    """One day's tickets of one service type (``ALL_TYPES``: every type); durations in seconds."""

    day: date
    service_type: str
    issued: int
    served: int
    no_show: int
    abandoned: int  # gave up
    open: int  # not final when purged
    called: int
    avg_wait_s: float | None
    p90_wait_s: float | None
    max_wait_s: float | None
    within_target: int  # called within target_wait_s
    target_wait_s: float
    handled: int  # served tickets with a transaction time
    avg_handling_s: float | None
    max_handling_s: float | None
    cycles: int  # served tickets with a counter time (called → finished)
    cycle_sum_s: float

    @property
    def service_level(self) -> float | None:
        """Called within the target ÷ (called + gave up); None when both are 0."""
        decided = self.called + self.abandoned
        return self.within_target / decided if decided else None


def _ticket_day(day: date, service_type: str, tickets: Sequence[TicketRecord], target_s: float) -> TicketDay:
    waits = [w for t in tickets if (w := wait_s(t)) is not None]
    handling = [h for t in tickets if (h := handling_s(t)) is not None]
    cycles = [c for t in tickets if (c := cycle_s(t)) is not None]
    status = [t.status for t in tickets]
    return TicketDay(
        day=day, service_type=service_type, issued=len(tickets),
        served=status.count(TicketStatus.SERVED), no_show=status.count(TicketStatus.NO_SHOW),
        abandoned=status.count(TicketStatus.ABANDONED), open=sum(1 for s in status if not s.is_final),
        called=len(waits), avg_wait_s=fmean(waits) if waits else None,
        p90_wait_s=percentile_nearest_rank(waits, 0.9), max_wait_s=max(waits, default=None),
        within_target=sum(1 for w in waits if w <= target_s), target_wait_s=target_s,
        handled=len(handling), avg_handling_s=fmean(handling) if handling else None,
        max_handling_s=max(handling, default=None), cycles=len(cycles), cycle_sum_s=float(sum(cycles)))


def ticket_days(tickets: Iterable[TicketRecord], zone: tzinfo, target_wait_s: float) -> list[TicketDay]:
    """Per local issue day: one row over every type (``ALL_TYPES``), then one per service type issued."""
    by_day: dict[date, list[TicketRecord]] = {}
    for t in tickets:
        by_day.setdefault(t.issued_at.astimezone(zone).date(), []).append(t)
    out = []
    for day, todays in sorted(by_day.items()):
        out.append(_ticket_day(day, ALL_TYPES, todays, target_wait_s))
        for st in sorted({t.service_type.value for t in todays}):
            out.append(_ticket_day(day, st, [t for t in todays if t.service_type.value == st], target_wait_s))
    return out


@dataclass(frozen=True, slots=True)
class TicketSlot:
    day: date
    slot: time
    service_type: str
    issued: int  # issued in the half-hour
    served: int  # finished (served) in the half-hour
    called: int  # called in the half-hour
    wait_sum_s: float  # their waits added up


def ticket_slots(tickets: Iterable[TicketRecord], zone: tzinfo) -> list[TicketSlot]:
    """Per issue day, half-hour and service type, each step counted in the half-hour it happened (as the day
    report's intervals: issued by issue time, served by finish time, waits by call time). A step after the issue
    day ended (a ticket called after midnight) is left out: the rows of a day describe that day only."""
    sums: dict[tuple[date, time, str], list[float]] = {}

    def add(day: date, at: datetime, st: str, index: int, value: float = 1.0) -> None:
        step_day, slot = slot_of(at, zone)
        if step_day == day:
            sums.setdefault((day, slot, st), [0, 0, 0, 0.0])[index] += value

    for t in tickets:
        st = t.service_type.value
        day = t.issued_at.astimezone(zone).date()
        add(day, t.issued_at, st, 0)
        if t.status is TicketStatus.SERVED and t.finished_at is not None:
            add(day, t.finished_at, st, 1)
        if (w := wait_s(t)) is not None and t.called_at is not None:
            add(day, t.called_at, st, 2)
            add(day, t.called_at, st, 3, w)
    return [TicketSlot(d, s, st, int(v[0]), int(v[1]), int(v[2]), float(v[3])) for (d, s, st), v in sorted(sums.items())]
