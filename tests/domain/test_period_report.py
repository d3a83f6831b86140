"""A period's figures are computed over every ticket of the period — checked against an independent computation
from the raw tickets — with groups by day, ISO week and month cut to the period, intervals by the time of day, and
each day's report equal to the day report of that day."""

from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from console.domain.day_report import build_day_report
from console.domain.period_report import build_period_report, group_spans
from console.domain.records import TicketRecord
from console.domain.vocabulary import ServiceType, TicketStatus

TZ = ZoneInfo("Asia/Shanghai")
FIRST, LAST = date(2026, 8, 27), date(2026, 9, 16)  # three weeks across a month's end


def tickets(seed: int = 5) -> list[TicketRecord]:
    """A few dozen tickets a day with waits, abandonments and no-shows (and some outside the period)."""
    rng = random.Random(seed)
    out: list[TicketRecord] = []
    day = FIRST - timedelta(days=2)
    while day <= LAST + timedelta(days=2):
        for n in range(rng.randint(5, 40)):
            issued = datetime.combine(day, datetime.min.time(), tzinfo=TZ) + timedelta(
                hours=9, minutes=rng.randint(0, 479), seconds=rng.randint(0, 59))
            kind = rng.random()
            called = issued + timedelta(minutes=rng.uniform(0, 40)) if kind > 0.1 else None
            if called is None:
                status, finished, started = TicketStatus.ABANDONED, issued + timedelta(minutes=20), None
            elif kind < 0.15:
                status, finished, started = TicketStatus.NO_SHOW, called + timedelta(minutes=2), None
            else:
                started = called + timedelta(minutes=1)
                status, finished = TicketStatus.SERVED, started + timedelta(minutes=rng.uniform(2, 15))
            out.append(TicketRecord(f"{day:%m%d}-A{n:03d}", f"A{n:03d}", rng.choice(list(ServiceType)[:4]),
                                    rng.random() < 0.1, issued, status, called, started, finished,
                                    rng.choice(["1", "2", "10"]) if started else None))
        day += timedelta(days=1)
    return out


def in_period(all_tickets: list[TicketRecord], first: date, last: date) -> list[TicketRecord]:
    return [t for t in all_tickets if first <= t.issued_at.astimezone(TZ).date() <= last]


def expected(ts: list[TicketRecord], target_min: float = 10.0) -> dict[str, object]:
    """The figures from the raw tickets, computed here without the report's code."""
    waits = sorted((t.called_at - t.issued_at).total_seconds() / 60 for t in ts if t.called_at is not None)
    within = sum(1 for w in waits if w <= target_min)
    abandoned = sum(1 for t in ts if t.status is TicketStatus.ABANDONED and t.called_at is None)
    return {"arrived": len(ts), "served": sum(t.status is TicketStatus.SERVED for t in ts),
            "abandoned": sum(t.status is TicketStatus.ABANDONED for t in ts),
            "avg_wait_min": sum(waits) / len(waits), "max_wait_min": waits[-1],
            "p90_wait_min": waits[math.ceil(0.9 * len(waits)) - 1],
            "service_level": within / (len(waits) + abandoned)}


def test_the_period_is_computed_over_all_its_tickets() -> None:
    all_tickets = tickets()
    report = build_period_report(all_tickets, FIRST, LAST, TZ, 10.0, group_by="week")
    ours = in_period(all_tickets, FIRST, LAST)
    for key, value in expected(ours).items():
        assert getattr(report.figures, key) == pytest.approx(value), key
    average_of_days = sum(d.p90_wait_min for d in report.days) / len(report.days)
    assert report.figures.p90_wait_min != pytest.approx(average_of_days)  # not an average of daily figures
    assert [d.date for d in report.days] == [FIRST + timedelta(days=n) for n in range(21)]
    for day_report in report.days:
        assert day_report == build_day_report(all_tickets, day_report.date, TZ, 10.0)
    # intervals by the time of day: arrivals summed over the days per half hour
    by_slot: dict[str, int] = {}
    for t in ours:
        local = t.issued_at.astimezone(TZ)
        key = f"{local.hour:02d}:{local.minute // 30 * 30:02d}"
        by_slot[key] = by_slot.get(key, 0) + 1
    got = {i["start"]: i["arrived"] for i in report.to_json()["intervals"] if i["arrived"]}
    assert got == by_slot


def test_groups_by_week_and_month_cut_to_the_period() -> None:
    all_tickets = tickets()
    weeks = build_period_report(all_tickets, FIRST, LAST, TZ, group_by="week")
    assert [(g.label, g.first, g.last) for g in weeks.groups] == [
        ("2026-W35", date(2026, 8, 27), date(2026, 8, 30)), ("2026-W36", date(2026, 8, 31), date(2026, 9, 6)),
        ("2026-W37", date(2026, 9, 7), date(2026, 9, 13)), ("2026-W38", date(2026, 9, 14), date(2026, 9, 16))]
    for g in weeks.groups:
        for key, value in expected(in_period(all_tickets, g.first, g.last)).items():
            assert getattr(g.figures, key) == pytest.approx(value), (g.label, key)
    months = build_period_report(all_tickets, FIRST, LAST, TZ, group_by="month")
    assert [g.label for g in months.groups] == ["2026-08", "2026-09"]
    assert sum(g.figures.arrived for g in months.groups) == months.figures.arrived == len(in_period(
        all_tickets, FIRST, LAST))
    assert [s[0] for s in group_spans(date(2026, 12, 30), date(2027, 1, 2), "month")] == ["2026-12", "2027-01"]


def test_json_has_the_day_reports_keys_and_the_period() -> None:
    report = build_period_report(tickets(), FIRST, LAST, TZ, purged_days=[date(2026, 8, 1), FIRST])
    data = report.to_json()
    day_keys = set(report.days[0].to_json()) - {"date"}
    assert day_keys <= set(data) and {"from", "to", "days", "groups", "purged_days"} <= set(data)
    assert (data["from"], data["to"], data["purged_days"]) == ("2026-08-27", "2026-09-16", ["2026-08-27"])
    with pytest.raises(ValueError, match="ends"):
        build_period_report([], LAST, FIRST, TZ)
