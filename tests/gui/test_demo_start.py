"""When the demo picks up the simulated day."""

from __future__ import annotations


def test_demo_start_time() -> None:
    from datetime import date, datetime, time
    from zoneinfo import ZoneInfo

    from console.app.context import SourceOptions, demo_start
    from console.sim.profile import demo_profile

    branch = demo_profile().branch
    tz = ZoneInfo(branch.timezone)
    evening = datetime(2026, 11, 27, 21, 5, tzinfo=tz)
    midday = datetime(2026, 11, 27, 12, 34, 56, 789, tzinfo=tz)
    assert demo_start(SourceOptions(), branch, evening) == (date(2026, 11, 27), time(10, 0))
    assert demo_start(SourceOptions(), branch, midday) == (date(2026, 11, 27), time(12, 34, 56))
    assert demo_start(SourceOptions(sim_start=time(15)), branch, evening) == (date(2026, 11, 27), time(15))
    assert demo_start(SourceOptions(sim_date=date(2026, 12, 1)), branch, midday) == (date(2026, 12, 1), None)
