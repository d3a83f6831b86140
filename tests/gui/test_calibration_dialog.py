"""The calibration dialog: heads clicked on frames become labels, the fitted model is saved with the camera."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from camera.calibration import CalibrationFrame, CountModel
from storage.records import CameraSetup, CameraSpec
from widgets.dialogs.calibration_dialog import CalibrationDialog

pytestmark = pytest.mark.gui


def frames(n: int) -> list[CalibrationFrame]:
    rng = np.random.default_rng(1)
    out = []
    for i in range(n):
        raw = 3 + i
        features = np.array([raw, raw + 1, raw * 0.8, 0.02 * (2 * raw), rng.uniform(0, 0.1)])
        out.append(CalibrationFrame(np.full((240, 320, 3), 60 + i, np.uint8), 0.5, features, raw, datetime.now(UTC)))
    return out


def test_label_fit_and_save(qtbot) -> None:
    setup = CameraSetup(camera=CameraSpec("C1", "Lobby", "video.avi", "file"))
    dialog = CalibrationDialog(setup, frames(6))
    qtbot.addWidget(dialog)
    dialog.resize(900, 600)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert not dialog.fit_button.isEnabled()
    for _ in range(6):
        index = dialog.index
        truth = 2 * (3 + index)  # the people actually in this frame
        rect = dialog.canvas._rect()
        for j in range(truth):
            qtbot.mouseClick(dialog.canvas, Qt.MouseButton.LeftButton,
                             pos=QPoint(int(rect.x() + 10 + 8 * j), int(rect.y() + 20)))
        assert dialog.count.value() == truth
        qtbot.mouseClick(dialog.use, Qt.MouseButton.LeftButton)
    assert dialog.labels == {i: 2 * (3 + i) for i in range(6)}
    qtbot.mouseClick(dialog.fit_button, Qt.MouseButton.LeftButton)
    assert dialog.model is not None and "6 labelled frames" in dialog.summary.text()
    dialog.accept()
    model = CountModel.from_json(dialog.result_setup.calibration)
    assert model.frames == 6 and model.mae_after < model.mae_before
    # the people are twice the detector's count: that rule beats a fitted model, is saved, and the dialog says so
    assert model.kind == "scaled" and "the rule is saved instead" in dialog.summary.text()


def test_without_frames_explains(qtbot) -> None:
    dialog = CalibrationDialog(CameraSetup(camera=CameraSpec("C1", "Lobby", "video.avi", "file")), [])
    qtbot.addWidget(dialog)
    assert "no frames to label yet" in dialog.summary.text()
    assert not dialog.fit_button.isEnabled()
