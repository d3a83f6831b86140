"""A period's service figures — any range of days, grouped by day, week or month — for ``main.py report --from --to``
and the branch manager's view.

Decisions:
- The period's figures are the day report's (console/domain/day_report.py), computed over every ticket issued in
  the period, never an average of daily figures: the period's 90th-percentile wait is that of all its waits, its
  service level that of all its tickets.
- Its 30-minute intervals are by the time of day over all the period's days (arrivals at 09:00–09:30 summed over
  the days), the half-hour breakdown a branch manager reads for a period; each day's own report keeps them along
  its clock.
- Groups: ``day``, ``week`` (ISO weeks, Monday to Sunday) or ``month`` (calendar months), each cut to the period,
  each with its figures computed over its own tickets.
- Days whose raw tickets were purged after the retention period are named in ``purged_days``; their kept statistics
  are shown day by day by the caller, and the period's figures cover the tickets still stored (``report`` says so).
Plain functions, no Qt and no storage.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from console.domain.camera_day import CameraDay
from console.domain.day_report import DayReport, report_from_summary
from console.domain.records import AppointmentRecord, TicketRecord
from console.domain.ticket_summary import SLOTS_PER_DAY, TicketSummary, merge, summarise

GROUPINGS = ("day", "week", "month")
#: the periods a branch manager picks in the window: one day, an ISO week, a calendar month or quarter, or a range
PERIOD_KINDS = ("day", "week", "month", "quarter", "range")


@dataclass(frozen=True, slots=True)
class HeatCell:
    """One weekday × half-hour of the period: on the weekday's days with tickets, the tickets issued in the
    half-hour per day on average, and the average wait of the tickets called in it (minutes)."""

    weekday: int  # Monday = 0
    slot: int  # half-hour of the day, 0 = 00:00–00:30
    days: int  # the period's days of this weekday with tickets
    arrived_per_day: float
    avg_wait_min: float | None


@dataclass(frozen=True, slots=True)
class PeriodGroup:
    """One day, week or month of the period (cut to the period): its first and last day and its figures."""

    label: str  # 2026-09-01, 2026-W36, 2026-09
    first: date
    last: date
    figures: DayReport


@dataclass(frozen=True, slots=True)
class PeriodReport:
    first: date
    last: date
    group_by: str
    figures: DayReport  # over every ticket of the period; its ``date`` is ``first``
    days: tuple[DayReport, ...]  # each day of the period with stored tickets
    groups: tuple[PeriodGroup, ...]
    purged_days: tuple[date, ...] = ()
    heat: tuple[HeatCell, ...] = ()  # weekday × half-hour, every half-hour with a ticket step
    #: the lobby cameras' days (peak occupancy, visitors), set by the caller that reads them
    cameras: Mapping[date, CameraDay] = field(default_factory=dict, compare=False)

    @property
    def day_count(self) -> int:
        return (self.last - self.first).days + 1

    def to_json(self) -> dict[str, object]:
        """The day report's keys over the period, plus ``from``, ``to``, ``days`` (each day's report), ``group_by``,
        ``groups`` and ``purged_days``; intervals by the time of day (``start`` "HH:MM")."""
        data = self.figures.to_json()
        del data["date"]
        data["intervals"] = [{**i, "start": i["start"][11:16]} for i in data["intervals"]]  # type: ignore[index]
        return {"from": self.first.isoformat(), "to": self.last.isoformat(), **data,
                "days": [d.to_json() for d in self.days], "group_by": self.group_by,
                "groups": [{"label": g.label, "from": g.first.isoformat(), "to": g.last.isoformat(),
                            **{k: v for k, v in g.figures.to_json().items() if k not in ("date", "intervals")}}
                           for g in self.groups],
                "purged_days": [d.isoformat() for d in self.purged_days]}


def group_spans(first: date, last: date, group_by: str) -> list[tuple[str, date, date]]:
    """(label, first day, last day) of each group of the period, cut to it."""
    if group_by not in GROUPINGS:
        raise ValueError(f"group_by must be one of {', '.join(GROUPINGS)}, got {group_by!r}")
    spans: list[tuple[str, date, date]] = []
    day = first
    while day <= last:
        if group_by == "day":
            end = day
            label = day.isoformat()
        elif group_by == "week":
            end = min(last, day + timedelta(days=6 - day.weekday()))
            year, week, _ = day.isocalendar()
            label = f"{year}-W{week:02d}"
        else:
            following = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
            end = min(last, following - timedelta(days=1))
            label = f"{day.year}-{day.month:02d}"
        spans.append((label, day, end))
        day = end + timedelta(days=1)
    return spans


def period_of(kind: str, anchor: date) -> tuple[date, date]:
    """The day, ISO week (Monday–Sunday), calendar month or calendar quarter containing ``anchor``."""
    if kind == "day":
        return anchor, anchor
    if kind == "week":
        first = anchor - timedelta(days=anchor.weekday())
        return first, first + timedelta(days=6)
    if kind in ("month", "quarter"):
        months = 1 if kind == "month" else 3
        first = date(anchor.year, (anchor.month - 1) // months * months + 1, 1)
        return first, _add_months(first, months) - timedelta(days=1)
    raise ValueError(f"a period is one of {', '.join(PERIOD_KINDS[:-1])}, got {kind!r}")


def _add_months(day: date, months: int) -> date:
    """The same day ``months`` months on (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    following = date(year + (month == 11), (month + 1) % 12 + 1, 1)
    return min(date(year, month + 1, 1) + timedelta(days=day.day - 1), following - timedelta(days=1))


def previous_period(kind: str, first: date, last: date) -> tuple[date, date]:
    """The period before: the previous day, week, month or quarter; for a range, as many days just before it."""
    if kind in ("month", "quarter"):
        return period_of(kind, first - timedelta(days=1))
    length = (last - first).days + 1
    return first - timedelta(days=length), first - timedelta(days=1)


def year_earlier(kind: str, first: date, last: date) -> tuple[date, date]:
    """The same period a year earlier: the same ISO week number, the same month or quarter, the same dates (29
    February becomes the 28th)."""
    if kind == "week":
        year, week, _ = first.isocalendar()
        try:
            start = date.fromisocalendar(year - 1, week, 1)
        except ValueError:  # week 53 in a year that has 52
            start = date.fromisocalendar(year - 1, 52, 1)
        return start, start + timedelta(days=6)
    if kind in ("month", "quarter"):
        return period_of(kind, _add_months(first, -12))
    return _add_months(first, -12), _add_months(last, -12)


def grouping_for(first: date, last: date) -> str:
    """The trend's steps: days up to about a month, ISO weeks up to about half a year, months beyond."""
    length = (last - first).days + 1
    return "day" if length <= 35 else "week" if length <= 190 else "month"


def _heat(summaries: Mapping[date, TicketSummary], days: Sequence[date]) -> tuple[HeatCell, ...]:
    """Weekday × half-hour cells over the period's days with tickets (steps after midnight count for the next
    weekday)."""
    cells: dict[tuple[int, int], list[float]] = {}  # → [arrived, waits, wait sum s]
    open_days = [0] * 7
    for day in days:
        open_days[day.weekday()] += 1
        for i, row in summaries[day].slots.items():
            key = ((day.weekday() + i // SLOTS_PER_DAY) % 7, i % SLOTS_PER_DAY)
            cell = cells.setdefault(key, [0, 0, 0.0])
            cell[0] += row[0]
            cell[1] += row[2]
            cell[2] += row[3]
    return tuple(HeatCell(weekday, slot, open_days[weekday],
                          cell[0] / open_days[weekday] if open_days[weekday] else 0.0,
                          cell[2] / cell[1] / 60 if cell[1] else None)
                 for (weekday, slot), cell in sorted(cells.items()))


def build_period_report(tickets: Sequence[TicketRecord], first: date, last: date, zone: tzinfo,
                        target_wait_min: float = 10.0, appointments: Sequence[AppointmentRecord] = (),
                        at: datetime | None = None, group_by: str = "day",
                        purged_days: Sequence[date] = ()) -> PeriodReport:
    """The figures of the days ``first``…``last`` (branch-local, both included) from the tickets issued in them;
    ``at``: the report's instant for appointments still to come (default: the end of the period)."""
    by_day: dict[date, list[TicketRecord]] = {}
    for t in tickets:
        local = t.issued_at.astimezone(zone).date()
        if first <= local <= last:
            by_day.setdefault(local, []).append(t)
    summaries = {d: summarise(day_tickets, d, zone) for d, day_tickets in by_day.items()}
    return period_report_from(summaries, first, last, zone, target_wait_min, appointments, tickets, at, group_by,
                              purged_days)


def period_report_from(summaries: Mapping[date, TicketSummary], first: date, last: date, zone: tzinfo,
                       target_wait_min: float = 10.0, appointments: Sequence[AppointmentRecord] = (),
                       appointment_tickets: Sequence[TicketRecord] = (), at: datetime | None = None,
                       group_by: str = "day", purged_days: Sequence[date] = ()) -> PeriodReport:
    """The period report from each day's ticket summary (console/domain/ticket_summary.py; days without one had no
    ticket); ``appointment_tickets``: the tickets issued for the period's appointments (or more)."""
    if last < first:
        raise ValueError(f"the period ends ({last}) before it starts ({first})")
    if at is None:
        at = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    inside = sorted(d for d, s in summaries.items() if first <= d <= last and s.arrived)
    slots: dict[date, list[AppointmentRecord]] = {}
    for a in appointments:
        local = a.due_at.astimezone(zone).date()
        if first <= local <= last:
            slots.setdefault(local, []).append(a)

    def over(start: date, end: date) -> DayReport:
        merged = merge(summaries[d] for d in inside if start <= d <= end)
        booked = sorted((a for d in sorted(slots) if start <= d <= end for a in slots[d]),
                        key=lambda a: (a.due_at, a.appointment_id))
        return report_from_summary(merged, start, zone, target_wait_min, booked, appointment_tickets, at)

    days = tuple(report_from_summary(summaries[d], d, zone, target_wait_min, slots.get(d, ()), appointment_tickets,
                                     min(at, datetime.combine(d + timedelta(days=1), datetime.min.time(), tzinfo=zone)))
                 for d in inside)
    groups = tuple(PeriodGroup(label, start, end, over(start, end))
                   for label, start, end in group_spans(first, last, group_by))
    return PeriodReport(first, last, group_by, over(first, last), days, groups,
                        tuple(sorted(d for d in purged_days if first <= d <= last)), _heat(summaries, inside))
