"""The application context: owns every long-lived part of a running console and stops them in order.

Parts: the database (opened by ``console.bootstrap``), the one database writer thread, the branch source (the demo
runner, or a poller of a real branch's stored data) and the GUI-thread ``BranchController``. The main window can be
rebuilt (language switch) without touching any of them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as clock_time
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject

from console.bootstrap import Environment
from console.branch_controller import BranchController
from console.db_source import DatabaseSource
from console.demo import DemoRecorder
from console.demo_runner import DemoRunner
from console.sim.profile import demo_profile
from storage import repository
from storage.writer import DatabaseWriter

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SourceOptions:
    """How the window's branch source is chosen and, for the demo, driven."""

    force_demo: bool = False
    speed: float = 1.0
    seed: int = 1
    sim_date: date | None = None
    sim_start: clock_time | None = None


class AppContext(QObject):
    """Created in the GUI thread after the QApplication; ``start`` once, ``stop`` once (idempotent)."""

    def __init__(self, env: Environment, options: SourceOptions) -> None:
        super().__init__()
        self.env = env
        self.options = options
        self.controller = BranchController(self)
        self.writer = DatabaseWriter(env.db)
        self.runner: DemoRunner | None = None
        self.db_source: DatabaseSource | None = None
        self.branch_code: str | None = None
        self._stopped = False

    @property
    def simulated(self) -> bool:
        return self.runner is not None

    def _real_branch(self) -> str | None:
        real = [b.code for b in repository.list_branches(self.env.db) if not b.is_demo]
        return real[0] if real else None

    def start(self) -> None:
        self.writer.start()
        real = None if self.options.force_demo else self._real_branch()
        if real is None:
            profile = demo_profile()
            day = self.options.sim_date or datetime.now(ZoneInfo(profile.branch.timezone)).date()
            self.branch_code = profile.branch.code
            self.runner = DemoRunner(
                day=day,
                seed=self.options.seed,
                speed=self.options.speed,
                publish=self.controller.submit_snapshot,
                recorder=DemoRecorder(self.writer.submit),
                start_at=self.options.sim_start,
            )
            self.runner.start()
            log.info("demo branch started: %s, seed %s, speed %sx", day, self.options.seed, self.options.speed)
        else:
            self.branch_code = real
            self.db_source = DatabaseSource(self.env.db, real, publish=self.controller.submit_snapshot,
                                            submit=self.writer.submit)
            self.db_source.start()
            log.info("branch %s started from the database", real)

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        if self.runner is not None:
            self.runner.stop()
        if self.db_source is not None:
            self.db_source.stop()
        self.writer.stop()
