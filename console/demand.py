"""The demand forecast of a branch from its stored tickets (``console/domain/forecast.py``), with the demo
branch's profile as the fallback when the history is too short, and the backtest of past forecasts. No Qt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from console.calendar_cn import day_info
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
from console.domain.records import BranchInfo
from console.sim.profile import DemoProfile, demo_profile
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
    infos = [day_info(d) for d in sorted(counts)]
    fallback_factor = demo_profile().demand.payday
    forecast = forecast_day(day_info(day), counts, infos, profile_counts, fallback_factor)
    slots = slots_of(branch)
    recent = sorted(counts)[-BACKTEST_DAYS:]
    tested = backtest(counts, infos, recent, slots, profile_counts, fallback_factor)
    return DemandOutlook(forecast, tested, slots, len(counts))
