"""GUI-thread controller between a branch source (the demo runner, or a real branch's reader) and the panels.

The source's worker thread calls ``submit_snapshot`` (a Qt signal's emit): because the controller lives in the GUI
thread, the connected bound slot ``_on_snapshot`` runs in the GUI thread as a queued call. There the Qt-free
``LiveView`` (``console/sources/live_view.py``) derives the figures every panel shows and the controller emits one
``BranchView`` to the widgets, so all panels show the same instant. Widgets never see the source, the simulator or
ORM rows.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QObject, Signal, Slot

from console.domain.records import CounterCommand, LineCrossings, OccupancyPoint
from console.sources.live_view import BranchView, LiveView, OccupancySeries
from console.sources.snapshot import BranchSnapshot


class BranchController(QObject):
    """Receives snapshots from a worker thread and publishes ``BranchView``s in the GUI thread.

    ``target_wait_min``: the service target in minutes (``[staffing] target_wait_min``)."""

    sig_snapshot = Signal(object)  # BranchSnapshot, emitted from the source's thread
    sig_view = Signal(object)  # BranchView, in the GUI thread
    sig_day_changed = Signal(object)  # date

    def __init__(self, parent: QObject | None = None, target_wait_min: float = 10.0) -> None:
        super().__init__(parent)
        self.live = LiveView(target_wait_min)
        self.cameras = None  # console.app.camera_manager.CameraManager, when the branch has real cameras
        self.sig_snapshot.connect(self._on_snapshot)

    @property
    def latest(self) -> BranchView | None:
        return self.live.latest

    @property
    def visitors(self) -> int:
        return self.live.visitors

    @property
    def exits(self) -> int:
        return self.live.exits

    @property
    def requests(self) -> list[CounterCommand]:
        return self.live.requests

    @property
    def camera_series(self) -> OccupancySeries:
        return self.live.camera_series

    @property
    def snapshots_received(self) -> int:
        return self.live.snapshots_received

    def add_request(self, command: CounterCommand) -> None:
        """A counter request just stored: shown as pending until the counter reports its result; the board is
        redrawn at once from the latest snapshot."""
        view = self.live.add_request(command)
        if view is not None:
            self.sig_view.emit(view)

    def attach_cameras(self, manager) -> None:
        """Real cameras: their samples feed the lobby chart and their counts the lobby figures."""
        self.cameras = manager
        self.live.cameras = manager
        manager.sig_samples.connect(self._on_camera_samples)
        manager.sig_crossings.connect(self._on_camera_crossings)

    def seed_visitors(self, day: date, visitors: int, exits: int) -> None:
        """Today's crossings already stored (a restart in the middle of the day keeps the day's total)."""
        self.live.seed_visitors(day, visitors, exits)

    @Slot(object)
    def _on_camera_crossings(self, crossings: list[LineCrossings]) -> None:
        """Crossings of one camera's lines in one sample period (queued from its thread)."""
        self.live.add_crossings(crossings)

    @Slot(object)
    def _on_camera_samples(self, points: list[OccupancyPoint]) -> None:
        """Samples of one camera (queued from its thread)."""
        self.live.add_camera_samples(points)

    def submit_snapshot(self, snapshot: BranchSnapshot) -> None:
        """Thread-safe entry point for sources."""
        self.sig_snapshot.emit(snapshot)

    @Slot(object)
    def _on_snapshot(self, snapshot: BranchSnapshot) -> None:
        new_day, view = self.live.take(snapshot)
        if new_day:
            self.sig_day_changed.emit(snapshot.day)
        self.sig_view.emit(view)
