"""A camera tile: the latest frame scaled to fit, with the camera's name and status drawn over it."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget


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
        self.frames_shown = 0
        self.setMinimumSize(240, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(480, 320)

    def set_caption(self, title: str, status: str, badge: str = "") -> None:
        self._title, self._status, self._badge = title, status, badge
        self.update()

    def set_frame(self, frame: np.ndarray) -> None:
        self._image = frame_to_qimage(frame)
        self.frames_shown += 1
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#1e1f22"))
        if self._image is not None and not self._image.isNull():
            img_size = self._image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            x = (self.width() - img_size.width()) / 2
            y = (self.height() - img_size.height()) / 2
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            p.drawImage(QRectF(x, y, img_size.width(), img_size.height()), self._image)
        else:
            p.setPen(QColor("#c8c8c8"))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.tr("No picture yet"))
        bar_h = self.fontMetrics().height() + 6
        p.fillRect(0, self.height() - bar_h, self.width(), bar_h, QColor(0, 0, 0, 150))
        p.setPen(QColor("#ffffff"))
        p.drawText(8, self.height() - bar_h, self.width() - 16, bar_h,
                   Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, self._title)
        p.drawText(8, self.height() - bar_h, self.width() - 16, bar_h,
                   Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, self._status)
        if self._badge:
            fm = self.fontMetrics()
            w = fm.horizontalAdvance(self._badge) + 14
            p.fillRect(self.width() - w - 6, 6, w, fm.height() + 6, QColor("#d97706"))
            p.drawText(self.width() - w - 6, 6, w, fm.height() + 6, Qt.AlignmentFlag.AlignCenter, self._badge)
        p.end()
