"""Occupancy over the day: lobby total and the waiting area, with the lobby capacity as a dashed line.

pyqtgraph (imported after PySide6) with a date axis in the branch's own time zone, whatever the PC's zone is.
"""

from __future__ import annotations

from datetime import datetime

import pyqtgraph as pg
import PySide6  # noqa: F401  (PySide6 before pyqtgraph, so pyqtgraph binds to it)
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget


class OccupancyChart(QWidget):
    """``set_data`` with epoch seconds; the x range spans the business day given by ``set_day``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._axis = pg.DateAxisItem(orientation="bottom")
        self.plot = pg.PlotWidget(axisItems={"bottom": self._axis}, background="w")
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot.setMouseEnabled(x=True, y=False)
        self.plot.setMenuEnabled(False)
        self.plot.getPlotItem().setClipToView(True)
        self.plot.getPlotItem().setDownsampling(auto=True, mode="peak")
        self._legend = self.plot.addLegend(offset=(8, 4))
        self.lobby_curve = self.plot.plot([], [], pen=pg.mkPen("#2563eb", width=2), name=self.tr("Lobby"))
        self.waiting_curve = self.plot.plot([], [], pen=pg.mkPen("#16a34a", width=1.5), name=self.tr("Waiting area"))
        self.capacity_line = pg.InfiniteLine(angle=0, pen=pg.mkPen("#dc2626", width=1, style=Qt.PenStyle.DashLine),
                                             label=self.tr("Capacity"), labelOpts={"position": 0.97, "color": "#dc2626"})
        self.plot.addItem(self.capacity_line)
        self.plot.setLabel("left", self.tr("People"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)

    def set_day(self, start: datetime, end: datetime) -> None:
        """Show the business day ``start``..``end`` (aware datetimes); the axis uses their UTC offset."""
        offset = start.utcoffset()
        # pyqtgraph counts the offset in seconds west of UTC, like time.timezone.
        self._axis.utcOffset = -int(offset.total_seconds()) if offset is not None else None
        self.plot.setXRange(start.timestamp(), end.timestamp(), padding=0.01)

    def set_capacity(self, capacity: int) -> None:
        self.capacity_line.setValue(capacity)
        self.plot.setYRange(0, max(10, capacity * 1.15), padding=0)

    def set_data(self, times: list[float], lobby: list[int], waiting: list[tuple[float, int]]) -> None:
        self.lobby_curve.setData(times, lobby)
        if waiting:
            xs, ys = zip(*waiting, strict=True)
            self.waiting_curve.setData(list(xs), list(ys))
        else:
            self.waiting_curve.setData([], [])
