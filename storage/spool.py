"""A headless worker's local buffer: camera figures waiting to be written to the shared database.

Why a file and not memory: a worker keeps counting while the database server is unreachable (an outage, a restart,
a network cut) and while it is stopped with figures not yet written; both must lose nothing. Every sample, line
crossing and camera state change goes into this SQLite file first (one small transaction each, a few per camera
and second) and is deleted from it only after the shared database has committed it. A worker started again finds
what the last one left and writes it first.

Why nothing is written twice: the rows these tasks write have unique keys (camera, zone and time; camera, line and
time; camera and time) and are inserted with "on conflict do nothing", so a batch whose commit succeeded but whose
acknowledgement was lost with the connection is harmless when it is written again.

The entries are JSON (kind and fields), not pickled objects, so a spool left by one version is read by the next.
No Qt imports.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from console.domain.records import CameraHealthEvent, LineCrossings, OccupancyPoint
from storage.tasks import RecordCameraHealth, RecordLineCrossings, RecordOccupancy

SpooledTask = RecordOccupancy | RecordLineCrossings | RecordCameraHealth


def encode(task: SpooledTask) -> str:
    """One task as a JSON text (times in ISO 8601 with their offset)."""
    if isinstance(task, RecordOccupancy):
        body: dict[str, Any] = {"kind": "occupancy", "points": [
            [p.at.isoformat(), p.count, p.zone, p.camera_id] for p in task.points]}
    elif isinstance(task, RecordLineCrossings):
        body = {"kind": "crossings", "crossings": [
            [c.camera_id, c.line, c.at.isoformat(), c.in_count, c.out_count] for c in task.crossings]}
    elif isinstance(task, RecordCameraHealth):
        e = task.event
        body = {"kind": "health", "event": [e.camera_id, e.at.isoformat(), e.state, e.message]}
    else:
        raise TypeError(f"a {type(task).__name__} cannot be spooled")
    body["branch"] = task.branch_code
    return json.dumps(body, ensure_ascii=False)


def decode(text: str) -> SpooledTask:
    body = json.loads(text)
    code, kind = body["branch"], body["kind"]
    if kind == "occupancy":
        return RecordOccupancy(code, tuple(OccupancyPoint(datetime.fromisoformat(at), count, zone, camera)
                                           for at, count, zone, camera in body["points"]))
    if kind == "crossings":
        return RecordLineCrossings(code, tuple(LineCrossings(camera, line, datetime.fromisoformat(at), n_in, n_out)
                                               for camera, line, at, n_in, n_out in body["crossings"]))
    if kind == "health":
        camera, at, state, message = body["event"]
        return RecordCameraHealth(code, CameraHealthEvent(camera, datetime.fromisoformat(at), state, message))
    raise ValueError(f"unknown spooled kind {kind!r}")


def merged(tasks: list[SpooledTask]) -> list[SpooledTask]:
    """The same rows in fewer tasks: a branch's samples and crossings of a whole batch become one multi-row insert
    each (a backlog after an outage is thousands of one-sample tasks; one statement per task made writing it slower
    than the cameras fill it again — benchmarks/region.py). Camera state changes stay in their order."""
    samples: dict[str, list[OccupancyPoint]] = {}
    crossings: dict[str, list[LineCrossings]] = {}
    states: list[SpooledTask] = []
    for task in tasks:
        if isinstance(task, RecordOccupancy):
            samples.setdefault(task.branch_code, []).extend(task.points)
        elif isinstance(task, RecordLineCrossings):
            crossings.setdefault(task.branch_code, []).extend(task.crossings)
        else:
            states.append(task)
    return ([RecordOccupancy(code, tuple(points)) for code, points in samples.items()]
            + [RecordLineCrossings(code, tuple(rows)) for code, rows in crossings.items()] + states)


class Spool:
    """A first-in first-out queue of tasks in an SQLite file; safe to use from several threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # survives a crash of the worker; a power cut may lose the last
        self._db.execute("CREATE TABLE IF NOT EXISTS pending (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                         "queued REAL NOT NULL, body TEXT NOT NULL)")
        self._size = self._db.execute("SELECT count(*) FROM pending").fetchone()[0]

    def put(self, task: SpooledTask) -> None:
        body = encode(task)
        with self._lock:
            self._db.execute("INSERT INTO pending (queued, body) VALUES (?, ?)", (time.time(), body))
            self._size += 1

    def take(self, limit: int) -> list[tuple[int, float, SpooledTask]]:
        """Up to ``limit`` oldest entries (id, wall-clock time queued, task); they stay until ``done``."""
        with self._lock:
            rows = self._db.execute("SELECT id, queued, body FROM pending ORDER BY id LIMIT ?", (limit,)).fetchall()
        return [(entry_id, queued, decode(body)) for entry_id, queued, body in rows]

    def done(self, ids: list[int]) -> None:
        """Forget entries the shared database has committed."""
        if not ids:
            return
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany("DELETE FROM pending WHERE id = ?", [(i,) for i in ids])
            self._db.execute("COMMIT")
            self._size -= len(ids)

    def __len__(self) -> int:
        return self._size

    def close(self) -> None:
        with self._lock:
            self._db.close()
