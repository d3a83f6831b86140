"""The one thread that owns database writes (the Home Assistant recorder pattern).

Producers (the demo runner, the ticket feed, camera pipelines) ``submit`` typed tasks without blocking; the writer
applies them in order and commits in batches (every ``commit_interval_s`` or 500 tasks). The queue is bounded:
when it is full a task is dropped, counted and logged, rather than memory growing without bound. A batch that fails
is rolled back and its tasks re-applied one per transaction, so one bad task does not lose the others.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Protocol

from sqlalchemy.orm import Session

from storage.database import Database

log = logging.getLogger(__name__)

BATCH_SIZE = 500


class WriteTask(Protocol):
    def apply(self, session: Session) -> None: ...


class _Flush:
    """A marker in the queue: set once every task before it is committed."""

    def __init__(self) -> None:
        self.done = threading.Event()


class WriteFailed(Exception):
    """A write that was waited for did not commit; the message names the task and the database's reason."""


class _Tracked:
    """A task someone waits for: ``done`` is set once it is committed (``error`` None) or has failed."""

    def __init__(self, task: WriteTask) -> None:
        self.task = task
        self.done = threading.Event()
        self.error: str | None = None

    def apply(self, session: Session) -> None:
        self.task.apply(session)


_STOP = object()


def apply_now(db: Database, *tasks: WriteTask) -> None:
    """Apply tasks synchronously in one transaction (command line, start-up)."""
    with db.session() as session:
        for task in tasks:
            task.apply(session)


class DatabaseWriter:
    def __init__(self, db: Database, *, commit_interval_s: float = 1.0, max_queue: int = 50_000) -> None:
        self._db = db
        self._interval = commit_interval_s
        self._queue: queue.Queue[object] = queue.Queue(maxsize=max_queue)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.written = 0
        self.dropped = 0
        self.failed = 0
        self.last_error: str | None = None
        self._dropping = False

    @property
    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="db-writer", daemon=False)
            self._thread.start()

    def submit(self, task: WriteTask) -> bool:
        """Queue a task; False (and counted in ``dropped``) when the queue is full."""
        try:
            self._queue.put_nowait(task)
        except queue.Full:
            with self._lock:
                self.dropped += 1
                if not self._dropping:
                    self._dropping = True
                    log.error("database writer queue full: dropping writes (%s so far)", self.dropped)
            return False
        self._dropping = False
        return True

    def submit_and_wait(self, task: WriteTask, timeout_s: float = 10.0) -> None:
        """Queue a task and return once it is committed (durably stored); the writer commits at once rather than
        at its next interval. Raises ``WriteFailed`` if it failed, the queue is full, or it took over
        ``timeout_s`` (the task may then still commit later)."""
        if not self.is_alive:
            raise WriteFailed(f"{type(task).__name__}: the database writer is not running")
        tracked = _Tracked(task)
        try:
            self._queue.put(tracked, timeout=timeout_s)
        except queue.Full:
            raise WriteFailed(f"{type(task).__name__}: the database writer is overloaded") from None
        if not tracked.done.wait(timeout_s):
            raise WriteFailed(f"{type(task).__name__}: not stored within {timeout_s:.0f} s")
        if tracked.error is not None:
            raise WriteFailed(tracked.error)

    def flush(self, timeout_s: float = 10.0) -> bool:
        """Block until every task submitted before this call is committed; False on timeout or no thread."""
        if not self.is_alive:
            return False
        marker = _Flush()
        try:
            self._queue.put(marker, timeout=timeout_s)
        except queue.Full:
            return False
        return marker.done.wait(timeout_s)

    def stop(self, timeout_s: float = 10.0) -> None:
        """Commit what is queued, then end the thread. Idempotent."""
        thread = self._thread
        if thread is None:
            return
        if thread.is_alive():
            self._queue.put(_STOP)
            thread.join(timeout_s)
            if thread.is_alive():
                log.error("database writer did not stop within %.0f s", timeout_s)
                return
        self._thread = None

    # --- writer thread -------------------------------------------------------------------------------------

    def _run(self) -> None:
        batch: list[WriteTask] = []
        markers: list[_Flush] = []
        deadline = time.monotonic() + self._interval
        stopping = False
        while not stopping:
            timeout = max(0.0, deadline - time.monotonic())
            try:
                item = self._queue.get(timeout=timeout)
            except queue.Empty:
                item = None
            items = [item]
            while len(batch) + len(items) < BATCH_SIZE:  # take what else is queued: one commit for all of it
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            waited_for = False
            for item in items:
                if item is _STOP:
                    stopping = True
                elif isinstance(item, _Flush):
                    markers.append(item)
                elif item is not None:
                    batch.append(item)  # type: ignore[arg-type]
                    waited_for = waited_for or isinstance(item, _Tracked)
            due = time.monotonic() >= deadline or len(batch) >= BATCH_SIZE or markers or stopping or waited_for
            if due:
                if batch:
                    self._commit(batch)
                    batch = []
                for marker in markers:
                    marker.done.set()
                markers = []
                deadline = time.monotonic() + self._interval

    def _commit(self, batch: list[WriteTask]) -> None:
        try:
            with self._db.session() as session:
                for task in batch:
                    task.apply(session)
            self.written += len(batch)
            for task in batch:
                if isinstance(task, _Tracked):
                    task.done.set()
            return
        except Exception as exc:  # one bad task must not lose the batch: retry one by one
            log.warning("batch of %d writes failed (%s); retrying one by one", len(batch), exc)
        for task in batch:
            try:
                with self._db.session() as session:
                    task.apply(session)
                self.written += 1
            except Exception as exc:
                name = type(task.task if isinstance(task, _Tracked) else task).__name__
                self.failed += 1
                self.last_error = f"{name}: {exc}"
                log.error("write %s failed: %s", name, exc)
                if isinstance(task, _Tracked):
                    task.error = self.last_error
            if isinstance(task, _Tracked):
                task.done.set()
