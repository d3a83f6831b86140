"""Alert snapshots in a running console: with snapshots on, a crowding alert saves one head-blurred still per camera
that sees the lobby and the Alerts panel shows its path; off (the default), nothing is written anywhere.

The camera is a real frame of the evaluation footage with the real detector's boxes, handed to the console's camera
manager as its camera process would (a ``CameraSnapshot`` with a 640-pixel preview), so the test needs no video
process; the alert comes from the running alert service on the demo branch's clock."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from camera.detectors.onnx import OnnxDetector
from camera.privacy import JPEG_QUALITY, blur_heads, head_regions
from camera.worker import CameraSnapshot
from console.alerts.snapshots import still_of
from console.app.main_window import MainWindow
from console.domain.alert_engine import Level, RuleKind, RuleSpec
from console.domain.vocabulary import AlertSeverity
from storage import repository
from storage.alert_snapshots import load_alert_snapshots
from storage.records import CameraSetup, CameraSpec

pytestmark = pytest.mark.gui

RULE = RuleSpec("crowding-snap", RuleKind.CROWDING, (Level(AlertSeverity.WARNING, 1, 0.5),), scope="lobby",
                sustain_s=0, clear_sustain_s=600)


@pytest.fixture
def snapshots_on(isolated_data_dir: Path) -> Path:
    isolated_data_dir.mkdir(parents=True, exist_ok=True)
    (isolated_data_dir / "settings.toml").write_text("[privacy]\nsnapshots = true\n")
    return isolated_data_dir / "snapshots"


def camera_snapshot(shared: Path) -> CameraSnapshot:
    cap = cv2.VideoCapture(str(shared / "datasets" / "pets09-s2l1" / "video.avi"))
    for _ in range(100):
        ok, image = cap.read()
        assert ok
    cap.release()
    detector = OnnxDetector(shared / "models" / "yolox-nano" / "yolox_nano.onnx")
    found = detector.detect(image)
    tracks = found.filter(found.confidence >= detector.track_threshold)
    scale = 640 / image.shape[1]
    preview = cv2.resize(image, (640, round(image.shape[0] * scale)), interpolation=cv2.INTER_AREA)
    return CameraSnapshot(camera_id="CAM1", name="Plaza", status=None, detector=detector.name, low_accuracy=False,
                          count=float(len(tracks)), zone_counts={}, lobby_count=len(tracks), line_totals={},
                          dwell={}, tracks=tracks, preview=preview, preview_scale=scale, detections=found)


def add_camera(context, snap: CameraSnapshot) -> None:
    """The camera as the manager holds it once its process delivers a snapshot (no process is started)."""
    manager = context.cameras
    manager.setups["CAM1"] = CameraSetup(CameraSpec("CAM1", "Plaza", "plaza.avi", "file"))
    manager._on_snapshot(snap)
    assert manager.latest["CAM1"] is snap


def raised(context) -> list:
    return [a for a in repository.load_open_alerts(context.env.db, "DEMO") if a.rule == RULE.rule_id]


def test_a_crowding_alert_saves_a_blurred_still_shown_in_the_panel(qtbot, snapshots_on: Path, demo_context,
                                                                  shared: Path) -> None:
    window = MainWindow(demo_context)
    qtbot.addWidget(window)
    window.show()
    snap = camera_snapshot(shared)
    add_camera(demo_context, snap)
    assert demo_context.alerts.save_rules([*demo_context.alerts.engine.rules.values(), RULE], "tester") is None
    qtbot.waitUntil(lambda: bool(raised(demo_context)), timeout=30_000)
    alert_id = raised(demo_context)[0].alert_id
    qtbot.waitUntil(lambda: alert_id in load_alert_snapshots(demo_context.env.db, [alert_id]), timeout=20_000)
    paths = load_alert_snapshots(demo_context.env.db, [alert_id])[alert_id]
    assert len(paths) == 1  # one camera sees the lobby
    path = Path(paths[0])
    assert path.parent == snapshots_on and path.name.startswith(f"alert-{alert_id}-CAM1-") and path.exists()
    # only the blurred copy was written: byte for byte the JPEG of the preview with every head blurred
    still = still_of(snap)
    blurred = blur_heads(snap.preview, still.people_xyxy)
    ok, expected = cv2.imencode(".jpg", blurred, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    assert ok and path.read_bytes() == expected.tobytes()
    decoded = cv2.imdecode(np.frombuffer(path.read_bytes(), np.uint8), cv2.IMREAD_COLOR)
    h, w = snap.preview.shape[:2]
    for x1, y1, x2, y2 in head_regions(snap.tracks.xyxy * snap.preview_scale, (w, h)):
        grey = [cv2.cvtColor(img[y1:y2, x1:x2], cv2.COLOR_BGR2GRAY) for img in (snap.preview, decoded)]
        before, after = (cv2.Laplacian(g, cv2.CV_64F).var() for g in grey)
        assert after < 0.1 * before
    # the Alerts panel shows where the picture is
    alerts = window.alerts

    def tooltip() -> str:
        row = next((i for i, a in enumerate(alerts.shown) if a.alert_id == alert_id), None)
        return alerts.table.item(row, alerts.COL_WHAT).toolTip() if row is not None else ""

    qtbot.waitUntil(lambda: f"Snapshot: {path}" in tooltip(), timeout=20_000)


def test_with_snapshots_off_nothing_is_written_anywhere(qtbot, demo_context, shared: Path,
                                                         isolated_data_dir: Path, tmp_path: Path) -> None:
    assert not demo_context.env.settings.privacy.snapshots and demo_context.snapshots is None
    add_camera(demo_context, camera_snapshot(shared))
    assert demo_context.alerts.save_rules([*demo_context.alerts.engine.rules.values(), RULE], "tester") is None
    qtbot.waitUntil(lambda: bool(raised(demo_context)), timeout=30_000)
    assert demo_context.writer.flush(10)
    assert repository.count_rows(demo_context.env.db, "alert_snapshot") == 0
    images = [p for p in tmp_path.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png", ".bmp")]
    assert images == [] and not (isolated_data_dir / "snapshots").exists()
