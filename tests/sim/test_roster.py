"""The demo roster and staff: realistic, consistent with the counters, deterministic by day."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, time, timedelta

from console.domain.vocabulary import ShiftKind
from console.sim.profile import demo_roster, on_leave
from tests.sim.support import profile

DAYS = [date(2026, 11, 2) + timedelta(days=k) for k in range(42)]


def test_every_counter_shift_is_aware_local_and_people_never_overlap() -> None:
    p = profile()
    staff = {s.staff_id: s for s in p.staff}
    assert len(staff) == len(p.staff) >= 9
    for day in DAYS:
        roster = demo_roster(p, day)
        by_person = defaultdict(list)
        for shift in roster:
            assert str(shift.start.tzinfo) == "Asia/Shanghai" and shift.start.date() == day
            assert shift.staff_id in staff
            by_person[shift.staff_id].append(shift)
            if shift.counter_id is not None:
                types = p.counter(shift.counter_id).service_types
                assert set(types) <= set(staff[shift.staff_id].skills), (shift, staff[shift.staff_id])
            for b in shift.breaks:
                assert shift.start <= b.start < b.end <= shift.end
        for shifts in by_person.values():
            shifts.sort(key=lambda s: s.start)
            assert all(a.end <= b.start for a, b in zip(shifts, shifts[1:]))
        assert len(by_person) == len(p.staff)


def _lunch(shifts: list) -> tuple:
    """A person's lunch: their longest break, or the gap between their two records at the same counter."""
    spans = [(b.start, b.end) for s in shifts for b in s.breaks if b.end - b.start > timedelta(minutes=15)]
    spans += [(a.end, b.start) for a, b in zip(shifts, shifts[1:]) if a.end < b.start]
    assert len(spans) == 1, shifts
    return spans[0]


def test_fixed_counters_are_staffed_all_day_with_staggered_lunches() -> None:
    p = profile()
    covered_days = 0
    for day in DAYS:
        roster = demo_roster(p, day)
        at = lambda t: roster[0].start.replace(hour=t.hour, minute=t.minute)  # noqa: E731
        breaks = {}
        for counter_id in ("1", "2", "5", "6", "7"):
            shifts = sorted((s for s in roster if s.counter_id == counter_id), key=lambda s: s.start)
            # staffed without a gap from 08:45 to 17:30, by one person or by a relief over lunch
            assert shifts[0].start == at(time(8, 45)) and shifts[-1].end == at(time(17, 30))
            assert all(a.end == b.start for a, b in zip(shifts, shifts[1:]))
            main = shifts[0].staff_id
            own = [s for s in shifts if s.staff_id == main]
            assert shifts[-1].staff_id == main and len(shifts) in (1, 3)
            covered_days += len(shifts) == 3
            start, end = _lunch(own)
            assert timedelta(minutes=45) <= end - start <= timedelta(minutes=60)
            assert at(time(11, 0)) <= start and end <= at(time(14, 0))
            short = [b for s in own for b in s.breaks if b.end - b.start == timedelta(minutes=15)]
            assert len(short) == 1
            breaks[counter_id] = [(start, end), (short[0].start, short[0].end)]
        # the two cash tellers never break at the same time
        assert all(a_end <= b_start or b_end <= a_start
                   for a_start, a_end in breaks["1"] for b_start, b_end in breaks["2"])
        # flexible counters only at the peaks, by people who otherwise work in the back office
        for counter_id in ("3", "4"):
            slots = [s for s in roster if s.counter_id == counter_id]
            assert 2 <= len(slots) <= 3
            assert all(at(time(9, 0)) <= s.start and s.end <= at(time(17, 0)) for s in slots)
            person = slots[0].staff_id
            assert any(s.staff_id == person and s.counter_id is None for s in roster)
    assert covered_days > 20


def test_leave_is_a_function_of_the_day_and_covered_by_the_relief_teller() -> None:
    p = profile()
    absent_days = 0
    for day in DAYS:
        assert demo_roster(p, day) == demo_roster(p, day)
        absent = on_leave(day)
        leave = [s for s in demo_roster(p, day) if s.kind is ShiftKind.LEAVE]
        if absent is None:
            assert leave == []
            continue
        absent_days += 1
        assert [s.staff_id for s in leave] == [absent]
        assert not [s for s in demo_roster(p, day) if s.staff_id == absent and s.kind is ShiftKind.WORK]
        assert any(s.staff_id == "E1008" and s.counter_id is not None for s in demo_roster(p, day))
    assert 5 <= absent_days <= 30


def test_branch_and_counters_of_the_demo_profile() -> None:
    p = profile()
    b = p.branch
    assert (b.code, b.timezone, b.opens, b.closes, b.lobby_capacity, b.is_demo) == (
        "DEMO", "Asia/Shanghai", time(9, 0), time(17, 0), 60, True)
    assert b.counters == tuple(c.counter_id for c in p.counters) == ("1", "2", "3", "4", "5", "6", "7")
    assert [c.counter_id for c in p.counters if c.priority_any_type] == ["7"]
    assert {c.counter_id for c in p.floor.counters} == set(b.counters)
