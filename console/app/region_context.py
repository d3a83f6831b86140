"""The composition root of the regional view: the reader of every branch's figures and the contexts of the branch
windows opened from it.

``RegionContext`` owns the ``RegionFeed`` (a reader thread running ``console.sources.regional.RegionalReader``
every ``PERIOD_S`` seconds, or at once when a change notice of any branch arrives on PostgreSQL) and one viewer
``AppContext`` per branch opened (``SourceOptions(viewer=True)``: it reads what the branch's own console and workers
store and runs nothing of its own). ``stop`` stops the branch contexts, then the feed. The window
(``console/app/region_window.py``) only lays out and asks.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime

from PySide6.QtCore import QObject, Signal

from console.app.context import AppContext, SourceOptions
from console.bootstrap import Environment
from console.security.access import Operator
from console.sources.live_view import service_target
from console.sources.notices import NoticedPoller
from console.sources.regional import MIN_GAP_S, PERIOD_S, RegionalReader
from storage.database import Database

log = logging.getLogger(__name__)



class RegionFeed(QObject):
    """Reads every branch's figures in a thread of its own; ``sig_read`` carries (summaries, UTC instant) or an
    error text, to bound slots in the GUI thread."""

    sig_read = Signal(object, object)  # list[BranchSummary], datetime — emitted from the reader thread
    sig_failed = Signal(str)

    def __init__(self, db: Database, parent: QObject | None = None, target_wait_min: float = 10.0) -> None:
        super().__init__(parent)
        self._db = db
        self._reader = RegionalReader(db, service_target(target_wait_min))
        self._failing: str | None = None
        #: the reading thread (start, poke, stop), woken by any branch's change notices on PostgreSQL
        self.poller = NoticedPoller(db, None, self._step, name="region-feed", period_s=PERIOD_S, min_gap_s=MIN_GAP_S)
        self.reads = 0

    def _step(self) -> None:
        at = datetime.now(UTC)
        try:
            rows = self._read(at)
        except Exception as exc:  # the server may be away for a while: say so and keep trying
            text = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
            if text != self._failing:
                log.error("regional view: reading the branches failed: %s", text)
                self._failing = text
            self.sig_failed.emit(text)
        else:
            self._failing = None
            self.reads += 1
            self.sig_read.emit(rows, at)

    def _read(self, at: datetime) -> list:
        """Every real branch (the demo branch runs on its own clock: left out when real ones exist)."""
        summaries = self._reader.read(at)
        demo = {b.code for b in self._reader.branches if b.is_demo}
        real = [s for s in summaries if s.code not in demo]
        return real or summaries


class RegionContext(QObject):
    """Owns the regional view's parts; create and use in the GUI thread. ``operator`` is the user logged in to the
    regional view, the user of every branch opened from it (read-only unless their role may act from the region)."""

    def __init__(self, env: Environment, operator: Operator, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.operator = operator
        self.feed = RegionFeed(env.db, self, env.settings.staffing.target_wait_min)
        self.branches: dict[str, AppContext] = {}  # code → the context of its open window
        self._stopped = False

    def start(self) -> None:
        self.feed.poller.start()

    def open_branch(self, code: str) -> AppContext:
        """Start a viewer context for ``code`` (the caller shows its window); raises what starting raised, with
        everything already started stopped again."""
        context = AppContext(self.env, SourceOptions(branch=code, viewer=True))
        context.operator = replace(self.operator, read_only=True)
        try:
            context.start()
        except Exception:
            context.stop()
            raise
        self.branches[code] = context
        return context

    def close_branch(self, code: str) -> None:
        """The branch's window closed: stop its context."""
        context = self.branches.pop(code, None)
        if context is not None:
            context.stop()

    def stop(self) -> None:
        """Stop every branch context, then the reader (idempotent)."""
        if self._stopped:
            return
        self._stopped = True
        for code in list(self.branches):
            self.close_branch(code)
        self.feed.poller.stop()
