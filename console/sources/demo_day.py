"""The demo branch as a data source: the simulator, its drawn camera and occupancy sampling, stepped in time.

``DemoDay`` is the one place that turns a simulated day into what a real branch would deliver: ticket-feed events,
occupancy samples counted from the (simulated) camera's people positions, and camera frames. The window drives it in
real or accelerated time from a worker thread (``console/sources/demo_runner.py``); ``main.py simulate`` drives whole days
as fast as it can. Both store the same things, so reports on a simulated day read the same either way.
No Qt imports.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from camera.synthetic import SyntheticLobbyCamera
from camera.zones import count_in_zones, lobby_count
from console.domain.records import OccupancyPoint, TicketEvent
from console.feed.events import event_to_json, parse_event
from console.sim.engine import BranchSimulation
from console.sim.profile import DemoProfile, demo_profile, demo_roster
from console.sources.snapshot import BranchSnapshot
from storage.records import CameraSpec
from storage.tasks import RecordOccupancy, SaveBranchSetup, SaveRoster, StoreFeedEvents

#: Occupancy is sampled every 30 simulated seconds: fine enough for a day chart, 960 rows per zone for a day.
SAMPLE_INTERVAL = timedelta(seconds=30)

#: The demo's one camera: a ceiling view of the whole lobby.
DEMO_CAMERA_ID = "SIM-1"


def seed_for_day(first_seed: int, first_day: date, day: date) -> int:
    """Seed of a later day in a run of consecutive simulated days (the first day keeps ``first_seed``)."""
    return first_seed + (day - first_day).days


@dataclass(frozen=True)
class StepResult:
    events: tuple[TicketEvent, ...]
    samples: tuple[OccupancyPoint, ...]


class DemoDay:
    """One simulated business day of the demo branch, with its camera and occupancy sampling."""

    def __init__(self, day: date, seed: int, profile: DemoProfile | None = None) -> None:
        self.profile = profile or demo_profile()
        self.day = day
        self.seed = seed
        self.zone = ZoneInfo(self.profile.branch.timezone)
        self.sim = BranchSimulation(self.profile, day, seed)
        self.camera = SyntheticLobbyCamera(self.profile.floor)
        self.zones_px = self.camera.zones_px()
        self.events_total = 0
        start = self.sim.now
        self._next_sample = start.replace(second=(start.second // 30) * 30, microsecond=0)
        if self._next_sample < start:
            self._next_sample += SAMPLE_INTERVAL

    @property
    def now(self) -> datetime:
        return self.sim.now

    def counts(self) -> tuple[int, dict[str, int]]:
        """Lobby occupancy and people per zone now, counted from the camera's view of the people."""
        points = self.camera.points_px(self.sim.people())
        return lobby_count(points, self.zones_px), count_in_zones(points, self.zones_px)

    def _sample(self, at: datetime) -> list[OccupancyPoint]:
        """Occupancy samples at one sample instant (every 30 simulated seconds)."""
        total, per_zone = self.counts()
        samples = [OccupancyPoint(at=at, count=total, zone=None, camera_id=DEMO_CAMERA_ID)]
        samples.extend(OccupancyPoint(at=at, count=n, zone=name, camera_id=DEMO_CAMERA_ID) for name, n in per_zone.items())
        return samples

    def step_to(self, t: datetime) -> StepResult:
        """Advance the day to ``t``, sampling occupancy at every sample instant passed on the way."""
        events: list[TicketEvent] = []
        samples: list[OccupancyPoint] = []
        while self._next_sample <= t:
            events.extend(self.sim.advance_to(self._next_sample))
            samples.extend(self._sample(self._next_sample))
            self._next_sample += SAMPLE_INTERVAL
        if t >= self.sim.now:  # at ``now`` too: events of a request just carried out
            events.extend(self.sim.advance_to(t))
        self.events_total += len(events)
        return StepResult(tuple(events), tuple(samples))

    def run_to_end(self, step: timedelta = timedelta(minutes=10)) -> Iterator[StepResult]:
        """Step through the rest of the day until every ticket is final and every counter closed."""
        while not self.sim.finished:
            yield self.step_to(self.sim.now + step)

    def render(self) -> np.ndarray:
        return self.camera.render(self.sim.people(), self.sim.now, self.sim.counters())

    def snapshot(
        self,
        new_samples: tuple[OccupancyPoint, ...] = (),
        *,
        with_frame: bool = True,
        speed: float = 1.0,
        paused: bool = False,
    ) -> BranchSnapshot:
        total, per_zone = self.counts()
        return BranchSnapshot(
            at=self.sim.now,
            day=self.day,
            branch=self.profile.branch,
            simulated=True,
            counters=tuple(self.sim.counters()),
            tickets=tuple(self.sim.tickets()),
            staff=tuple(self.profile.staff),
            roster=tuple(self.sim.roster()),
            zones=tuple(self.zones_px),
            lobby_count=total,
            zone_counts=per_zone,
            new_samples=new_samples,
            frame=self.render() if with_frame else None,
            events_total=self.events_total,
            cameras_online=1,
            cameras_total=1,
            speed=speed,
            paused=paused,
            appointments=tuple(self.sim.appointments()),
        )

    # --- what storage receives -------------------------------------------------------------------------------

    def setup_task(self) -> SaveBranchSetup:
        """The demo branch, its counters, staff, camera and zones, for an idempotent upsert at start."""
        p = self.profile
        camera = CameraSpec(camera_id=DEMO_CAMERA_ID, name="Simulated lobby camera", source="simulated:demo",
                            kind="simulated")
        return SaveBranchSetup(
            branch=p.branch,
            counters=tuple(self.sim.counters()),
            staff=tuple(p.staff),
            zones=tuple(self.zones_px),
            cameras=(camera,),
        )

    def roster_task(self) -> SaveRoster:
        return SaveRoster(branch_code=self.profile.branch.code, day=self.day, shifts=tuple(demo_roster(self.profile, self.day)))

    def record_tasks(self, result: StepResult) -> list[StoreFeedEvents | RecordOccupancy]:
        code = self.profile.branch.code
        tasks: list[StoreFeedEvents | RecordOccupancy] = []
        if result.events:
            # the same path as the ticketing system's HTTP feed: its JSON form, its validation, its storage task
            local = ZoneInfo(self.profile.branch.timezone)
            events = tuple(parse_event(event_to_json(e), local) for e in result.events)  # any number of them
            tasks.append(StoreFeedEvents(branch_code=code, events=events))
        if result.samples:
            tasks.append(RecordOccupancy(branch_code=code, points=result.samples))
        return tasks


class DemoRecorder:
    """Stores what a demo day produces through ``submit`` (the database writer's, or a synchronous apply).

    The simulator's ticket events go through the ticket feed's JSON form, validation and storage task (as a POST to
    the HTTP API would, in-process), so stored demo days look exactly like real ones.
    """

    def __init__(self, submit: Callable[[object], object]) -> None:
        self._submit = submit

    def begin_day(self, demo: DemoDay) -> None:
        self._submit(demo.setup_task())
        self._submit(demo.roster_task())

    def record(self, demo: DemoDay, result: StepResult) -> None:
        for task in demo.record_tasks(result):
            self._submit(task)
