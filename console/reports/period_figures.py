"""A period's report read from storage: stored day summaries where there are, the tickets of the other days.

Decisions:
- A closed day (before the branch's today) is summarised once (console/domain/ticket_summary.py) and the summary
  stored; the writer drops it when a ticket of that day is written, so a late event or an import is never missed.
  Today is summarised from its tickets every time. The summaries this call computed come back as one
  ``StoreDaySummaries`` task for the caller's writer (the command line applies it at once, the window queues it).
- Days before the retention limit have no tickets: a stored summary still counts (it is statistics, kept by the
  purge); a purged day without one is named in ``purged_days`` and left out of the figures, never summarised as an
  empty day.
- Tickets are read in runs of consecutive days without a summary, so a year with a few new days reads only those.
No Qt.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from console.domain.camera_day import CameraDay
from console.domain.period_report import (
    PeriodReport,
    grouping_for,
    period_report_from,
    previous_period,
    year_earlier,
)
from console.domain.quality_review import IncidentCount, RuleCount, alerts_by_rule, incidents_summary
from console.domain.ticket_summary import TicketSummary, merge, summarise
from console.domain.work_figures import WorkFigures, state_times, work_figures
from storage import aggregates, repository
from storage.database import Database
from storage.day_summaries import compute_camera_days, load_camera_days, load_day_summaries, newest_sample_ids
from storage.tasks import StoreCameraDays, StoreDaySummaries


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) runs; ``days`` ascending."""
    runs: list[tuple[date, date]] = []
    for day in days:
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def load_period_report(db: Database, code: str, zone: ZoneInfo, first: date, last: date, *, today: date,
                       target_wait_min: float, group_by: str = "day",
                       at: datetime | None = None) -> tuple[PeriodReport, list[StoreDaySummaries | StoreCameraDays]]:
    """The report of ``first``…``last`` (branch-local days, both included) for branch ``code``, and the tasks that
    store the closed days' ticket and camera summaries computed on the way (empty: nothing new). ``today``: the
    branch's today; ``at``: the report's instant for appointments still to come (default: the end of the period)."""
    report, tasks, _ = _load(db, code, zone, first, last, today, target_wait_min, group_by, at)
    return report, tasks


def _load(db: Database, code: str, zone: ZoneInfo, first: date, last: date, today: date, target_wait_min: float,
          group_by: str, at: datetime | None
          ) -> tuple[PeriodReport, list[StoreDaySummaries | StoreCameraDays], dict[date, TicketSummary]]:
    """The report with its camera days, the tasks storing what was summarised on the way, and the days'
    summaries."""
    midnight = datetime.min.time()
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    stored = load_day_summaries(db, code, first, last)
    purged_before = aggregates.purged_before(db, code)
    purged = [d for d in days if purged_before is not None and d < purged_before and d not in stored]
    to_read = [d for d in days if d not in stored and d not in purged]
    newest_event = repository.newest_ticket_event_id(db, code)  # before reading: a later event skips its day
    summaries: dict[date, TicketSummary] = dict(stored)
    computed: dict[date, TicketSummary] = {}
    for run_first, run_last in _runs(to_read):
        start = datetime.combine(run_first, midnight, tzinfo=zone)
        tickets = repository.load_tickets(db, code, start, datetime.combine(run_last + timedelta(days=1), midnight,
                                                                            tzinfo=zone))
        by_day: dict[date, list] = {d: [] for d in (run_first + timedelta(days=n)
                                                    for n in range((run_last - run_first).days + 1))}
        for t in tickets:
            by_day[t.issued_at.astimezone(zone).date()].append(t)
        for day, day_tickets in by_day.items():
            summaries[day] = summarise(day_tickets, day, zone)
            if day < today:
                computed[day] = summaries[day]
    period_start = datetime.combine(first, midnight, tzinfo=zone)
    period_end = datetime.combine(last + timedelta(days=1), midnight, tzinfo=zone)
    appointments = repository.load_appointments(db, code, period_start, period_end)
    appointment_tickets = repository.load_appointment_tickets(db, code, appointments, zone)
    report = period_report_from(summaries, first, last, zone, target_wait_min, appointments, appointment_tickets,
                                at, group_by, purged)
    tasks: list[StoreDaySummaries | StoreCameraDays] = []
    if computed:
        tasks.append(StoreDaySummaries(code, computed, newest_event))
    cameras, camera_task = _camera_days(db, code, zone, days, purged_before, today)
    if camera_task is not None:
        tasks.append(camera_task)
    return replace(report, cameras=cameras), tasks, summaries


def _camera_days(db: Database, code: str, zone: ZoneInfo, days: list[date], purged_before: date | None,
                 today: date) -> tuple[dict[date, CameraDay], StoreCameraDays | None]:
    """The lobby cameras' days: stored ones, the others computed from the samples (closed ones to be stored);
    purged days without a stored one have no samples left and are left out."""
    stored = load_camera_days(db, code, days[0], days[-1])
    missing = [d for d in days if d not in stored and (purged_before is None or d >= purged_before)]
    read_after = newest_sample_ids(db, code)
    computed = compute_camera_days(db, code, zone, missing) if missing else {}
    closed = {d: c for d, c in computed.items() if d < today}
    return {**stored, **computed}, StoreCameraDays(code, closed, read_after) if closed else None


@dataclass(frozen=True, slots=True)
class WorkReport:
    """Each counter's and each person's period (console/domain/work_figures.py): for branch managers and
    administrators only. ``names``: employee number → name from the staff directory."""

    counters: list[WorkFigures]
    people: list[WorkFigures]
    names: dict[str, str]
    counter_states_reported: bool  # False: no counter states from the ticketing system (no idle share or pauses)


def work_report(db: Database, code: str, zone: ZoneInfo, first: date, last: date, summary: TicketSummary,
                now: datetime) -> WorkReport:
    """The work figures of ``first``…``last`` from the period's merged summary, the counter states reported and
    the attendance check of the roster, as at ``now``."""
    from console.domain.attendance import attendance, sessions_from_events
    from console.domain.vocabulary import TicketEventType

    midnight = datetime.min.time()
    start = datetime.combine(first, midnight, tzinfo=zone)
    end = min(datetime.combine(last + timedelta(days=1), midnight, tzinfo=zone), max(now, start))
    changes = repository.load_counter_changes(db, code, start, end)
    counters_time, people_time = state_times(changes, start, end)
    shifts = [r for n in range((last - first).days + 1)
              for r in repository.load_roster(db, code, first + timedelta(days=n))]
    events = repository.load_ticket_events(db, code, start - timedelta(days=1), end + timedelta(days=1),
                                           types=(TicketEventType.STAFF_LOGIN, TicketEventType.STAFF_LOGOUT))
    rows = attendance(shifts, sessions_from_events(events, end), end)
    staff = repository.load_staff(db, code)
    counters, people = work_figures(summary, counters_time, people_time, rows, [p.staff_id for p in staff])
    return WorkReport(counters, people, {p.staff_id: p.name for p in staff}, bool(changes))


@dataclass(frozen=True, slots=True)
class PeriodComparison:
    """A period's report beside the period before it and the same period a year earlier (the window's view).
    ``kind``: day, week, month, quarter or range (console/domain/period_report.py PERIOD_KINDS)."""

    kind: str
    current: PeriodReport
    previous: PeriodReport
    year_ago: PeriodReport
    work: WorkReport | None = None  # asked for by a branch manager or administrator only
    alerts: tuple[RuleCount, ...] = ()  # the period's real alerts by rule and level
    incidents: tuple[IncidentCount, ...] = ()  # the period's incidents, then drills


def compare_periods(db: Database, code: str, zone: ZoneInfo, kind: str, first: date, last: date, *, today: date,
                    target_wait_min: float, at: datetime | None = None, with_work: bool = False
                    ) -> tuple[PeriodComparison, list[StoreDaySummaries | StoreCameraDays]]:
    """The three reports, each grouped by the current period's steps (``grouping_for``), and the tasks storing the
    closed days' summaries computed on the way; ``with_work``: each counter's and person's figures as well."""
    group_by = grouping_for(first, last)
    reports: list[PeriodReport] = []
    tasks: list[StoreDaySummaries | StoreCameraDays] = []
    current: dict[date, TicketSummary] = {}
    for span_first, span_last in ((first, last), previous_period(kind, first, last), year_earlier(kind, first, last)):
        report, found, summaries = _load(db, code, zone, span_first, span_last, today, target_wait_min, group_by,
                                         at)
        reports.append(report)
        if len(reports) == 1:  # the period asked for
            current = summaries
        tasks += found
    work = None
    if with_work:
        merged = merge(current[d] for d in sorted(current) if first <= d <= last)
        now = at or datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=zone)
        work = work_report(db, code, zone, first, last, merged, now)
    start = datetime.combine(first, datetime.min.time(), tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    alerts = [a for a in repository.load_alerts(db, code, start, end) if a.raised_at < end]
    incidents = [i for i in repository.load_incidents(db, code, start, end) if i.raised_at < end]
    return PeriodComparison(kind, *reports, work=work, alerts=tuple(alerts_by_rule(alerts)),
                            incidents=tuple(incidents_summary(incidents))), tasks
