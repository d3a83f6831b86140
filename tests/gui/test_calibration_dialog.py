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


def frames(n: int, scenes: bool = True) -> list[CalibrationFrame]:
    """Frames whose detector counted 3, 4, … people of twice as many, each with a grey working picture showing the
    true number of dark 8×16 px people on a plain floor."""
    rng = np.random.default_rng(1)
    out = []
    for i in range(n):
        raw = 3 + i
        features = np.array([raw, raw + 1, raw * 0.8])
        scene = np.full((120, 160), 120, np.uint8)
        for j in range(2 * raw):
            x, y = int(rng.integers(0, 150)), int(rng.integers(0, 100))
            scene[y:y + 16, x:x + 8] = 30
        out.append(CalibrationFrame(np.full((240, 320, 3), 60 + i, np.uint8), 0.5, features, raw, datetime.now(UTC),
                                    scene=scene if scenes else None, scene_scale=0.5))
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
    assert f"N ± {model.band_people()} people" in dialog.summary.text()


def test_frames_without_a_picture_to_measure_are_explained(qtbot) -> None:
    dialog = CalibrationDialog(CameraSetup(camera=CameraSpec("C1", "Lobby", "video.avi", "file")),
                               frames(5, scenes=False))
    qtbot.addWidget(dialog)
    dialog.labels = {i: 2 * (3 + i) for i in range(5)}
    dialog.fit()
    assert dialog.model is None and "no picture to measure" in dialog.summary.text()
    assert not dialog.buttons.button(dialog.buttons.StandardButton.Save).isEnabled()


def test_without_frames_explains(qtbot) -> None:
    dialog = CalibrationDialog(CameraSetup(camera=CameraSpec("C1", "Lobby", "video.avi", "file")), [])
    qtbot.addWidget(dialog)
    assert "no frames to label yet" in dialog.summary.text()
    assert not dialog.fit_button.isEnabled()
