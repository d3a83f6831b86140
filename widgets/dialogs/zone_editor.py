"""Zone and line editor: draw a camera's zones (polygons) and counting lines on its live picture with the mouse.

Drawing: "New zone", then click the corners and finish with a double-click or Enter (at least three points);
"New line", then click its two ends — people stepping across it towards the right-hand side, as seen from the
first end looking at the second, count as "in" (the side where cross(B−A, P−A) > 0 in image coordinates). Shapes are stored in the camera's full-frame pixels, whatever the size of the
picture on screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from console.domain.records import ZoneSpec
from console.domain.vocabulary import ZoneKind
from storage.records import CameraSetup, LineRecord
from widgets import labels
from widgets.video_tile import ZONE_COLOURS, frame_to_qimage


@dataclass
class Shape:
    """A zone or a line being edited; points in full-frame pixels."""

    kind: str  # "zone" or "line"
    name: str
    points: list[tuple[float, float]] = field(default_factory=list)
    zone_kind: ZoneKind = ZoneKind.WAITING
    capacity: int = 0
    in_lobby: bool = True
    closed: bool = False


class ZoneCanvas(QWidget):
    """The picture with the shapes; collects clicks for the shape being drawn."""

    sig_finished = Signal()

    def __init__(self, preview: np.ndarray, preview_scale: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image = frame_to_qimage(preview)
        self.preview_scale = preview_scale
        self.shapes: list[Shape] = []
        self.drawing: Shape | None = None
        self.selected: Shape | None = None
        self.setMinimumSize(480, 320)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)

    def sizeHint(self) -> QSize:
        return QSize(self.image.width(), self.image.height())

    def image_rect(self) -> QRectF:
        size = self.image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        return QRectF((self.width() - size.width()) / 2, (self.height() - size.height()) / 2,
                      size.width(), size.height())

    def _k(self) -> float:
        """Widget pixels per full-frame pixel."""
        return self.image_rect().width() / self.image.width() * self.preview_scale

    def to_frame(self, pos: QPointF) -> tuple[float, float] | None:
        rect = self.image_rect()
        if not rect.contains(pos):
            return None
        k = self._k()
        return (round((pos.x() - rect.x()) / k, 1), round((pos.y() - rect.y()) / k, 1))

    def to_widget(self, point: tuple[float, float]) -> QPointF:
        rect = self.image_rect()
        k = self._k()
        return QPointF(rect.x() + point[0] * k, rect.y() + point[1] * k)

    def start(self, shape: Shape) -> None:
        self.drawing = shape
        self.shapes.append(shape)
        self.selected = shape
        self.setFocus()
        self.update()

    def finish(self) -> None:
        shape = self.drawing
        if shape is None:
            return
        if shape.kind == "zone" and len(shape.points) < 3:
            return
        shape.closed = True
        self.drawing = None
        self.sig_finished.emit()
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if self.drawing is None or event.button() != Qt.MouseButton.LeftButton:
            return
        point = self.to_frame(event.position())
        if point is None:
            return
        self.drawing.points.append(point)
        if self.drawing.kind == "line" and len(self.drawing.points) == 2:
            self.finish()
        self.update()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if self.drawing is not None and self.drawing.kind == "zone":
            self.finish()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.finish()
        elif event.key() == Qt.Key.Key_Escape and self.drawing is not None:
            self.shapes.remove(self.drawing)
            self.drawing = None
            self.sig_finished.emit()
            self.update()
        else:
            super().keyPressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#1e1f22"))
        p.drawImage(self.image_rect(), self.image)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        zone_index = 0
        for shape in self.shapes:
            width = 3 if shape is self.selected else 2
            pts = [self.to_widget(pt) for pt in shape.points]
            if shape.kind == "zone":
                colour = QColor(ZONE_COLOURS[zone_index % len(ZONE_COLOURS)])
                zone_index += 1
                p.setPen(QPen(colour, width))
                fill = QColor(colour)
                fill.setAlpha(50 if shape.closed else 20)
                p.setBrush(fill)
                if shape.closed:
                    p.drawPolygon(QPolygonF(pts))
                elif len(pts) > 1:
                    p.drawPolyline(QPolygonF(pts))
            else:
                p.setPen(QPen(QColor("#ef4444"), width + 1))
                if len(pts) == 2:
                    p.drawLine(pts[0], pts[1])
            p.setBrush(QColor("#ffffff"))
            for pt in pts:
                p.drawEllipse(pt, 3, 3)
            if pts:
                p.setPen(QColor("#ffffff"))
                p.drawText(pts[0] + QPointF(6, -6), shape.name)
        p.end()


class ZoneEditorDialog(QDialog):
    """Edit one camera's zones and lines; ``result_setup`` holds the accepted setup."""

    def __init__(self, preview: np.ndarray, preview_scale: float, setup: CameraSetup,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setup = setup
        self.result_setup: CameraSetup | None = None
        self.setWindowTitle(self.tr("Zones and lines — %1").replace("%1", setup.camera.name))
        self.canvas = ZoneCanvas(preview, preview_scale)
        for z in setup.zones:
            self.canvas.shapes.append(Shape("zone", z.name, list(z.polygon), z.kind, z.capacity or 0, z.in_lobby, True))
        for ln in setup.lines:
            self.canvas.shapes.append(Shape("line", ln.name, [ln.a, ln.b], closed=True))
        self.list = QListWidget()
        self.new_zone = QPushButton(self.tr("New zone"))
        self.new_line = QPushButton(self.tr("New line"))
        self.delete = QPushButton(self.tr("Delete"))
        self.name = QLineEdit()
        self.zone_kind = QComboBox()
        for kind in ZoneKind:
            self.zone_kind.addItem(labels.zone_kind(kind), kind.value)
        self.capacity = QSpinBox()
        self.capacity.setRange(0, 5000)
        self.capacity.setSpecialValueText(self.tr("not set"))
        self.in_lobby = QCheckBox(self.tr("Part of the lobby"))
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b91c1c")
        self.error.setWordWrap(True)

        props = QFormLayout()
        props.addRow(self.tr("Name"), self.name)
        props.addRow(self.tr("Kind"), self.zone_kind)
        props.addRow(self.tr("Capacity"), self.capacity)
        props.addRow("", self.in_lobby)
        side = QVBoxLayout()
        row = QHBoxLayout()
        for b in (self.new_zone, self.new_line, self.delete):
            row.addWidget(b)
        side.addLayout(row)
        side.addWidget(self.list)
        side.addLayout(props)
        side.addWidget(self.hint)
        side.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        side.addWidget(buttons)
        layout = QHBoxLayout(self)
        layout.addWidget(self.canvas, 3)
        layout.addLayout(side, 1)

        self.new_zone.clicked.connect(self.start_zone)
        self.new_line.clicked.connect(self.start_line)
        self.delete.clicked.connect(self.delete_selected)
        self.list.currentRowChanged.connect(self._select)
        self.name.textEdited.connect(self._edit_name)
        self.zone_kind.currentIndexChanged.connect(self._edit_props)
        self.capacity.valueChanged.connect(self._edit_props)
        self.in_lobby.toggled.connect(self._edit_props)
        self.canvas.sig_finished.connect(self._refresh_list)
        self._refresh_list()
        self.hint.setText(self.tr("Choose New zone or New line, then click on the picture."))

    def _unique(self, base: str) -> str:
        names = {s.name for s in self.canvas.shapes}
        n = 1
        while f"{base}{n}" in names:
            n += 1
        return f"{base}{n}"

    @Slot()
    def start_zone(self) -> None:
        self.canvas.finish()
        self.canvas.start(Shape("zone", self._unique("zone")))
        self.hint.setText(self.tr("Click the zone's corners; double-click or press Enter to close it."))
        self._refresh_list()

    @Slot()
    def start_line(self) -> None:
        self.canvas.finish()
        self.canvas.start(Shape("line", self._unique("line")))
        self.hint.setText(self.tr("Click the line's two ends. People crossing to the right-hand side, seen from "
                                  "the first end looking at the second, count as in."))
        self._refresh_list()

    @Slot()
    def delete_selected(self) -> None:
        shape = self.canvas.selected
        if shape is None:
            return
        self.canvas.shapes.remove(shape)
        if self.canvas.drawing is shape:
            self.canvas.drawing = None
        self.canvas.selected = None
        self._refresh_list()
        self.canvas.update()

    @Slot()
    def _refresh_list(self) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for shape in self.canvas.shapes:
            what = self.tr("zone") if shape.kind == "zone" else self.tr("line")
            self.list.addItem(f"{shape.name} ({what})")
        if self.canvas.selected in self.canvas.shapes:
            self.list.setCurrentRow(self.canvas.shapes.index(self.canvas.selected))
        self.list.blockSignals(False)
        self._show_props()

    @Slot(int)
    def _select(self, row: int) -> None:
        self.canvas.selected = self.canvas.shapes[row] if 0 <= row < len(self.canvas.shapes) else None
        self._show_props()
        self.canvas.update()

    def _show_props(self) -> None:
        shape = self.canvas.selected
        for w in (self.name, self.zone_kind, self.capacity, self.in_lobby):
            w.blockSignals(True)
        self.name.setText(shape.name if shape else "")
        is_zone = shape is not None and shape.kind == "zone"
        for w in (self.zone_kind, self.capacity, self.in_lobby):
            w.setEnabled(is_zone)
        if is_zone:
            self.zone_kind.setCurrentIndex(self.zone_kind.findData(shape.zone_kind.value))
            self.capacity.setValue(shape.capacity)
            self.in_lobby.setChecked(shape.in_lobby)
        for w in (self.name, self.zone_kind, self.capacity, self.in_lobby):
            w.blockSignals(False)

    @Slot(str)
    def _edit_name(self, text: str) -> None:
        if self.canvas.selected is not None:
            self.canvas.selected.name = text.strip()
            row = self.canvas.shapes.index(self.canvas.selected)
            self._refresh_list()
            self.list.setCurrentRow(row)
            self.canvas.update()

    @Slot()
    def _edit_props(self) -> None:
        shape = self.canvas.selected
        if shape is not None and shape.kind == "zone":
            shape.zone_kind = ZoneKind(self.zone_kind.currentData())
            shape.capacity = self.capacity.value()
            shape.in_lobby = self.in_lobby.isChecked()

    def build(self) -> CameraSetup | None:
        """The edited setup, or None with the problem shown."""
        self.canvas.finish()
        names: set[str] = set()
        zones: list[ZoneSpec] = []
        lines: list[LineRecord] = []
        for shape in self.canvas.shapes:
            if not shape.name:
                self.error.setText(self.tr("Every zone and line needs a name."))
                return None
            if shape.name in names:
                self.error.setText(self.tr("The name %1 is used twice.").replace("%1", shape.name))
                return None
            names.add(shape.name)
            if shape.kind == "zone":
                if len(shape.points) < 3 or not shape.closed:
                    self.error.setText(self.tr("Zone %1 needs at least three points.").replace("%1", shape.name))
                    return None
                zones.append(ZoneSpec(name=shape.name, kind=shape.zone_kind, polygon=tuple(shape.points),
                                      capacity=shape.capacity or None, in_lobby=shape.in_lobby))
            else:
                if len(shape.points) != 2 or shape.points[0] == shape.points[1]:
                    self.error.setText(self.tr("Line %1 needs two different ends.").replace("%1", shape.name))
                    return None
                lines.append(LineRecord(name=shape.name, a=shape.points[0], b=shape.points[1]))
        s = self.setup
        return CameraSetup(camera=s.camera, zones=tuple(zones), lines=tuple(lines), roi=s.roi,
                           analysis_fps=s.analysis_fps, calibration=s.calibration)

    def accept(self) -> None:
        setup = self.build()
        if setup is None:
            return
        self.result_setup = setup
        super().accept()
