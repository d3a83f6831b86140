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

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from console.domain.day_report import DayReport, build_day_report, report_over
from console.domain.records import AppointmentRecord, TicketRecord

GROUPINGS = ("day", "week", "month")


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


def build_period_report(tickets: Sequence[TicketRecord], first: date, last: date, zone: tzinfo,
                        target_wait_min: float = 10.0, appointments: Sequence[AppointmentRecord] = (),
                        at: datetime | None = None, group_by: str = "day",
                        purged_days: Sequence[date] = ()) -> PeriodReport:
    """The figures of the days ``first``…``last`` (branch-local, both included) from the tickets issued in them;
    ``at``: the report's instant for appointments still to come (default: the end of the period)."""
    if last < first:
        raise ValueError(f"the period ends ({last}) before it starts ({first})")
    if at is None:
        at = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    by_day: dict[date, list[TicketRecord]] = {}
    for t in tickets:
        local = t.issued_at.astimezone(zone).date()
        if first <= local <= last:
            by_day.setdefault(local, []).append(t)
    slots: dict[date, list[AppointmentRecord]] = {}
    for a in appointments:
        local = a.due_at.astimezone(zone).date()
        if first <= local <= last:
            slots.setdefault(local, []).append(a)

    def over(start: date, end: date) -> DayReport:
        inside = [t for d in sorted(by_day) if start <= d <= end for t in by_day[d]]
        booked = sorted((a for d in sorted(slots) if start <= d <= end for a in slots[d]),
                        key=lambda a: (a.due_at, a.appointment_id))
        return report_over(inside, start, zone, target_wait_min, booked, at, time_of_day=True)

    days = tuple(build_day_report(by_day[d], d, zone, target_wait_min, slots.get(d, ()),
                                  min(at, datetime.combine(d + timedelta(days=1), datetime.min.time(), tzinfo=zone)))
                 for d in sorted(by_day))
    groups = tuple(PeriodGroup(label, start, end, over(start, end))
                   for label, start, end in group_spans(first, last, group_by))
    return PeriodReport(first, last, group_by, over(first, last), days, groups,
                        tuple(sorted(d for d in purged_days if first <= d <= last)))
