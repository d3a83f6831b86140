"""The running console's retention purge (``storage/retention.py``): once shortly after start and every night.

An APScheduler 3.x background scheduler (the pattern of ``console/app/report_service.py``): a one-off run
``START_DELAY_S`` after start (the window and the cameras come up first) and a daily cron run at ``DAILY_AT`` local
time, ``coalesce`` and a one-hour grace. The job plans on the scheduler's thread (reads only) and hands the write to
the database writer (``submit_and_wait``), the one thread that writes, so the purge never competes with it for the
database; old snapshot files are deleted afterwards. It touches no widget and needs no Qt. With
``retention_days`` 0 nothing is scheduled.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, time, timedelta
from pathlib import Path

from storage.database import Database
from storage.retention import PurgeResult, purge

log = logging.getLogger(__name__)

START_DELAY_S = 30.0
DAILY_AT = time(2, 30)
#: How long the job waits for the writer to apply a purge (a first purge of a long backlog takes a while).
WRITE_TIMEOUT_S = 900.0


class RetentionJob:
    def __init__(self, db: Database, older_than_days: int, snapshot_folder: Path | None,
                 submit_and_wait: Callable[..., None], target_wait_min: float = 10.0,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.db = db
        self.days = older_than_days
        self.folder = snapshot_folder
        self._submit_and_wait = submit_and_wait
        self.target_wait_min = target_wait_min
        self.clock = clock  # None: the wall clock (tests pass a fixed one)
        self.scheduler = None
        self.results: list[PurgeResult] = []
        self.errors: list[str] = []

    def start(self) -> None:
        if self.days <= 0 or self.scheduler is not None:
            return
        from apscheduler.schedulers.background import BackgroundScheduler

        self.scheduler = BackgroundScheduler(daemon=True, job_defaults={"coalesce": True, "max_instances": 1,
                                                                        "misfire_grace_time": 3600})
        self.scheduler.add_job(self.run, "cron", hour=DAILY_AT.hour, minute=DAILY_AT.minute, id="retention")
        self.scheduler.add_job(self.run, "date", run_date=datetime.now().astimezone() + timedelta(
            seconds=START_DELAY_S), id="retention-at-start")
        self.scheduler.start()

    def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=True)
            self.scheduler = None

    def run(self) -> PurgeResult | None:
        """The job (scheduler thread; tests call it directly). Errors are logged and kept, never raised."""
        try:
            result = purge(self.db, self.days, snapshot_folder=self.folder, user="console (retention)",
                           target_wait_min=self.target_wait_min, now=self.clock() if self.clock else None,
                           apply=lambda task: self._submit_and_wait(task, WRITE_TIMEOUT_S))
        except Exception as exc:
            self.errors.append(str(exc))
            log.error("retention purge (older than %d days) failed: %s", self.days, exc)
            return None
        self.results.append(result)
        return result
