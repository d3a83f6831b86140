"""A configured (real) branch as a source: polls its stored state and publishes ``BranchSnapshot``s.

Whatever writes the branch's data (the ticket feed, camera workers) writes it to the database; this worker thread
reads it back every ``period_s`` seconds, or at once when ``poke()``d (the ticket feed stored events; on a shared
PostgreSQL database, a change notice from any writer: ``console/sources/notices.py``), so the window shows the same live
state whoever wrote it. No Qt imports.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from console.sources.notices import NoticedPoller
from console.sources.regional import TodayTickets
from console.sources.snapshot import BranchSnapshot
from storage import repository
from storage.database import Database

log = logging.getLogger(__name__)

#: Least time between two reads (seconds): a busy ticket feed pokes many times a second, and each read (and the
#: window's figures computed from it) goes over the whole day's tickets; reads back to back would take the CPU from
#: the feed itself. Measured with benchmarks/ticket_feed.py: 0.2 s held about 160 events/s, 0.5 s held 200/s with
#: the window showing a posted event within 0.8 s (p99).
MIN_GAP_S = 0.5


class DatabaseSource(NoticedPoller):
    def __init__(
        self,
        db: Database,
        branch_code: str,
        publish: Callable[[BranchSnapshot], None],
        submit: Callable[[object], object],
        period_s: float = 2.0,
    ) -> None:
        super().__init__(db, branch_code, self._step, name="db-source", period_s=period_s, min_gap_s=MIN_GAP_S)
        self._publish = publish
        self._submit = submit
        self._day = None
        self._last_sample: datetime | None = None
        #: today's newest count per camera, of the lobby and of each zone: a read with no new sample keeps them
        self._lobby_by_camera: dict[str | None, int] = {}
        self._zone_by_camera: dict[tuple[str, str | None], int] = {}
        self._today = TodayTickets(db, branch_code)  # today's tickets, read incrementally
        self.error: str | None = None

    def _step(self) -> None:
        try:
            self._publish(self.read())
            self.error = None
        except Exception as exc:  # the database may be briefly unreachable; keep polling
            if self.error is None:
                log.exception("reading branch %s from the database failed", self._code)
            self.error = f"{type(exc).__name__}: {exc}"

    def read(self) -> BranchSnapshot:
        """One snapshot of the branch as stored now (today in the branch's time zone)."""
        branch = repository.load_branch(self._db, self._code)
        if branch is None:
            raise LookupError(f"branch {self._code} is no longer in the database")
        zone = ZoneInfo(branch.timezone)
        now = datetime.now(zone)
        day = now.date()
        start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
        if self._last_sample is None or self._last_sample < start:  # a new day: yesterday's counts are gone
            self._last_sample = None
            self._lobby_by_camera.clear()
            self._zone_by_camera.clear()
        since = self._last_sample if self._last_sample is not None else start
        samples = repository.load_occupancy(self._db, self._code, since + timedelta(microseconds=1), now + timedelta(seconds=1))
        zone_samples = []
        zones = repository.load_zones(self._db, self._code)
        for z in zones:
            zone_samples += repository.load_occupancy(
                self._db, self._code, since + timedelta(microseconds=1), now + timedelta(seconds=1), zone=z.name
            )
        all_samples = sorted(samples + zone_samples, key=lambda p: p.at)
        if all_samples:
            self._last_sample = all_samples[-1].at
        for p in samples:  # by time: each camera's newest wins
            self._lobby_by_camera[p.camera_id] = p.count
        for p in sorted(zone_samples, key=lambda p: p.at):
            self._zone_by_camera[(p.zone or "", p.camera_id)] = p.count
        latest_total = sum(self._lobby_by_camera.values())  # cameras see separate parts of the lobby
        latest_zone = {z.name: sum(n for (zone, _), n in self._zone_by_camera.items() if zone == z.name)
                       for z in zones}
        tickets = self._today.read(start, start + timedelta(days=1))
        if self._day != day:
            self._day = day
        return BranchSnapshot(
            at=now,
            day=day,
            branch=branch,
            simulated=False,
            counters=tuple(repository.load_counters(self._db, self._code)),
            tickets=tickets,
            staff=tuple(repository.load_staff(self._db, self._code)),
            roster=tuple(repository.load_roster(self._db, self._code, day)),
            zones=tuple(zones),
            lobby_count=latest_total,
            zone_counts=latest_zone,
            new_samples=tuple(all_samples),
            appointments=tuple(repository.load_appointments(self._db, self._code, start, start + timedelta(days=1))),
            camera_states=tuple(repository.latest_camera_states(self._db, self._code)),
            line_totals=repository.load_line_totals(self._db, self._code, start),
            last_event_at=repository.last_event_received(self._db, self._code),
        )
