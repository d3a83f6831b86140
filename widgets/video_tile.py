"""A camera tile: the latest frame scaled to fit, with the camera's name and status drawn over it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from widgets import labels

ZONE_COLOURS = ("#22c55e", "#3b82f6", "#a855f7", "#f59e0b", "#ec4899", "#14b8a6")


@dataclass(frozen=True)
class Overlay:
    """What to draw over a frame, in the frame's own pixel coordinates (``scale`` maps them to the image shown)."""

    boxes_xyxy: np.ndarray | None = None  # (N, 4)
    track_ids: np.ndarray | None = None  # (N,)
    zones: Sequence[tuple[str, Sequence[tuple[float, float]]]] = ()
    lines: Sequence[tuple[str, tuple[float, float], tuple[float, float]]] = ()
    scale: float = 1.0


def frame_to_qimage(frame: np.ndarray) -> QImage:
    """Wrap a BGR uint8 frame (H×W×3) as a QImage that owns a copy of the pixels."""
    if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
        raise ValueError(f"expected a BGR uint8 H×W×3 frame, got shape {frame.shape} dtype {frame.dtype}")
    frame = np.ascontiguousarray(frame)
    h, w, _ = frame.shape
    return QImage(frame.data, w, h, 3 * w, QImage.Format.Format_BGR888).copy()


class CameraTile(QWidget):
    """Shows one camera; ``set_frame`` in the GUI thread, at most ~10 times a second."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image: QImage | None = None
        self._title = ""
        self._status = ""
        self._badge = ""
        self._overlay: Overlay | None = None
        self.placeholder = ""  # shown instead of "No picture yet" (a camera another PC counts)
        self.show_boxes = True
        self.show_zones = True
        self.frames_shown = 0
        self.setMinimumSize(240, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(480, 320)

    def set_caption(self, title: str, status: str, badge: str = "") -> None:
        self._title, self._status, self._badge = title, status, badge
        self.update()

    def set_frame(self, frame: np.ndarray, overlay: Overlay | None = None) -> None:
        self._image = frame_to_qimage(frame)
        self._overlay = overlay
        self.frames_shown += 1
        self.update()

    def image_rect(self) -> QRectF:
        """Where the frame is drawn inside the tile (aspect kept, centred)."""
        if self._image is None or self._image.isNull():
            return QRectF()
        size = self._image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        return QRectF((self.width() - size.width()) / 2, (self.height() - size.height()) / 2,
                      size.width(), size.height())

    def _paint_overlay(self, p: QPainter, target: QRectF) -> None:
        o = self._overlay
        if o is None or self._image is None:
            return
        k = o.scale * target.width() / self._image.width()

        def pt(x: float, y: float) -> QPointF:
            return QPointF(target.x() + x * k, target.y() + y * k)

        if self.show_zones:
            for i, (name, polygon) in enumerate(o.zones):
                colour = QColor(ZONE_COLOURS[i % len(ZONE_COLOURS)])
                p.setPen(QPen(colour, 2))
                fill = QColor(colour)
                fill.setAlpha(40)
                p.setBrush(fill)
                p.drawPolygon(QPolygonF([pt(x, y) for x, y in polygon]))
                if polygon:
                    p.drawText(pt(*polygon[0]) + QPointF(4, 14), labels.zone_name(name))
            p.setBrush(Qt.BrushStyle.NoBrush)
            for name, a, b in o.lines:
                p.setPen(QPen(QColor("#ef4444"), 3))
                p.drawLine(pt(*a), pt(*b))
                p.drawText(pt(*b) + QPointF(4, -4), name)
        if self.show_boxes and o.boxes_xyxy is not None:
            p.setBrush(Qt.BrushStyle.NoBrush)
            for j, (x1, y1, x2, y2) in enumerate(o.boxes_xyxy):
                p.setPen(QPen(QColor("#facc15"), 2))
                p.drawRect(QRectF(pt(x1, y1), pt(x2, y2)))
                if o.track_ids is not None and j < len(o.track_ids) and o.track_ids[j] >= 0:
                    p.drawText(pt(x1, y1) + QPointF(2, -3), str(int(o.track_ids[j])))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#1e1f22"))
        if self._image is not None and not self._image.isNull():
            target = self.image_rect()
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            p.drawImage(target, self._image)
            self._paint_overlay(p, target)
        else:
            p.setPen(QColor("#c8c8c8"))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.placeholder or self.tr("No picture yet"))
        bar_h = self.fontMetrics().height() + 6
        p.fillRect(0, self.height() - bar_h, self.width(), bar_h, QColor(0, 0, 0, 150))
        p.setPen(QColor("#ffffff"))
        fm = self.fontMetrics()
        # the start of the status matters most (state, count); the detector's name at its end may go
        status = fm.elidedText(self._status, Qt.TextElideMode.ElideRight, max(40, self.width() * 2 // 3))
        title_w = max(0, self.width() - 24 - fm.horizontalAdvance(status))
        title = fm.elidedText(self._title, Qt.TextElideMode.ElideRight, title_w)
        p.drawText(8, self.height() - bar_h, self.width() - 16, bar_h,
                   Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, title)
        p.drawText(8, self.height() - bar_h, self.width() - 16, bar_h,
                   Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, status)
        if self._badge:
            fm = self.fontMetrics()
            w = fm.horizontalAdvance(self._badge) + 14
            p.fillRect(self.width() - w - 6, 6, w, fm.height() + 6, QColor("#d97706"))
            p.drawText(self.width() - w - 6, 6, w, fm.height() + 6, Qt.AlignmentFlag.AlignCenter, self._badge)
        p.end()
