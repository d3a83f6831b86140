"""What kind of day a date is in mainland China: working day, weekend, public holiday, or a weekend made a working
day to make up for a long holiday (调休补班); and whether it is a payday or month-end day. The ``holidays``
package holds the State Council's yearly arrangements; the working weekends are its "substituted" days (the
Saturday or Sunday a day off was moved from). Years the package does not know yet are plain weekdays/weekends.
No Qt imports.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from console.domain.forecast import DayInfo, DayKind, is_payday
from console.domain.opening_hours import DayHours
from console.domain.records import BranchInfo

#: Days of the month when wages are paid (and the last ``MONTH_END_DAYS`` of a month): busier at the counters.
PAYDAYS = (10, 15)
MONTH_END_DAYS = 2


@lru_cache(maxsize=64)
def _year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(public holidays and days off, working weekends) of a year."""
    import holidays
    from holidays.countries.china import ChinaStaticHolidays

    off = frozenset(holidays.country_holidays("CN", years=year))
    working: set[date] = set()
    for entry in getattr(ChinaStaticHolidays, "special_public_holidays", {}).get(year, ()):
        # (month, day, from_month, from_day): the day off was moved from (from_month, from_day), a working day
        if len(entry) == 4 and all(isinstance(v, int) for v in entry):
            working.add(date(year, entry[2], entry[3]))
    return off, frozenset(working)


def day_info(day: date) -> DayInfo:
    off, working = _year(day.year)
    if day in off:
        kind = DayKind.HOLIDAY
    elif day in working:
        kind = DayKind.WORKING_WEEKEND
    elif day.weekday() >= 5:
        kind = DayKind.WEEKEND
    else:
        kind = DayKind.WORKDAY
    return DayInfo(day, kind, is_payday(day, PAYDAYS, MONTH_END_DAYS))


def hours_on(branch: BranchInfo, day: date) -> DayHours:
    """The branch's opening hours on ``day``. Decision: a public holiday (or a day off of a long holiday) takes
    Sunday's hours, a working weekend (调休补班) takes Monday's, any other day its weekday's."""
    kind = day_info(day).kind
    if kind is DayKind.HOLIDAY:
        return branch.weekday_hours(_next_weekday(day, 6))
    if kind is DayKind.WORKING_WEEKEND:
        return branch.weekday_hours(_next_weekday(day, 0))
    return branch.weekday_hours(day)


def _next_weekday(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)
