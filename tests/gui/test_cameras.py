"""A real camera (a recorded file replayed as live) in the console: tile, counts, storage, dialogs."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from camera.model_store import ModelStore
from console.app.main_window import MainWindow
from console.domain.records import ZoneSpec
from console.domain.vocabulary import ZoneKind
from storage import repository
from storage.records import CameraSetup, CameraSpec, LineRecord
from widgets.dialogs.camera_dialogs import CameraEditDialog

pytestmark = pytest.mark.gui


def test_camera_feeds_the_lobby(qtbot, demo_context, shared: Path) -> None:
    ModelStore(demo_context.env.data_dir).install(str(shared / "models" / "yolox-nano" / "yolox_nano.onnx"))
    window = MainWindow(demo_context)
    qtbot.addWidget(window)
    window.show()
    plaza = ZoneSpec("plaza", ZoneKind.WAITING, ((0, 300), (768, 300), (768, 576), (0, 576)))
    setup = CameraSetup(camera=CameraSpec("CAM1", "Plaza", str(shared / "datasets" / "pets09-s2l1" / "video.avi"),
                                          "file"),
                        zones=(plaza,), lines=(LineRecord("walkway", (420, 120), (420, 576)),), analysis_fps=10)
    manager = demo_context.cameras
    manager.save(setup)
    qtbot.waitUntil(lambda: "CAM1" in manager.latest and manager.latest["CAM1"].preview is not None, timeout=20_000)
    tile = window.lobby.camera_tiles["CAM1"]
    qtbot.waitUntil(lambda: tile.frames_shown > 0, timeout=10_000)
    assert not window.lobby.tile.isVisible()  # the simulated camera gave way to the real one
    snap = manager.latest["CAM1"]
    assert snap.detector == "YOLOX-Nano" and not snap.low_accuracy
    qtbot.waitUntil(lambda: demo_context.controller.latest is not None
                    and demo_context.controller.latest.cameras_live, timeout=10_000)
    view = demo_context.controller.latest
    assert view.lobby_count == manager.lobby_count()
    assert window.lobby.occupancy_value.text() == str(view.lobby_count)
    # samples are stored for the camera (every 5 s of camera time)
    qtbot.waitUntil(lambda: len(demo_context.controller.camera_series.times) >= 1, timeout=15_000)
    assert demo_context.writer.flush(10)
    now = datetime.now(timezone.utc)
    stored = repository.load_occupancy(demo_context.env.db, "DEMO", now - timedelta(minutes=5), now, camera_id="CAM1")
    assert stored and stored[-1].camera_id == "CAM1"
    assert [c.camera.camera_id for c in repository.load_cameras(demo_context.env.db, "DEMO")] == ["CAM1"]
    # people crossing the walkway line: stored per sample period, summed into "visitors today" on the panel
    controller = demo_context.controller
    qtbot.waitUntil(lambda: controller.visitors + controller.exits > 0, timeout=30_000)
    qtbot.waitUntil(lambda: window.lobby.visitors_label.text().endswith(f": {controller.visitors}"), timeout=5_000)
    assert window.lobby.visitors_label.isVisible()
    assert demo_context.writer.flush(10)
    totals = repository.load_line_totals(demo_context.env.db, "DEMO", now - timedelta(minutes=5))
    assert totals[("CAM1", "walkway")] == (controller.visitors, controller.exits)
    # the waiting area's stay, from the camera's own dwell times in its waiting zone
    snap = manager.latest["CAM1"]
    people, mean_s, longest_s = snap.dwell["plaza"]
    assert manager.dwell_in(ZoneKind.WAITING) == (people, mean_s, longest_s)
    qtbot.waitUntil(lambda: "Waiting area" in window.lobby.dwell_label.text(), timeout=5_000)
    manager.remove("CAM1")
    assert not window.lobby.camera_tiles and window.lobby.tile.isVisible()
    assert "CAM1" not in manager.workers


def test_camera_dialog_validates_the_source(qtbot, demo_context, tmp_path: Path) -> None:
    dialog = CameraEditDialog(demo_context.cameras, None)
    qtbot.addWidget(dialog)
    dialog.camera_id.setText("CAM 1")
    dialog.accept()
    assert dialog.result_setup is None and "Camera id" in dialog.error.text()
    dialog.camera_id.setText("CAM2")
    dialog.source.setText("ftp://admin:secret@nvr/stream")
    dialog.accept()
    assert dialog.result_setup is None and "unsupported" in dialog.error.text()
    assert "secret" not in dialog.error.text()
    dialog.source.setText(str(tmp_path))
    dialog.accept()
    assert dialog.result_setup is not None and dialog.result_setup.camera.kind == "folder"


def test_masked_source_keeps_the_stored_password(qtbot, demo_context) -> None:
    setup = CameraSetup(camera=CameraSpec("NVR1", "Door", "rtsp://admin:Pa55@127.0.0.1:1/x", "rtsp", enabled=False))
    dialog = CameraEditDialog(demo_context.cameras, setup)
    qtbot.addWidget(dialog)
    assert "Pa55" not in dialog.source.text()
    dialog.name.setText("Front door")
    dialog.accept()
    assert dialog.result_setup.camera.source == "rtsp://admin:Pa55@127.0.0.1:1/x"
    assert dialog.result_setup.camera.name == "Front door"
