"""The branch manager's period view: computes a period's report beside the previous period and a year earlier on a
thread of its own, so the window never waits for it, and hands the result to the window's bound slot.

Each request gets a number; a result that comes back after a newer request was made is dropped (the manager
clicked on). The closed days summarised on the way are queued to the console's one writer, which keeps them for
the next report (console/reports/period_figures.py).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Signal

from console.reports.period_figures import PeriodComparison, compare_periods
from storage.database import Database

log = logging.getLogger(__name__)


class PeriodController(QObject):
    """Lives in the GUI thread; ``sig_ready`` (a PeriodComparison) and ``sig_failed`` (a message) are emitted from
    the computing thread and reach the window's slots through Qt's queued connections."""

    sig_ready = Signal(object)
    sig_failed = Signal(str)

    def __init__(self, db: Database, code: str, zone: ZoneInfo, target_wait_min: float,
                 store: Callable[[object], object], now: Callable[[], datetime],
                 parent: QObject | None = None) -> None:
        """``store``: queues a write task (the console's writer); ``now``: the branch's clock (the demo's own)."""
        super().__init__(parent)
        self.db, self.code, self.zone, self.target_wait_min = db, code, zone, target_wait_min
        self.store, self.now = store, now
        self.with_work = False  # each counter's and person's figures: set for branch managers and administrators
        self._latest = 0
        self._lock = threading.Lock()
        self.busy = False

    def today(self) -> date:
        return self.now().astimezone(self.zone).date()

    def request(self, kind: str, first: date, last: date) -> None:
        """Compute the comparison of ``first``…``last`` in the background."""
        with self._lock:
            self._latest += 1
            number = self._latest
        self.busy = True
        threading.Thread(target=self._compute, args=(number, kind, first, last), name="period-report",
                         daemon=True).start()

    def _compute(self, number: int, kind: str, first: date, last: date) -> None:
        try:
            now = self.now()
            result, tasks = compare_periods(self.db, self.code, self.zone, kind, first, last,
                                            today=now.astimezone(self.zone).date(),
                                            target_wait_min=self.target_wait_min, at=now,
                                            with_work=self.with_work)
            for task in tasks:
                self.store(task)
        except Exception as exc:  # shown in the window's status line, never raised into the thread
            log.error("period report %s–%s not computed: %s", first, last, exc)
            if number == self._latest:
                self.busy = False
                self.sig_failed.emit(f"{type(exc).__name__}: {exc}")
            return
        if number == self._latest:
            self.busy = False
            self.sig_ready.emit(result)


__all__ = ["PeriodComparison", "PeriodController"]
