"""Coverage per half-hour: counters required by hand-computed Erlang C cases, and people at work from the roster."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from console.domain.coverage import coverage, mean_handling_s
from console.domain.records import BreakSpan, ShiftRecord
from console.domain.vocabulary import ServiceType, ShiftKind

TZ = ZoneInfo("Asia/Shanghai")
CASH, CORP = ServiceType.CASH, ServiceType.CORPORATE


def t(h: int, m: int = 0) -> datetime:
    return datetime(2026, 11, 16, h, m, tzinfo=TZ)


def test_required_counters_and_staff_on_shift() -> None:
    # 10 cash tickets in the first half-hour, 180 s each: 1 Erlang. One counter cannot keep up (load = counters);
    # two: P(wait) = 1/3 (Erlang C), share within 10 min = 1 − (1/3)·e^(−(2−1)·600/180) = 0.988 ≥ 0.8 → 2.
    # 1 corporate ticket in the second half-hour, 900 s: load 0.5; one counter: P(wait) = 0.5, within 10 min
    # 1 − 0.5·e^(−0.5·600/900) = 0.64 < 0.8; two counters: P(wait) = 1/9, 1 − (1/9)·e^(−1.5·600/900) ≈ 0.959 → 2.
    counts = {(CASH, 0): 10.0, (CORP, 1): 1.0}
    roster = [
        ShiftRecord("A", t(9), t(17), breaks=(BreakSpan(t(9, 30), t(10)),)),  # on a break in the second half-hour
        ShiftRecord("B", t(9), t(17)),
        ShiftRecord("C", t(9, 20), t(17)),  # starts after the middle of the first half-hour (09:15)
        ShiftRecord("D", t(0), t(23, 59), kind=ShiftKind.LEAVE),
    ]
    rows = coverage(counts, 3, t(9), roster, {CASH: 180.0, CORP: 900.0}, 600.0, 0.8)
    assert [(r.start, r.arrivals, r.required, r.on_shift) for r in rows] == [
        (t(9), 10.0, {CASH: 2}, 2),  # A and B at 09:15
        (t(9, 30), 1.0, {CORP: 2}, 2),  # B and C at 09:45 (A on a break)
        (t(10), 0.0, {}, 3),
    ]
    assert rows[0].shortfall == 0 and rows[1].total_required == 2 and rows[2].shortfall == 0


def test_mean_handling_falls_back_per_type() -> None:
    assert mean_handling_s({CASH: [100.0, 200.0]}, {CASH: 1.0, CORP: 900.0}) == {CASH: 150.0, CORP: 900.0}
