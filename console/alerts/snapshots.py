"""Alert snapshots: when ``[privacy] snapshots`` is on and an alert about the cameras' view is raised (crowding of
the lobby or of a zone, a camera offline), one still per camera that sees the subject is saved — every detected
person's head blurred before the file is written (``camera/privacy.py``) — as
``alert-<alert id>-<camera>-<UTC time>.jpg`` in the snapshot folder, and its path is stored with the alert
(``storage/alert_snapshots.py``) for the Alerts panel. Off (the default): nothing is created, nothing is written.

Design (the cheapest that keeps the window smooth): the console's process already receives, for the video tiles,
each camera's latest ``CameraSnapshot`` — a preview copy of the frame (at most 640 pixels wide) with the tracked
people and the detector's boxes of that same frame. ``on_update`` is connected to ``AlertService.sig_alerts`` as a
plain callable, so it runs in the alert job's thread (never the GUI thread); it only picks the stills (references to
immutable snapshots) and queues them. Its own thread blurs, encodes and writes the files, then hands the paths to
the database writer. Which cameras: the lobby → every camera (the lobby count adds them all up); a zone → the
cameras with a zone of that name; a camera offline → that camera's picture if the window still holds one (an
offline camera usually has none — its status updates carry no frame — and then no file is written).
Reading the camera manager's dicts from another thread: a ``dict(...)`` copy is one C-level operation under the
interpreter lock, and the values are immutable snapshots, so no lock is needed. No Qt imports.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from camera.privacy import write_blurred_jpeg
from console.settings import PrivacySettings
from storage.alert_snapshots import SaveAlertSnapshots

log = logging.getLogger(__name__)

#: Rule kinds whose subject a camera sees.
CAMERA_RULES = ("crowding", "camera_offline")


def snapshot_folder(privacy: PrivacySettings, data_dir: Path) -> Path:
    """``snapshot_dir``, or "snapshots" in the data directory when it is empty."""
    return Path(privacy.snapshot_dir).expanduser() if privacy.snapshot_dir else Path(data_dir) / "snapshots"


def file_name(alert_id: int, camera_id: str, at: datetime) -> str:
    """``alert-<id>-<camera>-<UTC yyyymmddThhmmss>.jpg``; characters unsafe in a file name become '_'."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", camera_id)[:64] or "camera"
    return f"alert-{alert_id}-{safe}-{at.astimezone(UTC):%Y%m%dT%H%M%S}.jpg"


def cameras_for(kind: str, subject: str, zones: Mapping[str, set[str]]) -> list[str]:
    """The cameras that see an alert's subject; ``zones``: camera id → names of its zones (enabled cameras only)."""
    if kind == "crowding":
        if subject == "lobby":
            return sorted(zones)
        return sorted(cid for cid, names in zones.items() if subject in names)
    if kind == "camera_offline":
        return [subject] if subject in zones else []
    return []


@dataclass(frozen=True)
class Still:
    """A camera's picture and the people in it (``xyxy`` in the picture's pixels)."""

    camera_id: str
    image: np.ndarray
    people_xyxy: np.ndarray


def still_of(snapshot) -> Still | None:
    """A ``CameraSnapshot``'s preview with its tracked people and detector boxes scaled to the preview; None
    without a preview."""
    if snapshot is None or snapshot.preview is None:
        return None
    boxes = [snapshot.tracks.xyxy]
    if getattr(snapshot, "detections", None) is not None:
        boxes.append(snapshot.detections.xyxy)
    xyxy = np.concatenate(boxes).reshape(-1, 4) * float(snapshot.preview_scale)
    return Still(snapshot.camera_id, snapshot.preview, xyxy)


def save_stills(folder: Path, alert_id: int, stills: list[Still], at: datetime) -> list[tuple[str, str]]:
    """Write each still (heads blurred) as ``file_name``; (camera id, path) of those written. A camera whose file
    cannot be written is logged and skipped."""
    written = []
    for still in stills:
        path = folder / file_name(alert_id, still.camera_id, at)
        try:
            write_blurred_jpeg(path, still.image, still.people_xyxy)
        except (OSError, ValueError) as exc:
            log.error("alert %s: snapshot of camera %s not written to %s: %s", alert_id, still.camera_id, path, exc)
            continue
        written.append((still.camera_id, str(path)))
    return written


_STOP = object()


class AlertSnapshots:
    """Takes the stills of raised alerts on its own thread; see the module notes."""

    def __init__(self, folder: Path, frames: Callable[[], Mapping[str, object]],
                 zones: Callable[[], Mapping[str, set[str]]], record: Callable[[object], object],
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.folder = Path(folder)
        self._frames = frames
        self._zones = zones
        self._record = record
        self._clock = clock
        self._queue: queue.Queue[object] = queue.Queue(maxsize=32)
        self._thread: threading.Thread | None = None
        self.saved: dict[int, list[str]] = {}  # alert id → paths written (this run)
        self.version = 0  # goes up after each alert's files are written and stored

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="alert-snapshots", daemon=False)
            self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Write what is queued, then end the thread. Idempotent."""
        thread = self._thread
        if thread is None:
            return
        self._queue.put(_STOP)
        thread.join(timeout_s)
        self._thread = None

    def flush(self, timeout_s: float = 10.0) -> bool:
        """Wait until every still queued before this call is written; False on timeout or without the thread."""
        if self._thread is None:
            return False
        done = threading.Event()
        self._queue.put(done, timeout=timeout_s)
        return done.wait(timeout_s)

    def on_update(self, update) -> None:
        """An ``AlertUpdate`` (from the alert job's thread): queue the stills of each newly raised camera alert."""
        from console.domain.alert_engine import ChangeKind

        for change in update.changes:
            alert = change.alert
            if change.kind is not ChangeKind.RAISED or alert.alert_id is None:
                continue
            rule = update.rules.get(alert.rule_id)
            kind = str(rule.kind) if rule is not None else alert.rule_id.split(".")[0]
            if kind not in CAMERA_RULES:
                continue
            frames = dict(self._frames())
            stills = [s for cid in cameras_for(kind, alert.subject, dict(self._zones()))
                      if (s := still_of(frames.get(cid))) is not None]
            if not stills:
                continue
            try:
                self._queue.put_nowait((alert.alert_id, stills, self._clock()))
            except queue.Full:  # the disk is far behind: this alert goes without a picture
                log.error("alert %s: snapshot dropped (%d waiting to be written)", alert.alert_id, self._queue.qsize())

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            if isinstance(item, threading.Event):
                item.set()
                continue
            alert_id, stills, at = item  # type: ignore[misc]
            try:
                written = save_stills(self.folder, alert_id, stills, at)
                if written:
                    self._record(SaveAlertSnapshots(alert_id, tuple(written), at))
                    self.saved[alert_id] = [path for _, path in written]
                    self.version += 1
            except Exception:  # never let one alert end the thread
                log.exception("alert %s: snapshots failed", alert_id)


def start_alert_snapshots(privacy: PrivacySettings, data_dir: Path, cameras, record: Callable[[object], object]
                          ) -> AlertSnapshots | None:
    """The running snapshot taker for the console's ``CameraManager``; None (nothing at all) when snapshots are
    off or there is no camera manager."""
    if not privacy.snapshots or cameras is None:
        return None

    def zones() -> dict[str, set[str]]:
        return {cid: {z.name for z in setup.zones} for cid, setup in dict(cameras.setups).items()
                if setup.camera.enabled}

    taker = AlertSnapshots(snapshot_folder(privacy, data_dir), lambda: cameras.latest, zones, record)
    taker.start()
    return taker
