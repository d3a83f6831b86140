"""Count calibration for one camera: label a handful of recent frames, fit, compare the error, save.

Labelling: click on each person's head in the picture (a marker is placed and the count goes up; right-click
removes the nearest marker), or type the count. At least four labelled frames are needed; ten or more give a steadier
model. "Fit" shows the frame-count error of the uncalibrated count and of the calibrated one (leave-one-out, so the
figure is honest about frames the model did not see). The static background of the scene features is the median
of every frame the camera kept, labelled or not (camera.calibration.calibrate).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QPointF, QSize, Qt, Signal, Slot
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from camera.calibration import CalibrationError, CalibrationFrame, CountModel, calibrate, load_calibration
from storage.records import CameraSetup
from widgets.video_tile import frame_to_qimage


class HeadCanvas(QWidget):
    """A frame on which clicks mark heads."""

    sig_count = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image = None
        self.marks: list[tuple[float, float]] = []  # preview pixels
        self.setMinimumSize(480, 320)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.CrossCursor)

    def sizeHint(self) -> QSize:
        return QSize(640, 480)

    def set_frame(self, preview: np.ndarray, marks: list[tuple[float, float]]) -> None:
        self.image = frame_to_qimage(preview)
        self.marks = marks
        self.update()

    def _rect(self):
        from PySide6.QtCore import QRectF

        if self.image is None:
            return QRectF()
        size = self.image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        return QRectF((self.width() - size.width()) / 2, (self.height() - size.height()) / 2,
                      size.width(), size.height())

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        rect = self._rect()
        if self.image is None or not rect.contains(event.position()):
            return
        k = rect.width() / self.image.width()
        x, y = (event.position().x() - rect.x()) / k, (event.position().y() - rect.y()) / k
        if event.button() == Qt.MouseButton.LeftButton:
            self.marks.append((x, y))
        elif event.button() == Qt.MouseButton.RightButton and self.marks:
            nearest = min(range(len(self.marks)), key=lambda i: (self.marks[i][0] - x) ** 2 + (self.marks[i][1] - y) ** 2)
            self.marks.pop(nearest)
        self.sig_count.emit(len(self.marks))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#1e1f22"))
        if self.image is not None:
            rect = self._rect()
            p.drawImage(rect, self.image)
            k = rect.width() / self.image.width()
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.setPen(QPen(QColor("#22c55e"), 2))
            for x, y in self.marks:
                p.drawEllipse(QPointF(rect.x() + x * k, rect.y() + y * k), 5, 5)
        p.end()


class CalibrationDialog(QDialog):
    """``result_setup`` holds the camera setup with the fitted model once the user saves it."""

    def __init__(self, setup: CameraSetup, frames: Sequence[CalibrationFrame], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setup = setup
        self.frames = list(frames)
        self.labels: dict[int, int] = {}
        self.marks: dict[int, list[tuple[float, float]]] = {i: [] for i in range(len(self.frames))}
        self.model: CountModel | None = None
        self.result_setup: CameraSetup | None = None
        self.index = 0
        self.setWindowTitle(self.tr("Count calibration — %1").replace("%1", setup.camera.name))
        self.canvas = HeadCanvas()
        self.position = QLabel()
        self.count = QSpinBox()
        self.count.setRange(0, 1000)
        self.use = QPushButton(self.tr("Use this count"))
        self.previous = QPushButton(self.tr("◀ Previous"))
        self.next = QPushButton(self.tr("Next ▶"))
        self.fit_button = QPushButton(self.tr("Fit"))
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.remove_button = QPushButton(self.tr("Remove calibration"))
        self.remove_button.setEnabled(setup.calibration is not None)
        self.remove_button.clicked.connect(self.remove_calibration)

        nav = QHBoxLayout()
        nav.addWidget(self.previous)
        nav.addWidget(self.position)
        nav.addWidget(self.next)
        nav.addStretch(1)
        nav.addWidget(QLabel(self.tr("People in this frame")))
        nav.addWidget(self.count)
        nav.addWidget(self.use)
        bottom = QHBoxLayout()
        bottom.addWidget(self.fit_button)
        bottom.addWidget(self.summary, 1)
        bottom.addWidget(self.remove_button)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        hint = QLabel(self.tr("Click on every person's head (right-click removes a mark), or type the count; then "
                              "'Use this count'. Label at least 4 frames, better 10 or more."))
        hint.setWordWrap(True)
        layout.addWidget(hint)
        layout.addWidget(self.canvas, 1)
        layout.addLayout(nav)
        layout.addLayout(bottom)

        self.canvas.sig_count.connect(self.count.setValue)
        self.use.clicked.connect(self.use_count)
        self.previous.clicked.connect(lambda: self.show_frame(self.index - 1))
        self.next.clicked.connect(lambda: self.show_frame(self.index + 1))
        self.fit_button.clicked.connect(self.fit)
        if self.frames:
            self.show_frame(len(self.frames) - 1)
        else:
            self.summary.setText(self.tr("This camera has no frames to label yet: it keeps one every 10 seconds "
                                         "while it runs."))
            for w in (self.use, self.previous, self.next, self.fit_button):
                w.setEnabled(False)
            return
        self._update_summary()

    def show_frame(self, index: int) -> None:
        if not 0 <= index < len(self.frames):
            return
        self.index = index
        frame = self.frames[index]
        self.canvas.set_frame(frame.preview, self.marks[index])
        self.count.setValue(self.labels.get(index, len(self.marks[index])))
        self.position.setText(self.tr("frame %1 of %2").replace("%1", str(index + 1)).replace("%2", str(len(self.frames))))
        self.previous.setEnabled(index > 0)
        self.next.setEnabled(index < len(self.frames) - 1)

    @Slot()
    def use_count(self) -> None:
        self.labels[self.index] = self.count.value()
        self._update_summary()
        self.show_frame(self.index - 1 if self.index > 0 else self.index)

    def _update_summary(self) -> None:
        if self.model is None:
            self.summary.setText(self.tr("%1 frames labelled.").replace("%1", str(len(self.labels))))
        self.fit_button.setEnabled(len(self.labels) >= 4)

    @Slot()
    def fit(self) -> None:
        indices = sorted(self.labels)
        frames = [self.frames[i] for i in indices]
        counts = np.array([self.labels[i] for i in indices], dtype=float)
        try:
            if any(f.scene is None for f in frames):
                raise CalibrationError(self.tr("Some labelled frames have no picture to measure: close this "
                                               "dialog and label frames the camera kept since."))
            # the frames' features were measured with the camera's detector as it runs now: the same tiling
            current = load_calibration(self.setup.calibration)
            tiles = current.tiles if current is not None else (1, 1)
            size = frames[-1].scene.shape
            self.model = calibrate(np.array([f.features for f in frames]), [f.scene for f in frames], counts,
                                   roi=self.setup.roi, scene_scale=frames[-1].scene_scale, tiles=tiles,
                                   background_from=[f.scene for f in self.frames
                                                    if f.scene is not None and f.scene.shape == size])
        except CalibrationError as exc:
            self.summary.setText(str(exc))
            return
        model = self.model
        rule = self.tr("the mean count") if model.baseline == "mean" else self.tr("the uncalibrated count times one "
                                                                               "factor")
        text = (self.tr("On %1 labelled frames: error %2 people per frame without calibration, %3 with it "
                        "(each frame predicted by a model fitted without it); %4 by the simplest rule (%5).")
                .replace("%1", str(model.frames)).replace("%2", f"{model.mae_before:.2f}")
                .replace("%3", f"{model.fit_mae:.2f}").replace("%4", f"{model.baseline_mae:.2f}")
                .replace("%5", rule))
        if not model.beats_baseline:
            text += " " + self.tr("The fitted model does not count better than that rule, so the rule is saved "
                                  "instead; labelling more frames, quiet and crowded, may give a better model.")
        text += " " + self.tr("Once saved, the camera shows its count as \"N ± %1 people\": 80% of the labelled "
                              "frames were within %1.").replace("%1", str(model.band_people()))
        self.summary.setText(text)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(True)

    def _with_calibration(self, calibration: str | None) -> CameraSetup:
        s = self.setup
        return CameraSetup(camera=s.camera, zones=s.zones, lines=s.lines, roi=s.roi, analysis_fps=s.analysis_fps,
                           calibration=calibration)

    @Slot()
    def remove_calibration(self) -> None:
        self.result_setup = self._with_calibration(None)
        super().accept()

    def accept(self) -> None:
        if self.model is None:
            return
        self.result_setup = self._with_calibration(self.model.to_json())
        super().accept()
