"""The headless camera worker: a branch's cameras counted on a PC without a window, written to the shared database.

``python main.py worker --branch CODE [--camera ID ...]`` runs the counting pipeline of each camera the branch
assigns to workers (``analysed_by = "worker"``; File → Cameras… in the window, or ``main.py cameras assign``), or
of the cameras named, each in a child process of its own (``camera.process.CameraProcess``, as in the console).
Their occupancy samples (the lobby and every zone), counting-line crossings and camera state changes go through a
local spool file (``storage/spool.py``) to the shared database; a console reading that branch shows them live.

Why cameras are assigned rather than claimed: a camera counted by two machines would be counted twice, and which
machine counts which camera is a decision IT makes once, in the camera's settings, not a race at start-up. A
worker started with ``--camera`` for a camera still assigned to the console refuses to start and says so.

Database outages: the pipelines never wait for the database. ``SpoolWriter`` writes what the spool holds in
batches; a failed batch stays in the spool and is tried again every ``RETRY_S`` seconds (the first failure of a
kind is logged with the reason: wrong credentials, server unreachable, a newer schema...). When the database is
back the backlog is written oldest first; the unique keys of the rows make a batch written twice harmless.

No login: a worker writes camera figures only, and the database URL's credentials are its access (a PostgreSQL
role of its own for workers is the place to limit it). It never imports Qt.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from camera.model_store import ModelStore
from console.cameras.pipeline_setup import camera_process
from storage.database import Database, DatabaseError, driver_reason, mask_url, open_database
from storage.records import CameraSetup
from storage.spool import Spool, SpooledTask, merged
from storage.tasks import RecordCameraHealth, RecordLineCrossings, RecordOccupancy

log = logging.getLogger(__name__)

#: Seconds between two tries to write when the database refused the last batch.
RETRY_S = 5.0
#: Tasks written in one transaction (a backlog after an outage is written in batches of this many).
BATCH = 500
#: Seconds a worker waits, once its cameras have stopped, for the spool to be written before it exits (what is
#: left stays in the spool file for the next start).
DRAIN_S = 10.0
#: How often (seconds) a camera reports its counts to the database.
SAMPLE_PERIOD_S = 5.0


class WorkerError(Exception):
    """The worker cannot start; the message names the branch, camera or database and what is wrong."""


@dataclass
class WriteStats:
    """What the spool writer has done; read from any thread (figures only grow)."""

    written: int = 0  # tasks committed
    batches: int = 0
    failures: int = 0  # batches refused by the database
    #: seconds from a task entering the spool to its commit, newest last (at most 100 000 kept)
    latencies: deque[float] = field(default_factory=lambda: deque(maxlen=100_000))
    last_error: str | None = None


class SpoolWriter:
    """Takes tasks from a ``Spool`` and commits them to the shared database, oldest first; see the module notes.

    ``connect`` opens the database (called again after it failed: the server may be down at start); ``on_commit``
    is called with the tasks of each committed batch (the benchmark times them).
    """

    def __init__(self, spool: Spool, connect: Callable[[], Database], *, url: str, batch: int = BATCH,
                 retry_s: float = RETRY_S, on_commit: Callable[[list[SpooledTask]], None] | None = None) -> None:
        self.spool = spool
        self._connect = connect
        self._url = url
        self._batch = batch
        self._retry_s = retry_s
        self._on_commit = on_commit
        self._db: Database | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.stats = WriteStats()
        self.connected = threading.Event()  # set while the last write (or connection) succeeded

    def submit(self, task: SpooledTask) -> None:
        """From any thread (a camera's pump): into the spool file, then written as soon as possible."""
        self.spool.put(task)
        self._wake.set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="spool-writer", daemon=True)
        self._thread.start()

    def stop(self, drain_s: float = DRAIN_S) -> None:
        """Write what the spool holds for up to ``drain_s`` seconds, then stop (the rest stays in the file)."""
        deadline = time.monotonic() + drain_s
        while len(self.spool) and self.connected.is_set() and time.monotonic() < deadline:
            self._wake.set()
            time.sleep(0.05)
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(drain_s + 5.0)
            self._thread = None
        if self._db is not None:
            self._db.close()
            self._db = None

    def _run(self) -> None:
        while not self._stop.is_set():
            entries = self.spool.take(self._batch)
            if not entries:
                self._wake.wait(0.5)
                self._wake.clear()
                continue
            if self._write([task for _, _, task in entries]):
                now = time.time()
                self.spool.done([entry_id for entry_id, _, _ in entries])
                self.stats.latencies.extend(now - queued for _, queued, _ in entries)
            elif self._stop.wait(self._retry_s):
                break

    def _write(self, tasks: list[SpooledTask]) -> bool:
        try:
            if self._db is None:
                self._db = self._connect()
            with self._db.session() as session:
                for task in merged(tasks):
                    task.apply(session)
        except (SQLAlchemyError, DatabaseError, OSError) as exc:
            self.connected.clear()
            self.stats.failures += 1
            message = str(exc) if isinstance(exc, DatabaseError) else \
                f"database {mask_url(self._url)}: {driver_reason(exc, self._url)}"
            if message != self.stats.last_error:
                log.error("%s; %d entries kept in %s, trying again every %g s", message, len(self.spool),
                          self.spool.path, self._retry_s)
                self.stats.last_error = message
            return False
        if self.stats.last_error is not None:
            log.info("database %s reachable again; writing %d buffered entries", mask_url(self._url), len(self.spool))
            self.stats.last_error = None
        self.connected.set()
        self.stats.written += len(tasks)
        self.stats.batches += 1
        if self._on_commit is not None:
            self._on_commit(tasks)
        return True


def choose_cameras(setups: list[CameraSetup], wanted: list[str], branch_code: str) -> list[CameraSetup]:
    """The cameras this worker runs: those named (each must exist and be assigned to workers), or every enabled
    camera the branch assigns to workers. WorkerError names the camera and what is wrong."""
    by_id = {s.camera.camera_id: s for s in setups}
    if wanted:
        chosen = []
        for camera_id in wanted:
            setup = by_id.get(camera_id)
            if setup is None:
                known = ", ".join(by_id) or "none"
                raise WorkerError(f"camera {camera_id!r}: branch {branch_code} has no such camera (cameras: {known})")
            if setup.camera.analysed_by != "worker":
                raise WorkerError(f"camera {camera_id!r} of branch {branch_code} is analysed by the console; "
                                  f"assign it to a worker first: main.py cameras assign {camera_id} worker")
            if not setup.camera.enabled:
                raise WorkerError(f"camera {camera_id!r} of branch {branch_code} is disabled")
            chosen.append(setup)
        return chosen
    chosen = [s for s in setups if s.camera.analysed_by == "worker" and s.camera.enabled]
    if not chosen:
        raise WorkerError(f"branch {branch_code} assigns no enabled camera to workers "
                          "(main.py cameras assign ID worker, or File → Cameras… in the window)")
    return chosen


class CameraWorkerHost:
    """Runs chosen cameras in child processes and hands their figures to ``submit`` (a ``SpoolWriter``'s)."""

    def __init__(self, branch_code: str, setups: list[CameraSetup], model_store: ModelStore,
                 submit: Callable[[SpooledTask], None], *, offline_after_s: float = 10.0,
                 sample_period_s: float = SAMPLE_PERIOD_S) -> None:
        self.branch_code = branch_code
        self.setups = setups
        self.model_store = model_store
        self._submit = submit
        self.offline_after_s = offline_after_s
        self.sample_period_s = sample_period_s
        self.processes: dict = {}

    def start(self) -> None:
        code = self.branch_code
        for setup in self.setups:
            process = camera_process(
                setup, str(self.model_store.data_dir), len(self.setups),
                publish=lambda _snapshot: None,  # no window to show frames in
                on_sample=lambda points: self._submit(RecordOccupancy(code, tuple(points))),
                on_health=lambda event: self._submit(RecordCameraHealth(code, event)),
                on_crossings=lambda crossings: self._submit(RecordLineCrossings(code, tuple(crossings))),
                offline_after_s=self.offline_after_s, sample_period_s=self.sample_period_s,
                publish_hz=0.2,  # snapshots carry a preview frame; nobody looks at them here
            )
            self.processes[setup.camera.camera_id] = process
            process.start()
            log.info("camera %s (%s) started", setup.camera.camera_id, setup.camera.name)

    def stop(self) -> None:
        for camera_id, process in self.processes.items():
            process.stop()
            log.info("camera %s stopped", camera_id)
        self.processes.clear()


def open_with_retry(url: str, stop: threading.Event, retry_s: float = RETRY_S) -> Database | None:
    """Open the shared database, trying again every ``retry_s`` seconds while the server is unreachable (the
    worker may start before it). Wrong credentials, a missing database or a schema from a newer console are not
    going to mend themselves: WorkerError at once. None when ``stop`` was set while waiting."""
    told = None
    while not stop.is_set():
        try:
            return open_database(url)
        except DatabaseError as exc:
            message = str(exc)
            if not _transient(message):
                raise WorkerError(message) from None
            if message != told:
                log.error("%s; trying again every %.0f s", message, retry_s)
                told = message
        stop.wait(retry_s)
    return None


def _transient(message: str) -> bool:
    """Whether an opening error may pass by itself (the server is down or unreachable), from the driver's text."""
    lowered = message.lower()
    if any(s in lowered for s in ("authentication failed", "does not exist", "permission denied", "newer",
                                  "no driver", "cannot be used")):
        return False
    return any(s in lowered for s in ("connection refused", "could not connect", "timeout", "timed out",
                                      "no route to host", "network is unreachable", "the database system is",
                                      "server closed the connection", "could not translate host name",
                                      "connection failed", "name or service not known"))


def spool_path(data_dir: Path, branch_code: str) -> Path:
    return Path(data_dir) / f"worker-spool-{branch_code}.db"


def with_passwords(setups: list[CameraSetup], branch_code: str, secrets) -> list[CameraSetup]:
    """Sources with their passwords from this PC's secret store (``main.py cameras password`` puts them there)."""
    from console.security.camera_passwords import full_setup

    return [full_setup(secrets, branch_code, s) for s in setups]

