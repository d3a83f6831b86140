"""The same (day, seed) gives the same day however the clock is stepped; another seed gives another day."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from console.sim.engine import BranchSimulation
from tests.sim.support import MONDAY, MONTH_END, WEDNESDAY, full_day, profile


@pytest.mark.parametrize(("day", "seed"), [(MONDAY, 1), (MONTH_END, 7)])
def test_uneven_steps_give_the_same_events_and_positions_as_one_jump(day, seed) -> None:
    whole = full_day(day, seed)
    stepped = BranchSimulation(profile(), day, seed)
    jumper = BranchSimulation(profile(), day, seed)
    rng = random.Random(seed)
    events = []
    t = stepped.start_time
    end = max(e.at for e in whole.events) + timedelta(minutes=5)
    samples = steps = 0
    while t < end:
        steps += 1
        # steps from sub-millisecond to 20 minutes, sometimes landing exactly on a feed event's time
        t = min(end, t + timedelta(seconds=rng.choice([0.0004, 0.5, 1.0, 7.3, 60.0, 600.0]) * rng.random()))
        if rng.random() < 0.05:
            later = [e.at for e in whole.events if e.at > t]
            if later:
                t = later[0]
        events.extend(stepped.advance_to(t))
        if steps % 10 == 0:
            jumper.advance_to(t)
            assert stepped.people() == jumper.people()
            assert stepped.counters() == jumper.counters()
            assert stepped.tickets() == jumper.tickets()
            samples += 1
    events.extend(stepped.advance_to(end))
    assert events == list(whole.events)
    assert samples > 10
    assert stepped.tickets() == whole.sim.tickets()


def test_same_seed_twice_is_identical_and_another_seed_differs() -> None:
    a = BranchSimulation(profile(), WEDNESDAY, 11)
    b = BranchSimulation(profile(), WEDNESDAY, 11)
    c = BranchSimulation(profile(), WEDNESDAY, 12)
    t = a.start_time + timedelta(hours=4)
    ea, eb, ec = a.advance_to(t), b.advance_to(t), c.advance_to(t)
    assert ea == eb and a.people() == b.people()
    assert ea != ec
    assert [e.event_id for e in ea[:3]] == [f"demo-{WEDNESDAY:%Y%m%d}-{n:06d}" for n in (1, 2, 3)]


def test_the_clock_cannot_go_back_and_needs_a_time_zone() -> None:
    sim = BranchSimulation(profile(), WEDNESDAY, 1)
    assert sim.now == sim.start_time
    assert sim.start_time.hour == 8 and sim.start_time.minute == 45
    assert str(sim.start_time.tzinfo) == "Asia/Shanghai"
    later = sim.start_time + timedelta(hours=1)
    sim.advance_to(later)
    assert sim.now == later
    with pytest.raises(ValueError, match="back in time"):
        sim.advance_to(later - timedelta(seconds=1))
    with pytest.raises(ValueError, match="timezone-aware"):
        sim.advance_to(later.replace(tzinfo=None))
    assert sim.advance_to(later) == []
    assert not sim.finished


def test_a_finished_day_keeps_its_clock_moving_harmlessly() -> None:
    sim = BranchSimulation(profile(), WEDNESDAY, 5)
    sim.advance_to(sim.start_time + timedelta(hours=12))
    assert sim.finished
    tickets = sim.tickets()
    assert sim.advance_to(sim.start_time + timedelta(hours=20)) == []
    assert sim.finished and sim.tickets() == tickets and sim.people() == []
    assert sim.staff_at_counter() == {}
