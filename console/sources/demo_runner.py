"""Runs the demo branch in a worker thread at real or accelerated time.

The thread owns the simulator: nothing else touches it while the thread runs. Every ``tick_s`` it advances the
simulated clock to anchor + wall-clock elapsed × speed, hands new events and occupancy samples to storage (the
database writer, through a ``DemoRecorder``) and, at most ``snapshot_hz`` times a second, publishes a ``BranchSnapshot`` (with a freshly drawn
camera frame) through ``publish``. ``publish`` is a Qt signal's ``emit`` in the window, so snapshots reach the GUI
thread as queued calls; this module itself has no Qt import.

When a day is over (every ticket final, every counter closed) the runner starts the next day at its opening time
with the next seed, like a branch that opens again the next morning.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as clock_time

from console.domain.records import CounterCommand
from console.sim.profile import DemoProfile
from console.sources.demo_day import DemoDay, DemoRecorder, StepResult, seed_for_day
from console.sources.snapshot import BranchSnapshot

log = logging.getLogger(__name__)

Publish = Callable[[BranchSnapshot], None]


class DemoRunner:
    """Owns a worker thread that drives ``DemoDay`` objects; start/stop/pause from any thread."""

    def __init__(
        self,
        day: date,
        seed: int,
        speed: float,
        publish: Publish,
        recorder: DemoRecorder,
        *,
        start_at: clock_time | None = None,
        profile: DemoProfile | None = None,
        tick_s: float = 0.05,
        snapshot_hz: float = 5.0,
    ) -> None:
        self._first_day = day
        self._first_seed = seed
        self._speed = speed
        self._publish = publish
        self._recorder = recorder
        self._start_at = start_at
        self._profile = profile  # the demo branch's (a scenario's); None: the ordinary demo day
        self._tick_s = tick_s
        self._snapshot_period = 1.0 / snapshot_hz
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._paused = False
        self._thread: threading.Thread | None = None
        self._begun = threading.Event()
        self._pending_samples: list = []
        self._commands: list[CounterCommand] = []
        self.error: str | None = None
        self.day: DemoDay | None = None  # readable by others only while paused or stopped

    # --- control (any thread) ------------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="demo-runner", daemon=False)
        self._thread.start()
        # The first day's branch, counters and camera are queued to the writer before start returns, so that anything
        # submitted afterwards (a camera saved at once, a counter request) finds the branch stored.
        if not self._begun.wait(30.0):
            log.error("demo runner did not set up its branch within 30 s")

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            if self._thread.is_alive():
                log.error("demo runner did not stop within %.0f s", timeout_s)
            self._thread = None

    @property
    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def speed(self) -> float:
        return self._speed

    def set_speed(self, speed: float) -> None:
        if not speed > 0:
            raise ValueError(f"speed must be above 0, got {speed}")
        with self._lock:
            self._speed = speed
            self._reanchor = True

    def pause(self, wait_s: float = 5.0) -> bool:
        """Stop the simulated clock; returns once the worker has published the paused state (or after wait_s)."""
        with self._lock:
            self._paused = True
            self._paused_ack = threading.Event()
            ack = self._paused_ack
        return ack.wait(wait_s) if self.is_alive else True

    def resume(self) -> None:
        with self._lock:
            self._paused = False
            self._reanchor = True

    @property
    def paused(self) -> bool:
        return self._paused

    def submit_command(self, command: CounterCommand) -> None:
        """A manager's counter request for the simulator (which plays the ticketing system); carried out at the
        next tick, also while the clock is paused."""
        with self._lock:
            self._commands.append(command)

    # --- worker thread -------------------------------------------------------------------------------------

    _reanchor = False
    _paused_ack: threading.Event | None = None

    def _new_day(self, day: date) -> DemoDay:
        demo = DemoDay(day, seed_for_day(self._first_seed, self._first_day, day), self._profile)
        self._pending_samples = []
        try:
            self._recorder.begin_day(demo)
        finally:
            self._begun.set()
        self.day = demo
        return demo

    def _deliver(self, demo: DemoDay, result: StepResult) -> None:
        self._recorder.record(demo, result)
        self._pending_samples.extend(result.samples)

    def _publish_snapshot(self, demo: DemoDay) -> None:
        samples = tuple(self._pending_samples)
        self._pending_samples = []
        self._publish(demo.snapshot(samples, speed=self._speed, paused=self._paused))

    def _run(self) -> None:
        try:
            self._loop()
        except Exception as exc:  # a simulator bug must not take the window down with it
            log.exception("demo runner stopped")
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self._begun.set()

    def _loop(self) -> None:
        demo = self._new_day(self._first_day)
        if self._start_at is not None:
            target = datetime.combine(demo.day, self._start_at, tzinfo=demo.zone)
            if target > demo.now:
                self._deliver(demo, demo.step_to(target))
        sim_anchor, wall_anchor = demo.now, time.monotonic()
        last_snapshot = 0.0
        while not self._stop.is_set():
            with self._lock:
                paused, speed = self._paused, self._speed
                if self._reanchor:
                    sim_anchor, wall_anchor = demo.now, time.monotonic()
                    self._reanchor = False
                ack = self._paused_ack
                commands, self._commands = self._commands, []
            wall = time.monotonic()
            for command in commands:
                demo.sim.apply_command(command)
            if commands:
                self._deliver(demo, demo.step_to(demo.now))  # the request's feed events, stored at once
                last_snapshot = 0.0  # and shown at once
                if paused:
                    self._publish_snapshot(demo)
            if not paused:
                target = sim_anchor + timedelta(seconds=(wall - wall_anchor) * speed)
                if target > demo.now:
                    self._deliver(demo, demo.step_to(target))
                if demo.sim.finished:
                    demo = self._new_day(demo.day + timedelta(days=1))
                    sim_anchor, wall_anchor = demo.now, time.monotonic()
            if ack is not None and paused:
                self._publish_snapshot(demo)
                last_snapshot = wall
                with self._lock:
                    if self._paused_ack is ack:
                        self._paused_ack = None
                ack.set()
            elif not paused and wall - last_snapshot >= self._snapshot_period:
                self._publish_snapshot(demo)
                last_snapshot = wall
            self._stop.wait(self._tick_s)
