"""What the demo stores: its ticket events pass the ticket feed's validation, however many one step produces (a
window started in the afternoon catches up on the whole morning in one step)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from console.feed.events import MAX_BATCH
from console.sources.demo_day import DemoDay, DemoRecorder
from console.sources.demo_runner import DemoRunner
from storage.tasks import SaveBranchSetup, StoreFeedEvents


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


def test_the_branch_is_queued_before_the_runner_start_returns() -> None:
    """Anything a window submits once the demo has started (a camera saved, a counter request) must reach the writer
    after the demo branch itself, or the writer refuses it for an unknown branch."""
    submitted: list[object] = []
    runner = DemoRunner(date(2026, 11, 27), 4, 60.0, publish=lambda _snapshot: None,
                        recorder=DemoRecorder(submitted.append), start_at=time(9, 0))
    runner.start()
    try:
        first = submitted[0]  # read at once: no waiting for the thread
        assert isinstance(first, SaveBranchSetup) and first.branch.code == "DEMO"
    finally:
        runner.stop()
