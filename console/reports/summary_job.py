"""The running console summarises the branch's closed days ahead of any period report: shortly after start and
every night, so the Periods window and ``report --from`` read summaries (a year in well under a second) instead of
every ticket (console/reports/period_figures.py).

An APScheduler 3.x background scheduler (the pattern of console/security/retention_job.py): one run
``START_DELAY_S`` after start and a daily one at ``DAILY_AT`` local time, ``coalesce`` and a one-hour grace. Each run
covers the last ``DAYS`` closed days (the longest period a report shows): days summarised already cost a read; the
others are summarised from their tickets and samples on the scheduler's thread and handed to the writer
(``submit``), the one thread that writes. It touches no widget and needs no Qt.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from console.reports.period_figures import load_period_report
from storage import repository
from storage.database import Database

log = logging.getLogger(__name__)

START_DELAY_S = 60.0
DAILY_AT = time(0, 20)
DAYS = 400  # MAX_PERIOD_DAYS of ``report --from``


class SummaryJob:
    def __init__(self, db: Database, code: str, zone: ZoneInfo, submit: Callable[[object], object],
                 target_wait_min: float = 10.0, clock: Callable[[], datetime] | None = None, days: int = DAYS) -> None:
        """``submit``: queues a write task; ``clock``: the branch's clock (None: the wall clock); ``days``: how
        many closed days back each run covers."""
        self.days = days
        self.db, self.code, self.zone, self.submit = db, code, zone, submit
        self.target_wait_min = target_wait_min
        self.clock = clock
        self.scheduler = None
        self.summarised: list[int] = []  # days handed to the writer, per run
        self.errors: list[str] = []

    def start(self) -> None:
        if self.scheduler is not None:
            return
        from apscheduler.schedulers.background import BackgroundScheduler

        self.scheduler = BackgroundScheduler(daemon=True, job_defaults={"coalesce": True, "max_instances": 1,
                                                                        "misfire_grace_time": 3600})
        self.scheduler.add_job(self.run, "cron", hour=DAILY_AT.hour, minute=DAILY_AT.minute, id="day-summaries")
        self.scheduler.add_job(self.run, "date", run_date=datetime.now().astimezone() + timedelta(
            seconds=START_DELAY_S), id="day-summaries-at-start")
        self.scheduler.start()

    def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=True)
            self.scheduler = None

    def run(self) -> int | None:
        """The job (scheduler thread; tests call it directly): the number of days handed to the writer. Errors are
        logged and kept, never raised."""
        try:
            if repository.load_branch(self.db, self.code) is None:
                raise ValueError(f"unknown branch code {self.code!r}")
            today = (self.clock() if self.clock else datetime.now(self.zone)).astimezone(self.zone).date()
            last = today - timedelta(days=1)
            _, tasks = load_period_report(self.db, self.code, self.zone, last - timedelta(days=self.days - 1), last,
                                          today=today, target_wait_min=self.target_wait_min)
            for task in tasks:
                self.submit(task)
        except Exception as exc:
            self.errors.append(str(exc))
            log.error("day summaries of branch %s not made: %s", self.code, exc)
            return None
        days = sum(len(getattr(t, "summaries", getattr(t, "days", {}))) for t in tasks)
        self.summarised.append(days)
        if days:
            log.info("branch %s: %d day summaries made", self.code, days)
        return days
