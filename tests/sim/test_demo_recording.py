"""What the demo stores: its ticket events pass the ticket feed's validation, however many one step produces (a
window started in the afternoon catches up on the whole morning in one step)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from console.demo import DemoDay
from console.ticket_feed import MAX_BATCH
from storage.tasks import StoreFeedEvents


def test_a_long_catch_up_step_is_recorded_whole() -> None:
    day = date(2026, 11, 27)
    demo = DemoDay(day, 4)
    tz = ZoneInfo(demo.profile.branch.timezone)
    result = demo.step_to(datetime.combine(day, time(14, 0), tzinfo=tz))
    assert len(result.events) > MAX_BATCH  # more than one HTTP request may carry
    stores = [t for t in demo.record_tasks(result) if isinstance(t, StoreFeedEvents)]
    assert len(stores) == 1 and stores[0].events == result.events  # validated and unchanged, every one
    later = demo.step_to(datetime.combine(day, time(14, 0), tzinfo=tz) + timedelta(minutes=1))
    assert all(isinstance(e.at, datetime) for e in later.events)
