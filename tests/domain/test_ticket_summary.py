"""A day's ticket summary adds up: the figures from merged day summaries equal those over every ticket of the
period (each checked against the raw tickets in test_period_report), and a stored summary reads back exactly."""

from __future__ import annotations

from datetime import timedelta

import pytest

from console.domain.day_report import build_day_report, report_from_summary
from console.domain.period_report import build_period_report
from console.domain.ticket_summary import TicketSummary, merge, summarise
from tests.domain.test_period_report import FIRST, LAST, TZ, expected, in_period, tickets


def by_day(ts):
    days: dict = {}
    for t in ts:
        days.setdefault(t.issued_at.astimezone(TZ).date(), []).append(t)
    return days


def test_merged_day_summaries_give_the_figures_over_all_tickets() -> None:
    period = in_period(tickets(), FIRST, LAST)
    merged = merge(summarise(day_tickets, day, TZ) for day, day_tickets in by_day(period).items())
    report = report_from_summary(merged, FIRST, TZ, 10.0)
    for key, value in expected(period).items():
        assert getattr(report, key) == pytest.approx(value), key
    # a target the summaries were not made for: the waits themselves are kept
    for key, value in expected(period, target_min=3.0).items():
        assert getattr(report_from_summary(merged, FIRST, TZ, 3.0), key) == pytest.approx(value), key
    assert report.ratings == build_period_report(period, FIRST, LAST, TZ).figures.ratings


def test_a_stored_summary_reads_back_the_same() -> None:
    for day, day_tickets in by_day(tickets(seed=8)).items():
        summary = summarise(day_tickets, day, TZ)
        again = TicketSummary.from_stored(summary.to_json(), *summary.waits_bytes())
        assert again == summary
        assert report_from_summary(again, day, TZ, 10.0) == build_day_report(day_tickets, day, TZ, 10.0)


def test_intervals_along_the_clock_and_by_the_time_of_day() -> None:
    """A day's intervals run from the first ticket's half-hour to the last step's; merged days fold into times of
    day whatever the date."""
    days = by_day(in_period(tickets(seed=3), FIRST, FIRST + timedelta(days=1)))
    first_day = summarise(days[FIRST], FIRST, TZ)
    starts = [i.start for i in report_from_summary(first_day, FIRST, TZ, 10.0).intervals]
    earliest = min(t.issued_at for t in days[FIRST]).astimezone(TZ)
    assert starts[0] == earliest.replace(minute=earliest.minute // 30 * 30, second=0, microsecond=0)
    merged = merge(summarise(ts, d, TZ) for d, ts in days.items())
    both = report_from_summary(merged, FIRST, TZ, 10.0).intervals
    assert sum(i.arrived for i in both) == len(days[FIRST]) + len(days[FIRST + timedelta(days=1)])
    assert all(i.start.date() == FIRST for i in both)
