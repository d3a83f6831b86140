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
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta, tzinfo
from statistics import fmean

from console.domain.appointments import (
    called_on_time,
    count_statuses,
    day_appointments,
    wait_after_check_in_s,
)
from console.domain.ids import natural_key
from console.domain.records import AppointmentRecord, TicketRecord
from console.domain.ticket_summary import LOW_SCORE, TicketSummary, WaitGroup, merge, summarise
from console.domain.vocabulary import ServiceType, TicketStatus

__all__ = ["LOW_SCORE", "DayReport", "build_day_report", "percentile_nearest_rank", "report_from_summary"]

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


def _appointment_day(appointments: Sequence[AppointmentRecord], tickets: Sequence[TicketRecord],
                     at: datetime, zone: tzinfo) -> AppointmentDay:
    """``tickets``: at least those issued for the appointments; a ticket number is an appointment's when issued
    on the day of its slot (numbers restart every day)."""
    counts = count_statuses(appointments, at)
    by_id = {(t.issued_at.astimezone(zone).date(), t.ticket_id): t for t in tickets}
    waits: list[float] = []
    on_time: list[bool] = []
    for a in appointments:
        ticket = by_id.get((a.due_at.astimezone(zone).date(), a.ticket_id)) if a.ticket_id else None
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


def report_over(todays: Sequence[TicketRecord], day: date, zone: tzinfo, target_wait_min: float,
                appointments: Sequence[AppointmentRecord], at: datetime,
                time_of_day: bool = False) -> DayReport:
    """The figures over exactly ``todays`` (and ``appointments``), dated ``day``: one day's tickets for the day
    report. ``time_of_day``: the 30-minute intervals by the time of day over all days (their ``start`` on ``day``),
    else along the clock."""
    summary = summarise(todays, day, zone)
    if time_of_day:
        summary = merge([summary])
    return report_from_summary(summary, day, zone, target_wait_min, appointments, todays, at)


def _group(g: WaitGroup, target_s: float) -> GroupDay:
    waits = g.waits_s
    return GroupDay(arrived=g.arrived, served=g.served, avg_wait_min=sum(waits) / len(waits) / 60 if waits else None,
                    p90_wait_min=_p90_sorted(waits), max_wait_min=waits[-1] / 60 if waits else None,
                    service_level=bisect_right(waits, target_s) / g.asked if g.asked else None)


def _p90_sorted(waits_s: Sequence[float]) -> float | None:
    """The nearest-rank 90th percentile of ascending waits in seconds, in minutes."""
    if not waits_s:
        return None
    return waits_s[max(1, math.ceil(0.9 * len(waits_s))) - 1] / 60


def _rating_figures(row: Sequence[int]) -> RatingFigures:
    return RatingFigures(rated=row[0], avg_score=row[1] / row[0] if row[0] else None, low=row[2])


def report_from_summary(summary: TicketSummary, day: date, zone: tzinfo, target_wait_min: float,
                        appointments: Sequence[AppointmentRecord] = (),
                        appointment_tickets: Sequence[TicketRecord] = (),
                        at: datetime | None = None) -> DayReport:
    """The day report's figures from a summary of tickets (console/domain/ticket_summary.py): one day's, or a
    period's merged (its intervals then by the time of day, ``start`` on ``day``). ``appointments`` and the tickets
    issued for them (``appointment_tickets``) give the appointment figures at the instant ``at`` (default: the end
    of ``day``)."""
    if at is None:
        at = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    target_s = target_wait_min * 60
    s = summary
    waits = sorted(s.priority.waits_s + s.ordinary.waits_s)
    asked = s.priority.asked + s.ordinary.asked
    within = bisect_right(s.priority.waits_s, target_s) + bisect_right(s.ordinary.waits_s, target_s)
    per_counter = {
        cid: CounterDay(served=int(n), avg_transaction_min=total / n / 60 if n else None, busy_min=total / 60)
        for cid, (n, total) in sorted(s.per_counter.items(), key=lambda kv: natural_key(kv[0]))
    }
    per_type = {service_type.value: ServiceTypeDay(arrived=int(row[0]), served=int(row[1]),
                                                   avg_wait_min=row[3] / row[2] / 60 if row[2] else None)
                for service_type in ServiceType if (row := s.per_type.get(service_type.value)) is not None}
    ratings = s.ratings
    whole = _rating_figures(ratings["all"].get("", (0, 0, 0)))

    def by(kind: str) -> dict[str, RatingFigures]:
        return {key: _rating_figures(row) for key, row in sorted(ratings[kind].items(),
                                                                  key=lambda kv: natural_key(kv[0]))}

    statuses = {TicketStatus(k): n for k, n in s.statuses.items()}
    return DayReport(
        date=day,
        target_wait_min=target_wait_min,
        arrived=s.arrived,
        served=statuses.get(TicketStatus.SERVED, 0),
        no_show=statuses.get(TicketStatus.NO_SHOW, 0),
        abandoned=statuses.get(TicketStatus.ABANDONED, 0),
        waiting=sum(n for status, n in statuses.items() if not status.is_final),
        avg_wait_min=sum(waits) / len(waits) / 60 if waits else None,
        p90_wait_min=_p90_sorted(waits),
        max_wait_min=waits[-1] / 60 if waits else None,
        service_level=within / asked if asked else None,
        avg_transaction_min=s.handling_sum_s / s.handling_n / 60 if s.handling_n else None,
        max_transaction_min=s.handling_max_s / 60 if s.handling_max_s is not None else None,
        per_counter=per_counter,
        per_service_type=per_type,
        intervals=_intervals(s, day, zone),
        priority=_group(s.priority, target_s),
        ordinary=_group(s.ordinary, target_s),
        appointments=_appointment_day(appointments, appointment_tickets, at, zone),
        ratings=Ratings(whole.rated, whole.avg_score, whole.low, by("counter"), by("staff"), by("type")),
    )


def _intervals(s: TicketSummary, day: date, zone: tzinfo) -> tuple[IntervalFigures, ...]:
    """30-minute buckets: along the clock from the first issue's to the last issue's or finish's (a day's summary,
    ``span``), or by the time of day from the earliest to the latest used (a merged summary)."""
    if s.span is not None:
        lowest, highest = s.span
    elif s.slots:
        lowest, highest = min(s.slots), max(s.slots)
    else:
        return ()
    midnight = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    empty = (0, 0, 0, 0.0)
    return tuple(IntervalFigures(start=midnight + i * INTERVAL, arrived=int(row[0]), served=int(row[1]),
                                 avg_wait_min=row[3] / row[2] / 60 if row[2] else None)
                 for i in range(lowest, highest + 1) for row in (s.slots.get(i, empty),))


