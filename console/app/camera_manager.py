"""Runs the branch's real cameras (one ``CameraWorker`` each) and hands their snapshots to the GUI thread.

Each camera runs in a child process of its own (``camera.process``: the analysis's Python work never competes
with the window for the interpreter lock). Camera workers publish from their pump threads through ``sig_snapshot`` (queued to the bound slot ``_on_snapshot``
in the GUI thread); occupancy samples and changes of a camera's state (online, offline after ``offline_after_s``
seconds without a frame, failed) go straight to the database writer. Changing a camera restarts only that
camera's worker, from the setup the dialog produced; the database write happens in the writer thread.

Passwords: ``setups`` hold the whole sources (in memory only); what goes to the database is split first, its
passwords into the secret store (console/security/camera_passwords.py). Removing a camera deletes its password.

Cameras counted by headless workers (``analysed_by = "worker"``, console/cameras/worker.py) are not started here: their
figures and states come back from the shared database with the branch's snapshots (``update_remote``, GUI thread)
and become snapshots like a local camera's, without a picture, so tiles, lobby figures, the chart and camera
alerts treat both alike. Such a camera counts as offline when its worker has sent nothing for
``offline_after_s + REMOTE_GRACE_S`` seconds (a worker that died cannot say so itself).

Lobby occupancy from cameras is the sum of the cameras' lobby counts: cameras are expected to see separate parts of
the lobby (an overlap would count people twice; the zone editor is where a camera's lobby area is drawn).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtCore import QObject, Signal, Slot

from camera.calibration import load_calibration
from camera.capture import CaptureStatus
from camera.detections import Detections
from camera.model_store import ModelStore
from camera.process import CameraProcess
from camera.worker import CALIBRATION_STALE, CameraSnapshot
from console.cameras.pipeline_setup import camera_process
from console.domain.alert_measures import CameraFigure
from console.domain.records import CameraHealthEvent, LineCrossings, OccupancyPoint
from console.domain.vocabulary import ZoneKind
from console.security.camera_passwords import forget, stored_setup
from console.security.secret_store import SecretStore
from storage.records import CameraSetup
from storage.tasks import DeleteCamera, RecordCameraHealth, RecordLineCrossings, RecordOccupancy, SaveCamera

log = logging.getLogger(__name__)

__all__ = ["CameraManager"]


#: Seconds beyond ``offline_after_s`` a worker's camera may stay silent (its samples come every
#: ``console.cameras.worker.SAMPLE_PERIOD_S`` seconds and reach the console at its next read) before it counts as offline.
REMOTE_GRACE_S = 10.0


def counted_here(setup: CameraSetup, viewer: bool = False) -> bool:
    return setup.camera.enabled and setup.camera.analysed_by != "worker" and not viewer


class CameraManager(QObject):
    sig_snapshot = Signal(object)  # CameraSnapshot, emitted from camera threads
    sig_samples = Signal(object)  # list[OccupancyPoint] of one camera, emitted from its thread
    sig_crossings = Signal(object)  # list[LineCrossings] of one camera, emitted from its thread
    sig_camera = Signal(object)  # CameraSnapshot, re-emitted in the GUI thread for the widgets
    sig_changed = Signal()  # the set of cameras changed (GUI thread)

    def __init__(self, branch_code: str, model_store: ModelStore, submit: Callable[[object], object],
                 parent: QObject | None = None, *, offline_after_s: float = 10.0, secrets: SecretStore,
                 viewer: bool = False) -> None:
        super().__init__(parent)
        #: a branch opened from the regional view: every camera is counted elsewhere (its branch's console or a
        #: worker) and shown from the database, none is started here
        self.viewer = viewer
        self.branch_code = branch_code
        self.secrets = secrets
        self.user = "console"  # who changes cameras, for the audit trail (the context sets the logged-in user)
        self.offline_after_s = offline_after_s
        self.model_store = model_store
        self._submit = submit
        self.setups: dict[str, CameraSetup] = {}
        self.workers: dict[str, CameraProcess] = {}
        self.latest: dict[str, CameraSnapshot] = {}
        self._remote_counts: dict[str, tuple[datetime, int, dict[str, int]]] = {}  # newest (at, lobby, zones)
        self.sig_snapshot.connect(self._on_snapshot)

    # --- lifetime ------------------------------------------------------------------------------------------

    def start(self, setups: list[CameraSetup]) -> None:
        for setup in setups:
            self.setups[setup.camera.camera_id] = setup
            if counted_here(setup, self.viewer):
                self._start_worker(setup)
        self.sig_changed.emit()

    def stop(self) -> None:
        for worker in list(self.workers.values()):
            worker.stop()
        self.workers.clear()

    # --- changes from the GUI ------------------------------------------------------------------------------

    def save(self, setup: CameraSetup) -> None:
        """Store a camera's new setup and restart its worker with it. SecretError: its password could not be
        stored, and nothing was changed (the message names the store, never the password)."""
        camera_id = setup.camera.camera_id
        self._submit(SaveCamera(self.branch_code, stored_setup(self.secrets, self.branch_code, setup), self.user))
        old = self.workers.pop(camera_id, None)
        if old is not None:
            old.stop()
        self.latest.pop(camera_id, None)
        self.setups[camera_id] = setup
        self._remote_counts.pop(camera_id, None)
        if counted_here(setup, self.viewer):
            self._start_worker(setup)
        self.sig_changed.emit()

    def remove(self, camera_id: str) -> None:
        self._submit(DeleteCamera(self.branch_code, camera_id, self.user))
        forget(self.secrets, self.branch_code, camera_id)
        worker = self.workers.pop(camera_id, None)
        if worker is not None:
            worker.stop()
        self.setups.pop(camera_id, None)
        self.latest.pop(camera_id, None)
        self.sig_changed.emit()

    # --- internals -----------------------------------------------------------------------------------------

    def _start_worker(self, setup: CameraSetup) -> None:
        """The camera's analysis in a process of its own (a slow or broken model never blocks the GUI)."""
        cameras = sum(1 for s in self.setups.values() if s.camera.enabled)
        worker = camera_process(setup, str(self.model_store.data_dir), cameras, publish=self.sig_snapshot.emit,
                                on_sample=self._store_samples, on_health=self._store_health,
                                on_crossings=self._store_crossings, offline_after_s=self.offline_after_s)
        self.workers[setup.camera.camera_id] = worker
        worker.start()

    def _store_samples(self, points: list[OccupancyPoint]) -> None:
        """Called from a camera thread: the writer's queue is thread-safe."""
        self._submit(RecordOccupancy(self.branch_code, tuple(points)))
        self.sig_samples.emit(points)

    def _store_crossings(self, crossings: list[LineCrossings]) -> None:
        """Called from a camera thread."""
        self._submit(RecordLineCrossings(self.branch_code, tuple(crossings)))
        self.sig_crossings.emit(crossings)

    def dwell_in(self, kind: ZoneKind) -> tuple[int, float, float]:
        """(people, mean s, longest s) over every camera's zones of ``kind``: how long the people there now have
        been in the zone (the cameras' own measure of waiting time)."""
        people, total, longest = 0, 0.0, 0.0
        for camera_id, snap in self.latest.items():
            for name, zone_kind in self.zone_kinds(camera_id).items():
                if zone_kind is not kind or name not in snap.dwell:
                    continue
                n, mean_s, max_s = snap.dwell[name]
                people += n
                total += n * mean_s
                longest = max(longest, max_s)
        return people, (total / people if people else 0.0), longest

    def _store_health(self, event: CameraHealthEvent) -> None:
        """Called from a camera thread: every change of a camera's state is kept (offline periods included)."""
        self._submit(RecordCameraHealth(self.branch_code, event))

    @Slot(object)
    def _on_snapshot(self, snapshot: CameraSnapshot) -> None:
        if snapshot.camera_id in self.setups:
            self.latest[snapshot.camera_id] = snapshot
            self.sig_camera.emit(snapshot)

    def remote_ids(self) -> list[str]:
        return [cid for cid, s in self.setups.items()
                if s.camera.enabled and (s.camera.analysed_by == "worker" or self.viewer)]

    def update_remote(self, samples: Sequence[OccupancyPoint], states: Sequence[CameraHealthEvent],
                      now: datetime) -> None:
        """GUI thread: the newest stored figures and states of the cameras workers count (``samples``: those read
        since the last snapshot, of any camera; ``now``: the branch clock). Each new sample period goes to the
        chart through ``sig_samples``; each camera's tile, figures and alerts through ``latest``/``sig_camera``."""
        remote = self.remote_ids()
        if not remote:
            return
        periods: dict[tuple[str, datetime], list[OccupancyPoint]] = {}
        for p in samples:
            if p.camera_id in remote:
                periods.setdefault((p.camera_id, p.at), []).append(p)
        for (camera_id, at), points in sorted(periods.items(), key=lambda item: item[0][1]):
            newest = self._remote_counts.get(camera_id)
            if newest is None or at >= newest[0]:
                lobby = next((p.count for p in points if p.zone is None), newest[1] if newest else 0)
                self._remote_counts[camera_id] = (at, lobby, {p.zone: p.count for p in points if p.zone})
            self.sig_samples.emit(points)
        by_camera = {e.camera_id: e for e in states}
        for camera_id in remote:
            self._on_snapshot(self._remote_snapshot(camera_id, by_camera.get(camera_id), now))

    def _remote_snapshot(self, camera_id: str, state: CameraHealthEvent | None, now: datetime) -> CameraSnapshot:
        setup = self.setups[camera_id]
        at, lobby, zones = self._remote_counts.get(camera_id, (None, 0, {}))
        silent_s = (now - at).total_seconds() if at is not None else None
        if state is None and at is None:
            status = CaptureStatus("connecting", message="no figures from a worker yet")
        elif silent_s is None or silent_s > self.offline_after_s + REMOTE_GRACE_S:
            status = CaptureStatus("offline" if state is None or state.state == "online" else state.state,
                                   message=f"no figures from its worker for {silent_s:.0f} s" if silent_s is not None
                                   else (state.message if state else ""))
        else:
            status = CaptureStatus(state.state if state is not None else "online",
                                   message=state.message if state is not None else "")
        online = status.state == "online"
        # the worker reports its calibration going stale as an "online" state with that message (camera/worker.py)
        stale = online and state is not None and state.message == CALIBRATION_STALE
        if stale:  # said once, by the flag
            status = CaptureStatus(status.state, message="")
        return CameraSnapshot(camera_id=camera_id, name=setup.camera.name, status=status, detector="",
                              low_accuracy=False, count=float(lobby) if online else 0.0,
                              zone_counts=dict(zones) if online else {}, lobby_count=lobby if online else 0,
                              line_totals={}, dwell={}, tracks=Detections.empty(), remote=True,
                              calibration_stale=stale)

    @property
    def has_cameras(self) -> bool:
        return any(s.camera.enabled for s in self.setups.values())

    def lobby_count(self) -> int:
        return sum(s.lobby_count for s in self.latest.values())

    def lobby_figures(self) -> tuple[CameraFigure, ...]:
        """The camera figures ``lobby_count`` adds up, each with its calibration's error band (0: uncalibrated) and
        staleness, for alerts to say what they rest on; cameras not online count 0 and are left out."""
        figures = []
        for camera_id, snap in self.latest.items():
            setup = self.setups.get(camera_id)
            if setup is None or snap.status is None or snap.status.state != "online":
                continue
            model = load_calibration(setup.calibration)
            figures.append(CameraFigure(setup.camera.name, snap.lobby_count,
                                        model.band_people() if model is not None else 0, snap.calibration_stale))
        return tuple(figures)

    def zone_kinds(self, camera_id: str) -> dict[str, ZoneKind]:
        setup = self.setups.get(camera_id)
        return {z.name: z.kind for z in setup.zones} if setup is not None else {}

    def zone_counts_by_kind(self) -> dict[ZoneKind, int]:
        result: dict[ZoneKind, int] = {}
        for camera_id, snap in self.latest.items():
            for name, kind in self.zone_kinds(camera_id).items():
                result[kind] = result.get(kind, 0) + snap.zone_counts.get(name, 0)
        return result
