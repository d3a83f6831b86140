"""Demo scenarios: days of the demo branch that show what an ordinary day never does (``--scenario NAME``).

The ordinary demo day peaks at about half of the lobby's capacity, so crowding alerts, the banner, the emergency
checklist and the big lobby number's colours never show. A scenario multiplies the ordinary arrivals in chosen
half-hours (``Surge``) and starts the window just before its rush.

``pension_payday`` (养老金发放日): pensions are paid on a fixed day of the month and many retired customers queue at
the door to withdraw cash at opening, as they do in Chinese branches. Cash tickets (and priority cash tickets: the
elderly) arrive seven times as often from 09:00 to 10:00 and three times as often until 11:00; the lobby passes 80 %
and then 100 % of its capacity within the first hour and empties towards noon. (Measured with
``main.py simulate --scenario pension_payday``, seed 1: see tests/sim/test_scenarios.py.)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import time

from console.domain.vocabulary import ServiceType
from console.sim.profile import ArrivalInterval, DemoProfile


@dataclass(frozen=True, slots=True)
class Surge:
    """Arrivals of ``service_types`` (ordinary and priority) times ``factor`` in the half-hours starting in
    [``start``, ``end``)."""

    start: time
    end: time
    factor: float
    service_types: tuple[ServiceType, ...]


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    surges: tuple[Surge, ...]
    #: where the demo window starts (branch time) unless --sim-start says otherwise: just before the rush
    starts_at: time


SCENARIOS: dict[str, Scenario] = {
    "pension_payday": Scenario(
        name="pension_payday",
        surges=(Surge(time(9, 0), time(10, 0), 7.0, (ServiceType.CASH,)),
                Surge(time(10, 0), time(11, 0), 3.0, (ServiceType.CASH,))),
        starts_at=time(8, 50),
    ),
}


class ScenarioError(ValueError):
    """An unknown scenario name; the message lists the known ones."""


def scenario_named(name: str) -> Scenario:
    try:
        return SCENARIOS[name]
    except KeyError:
        raise ScenarioError(f"no scenario {name!r} (scenarios: {', '.join(sorted(SCENARIOS))})") from None


def _surged(interval: ArrivalInterval, surges: tuple[Surge, ...]) -> ArrivalInterval:
    factor = {t: 1.0 for t in ServiceType}
    for s in surges:
        if s.start <= interval.start < s.end:
            for t in s.service_types:
                factor[t] *= s.factor
    if all(f == 1.0 for f in factor.values()):
        return interval
    return replace(interval,
                   per_hour=tuple((t, round(rate * factor[t], 2)) for t, rate in interval.per_hour),
                   priority_per_hour=tuple((t, round(rate * factor[t], 2)) for t, rate in interval.priority_per_hour))


def with_scenario(profile: DemoProfile, scenario: Scenario | None) -> DemoProfile:
    """The demo profile with the scenario's surges applied (the profile itself without one)."""
    if scenario is None:
        return profile
    return replace(profile, arrivals=tuple(_surged(i, scenario.surges) for i in profile.arrivals))
