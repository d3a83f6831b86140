"""Staffing advice on a simulated day: every proposal uses staff on shift (or on a break) with the skill, never
someone on leave, and every accepted request is carried out by the simulator — the same path the benchmark
(benchmarks/advice_quality.py) measures."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from console.domain.advice import AdviceKind, AdviceSettings, advise
from console.domain.counter_actions import check_command, is_carried_out
from console.domain.vocabulary import CounterAction, ShiftKind
from console.sim.engine import BranchSimulation
from console.sim.profile import demo_profile
from console.staffing.demand import fallback_counter_time_s


def test_advice_uses_staff_on_shift_and_the_simulator_carries_it_out() -> None:
    profile = demo_profile()
    day = date(2026, 11, 30)  # a month-end Monday: busy
    sim = BranchSimulation(profile, day, 3)
    tz = ZoneInfo(profile.branch.timezone)
    settings = AdviceSettings(opens_at=datetime.combine(day, profile.branch.opens, tzinfo=tz),
                              closes_at=datetime.combine(day, profile.branch.closes, tzinfo=tz))
    fallback = fallback_counter_time_s()
    skills = {p.staff_id: set(p.skills) for p in profile.staff}
    roster = sim.roster()
    waiting_for: list = []  # (command, deadline)
    kinds = set()
    t = sim.start_time
    end = datetime.combine(day, profile.branch.closes, tzinfo=tz) - timedelta(minutes=45)
    while t < end:
        t += timedelta(minutes=1)
        sim.advance_to(t)
        counters = sim.counters()
        by_id = {c.counter_id: c for c in counters}
        for command, deadline in list(waiting_for):
            c = by_id[command.counter_id]
            done = (c.service_types == command.service_types if command.action is CounterAction.SET_SERVICE_TYPES
                    else is_carried_out(command, c))
            if done:
                waiting_for.remove((command, deadline))
            else:
                assert t <= deadline, f"{command} not carried out by {deadline}"
        _, proposals = advise(t, counters, sim.tickets(), profile.staff, roster, fallback, settings)
        for a in proposals:
            kinds.add(a.kind)
            if a.staff_id is not None and a.kind in (AdviceKind.OPEN, AdviceKind.OPEN_FROM_BREAK):
                assert a.service_type in skills[a.staff_id]
                mine = [r for r in roster if r.staff_id == a.staff_id and r.start <= t < r.end]
                assert mine and all(r.kind is ShiftKind.WORK for r in mine)  # on shift, not on leave
            for command in a.commands:
                if command.action is not CounterAction.SET_SERVICE_TYPES:
                    assert check_command(command, counters, profile.staff, roster) is None
                sim.apply_command(command)
            last = a.commands[-1]
            waiting_for.append((last, t + timedelta(minutes=30)))
    assert AdviceKind.OPEN in kinds or AdviceKind.RECALL in kinds
    assert AdviceKind.CLOSE_IDLE in kinds
