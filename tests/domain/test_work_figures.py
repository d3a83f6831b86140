"""Each counter's and person's period: time in each counter state cut to the period, pauses, and a person's
transaction time beside the branch's for the same mix of business — checked against figures worked out by hand."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from console.domain.attendance import AttendanceRow, AttendanceStatus
from console.domain.records import ShiftRecord, TicketRecord
from console.domain.ticket_summary import summarise
from console.domain.vocabulary import CounterState, ServiceType, TicketStatus
from console.domain.work_figures import CounterStateChange, state_times, work_figures
from tests.domain.test_period_report import TZ

DAY = date(2026, 11, 16)


def at(hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 11, 16, hh, mm, tzinfo=TZ)


def test_time_in_each_state_is_cut_to_the_period() -> None:
    s = CounterState
    changes = [CounterStateChange("1", at(8), s.IDLE, "E1"),  # before the period: the state it starts in
               CounterStateChange("1", at(9), s.SERVING, "E1"), CounterStateChange("1", at(9, 10), s.IDLE, "E1"),
               CounterStateChange("1", at(9, 30), s.PAUSED, "E1"), CounterStateChange("1", at(9, 45), s.IDLE, "E1"),
               CounterStateChange("1", at(10), s.CLOSED, None), CounterStateChange("2", at(11), s.PAUSED, "E2")]
    counters, people = state_times(changes, at(8, 30), at(12))
    one = counters["1"]
    assert one.seconds[s.IDLE] == (30 + 20 + 15) * 60 and one.seconds[s.SERVING] == 10 * 60
    assert one.seconds[s.PAUSED] == 15 * 60 and one.pauses == 1 and one.staffed_s == 90 * 60
    assert one.idle_share == pytest.approx(65 / 90)
    assert one.seconds[s.CLOSED] == 2 * 3600  # closed from 10:00: not staffed, nobody's
    assert people["E1"].seconds == {k: v for k, v in one.seconds.items() if k is not s.CLOSED}
    assert people["E2"].seconds == {s.PAUSED: 60 * 60}
    assert counters["2"].pauses == 1 and counters["2"].idle_share == 0.0


def served(n: int, kind: ServiceType, minutes: float, staff: str, counter: str, start: datetime) -> TicketRecord:
    called = start + timedelta(minutes=2)
    return TicketRecord(f"{staff}-{n}", f"A{n:03d}", kind, False, start, TicketStatus.SERVED, called,
                        called, called + timedelta(minutes=minutes), counter, staff, rating=5 if n % 2 else None)


def test_transaction_time_beside_the_branch_for_the_same_mix() -> None:
    """E1 takes the corporate business (20 min each at this branch), E2 mostly cash (5 min): E1's 20 minutes are
    the branch's for their mix, E2's 8 minutes too — neither is slow."""
    tickets = [served(n, ServiceType.CORPORATE, 20, "E1", "3", at(9, n)) for n in range(4)]
    tickets += [served(10 + n, ServiceType.CASH, 5, "E2", "1", at(9, n)) for n in range(4)]
    tickets += [served(20, ServiceType.CORPORATE, 20, "E2", "1", at(11))]
    shift = ShiftRecord("E2", at(9), at(17), counter_id="1")
    rows = [AttendanceRow(shift, AttendanceStatus.LATE, at(9, 20), None, 0.0, 20.0, 0.0),
            AttendanceRow(ShiftRecord("E3", at(9), at(17)), AttendanceStatus.ABSENT, None, None, 0.0, 0.0, 0.0),
            AttendanceRow(ShiftRecord("E3", at(9) + timedelta(days=1), at(17) + timedelta(days=1)),
                          AttendanceStatus.UPCOMING, None, None, 0.0, 0.0, 0.0)]
    counters, people = work_figures(summarise(tickets, DAY, TZ), {}, {}, rows, ["E4"])
    by = {w.key: w for w in people}
    assert list(by) == ["E1", "E2", "E3", "E4"]  # by employee number, never by a figure
    assert (by["E1"].served, by["E1"].avg_transaction_min, by["E1"].branch_avg_for_mix_min) == (4, 20.0, 20.0)
    assert by["E2"].mix == {"cash": 4, "corporate": 1}
    assert by["E2"].avg_transaction_min == pytest.approx((4 * 5 + 20) / 5)
    assert by["E2"].branch_avg_for_mix_min == pytest.approx((4 * 5 + 20) / 5)
    assert (by["E2"].shifts, by["E2"].late, by["E2"].absent) == (1, 1, 0)
    assert (by["E3"].shifts, by["E3"].absent, by["E3"].served) == (1, 1, 0)  # the upcoming shift is not judged
    assert by["E1"].rating.rated == 2 and by["E1"].rating.avg_score == 5.0
    assert by["E1"].staffed_min is None and by["E1"].idle_share is None  # no counter states reported
    assert [c.key for c in counters] == ["1", "3"] and counters[0].served == 5
