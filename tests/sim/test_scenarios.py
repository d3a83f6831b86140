"""Demo scenarios: the pension payday's rush fills the lobby past its capacity in the first hour (so crowding alerts,
the banner and the big number's colours can be seen) while the ordinary day stays well below; the surge is in the
tickets issued, counted from the simulated day's own tickets; an unknown scenario is refused with the known ones."""

from __future__ import annotations

from datetime import date, time

import pytest

from console.domain.vocabulary import ServiceType
from console.sim.profile import demo_profile
from console.sim.scenarios import ScenarioError, scenario_named, with_scenario
from console.sources.demo_day import DemoDay

DAY = date(2026, 12, 2)  # a Wednesday


def run(seed: int, scenario: str | None):
    """(lobby counts per sample time, tickets) of one simulated day."""
    profile = with_scenario(demo_profile(), scenario_named(scenario) if scenario else None)
    demo = DemoDay(DAY, seed, profile)
    lobby = {}
    for result in demo.run_to_end():
        for s in result.samples:
            if s.zone is None:
                lobby[s.at.astimezone(demo.zone).time()] = s.count
    return lobby, demo.sim.tickets(), demo.zone


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_pension_payday_fills_the_lobby_past_its_capacity(seed: int) -> None:
    capacity = demo_profile().branch.lobby_capacity
    lobby, tickets, zone = run(seed, "pension_payday")
    ordinary, plain_tickets, _ = run(seed, None)
    assert max(ordinary.values()) < 0.8 * capacity  # the ordinary day never shows the crowding levels
    past_warning = min(t for t, n in lobby.items() if n >= 0.8 * capacity)
    past_capacity = min(t for t, n in lobby.items() if n >= capacity)
    assert time(9, 0) <= past_warning <= past_capacity <= time(10, 15)
    assert max(n for t, n in lobby.items() if t >= time(12, 0)) < 0.8 * capacity  # and it empties by noon

    def cash_issued(found, start: time, end: time) -> int:
        return sum(1 for t in found if t.service_type is ServiceType.CASH
                   and start <= t.issued_at.astimezone(zone).time() < end)

    rush, usual = cash_issued(tickets, time(9), time(10)), cash_issued(plain_tickets, time(9), time(10))
    assert rush >= 4 * max(usual, 1)  # seven times as many expected: well above four times in any seed


def test_an_unknown_scenario_names_the_known_ones() -> None:
    with pytest.raises(ScenarioError, match="pension_payday"):
        scenario_named("black_friday")
