"""How sure a count is: a calibrated camera's tile shows its count with the calibration's error band, an
uncalibrated one says it may count low in crowds, and the lobby figure carries the cameras' bands combined."""

from __future__ import annotations

import math
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest

from camera.calibration import fit_count_model
from camera.capture import CaptureStatus
from camera.detections import Detections
from camera.scene_features import encode_background
from camera.worker import CameraSnapshot
from console.app.i18n import Translations
from storage.records import CameraSetup, CameraSpec
from widgets.panels.lobby_panel import LobbyPanel

pytestmark = pytest.mark.gui


def calibrated(camera_id: str, spread: float, seed: int) -> tuple[CameraSetup, object]:
    rng = np.random.default_rng(seed)
    truth = rng.integers(15, 45, 20).astype(float)
    raw = np.round(truth * 0.6 + rng.normal(0, spread, 20))
    model = fit_count_model(np.column_stack([raw, raw, raw, rng.normal(size=20), rng.normal(size=20)]), truth)
    model = replace(model, background=encode_background(np.full((60, 80), 120, np.uint8)))  # as calibrate() stores
    return CameraSetup(camera=CameraSpec(camera_id, camera_id, "video.avi", "file"), calibration=model.to_json()), model


def snapshot(camera_id: str, count: float) -> CameraSnapshot:
    return CameraSnapshot(camera_id=camera_id, name=camera_id, status=CaptureStatus("online"), detector="YOLOX-Nano",
                          low_accuracy=False, count=count, zone_counts={}, lobby_count=int(count), line_totals={},
                          dwell={}, tracks=Detections.empty())


def test_tiles_and_the_lobby_figure_carry_the_calibration_error_band(qapp) -> None:
    Translations().install("en")
    (door, door_model), (hall, hall_model) = calibrated("door", 1.0, 1), calibrated("hall", 4.0, 2)
    plain = CameraSetup(camera=CameraSpec("side", "side", "video.avi", "file"))
    panel = LobbyPanel()
    panel.cameras = SimpleNamespace(setups={"door": door, "hall": hall}, has_cameras=True)

    # the band: 80 % of the labelled frames were within it, each predicted without itself
    assert 1 <= door_model.band_people() <= hall_model.band_people()
    status, badge = panel.camera_status_text(snapshot("hall", 31.6))
    assert f"32 ± {hall_model.band_people()} people" in status and badge == ""
    both = math.ceil(math.sqrt(door_model.band_people() ** 2 + hall_model.band_people() ** 2) - 1e-9)
    assert panel.lobby_band() == (both, False)

    panel.cameras = SimpleNamespace(setups={"door": door, "side": plain}, has_cameras=True)
    status, _ = panel.camera_status_text(snapshot("side", 12))
    assert "12 people (uncalibrated)" in status
    assert panel.lobby_band() == (door_model.band_people(), True)
    stale = snapshot("door", 20)
    stale = type(stale)(**{**stale.__dict__, "calibration_stale": True})
    assert panel.camera_status_text(stale)[1] == ("Calibration may be stale: the picture has changed since it was "
                                                  "calibrated")
    # counted by a worker PC: the same band, and the worker's stale calibration reaches the tile
    panel.cameras = SimpleNamespace(setups={"door": door}, has_cameras=True)
    remote = type(stale)(**{**stale.__dict__, "remote": True, "count": 20.0})
    status, badge = panel.camera_status_text(remote)
    assert f"20 ± {door_model.band_people()} people" in status and "worker PC" not in status
    assert badge.startswith("Calibration may be stale")
    panel.cameras = None  # the demo: a simulated count, exact
    assert panel.lobby_band() == (0, False)
    panel.deleteLater()
