"""A crowding alert in words names the camera figures the lobby count rests on, with how sure each one is, in
English and Chinese; the camera manager gives those figures from the cameras online."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from camera.capture import CaptureStatus
from console.app.i18n import Translations
from console.domain.alert_measures import CameraFigure, crowding_detail
from console.domain.records import AlertRecord
from console.domain.vocabulary import AlertSeverity, AlertState
from widgets.alert_words import describe

pytestmark = pytest.mark.gui


def alert(detail: str) -> AlertRecord:
    return AlertRecord(None, "crowding.warning", AlertSeverity.WARNING, AlertState.RAISED, "lobby", "",
                       datetime(2026, 12, 2, 10, tzinfo=UTC), value=97.5, threshold=80, detail=detail)


def test_crowding_alert_words_give_each_camera_figure(qapp) -> None:
    detail = crowding_detail(39, 40, (CameraFigure("Entrance", 20, 2), CameraFigure("Hall", 14),
                                      CameraFigure("Side", 5, 1, stale=True)))
    translations = Translations()  # the one that installs Chinese must remove it
    translations.install("en")
    try:
        assert describe(alert(detail)) == (
            "Lobby crowded: 98% of capacity (39/40), threshold 80% — counted by: Entrance 20 ± 2, "
            "Hall 14 (uncalibrated, may count low), Side 5 ± 1 (calibration may be stale)")
        assert describe(alert("39/40")) == "Lobby crowded: 98% of capacity (39/40), threshold 80%"
        translations.install("zh_CN")
        chinese = describe(alert(detail))
        assert "Entrance 20 ± 2" in chinese and "未校准" in chinese and "counted by" not in chinese
    finally:
        translations.install("en")


def test_the_camera_manager_gives_the_figures_of_the_cameras_online() -> None:
    import numpy as np

    from camera.calibration import calibrate
    from console.app.camera_manager import CameraManager
    from storage.records import CameraSetup, CameraSpec
    from tests.camera.test_calibration import crowd_scenes

    scenes, truth = crowd_scenes(12, seed=3)
    model = calibrate(np.column_stack([truth, truth, truth]), scenes, truth, roi=None, scene_scale=1.0)
    setups = {"C1": CameraSetup(camera=CameraSpec("C1", "Entrance", "a.avi", "file"), calibration=model.to_json()),
              "C2": CameraSetup(camera=CameraSpec("C2", "Hall", "b.avi", "file")),
              "C3": CameraSetup(camera=CameraSpec("C3", "Side", "c.avi", "file"))}

    def snap(n: int, state: str, stale: bool = False):
        return SimpleNamespace(status=CaptureStatus(state), lobby_count=n, calibration_stale=stale)

    manager = SimpleNamespace(setups=setups, latest={"C1": snap(20, "online", stale=True), "C2": snap(14, "online"),
                                                     "C3": snap(0, "offline")})
    figures = CameraManager.lobby_figures(manager)
    assert figures == (CameraFigure("Entrance", 20, model.band_people(), stale=True), CameraFigure("Hall", 14))
