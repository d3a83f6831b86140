"""Demand forecast: the Chinese calendar's day kinds, reference days, payday factor, the forecast and the backtest
on hand-made histories."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from console.domain.forecast import (
    DayInfo,
    DayKind,
    backtest,
    forecast_day,
    payday_factor,
    reference_days,
)
from console.domain.vocabulary import ServiceType
from console.staffing.calendar_cn import day_info

CASH, VIP = ServiceType.CASH, ServiceType.VIP


def test_chinese_calendar_2026() -> None:
    assert day_info(date(2026, 1, 4)).kind is DayKind.WORKING_WEEKEND  # Sunday worked for New Year
    assert day_info(date(2026, 2, 14)).kind is DayKind.WORKING_WEEKEND  # Saturday before Spring Festival
    assert day_info(date(2026, 2, 17)).kind is DayKind.HOLIDAY
    assert day_info(date(2026, 10, 1)).kind is DayKind.HOLIDAY
    assert day_info(date(2026, 11, 28)).kind is DayKind.WEEKEND
    assert day_info(date(2026, 11, 25)) == DayInfo(date(2026, 11, 25), DayKind.WORKDAY, False)
    assert day_info(date(2026, 11, 30)).payday and day_info(date(2026, 11, 10)).payday  # month end, 10th


def flat(n: float) -> dict:
    return {(CASH, 0): n, (VIP, 1): n / 2}


def no_fallback(info: DayInfo) -> dict:
    return {(CASH, 0): -1.0}


def test_reference_days_follow_the_class_and_skip_paydays() -> None:
    mondays = [date(2026, 11, 2) + timedelta(weeks=k) for k in range(4)]  # 2, 9, 16, 23 November
    history = [day_info(d) for d in mondays] + [day_info(date(2026, 11, 3)), day_info(date(2026, 11, 30))]
    assert reference_days(day_info(date(2026, 12, 7)), history) == [date(2026, 11, 23), date(2026, 11, 16),
                                                                     date(2026, 11, 9), date(2026, 11, 2)]
    # a working weekend is an ordinary working day of any weekday
    worked = DayInfo(date(2026, 12, 5), DayKind.WORKING_WEEKEND, False)
    assert reference_days(worked, history)[0] == date(2026, 11, 23)
    # a holiday without holidays in the history takes weekends
    weekends = [DayInfo(date(2026, 11, 21), DayKind.WEEKEND, False), DayInfo(date(2026, 11, 22), DayKind.WEEKEND,
                                                                                False)]
    holiday = DayInfo(date(2026, 12, 1), DayKind.HOLIDAY, False)
    assert reference_days(holiday, history + weekends) == [date(2026, 11, 22), date(2026, 11, 21)]


def test_forecast_is_the_mean_of_similar_days_times_the_payday_factor() -> None:
    days = {date(2026, 11, 16): flat(10), date(2026, 11, 9): flat(14), date(2026, 11, 2): flat(12),
            date(2026, 11, 10): flat(30), date(2026, 11, 30): flat(26),  # paydays (Tuesday 10th, month end)
            date(2026, 11, 11): flat(20), date(2026, 11, 12): flat(20)}  # plain Wednesday, Thursday
    history = [day_info(d) for d in days]
    f = forecast_day(day_info(date(2026, 11, 23)), days, history, no_fallback, 9.9)
    assert f.source == "history" and set(f.reference_days) == {date(2026, 11, 16), date(2026, 11, 9),
                                                                date(2026, 11, 2)}
    assert f.counts[(CASH, 0)] == pytest.approx(12.0) and f.counts[(VIP, 1)] == pytest.approx(6.0)
    # a payday: the branch's own factor (paydays 30 and 26 → 28 ×1.5 = 42 a day, others 10,14,12,20,20 ×1.5)
    plain = (10 + 14 + 12 + 20 + 20) / 5 * 1.5
    assert payday_factor(days, history, date(2026, 12, 31)) == pytest.approx(42 / plain)
    pay = forecast_day(DayInfo(date(2026, 12, 14), DayKind.WORKDAY, True), days, history, no_fallback, 9.9)
    assert pay.factor == pytest.approx(42 / plain) and pay.counts[(CASH, 0)] == pytest.approx(12.0 * 42 / plain)
    # too little history: the fallback, said so
    lonely = forecast_day(day_info(date(2026, 11, 27)), days, history, no_fallback, 9.9)
    assert lonely.source == "fallback" and lonely.counts == {(CASH, 0): -1.0}


def test_backtest_uses_only_earlier_days() -> None:
    days = {date(2026, 11, 2): flat(10), date(2026, 11, 9): flat(20), date(2026, 11, 16): flat(30),
            date(2026, 11, 23): flat(40)}
    history = [day_info(d) for d in days]
    result = backtest(days, history, sorted(days), 2, lambda info: flat(0), 1.0)
    # 2 and 9 Nov: fallback (0); 16 Nov: mean(10, 20) = 15; 23 Nov: mean(10, 20, 30) = 20
    predicted = {d: p for d, p, _ in result.day_errors}
    assert predicted == {date(2026, 11, 2): 0.0, date(2026, 11, 9): 0.0, date(2026, 11, 16): 22.5,
                         date(2026, 11, 23): 30.0}
    # interval 0 (cash): errors 10, 20, 15, 20 → 16.25; interval 1 (vip, half): 8.125
    assert result.mae_per_interval == pytest.approx((16.25, 8.125))
