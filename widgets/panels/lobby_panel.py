"""Lobby panel: the camera tile, occupancy now (lobby and each zone) and occupancy over the day."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from camera.calibration import CountModel, combined_band, load_calibration
from console.domain.vocabulary import AlertSeverity, ZoneKind
from console.sources.live_view import BranchView
from console.staffing.calendar_cn import hours_on
from widgets import labels
from widgets.panels.occupancy_chart import OccupancyChart
from widgets.video_tile import CameraTile, Overlay


class LobbyPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tile = CameraTile()
        self.chart = OccupancyChart()
        self.occupancy_value = QLabel("—")
        self.occupancy_value.setObjectName("bigNumber")
        self.occupancy_value.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.occupancy_caption = QLabel(self.tr("in the lobby now"))
        self.occupancy_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.crowding_label = QLabel("")  # the level in words, beside its colour
        self.crowding_label.setObjectName("crowdingLevel")
        self.crowding_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.crowding_label.setVisible(False)
        self.capacity_label = QLabel("")
        self.capacity_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.capacity_label.setWordWrap(True)  # the note on uncalibrated cameras is longer than the figure is wide
        self.zone_grid = QGridLayout()
        self.zone_labels: dict[ZoneKind, QLabel] = {}
        # from real cameras only: people who came in through the entrance line today, and how long the people in
        # the waiting area have been there
        self.visitors_label = QLabel()
        self.visitors_label.setObjectName("visitorsToday")
        self.dwell_label = QLabel()
        self.dwell_label.setObjectName("waitingDwell")
        self.dwell_label.setWordWrap(True)
        for label in (self.visitors_label, self.dwell_label):
            label.setVisible(False)

        side = QFrame()
        side.setObjectName("figureBox")
        side_layout = QVBoxLayout(side)
        side_layout.addWidget(self.occupancy_value)
        side_layout.addWidget(self.occupancy_caption)
        side_layout.addWidget(self.crowding_label)
        side_layout.addWidget(self.capacity_label)
        side_layout.addSpacing(8)
        side_layout.addLayout(self.zone_grid)
        side_layout.addSpacing(8)
        side_layout.addWidget(self.visitors_label)
        side_layout.addWidget(self.dwell_label)
        side_layout.addStretch(1)

        self.tiles_box = QWidget()
        self.tiles_grid = QGridLayout(self.tiles_box)
        self.tiles_grid.setContentsMargins(0, 0, 0, 0)
        self.tiles_grid.addWidget(self.tile, 0, 0)
        self.camera_tiles: dict[str, CameraTile] = {}
        self.cameras = None  # console.app.camera_manager.CameraManager
        top = QWidget()
        top_layout = QHBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.tiles_box, 3)
        top_layout.addWidget(side, 1)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(self.chart)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)
        self._day = None

    def attach_cameras(self, manager) -> None:
        self.cameras = manager
        manager.sig_camera.connect(self.show_camera)
        manager.sig_changed.connect(self.rebuild_tiles)
        self.rebuild_tiles()

    @Slot()
    def rebuild_tiles(self) -> None:
        """One tile per enabled real camera in a grid; the simulated camera's tile when there is none."""
        manager = self.cameras
        ids = [cid for cid, s in manager.setups.items() if s.camera.enabled] if manager is not None else []
        for cid in list(self.camera_tiles):
            if cid not in ids:
                tile = self.camera_tiles.pop(cid)
                self.tiles_grid.removeWidget(tile)
                tile.deleteLater()
        self.tiles_grid.removeWidget(self.tile)
        self.tile.setVisible(not ids)
        if not ids:
            self.tiles_grid.addWidget(self.tile, 0, 0)
            return
        columns = 1 if len(ids) == 1 else 2 if len(ids) <= 4 else 3
        for i, cid in enumerate(ids):
            tile = self.camera_tiles.get(cid)
            if tile is None:
                tile = CameraTile()
                tile.setObjectName(f"camera_{cid}")
                self.camera_tiles[cid] = tile
                tile.set_caption(manager.setups[cid].camera.name, self.tr("connecting…"))
                if manager.setups[cid].camera.analysed_by == "worker":
                    tile.placeholder = self.tr("Counted by a worker PC: no picture on this console")
                elif manager.viewer:
                    tile.placeholder = self.tr("Counted at the branch's console: no picture here")
            self.tiles_grid.addWidget(tile, i // columns, i % columns)

    def _calibration(self, camera_id: str) -> CountModel | None:
        """The camera's stored count calibration (its error band), if it has one."""
        setup = self.cameras.setups.get(camera_id) if self.cameras is not None else None
        if setup is None or not setup.calibration:
            return None
        return load_calibration(setup.calibration)

    def lobby_band(self) -> tuple[int, bool]:
        """(error band of the lobby figure in people, whether a camera counting it is not calibrated): from the
        enabled cameras counted for the lobby; (0, False) without real cameras (the demo counts exactly)."""
        if self.cameras is None or not self.cameras.has_cameras:
            return 0, False
        enabled = [cid for cid, s in self.cameras.setups.items() if s.camera.enabled]
        models = [m for m in map(self._calibration, enabled) if m is not None]
        return combined_band(models), len(models) < len(enabled)

    def _count_words(self, snap) -> str:
        """A camera's count with its calibration's error band ("32 ± 2 people"), or marked uncalibrated."""
        model = self._calibration(snap.camera_id)
        if model is not None:
            return self.tr("%1 ± %2 people").replace("%1", f"{snap.count:.0f}").replace("%2", str(model.band_people()))
        # the lobby figure beside says what that means: the count may be low in crowds
        return self.tr("%1 people (uncalibrated)").replace("%1", f"{snap.count:.0f}")

    def camera_status_text(self, snap) -> tuple[str, str]:
        """(status line, badge) of a camera tile."""
        status = snap.status
        state = status.state if status is not None else "connecting"
        words = {"online": self.tr("online"), "offline": self.tr("offline"), "connecting": self.tr("connecting…"),
                 "ended": self.tr("ended"), "failed": self.tr("failed")}
        parts = [words.get(state, state)]
        if snap.remote:  # counted by a headless worker: figures only, no frames here
            if state == "online":
                parts.append(self._count_words(snap))
            setup = self.cameras.setups.get(snap.camera_id) if self.cameras is not None else None
            by_worker = setup is not None and setup.camera.analysed_by == "worker"
            parts.append(self.tr("counted by a worker PC") if by_worker else self.tr("counted at the branch's console"))
            badge = self.tr("Offline") if state in ("offline", "failed") else ""
            if not badge and snap.calibration_stale:
                badge = self.tr("Calibration may be stale: the picture has changed since it was calibrated")
            return " · ".join(parts), badge
        if state == "online":
            parts.append(self._count_words(snap))
            parts.append(self.tr("%1 fps").replace("%1", f"{snap.analysed_fps:.1f}"))
        if status is not None and status.frames_dropped:
            parts.append(self.tr("%1 dropped").replace("%1", str(status.frames_dropped)))
        parts.append(snap.detector)
        badge = ""
        if snap.error:
            badge = self.tr("Analysis error")
        elif state in ("offline", "failed"):
            badge = self.tr("Offline")
        elif snap.low_accuracy:
            badge = self.tr("Low accuracy — no detector model installed")
        elif snap.calibration_stale:
            badge = self.tr("Calibration may be stale: the picture has changed since it was calibrated")
        return " · ".join(parts), badge

    @Slot(object)
    def show_camera(self, snap) -> None:
        tile = self.camera_tiles.get(snap.camera_id)
        if tile is None or self.cameras is None:
            return
        setup = self.cameras.setups.get(snap.camera_id)
        status, badge = self.camera_status_text(snap)
        tile.set_caption(snap.name, status, badge)
        if tile.toolTip() != (snap.status.message if snap.status else ""):
            tile.setToolTip(snap.status.message if snap.status else "")
        if snap.preview is not None:
            overlay = Overlay(
                boxes_xyxy=snap.tracks.xyxy, track_ids=snap.tracks.track_ids,
                zones=[(z.name, z.polygon) for z in setup.zones] if setup else (),
                lines=[(ln.name, ln.a, ln.b) for ln in setup.lines] if setup else (),
                scale=snap.preview_scale,
            )
            tile.set_frame(snap.preview, overlay)

    def show_camera_figures(self, view: BranchView) -> None:
        """Visitors today (counting lines) and the waiting area's stay (zone dwell), when cameras measure them."""
        self.visitors_label.setVisible(view.visitors_today is not None)
        if view.visitors_today is not None:
            self.visitors_label.setText(self.tr("Visitors today: %1").replace("%1", str(view.visitors_today)))
        dwell = view.waiting_dwell
        self.dwell_label.setVisible(dwell is not None)
        if dwell is not None:
            people, mean_s, longest_s = dwell
            if people:
                self.dwell_label.setText(
                    self.tr("Waiting area: %1 people, longest %2 min, average %3 min")
                    .replace("%1", str(people)).replace("%2", f"{longest_s / 60:.1f}").replace("%3", f"{mean_s / 60:.1f}"))
            else:
                self.dwell_label.setText(self.tr("Waiting area: nobody waiting"))

    def set_crowding_level(self, severity: AlertSeverity | None) -> None:
        """The big lobby number in the colour of the lobby's crowding alert: amber at its warning level, red at its
        critical one, the usual blue without one (the caption under the number says so in words, colour is never
        the only cue)."""
        level = severity.value if severity is not None else ""
        if self.occupancy_value.property("level") == level:
            return
        self.occupancy_value.setProperty("level", level)
        self.occupancy_value.style().unpolish(self.occupancy_value)
        self.occupancy_value.style().polish(self.occupancy_value)
        self.crowding_label.setText({
            "": "",
            "info": "",
            "warning": self.tr("Crowded: past the warning level"),
            "critical": self.tr("Over capacity: past the critical level"),
        }[level])
        self.crowding_label.setVisible(bool(self.crowding_label.text()))

    @Slot(object)
    def show_view(self, view: BranchView) -> None:
        snap = view.snapshot
        branch = snap.branch
        if snap.frame is not None:
            self.tile.set_frame(snap.frame)
        badge = self.tr("Simulated") if snap.simulated else ""
        status = self.tr("%1 people").replace("%1", str(snap.lobby_count))
        self.tile.set_caption(self.tr("Lobby camera"), status, badge)
        band, uncalibrated = self.lobby_band()
        self.occupancy_value.setText(f"{view.lobby_count} ± {band}" if band else str(view.lobby_count))
        share = view.lobby_count / branch.lobby_capacity * 100 if branch.lobby_capacity else 0
        capacity = self.tr("capacity %1 (%2%)").replace("%1", str(branch.lobby_capacity)).replace("%2", f"{share:.0f}")
        if uncalibrated:
            capacity += "\n" + self.tr("a camera is not calibrated: the count may be low in crowds")
        self.capacity_label.setText(capacity)
        for kind, count in view.zone_counts.items():
            label = self.zone_labels.get(kind)
            if label is None:
                row = len(self.zone_labels)
                name = QLabel(labels.zone_kind(kind))
                label = QLabel()
                label.setAlignment(Qt.AlignmentFlag.AlignRight)
                self.zone_grid.addWidget(name, row, 0)
                self.zone_grid.addWidget(label, row, 1)
                self.zone_labels[kind] = label
            label.setText(str(count))
        self.show_camera_figures(view)
        series = view.occupancy
        # the chart spans the business day of its own samples (real cameras run on the wall clock even when the
        # queue is the simulated demo), widened to include samples taken outside business hours
        day = series.day or snap.day
        tz = snap.at.tzinfo
        hours = hours_on(branch, day)  # a closed day: the usual hours, widened below to the samples
        start = datetime.combine(day, hours.opens or branch.opens, tzinfo=tz) - timedelta(minutes=30)
        end = datetime.combine(day, hours.closes or branch.closes, tzinfo=tz) + timedelta(minutes=60)
        if series.times:
            start = min(start, datetime.fromtimestamp(series.times[0], tz) - timedelta(minutes=15))
            end = max(end, datetime.fromtimestamp(series.times[-1], tz) + timedelta(minutes=15))
        if self._day != (start, end):
            self._day = (start, end)
            self.chart.set_day(start, end)
            self.chart.set_capacity(branch.lobby_capacity)
        self.chart.set_data(series.times, series.lobby, series.waiting)
