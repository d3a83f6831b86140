"""Whole simulated days shared by the simulator tests (each (day, seed) runs once per test session)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from console.domain.records import TicketEvent
from console.sim.engine import BranchSimulation
from console.sim.profile import DemoProfile, demo_profile

WEDNESDAY = date(2026, 11, 11)
MONDAY = date(2026, 11, 16)
SATURDAY = date(2026, 11, 14)
MONTH_END = date(2026, 9, 29)  # a Tuesday, second-to-last day of September
DAYS = (WEDNESDAY, MONDAY, SATURDAY, MONTH_END)
SEEDS = (1, 2, 3)


@dataclass(frozen=True)
class DayRun:
    sim: BranchSimulation
    events: tuple[TicketEvent, ...]


@lru_cache(maxsize=1)
def profile() -> DemoProfile:
    return demo_profile()


@lru_cache(maxsize=None)
def full_day(day: date, seed: int) -> DayRun:
    """Run the day to its end in one jump (callers must not advance the simulation further)."""
    sim = BranchSimulation(profile(), day, seed)
    events = sim.advance_to(sim.start_time + timedelta(hours=14))
    assert sim.finished, f"{day} seed {seed} did not finish within 14 hours"
    return DayRun(sim, tuple(events))
