"""Demand forecast: tickets per service type per 30-minute interval for a coming day, from the stored history.

Method (chosen to be explainable to a branch manager, and measured by ``backtest``):
- days are classed by the Chinese calendar (``console/staffing/calendar_cn.py``): a working day (by weekday, Monday to
  Friday), a weekend day (by weekday), a public holiday, or a weekend worked to make up for a holiday (调休补班),
  which is treated as an ordinary working day of any weekday;
- the base profile of a target day is the mean of the last ``REFERENCE_DAYS`` days of its class that are not
  paydays (a holiday with no holiday in the history uses the weekend profile);
- a payday or month-end day is multiplied by the branch's own payday factor: the mean daily total of its payday
  working days over that of its other working days (from at least 2 of each; otherwise the fallback's factor);
- with fewer than 2 reference days, the fallback profile is used (the demo branch's profile) and the forecast
  says so (``source``).
Intervals are numbered from the opening time (0 = the first half-hour). Plain functions over plain data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from statistics import fmean

from console.domain.records import TicketRecord
from console.domain.vocabulary import ServiceType

REFERENCE_DAYS = 6
HALF_HOUR = timedelta(minutes=30)

#: Arrivals per (service type, interval index); missing keys are 0.
Counts = dict[tuple[ServiceType, int], float]


def is_payday(day: date, paydays: tuple[int, ...] = (10, 15), month_end_days: int = 2) -> bool:
    """Wages are paid on ``paydays`` of the month, and the last ``month_end_days`` days of a month count too."""
    last = ((day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)).day
    return day.day in paydays or day.day > last - month_end_days


class DayKind(StrEnum):
    WORKDAY = "workday"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    WORKING_WEEKEND = "working_weekend"


@dataclass(frozen=True, slots=True)
class DayInfo:
    day: date
    kind: DayKind
    payday: bool


@dataclass(frozen=True, slots=True)
class Forecast:
    day: date
    counts: Counts
    source: str  # "history" or "fallback"
    reference_days: tuple[date, ...]
    factor: float  # the payday factor applied (1.0 on other days)

    def total(self) -> float:
        return sum(self.counts.values())

    def per_interval(self, slots: int) -> list[float]:
        return [sum(v for (_, i), v in self.counts.items() if i == slot) for slot in range(slots)]


def daily_counts(tickets: Sequence[TicketRecord], tz: tzinfo, opens: time) -> dict[date, Counts]:
    """Tickets issued per local day, service type (as issued: a transfer is not a new arrival) and interval."""
    result: dict[date, Counts] = {}
    for t in tickets:
        local = t.issued_at.astimezone(tz)
        start = datetime.combine(local.date(), opens, tzinfo=tz)
        slot = int((local - start) // HALF_HOUR)
        if slot < 0:
            slot = 0
        counts = result.setdefault(local.date(), {})
        key = (t.service_type, slot)
        counts[key] = counts.get(key, 0.0) + 1.0
    return result


def _class(info: DayInfo) -> tuple[DayKind, int | None]:
    if info.kind is DayKind.WORKDAY:
        return DayKind.WORKDAY, info.day.weekday()
    if info.kind is DayKind.WORKING_WEEKEND:
        return DayKind.WORKDAY, None
    if info.kind is DayKind.WEEKEND:
        return DayKind.WEEKEND, info.day.weekday()
    return DayKind.HOLIDAY, None


def reference_days(target: DayInfo, history: Sequence[DayInfo]) -> list[date]:
    """The last ``REFERENCE_DAYS`` non-payday days before the target of its class (see the module docstring)."""
    kind, weekday = _class(target)
    earlier = sorted((h for h in history if h.day < target.day and not h.payday), key=lambda h: h.day, reverse=True)

    def matching(k: DayKind, wd: int | None) -> list[date]:
        out = []
        for h in earlier:
            hk, hwd = _class(h)
            if hk is k and (wd is None or hwd == wd):
                out.append(h.day)
        return out[:REFERENCE_DAYS]

    found = matching(kind, weekday)
    if len(found) < 2 and kind is DayKind.HOLIDAY:
        found = matching(DayKind.WEEKEND, None)
    return found


def payday_factor(counts: Mapping[date, Counts], history: Sequence[DayInfo], before: date) -> float | None:
    """Mean daily total of payday working days ÷ that of other working days, before ``before``; None with fewer
    than 2 of either."""
    pay = [sum(counts[h.day].values()) for h in history
           if h.day < before and h.day in counts and h.payday and _class(h)[0] is DayKind.WORKDAY]
    plain = [sum(counts[h.day].values()) for h in history
             if h.day < before and h.day in counts and not h.payday and _class(h)[0] is DayKind.WORKDAY]
    if len(pay) < 2 or len(plain) < 2 or fmean(plain) == 0:
        return None
    return fmean(pay) / fmean(plain)


def forecast_day(target: DayInfo, counts: Mapping[date, Counts], history: Sequence[DayInfo],
                 fallback: Callable[[DayInfo], Counts], fallback_factor: float) -> Forecast:
    """The forecast for ``target`` from the days in ``counts`` (described by ``history``)."""
    known = [h for h in history if h.day in counts]
    refs = reference_days(target, known)
    if len(refs) < 2:
        return Forecast(target.day, fallback(target), "fallback", (), 1.0)
    keys = {k for d in refs for k in counts[d]}
    base = {k: fmean(counts[d].get(k, 0.0) for d in refs) for k in keys}
    factor = 1.0
    if target.payday:
        measured = payday_factor(counts, known, target.day)
        factor = measured if measured is not None else fallback_factor
    return Forecast(target.day, {k: v * factor for k, v in base.items()}, "history", tuple(refs), factor)


@dataclass(frozen=True, slots=True)
class BacktestResult:
    days: tuple[date, ...]
    mae_per_interval: tuple[float, ...]  # mean absolute error of tickets per interval (all types), per interval
    mae: float  # over all intervals and days
    actual_mean: float  # mean tickets per interval, for scale
    day_errors: tuple[tuple[date, float, float], ...]  # (day, forecast total, actual total)


def backtest(counts: Mapping[date, Counts], history: Sequence[DayInfo], days: Sequence[date], slots: int,
             fallback: Callable[[DayInfo], Counts], fallback_factor: float) -> BacktestResult | None:
    """How well the forecast would have done on ``days``, each forecast from the days before it only."""
    infos = {h.day: h for h in history}
    errors: list[list[float]] = [[] for _ in range(slots)]
    actual_all: list[float] = []
    tested: list[date] = []
    totals = []
    for day in days:
        if day not in counts or day not in infos:
            continue
        earlier = {d: c for d, c in counts.items() if d < day}
        f = forecast_day(infos[day], earlier, [h for h in history if h.day < day], fallback, fallback_factor)
        predicted = f.per_interval(slots)
        actual = [sum(v for (_, i), v in counts[day].items() if i == s) for s in range(slots)]
        for s in range(slots):
            errors[s].append(abs(predicted[s] - actual[s]))
        actual_all.extend(actual)
        tested.append(day)
        totals.append((day, sum(predicted), sum(actual)))
    if not tested:
        return None
    per = tuple(fmean(e) for e in errors)
    return BacktestResult(tuple(tested), per, fmean([v for e in errors for v in e]), fmean(actual_all),
                          tuple(totals))
