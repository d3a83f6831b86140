"""The console summarises the closed days ahead of any report: a run stores the days not summarised yet, the next
finds nothing to do, and a failure is kept, never raised into the scheduler."""

from __future__ import annotations

from datetime import datetime
from datetime import time as clock_time

from console.reports.summary_job import SummaryJob
from storage.writer import apply_now
from tests.reports.test_period_figures import BRANCH, TODAY, TZ, db, summarised_days  # noqa: F401  (db: a fixture)


def test_a_run_summarises_the_closed_days_once(db) -> None:  # noqa: F811
    job = SummaryJob(db, BRANCH.code, TZ, lambda task: apply_now(db, task),
                     clock=lambda: datetime.combine(TODAY, clock_time(0, 20), tzinfo=TZ), days=30)
    # the 30 closed days up to yesterday: their tickets (ten days have some: an empty day is kept as empty too, so
    # it is not read again) and their cameras
    assert job.run() == 2 * 30
    assert len(summarised_days(db)) == 30 and TODAY not in summarised_days(db)
    assert job.run() == 0 and job.errors == []
    broken = SummaryJob(db, "NO-SUCH", TZ, lambda task: None)
    assert broken.run() is None and "unknown branch code 'NO-SUCH'" in broken.errors[0]  # kept, not raised
