"""Lobby panel: the camera tile, occupancy now (lobby and each zone) and occupancy over the day."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from console import labels
from console.branch_controller import BranchView
from console.domain.vocabulary import ZoneKind
from widgets.occupancy_chart import OccupancyChart
from widgets.video_tile import CameraTile


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
        self.capacity_label = QLabel("")
        self.capacity_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.zone_grid = QGridLayout()
        self.zone_labels: dict[str, QLabel] = {}

        side = QFrame()
        side.setObjectName("figureBox")
        side_layout = QVBoxLayout(side)
        side_layout.addWidget(self.occupancy_value)
        side_layout.addWidget(self.occupancy_caption)
        side_layout.addWidget(self.capacity_label)
        side_layout.addSpacing(8)
        side_layout.addLayout(self.zone_grid)
        side_layout.addStretch(1)

        top = QWidget()
        top_layout = QHBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.tile, 3)
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

    @Slot(object)
    def show_view(self, view: BranchView) -> None:
        snap = view.snapshot
        branch = snap.branch
        if snap.frame is not None:
            self.tile.set_frame(snap.frame)
        badge = self.tr("Simulated") if snap.simulated else ""
        status = self.tr("%1 people").replace("%1", str(snap.lobby_count))
        self.tile.set_caption(self.tr("Lobby camera"), status, badge)
        self.occupancy_value.setText(str(snap.lobby_count))
        share = snap.lobby_count / branch.lobby_capacity * 100 if branch.lobby_capacity else 0
        self.capacity_label.setText(
            self.tr("capacity %1 (%2%)").replace("%1", str(branch.lobby_capacity)).replace("%2", f"{share:.0f}")
        )
        for row, zone in enumerate(snap.zones):
            label = self.zone_labels.get(zone.name)
            if label is None:
                name = QLabel(labels.zone_kind(zone.kind))
                label = QLabel()
                label.setAlignment(Qt.AlignmentFlag.AlignRight)
                self.zone_grid.addWidget(name, row, 0)
                self.zone_grid.addWidget(label, row, 1)
                self.zone_labels[zone.name] = label
            label.setText(str(snap.zone_counts.get(zone.name, 0)))
        if self._day != snap.day:
            self._day = snap.day
            tz = snap.at.tzinfo
            start = datetime.combine(snap.day, branch.opens, tzinfo=tz) - timedelta(minutes=30)
            end = datetime.combine(snap.day, branch.closes, tzinfo=tz) + timedelta(minutes=60)
            self.chart.set_day(start, end)
            self.chart.set_capacity(branch.lobby_capacity)
        waiting_zone = next((z.name for z in snap.zones if z.kind is ZoneKind.WAITING), None)
        series = view.occupancy
        self.chart.set_data(series.times, series.lobby, series.zones.get(waiting_zone, []) if waiting_zone else [])
