"""Several real-looking branches in one database for the regional view's tests and screenshots: each is the demo's
simulated day (tickets, counters, roster, camera samples) stored under its own code, name and capacity, in a
time zone where it is early afternoon now, simulated up to now."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from console.sim.profile import demo_profile
from console.sources.demo_day import DemoDay
from storage.database import Database
from storage.writer import apply_now


def afternoon_zone(now: datetime, local_hour: int = 13) -> str:
    """An IANA zone (fixed offset) in which ``now`` is around ``local_hour`` o'clock."""
    offset = (local_hour - now.astimezone(UTC).hour + 12) % 24 - 12
    return "UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"  # POSIX-style names: Etc/GMT-8 is UTC+8


def seed_branches(db: Database, branches: list[tuple[str, str, int]], now: datetime | None = None,
                  seed: int = 3) -> str:
    """Store ``branches`` (code, name, lobby capacity) simulated up to ``now``; returns the time zone used."""
    now = now or datetime.now(UTC)
    zone = afternoon_zone(now)
    base = demo_profile()
    for i, (code, name, capacity) in enumerate(branches):
        branch = replace(base.branch, code=code, name=name, timezone=zone, lobby_capacity=capacity, is_demo=False)
        local_day = now.astimezone(ZoneInfo(zone)).date()
        demo = DemoDay(local_day, seed + i, replace(base, branch=branch))
        tasks = [demo.setup_task(), demo.roster_task()]
        result = demo.step_to(now.astimezone(ZoneInfo(zone)) - timedelta(seconds=5))
        tasks += demo.record_tasks(result)
        apply_now(db, *tasks)
    return zone
