"""A day's service figures from the day's tickets: the Reports panel and ``main.py report`` print the same numbers.

Definitions, all durations in minutes:
- arrived: tickets issued that day; served / no_show / abandoned: tickets with that final status;
- wait = called_at − issued_at for tickets that were called (average, 90th percentile, maximum);
- service level = tickets called within the target ÷ (tickets called + tickets abandoned), None when both are 0;
- transaction time = finished_at − started_at for served tickets (average, maximum);
- per counter: served tickets, their average transaction time, and busy minutes (sum of their transaction times);
- intervals: 30-minute buckets in the branch's local time, from the bucket of the first ticket to that of the last,
  with tickets issued (arrived) and served (finished) in the bucket and the average wait of tickets called in it.
The 90th percentile uses the nearest-rank method (the smallest wait with at least 90% of waits at or below it).

Customer ratings (评价器, 1 poor … 5 excellent, the newest score of each ticket): how many tickets were rated, their
average and how many scored 1 or 2, over all and per counter, staff member and service type of the rated tickets.

Priority and appointment customers are reported apart, so the branch sees whether they really are served first:
- priority / ordinary: the tickets with and without the priority flag, each with arrived, served, average, 90th
  percentile and longest wait and service level (same definitions as above);
- appointments with a slot that day (``console/domain/appointments.py``): booked (not cancelled), cancelled,
  checked in (early, on time, late), missing (not checked in 30 minutes after the slot start, at the report's
  instant), average and longest wait after check-in (called_at − checked_in_at) and the share of checked-in
  appointment customers called within 5 minutes of the later of slot start and check-in (of those called).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from statistics import fmean

from console.domain.appointments import (
    called_on_time,
    count_statuses,
    day_appointments,
    wait_after_check_in_s,
)
from console.domain.ids import natural_key
from console.domain.queue_metrics import wait_s
from console.domain.records import AppointmentRecord, TicketRecord
from console.domain.vocabulary import ServiceType, TicketStatus

INTERVAL = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class CounterDay:
    served: int
    avg_transaction_min: float | None
    busy_min: float


@dataclass(frozen=True, slots=True)
class ServiceTypeDay:
    arrived: int
    served: int
    avg_wait_min: float | None


@dataclass(frozen=True, slots=True)
class IntervalFigures:
    start: datetime  # local time of the bucket start
    arrived: int
    served: int
    avg_wait_min: float | None


@dataclass(frozen=True, slots=True)
class GroupDay:
    """Waits of one group of tickets (priority or ordinary)."""

    arrived: int
    served: int
    avg_wait_min: float | None
    p90_wait_min: float | None
    max_wait_min: float | None
    service_level: float | None


@dataclass(frozen=True, slots=True)
class AppointmentDay:
    booked: int
    cancelled: int
    checked_in: int
    early: int
    on_time: int
    late: int
    missing: int
    avg_wait_after_check_in_min: float | None
    max_wait_after_check_in_min: float | None
    called_on_time_share: float | None


@dataclass(frozen=True, slots=True)
class RatingFigures:
    """Ratings of a set of tickets: how many were rated, their average score and how many scored 1 or 2."""

    rated: int
    avg_score: float | None
    low: int  # scored 1 or 2


@dataclass(frozen=True, slots=True)
class Ratings(RatingFigures):
    per_counter: dict[str, RatingFigures]
    per_staff: dict[str, RatingFigures]
    per_service_type: dict[str, RatingFigures]


@dataclass(frozen=True, slots=True)
class DayReport:
    date: date
    target_wait_min: float
    arrived: int
    served: int
    no_show: int
    abandoned: int
    waiting: int  # tickets not final yet (a report asked for during the day)
    avg_wait_min: float | None
    p90_wait_min: float | None
    max_wait_min: float | None
    service_level: float | None
    avg_transaction_min: float | None
    max_transaction_min: float | None
    per_counter: dict[str, CounterDay]
    per_service_type: dict[str, ServiceTypeDay]
    intervals: tuple[IntervalFigures, ...]
    priority: GroupDay | None = None
    ordinary: GroupDay | None = None
    appointments: AppointmentDay | None = None
    ratings: Ratings | None = None

    def to_json(self) -> dict[str, object]:
        """A JSON-ready dict with the keys documented for ``main.py report --json``."""
        data = asdict(self)
        data["date"] = self.date.isoformat()
        data["intervals"] = [
            {**asdict(i), "start": i.start.isoformat(timespec="minutes")} for i in self.intervals
        ]
        return data


def percentile_nearest_rank(values: Sequence[float], share: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least ``share`` of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def _mean_or_none(values: Sequence[float]) -> float | None:
    return fmean(values) if values else None


def _bucket(at: datetime, zone: tzinfo) -> datetime:
    local = at.astimezone(zone)
    return local.replace(minute=(local.minute // 30) * 30, second=0, microsecond=0)


def _appointment_day(appointments: Sequence[AppointmentRecord], tickets: Sequence[TicketRecord],
                     at: datetime) -> AppointmentDay:
    counts = count_statuses(appointments, at)
    by_id = {t.ticket_id: t for t in tickets}
    waits: list[float] = []
    on_time: list[bool] = []
    for a in appointments:
        ticket = by_id.get(a.ticket_id) if a.ticket_id else None
        if (w := wait_after_check_in_s(a, ticket)) is not None:
            waits.append(w / 60)
        if (ok := called_on_time(a, ticket)) is not None:
            on_time.append(ok)
    return AppointmentDay(
        booked=counts.booked, cancelled=counts.cancelled, checked_in=counts.checked_in, early=counts.early,
        on_time=counts.on_time, late=counts.checked_in_late, missing=counts.missing,
        avg_wait_after_check_in_min=_mean_or_none(waits), max_wait_after_check_in_min=max(waits, default=None),
        called_on_time_share=(sum(on_time) / len(on_time)) if on_time else None)


def build_day_report(
    tickets: Sequence[TicketRecord], day: date, zone: tzinfo, target_wait_min: float = 10.0,
    appointments: Sequence[AppointmentRecord] = (), at: datetime | None = None,
) -> DayReport:
    """Figures of ``day`` (branch-local) from the tickets issued that day; other tickets are ignored.
    ``at`` is the report's instant for the appointments still to come (default: the end of the day)."""
    todays = [t for t in tickets if t.issued_at.astimezone(zone).date() == day]
    if at is None:
        at = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    return report_over(todays, day, zone, target_wait_min, day_appointments(appointments, day, zone), at)


@dataclass(slots=True)
class _Tally:
    """One group's counts while ``report_over`` passes over the tickets."""

    arrived: int = 0
    served: int = 0
    asked: int = 0  # called or abandoned: the service level's denominator
    within: int = 0  # called within the target
    waits: list[float] = field(default_factory=list)

    def figures(self) -> GroupDay:
        return GroupDay(arrived=self.arrived, served=self.served, avg_wait_min=_mean_or_none(self.waits),
                        p90_wait_min=percentile_nearest_rank(self.waits, 0.9), max_wait_min=max(self.waits, default=None),
                        service_level=self.within / self.asked if self.asked else None)


def report_over(todays: Sequence[TicketRecord], day: date, zone: tzinfo, target_wait_min: float,
                appointments: Sequence[AppointmentRecord], at: datetime,
                time_of_day: bool = False) -> DayReport:
    """The figures over exactly ``todays`` (and ``appointments``), dated ``day``: one day's tickets for the day
    report, every ticket of a period for the period report (console/domain/period_report.py). ``time_of_day``:
    the 30-minute intervals by the time of day over all days (their ``start`` on ``day``), else along the clock."""
    # one pass over the tickets (a quarter of a busy branch is over 100,000): each ticket's wait and transaction
    # time computed once (the definitions of queue_metrics.wait_s, handling_s and service_level)
    target_s = target_wait_min * 60
    waits_min: list[float] = []
    handling_min: list[float] = []
    per_counter_handling: dict[str, list[float]] = {}
    types: dict[ServiceType, list] = {}  # type → [arrived, served, waits]
    groups = {True: _Tally(), False: _Tally()}  # priority → its waits and service level
    statuses: dict[TicketStatus, int] = {}
    served_status = TicketStatus.SERVED
    for t in todays:
        status = t.status
        statuses[status] = statuses.get(status, 0) + 1
        kind = types.get(t.service_type)
        if kind is None:
            kind = types[t.service_type] = [0, 0, []]
        kind[0] += 1
        group = groups[t.priority]
        group.arrived += 1
        if status is served_status:
            kind[1] += 1
            group.served += 1
            if t.started_at is not None and t.finished_at is not None:
                h = (t.finished_at - t.started_at).total_seconds() / 60
                handling_min.append(h)
                if t.counter_id is not None:
                    per_counter_handling.setdefault(t.counter_id, []).append(h)
        if t.called_at is not None:
            w = (t.called_at - t.issued_at).total_seconds()
            waits_min.append(w / 60)
            kind[2].append(w / 60)
            group.waits.append(w / 60)
            group.asked += 1
            group.within += w <= target_s
        elif status is TicketStatus.ABANDONED:
            group.asked += 1
    per_counter = {
        cid: CounterDay(served=len(hs), avg_transaction_min=_mean_or_none(hs), busy_min=sum(hs))
        for cid, hs in sorted(per_counter_handling.items(), key=lambda kv: natural_key(kv[0]))
    }
    per_type = {service_type.value: ServiceTypeDay(arrived=types[service_type][0], served=types[service_type][1],
                                                   avg_wait_min=_mean_or_none(types[service_type][2]))
                for service_type in ServiceType if service_type in types}
    asked = groups[True].asked + groups[False].asked
    within = groups[True].within + groups[False].within

    intervals = _time_of_day_intervals(todays, day, zone) if time_of_day else _clock_intervals(todays, zone)

    return DayReport(
        date=day,
        target_wait_min=target_wait_min,
        arrived=len(todays),
        served=statuses.get(TicketStatus.SERVED, 0),
        no_show=statuses.get(TicketStatus.NO_SHOW, 0),
        abandoned=statuses.get(TicketStatus.ABANDONED, 0),
        waiting=sum(n for status, n in statuses.items() if not status.is_final),
        avg_wait_min=_mean_or_none(waits_min),
        p90_wait_min=percentile_nearest_rank(waits_min, 0.9),
        max_wait_min=max(waits_min, default=None),
        service_level=within / asked if asked else None,
        avg_transaction_min=_mean_or_none(handling_min),
        max_transaction_min=max(handling_min, default=None),
        per_counter=per_counter,
        per_service_type=per_type,
        intervals=intervals,
        priority=groups[True].figures(),
        ordinary=groups[False].figures(),
        appointments=_appointment_day(appointments, todays, at),
        ratings=_ratings(todays),
    )


#: Scores at or below this are "low" (1 or 2 of 5).
LOW_SCORE = 2


def _figures(scores: Sequence[int]) -> RatingFigures:
    return RatingFigures(rated=len(scores), avg_score=_mean_or_none(scores),
                         low=sum(1 for score in scores if score <= LOW_SCORE))


def _ratings(tickets: Sequence[TicketRecord]) -> Ratings:
    """Ratings over the rated tickets, and per counter, staff member and service type (each rated ticket counts
    for the counter and the person that served it last)."""
    rated = [t for t in tickets if t.rating is not None]
    per: dict[str, dict[str, list[int]]] = {"counter": {}, "staff": {}, "type": {}}
    for t in rated:
        for kind, key in (("counter", t.counter_id), ("staff", t.staff_id), ("type", t.service_type.value)):
            if key is not None:
                per[kind].setdefault(key, []).append(t.rating)  # type: ignore[arg-type]
    whole = _figures([t.rating for t in rated])  # type: ignore[misc]

    def by(kind: str) -> dict[str, RatingFigures]:
        return {key: _figures(scores) for key, scores in sorted(per[kind].items(), key=lambda kv: natural_key(kv[0]))}

    return Ratings(whole.rated, whole.avg_score, whole.low, by("counter"), by("staff"), by("type"))


def _time_of_day_intervals(tickets: Sequence[TicketRecord], day: date, zone: tzinfo) -> tuple[IntervalFigures, ...]:
    """30-minute buckets by the time of day over all days: each ticket's steps fall in the bucket of their local time
    of day, whatever the date; buckets from the earliest to the latest used, their ``start`` on ``day``."""
    if not tickets:
        return ()
    slot = int(INTERVAL.total_seconds() // 60)

    def index(moment: datetime) -> int:
        local = moment.astimezone(zone)
        return (local.hour * 60 + local.minute) // slot

    arrived: dict[int, int] = {}
    served: dict[int, int] = {}
    waits: dict[int, list[float]] = {}
    for t in tickets:
        i = index(t.issued_at)
        arrived[i] = arrived.get(i, 0) + 1
        if t.status is TicketStatus.SERVED and t.finished_at is not None:
            j = index(t.finished_at)
            served[j] = served.get(j, 0) + 1
        if t.called_at is not None and (w := wait_s(t)) is not None:
            waits.setdefault(index(t.called_at), []).append(w / 60)
    used = set(arrived) | set(served) | set(waits)
    midnight = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    return tuple(IntervalFigures(start=midnight + i * INTERVAL, arrived=arrived.get(i, 0), served=served.get(i, 0),
                                 avg_wait_min=_mean_or_none(waits.get(i, []))) for i in range(min(used), max(used) + 1))


def _clock_intervals(todays: Sequence[TicketRecord], zone: tzinfo) -> tuple[IntervalFigures, ...]:
    """30-minute buckets along the clock, from the bucket of the first ticket to that of the last."""
    if not todays:
        return ()
    # one pass over the tickets: each step falls in bucket (time − first bucket) // 30 min (timestamps in
    # seconds; buckets are whole half-hours of the branch's clock, see _bucket)
    first = _bucket(min(t.issued_at for t in todays), zone)
    last_at = max(max(t.issued_at, t.finished_at or t.issued_at) for t in todays)
    count = int((_bucket(last_at, zone) - first) / INTERVAL) + 1
    origin, width = first.timestamp(), INTERVAL.total_seconds()
    arrived = [0] * count
    served = [0] * count
    waits: list[list[float]] = [[] for _ in range(count)]

    def index(at: datetime) -> int | None:
        i = int((at.timestamp() - origin) // width)
        return i if 0 <= i < count else None

    for t in todays:
        if (i := index(t.issued_at)) is not None:
            arrived[i] += 1
        if t.status is TicketStatus.SERVED and t.finished_at is not None and (i := index(t.finished_at)) is not None:
            served[i] += 1
        if t.called_at is not None and (w := wait_s(t)) is not None and (i := index(t.called_at)) is not None:
            waits[i].append(w / 60)
    return tuple(IntervalFigures(start=first + i * INTERVAL, arrived=arrived[i], served=served[i],
                                 avg_wait_min=_mean_or_none(waits[i])) for i in range(count))
