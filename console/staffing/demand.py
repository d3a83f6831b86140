"""The demand forecast of a branch from its stored tickets (``console/domain/forecast.py``), with the demo
branch's profile as the fallback when the history is too short, and the backtest of past forecasts. No Qt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from console.domain.coverage import IntervalCoverage, coverage, mean_handling_s
from console.domain.forecast import (
    BacktestResult,
    Counts,
    DayInfo,
    DayKind,
    Forecast,
    backtest,
    daily_counts,
    forecast_day,
)
from console.domain.queue_metrics import cycle_s
from console.domain.records import BranchInfo
from console.domain.vocabulary import QUEUED_SERVICE_TYPES, ServiceType
from console.sim.profile import DemoProfile, demo_profile
from console.staffing.calendar_cn import day_info
from storage import repository
from storage.database import Database

#: How much history a forecast reads, and how many past days the backtest covers.
HISTORY_DAYS = 56
BACKTEST_DAYS = 14


def slots_of(branch: BranchInfo) -> int:
    """Half-hours from opening to closing."""
    span = datetime.combine(date(2000, 1, 3), branch.closes) - datetime.combine(date(2000, 1, 3), branch.opens)
    return max(1, int(span / timedelta(minutes=30)))


def profile_counts(info: DayInfo, profile: DemoProfile | None = None) -> Counts:
    """Expected tickets per (service type, interval) of the demo branch's profile on a day like ``info``."""
    p = profile or demo_profile()
    factor = p.demand.factor(info.day)
    if info.kind is DayKind.HOLIDAY:
        factor = p.demand.weekend * (p.demand.payday if p.demand.is_payday(info.day) else 1.0)
    elif info.kind is DayKind.WORKING_WEEKEND:
        factor = p.demand.payday if p.demand.is_payday(info.day) else 1.0
    counts: Counts = {}
    for i, interval in enumerate(p.arrivals):
        for st, rate in interval.per_hour + interval.priority_per_hour:
            counts[(st, i)] = counts.get((st, i), 0.0) + rate * interval.minutes / 60 * factor
    return counts


#: Walk from the waiting area to the counter after a call, added to the profile's transaction times (seconds).
WALK_S = 30.0


def fallback_counter_time_s() -> dict[ServiceType, float]:
    """Counter time per customer (seconds) to assume where nothing is measured yet: the demo profile's mean
    transaction plus the walk to the counter. Shared by the coverage, the live advice and the alert rules."""
    profile = demo_profile()
    return {st: profile.handling_for(st).mean_s + WALK_S for st in QUEUED_SERVICE_TYPES}


def counter_time_s(db: Database, branch: BranchInfo, day: date) -> dict[ServiceType, float]:
    """Mean counter time per service type (called → finished of served tickets, the counter is busy from the call)
    over the history before ``day``; the demo profile's mean transaction plus a walk where there is none."""
    tz = ZoneInfo(branch.timezone)
    end = datetime.combine(day, datetime.min.time(), tzinfo=tz)
    measured: dict[ServiceType, list[float]] = {}
    for t in repository.load_tickets(db, branch.code, end - timedelta(days=HISTORY_DAYS), end):
        if (c := cycle_s(t)) is not None:
            measured.setdefault(t.service_type, []).append(c)
    stored = stored_cycles(db, branch, day - timedelta(days=HISTORY_DAYS), day)
    if not stored:
        return mean_handling_s(measured, fallback_counter_time_s())
    fallback = fallback_counter_time_s()
    result = {}
    for st in fallback:
        n, total = stored.get(st, (0, 0.0))
        n, total = n + len(measured.get(st, ())), total + sum(measured.get(st, ()))
        result[st] = total / n if n else fallback[st]
    return result


def stored_cycles(db: Database, branch: BranchInfo, start: date, end: date) -> dict[ServiceType, tuple[int, float]]:
    """(served tickets, total counter seconds) per service type from the statistics of purged days in
    [start, end) (storage/retention.py): the history keeps counting after its raw tickets are gone."""
    from storage.aggregates import load_ticket_days

    found: dict[ServiceType, tuple[int, float]] = {}
    for row in load_ticket_days(db, branch.code, start, end):
        if row.service_type and row.cycles:
            n, total = found.get(ServiceType(row.service_type), (0, 0.0))
            found[ServiceType(row.service_type)] = (n + row.cycles, total + row.cycle_sum_s)
    return found


def stored_daily_counts(db: Database, branch: BranchInfo, start: date, end: date) -> dict[date, Counts]:
    """Tickets issued per day, service type and interval (as ``daily_counts``) from the statistics of purged days
    in [start, end). The statistics count by half-hours of the clock; the interval is that half-hour's distance
    from the opening (exact when the branch opens on the hour or half-hour)."""
    from storage.aggregates import load_ticket_slots

    result: dict[date, Counts] = {}
    for s in load_ticket_slots(db, branch.code, start, end):
        if not s.issued:
            continue
        offset = datetime.combine(s.day, s.slot) - datetime.combine(s.day, branch.opens)
        key = (ServiceType(s.service_type), max(0, int(offset // timedelta(minutes=30))))
        counts = result.setdefault(s.day, {})
        counts[key] = counts.get(key, 0.0) + s.issued
    return result


def day_coverage(db: Database, branch: BranchInfo, day: date, forecast: Forecast, target_min: float = 10.0,
                 target_share: float = 0.8) -> list[IntervalCoverage]:
    """Counters required per half-hour for ``forecast`` against the stored roster of ``day``."""
    tz = ZoneInfo(branch.timezone)
    opens_at = datetime.combine(day, branch.opens, tzinfo=tz)
    counts = {k: v for k, v in forecast.counts.items() if k[0] in QUEUED_SERVICE_TYPES}
    return coverage(counts, slots_of(branch), opens_at, repository.load_roster(db, branch.code, day),
                    counter_time_s(db, branch, day), target_min * 60, target_share)


@dataclass(frozen=True)
class DemandOutlook:
    forecast: Forecast
    backtest: BacktestResult | None
    slots: int
    history_days: int  # days with tickets in the history read


def outlook(db: Database, branch: BranchInfo, day: date) -> DemandOutlook:
    """The forecast for ``day`` and how well forecasts did on the last ``BACKTEST_DAYS`` days with tickets."""
    tz = ZoneInfo(branch.timezone)
    start = datetime.combine(day - timedelta(days=HISTORY_DAYS), datetime.min.time(), tzinfo=tz)
    end = datetime.combine(day, datetime.min.time(), tzinfo=tz)
    tickets = repository.load_tickets(db, branch.code, start, end)
    counts = daily_counts(tickets, tz, branch.opens)
    for purged_day, purged_counts in stored_daily_counts(db, branch, start.date(), day).items():
        counts.setdefault(purged_day, purged_counts)  # a day's raw tickets, where kept, come first
    infos = [day_info(d) for d in sorted(counts)]
    fallback_factor = demo_profile().demand.payday
    forecast = forecast_day(day_info(day), counts, infos, profile_counts, fallback_factor)
    slots = slots_of(branch)
    recent = sorted(counts)[-BACKTEST_DAYS:]
    tested = backtest(counts, infos, recent, slots, profile_counts, fallback_factor)
    return DemandOutlook(forecast, tested, slots, len(counts))


@dataclass(frozen=True)
class CoveragePlan:
    """A day's coverage with what it was computed from, for the coverage chart and its what-if control."""

    rows: list[IntervalCoverage]
    counts: Counts  # forecast tickets per (service type, half-hour)
    counter_time_s: dict[ServiceType, float]
    target_s: float
    history_days: int  # days of ticket history behind the forecast (0: the demo profile's demand)
    source: str  # "history", or "fallback" (the demo profile: too little history)
    counters: int = 0  # the branch's counters: no more can work at once, whatever is required


def coverage_plan(db: Database, branch: BranchInfo, day: date, target_min: float, target_share: float) -> CoveragePlan:
    found = outlook(db, branch, day)
    tz = ZoneInfo(branch.timezone)
    counts = {k: v for k, v in found.forecast.counts.items() if k[0] in QUEUED_SERVICE_TYPES}
    aht = counter_time_s(db, branch, day)
    rows = coverage(counts, found.slots, datetime.combine(day, branch.opens, tzinfo=tz),
                    repository.load_roster(db, branch.code, day), aht, target_min * 60, target_share)
    return CoveragePlan(rows, counts, aht, target_min * 60, found.history_days, found.forecast.source,
                        len(repository.load_counters(db, branch.code)))
