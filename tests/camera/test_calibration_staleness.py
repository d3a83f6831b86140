"""A calibrated camera whose picture drifts from its calibration's says so through its health events, so a headless
worker's staleness reaches the console like any state: the worker reports each change once while online, again after
a reconnection, and the console's snapshot of a camera counted by a worker carries the flag."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from camera.capture import CaptureStatus
from camera.pipeline import PipelineConfig
from camera.worker import CALIBRATION_STALE, CameraWorker
from console.app.camera_manager import CameraManager
from console.domain.records import CameraHealthEvent
from storage.records import CameraSetup, CameraSpec


def test_the_worker_reports_each_change_of_staleness_while_online() -> None:
    events: list[tuple[str, str]] = []
    worker = CameraWorker("C1", "Hall", "video.avi", lambda: None, PipelineConfig(), publish=lambda s: None,
                          on_health=lambda e: events.append((e.state, e.message)))
    worker._report_calibration(True)  # not online yet: nothing to say
    worker._health("online", "")
    worker._report_calibration(False)  # a fitting calibration is no news
    worker._report_calibration(True)
    worker._report_calibration(True)  # once per change
    worker._report_calibration(False)
    worker._report_calibration(True)
    worker._health("offline", "no frames for 10 s")
    worker._report_calibration(True)  # offline: the state says enough
    worker._health("online", "")
    worker._report_calibration(True)  # back online, still stale: said again, after the "online" that cleared it
    assert events == [("online", ""), ("online", CALIBRATION_STALE), ("online", ""), ("online", CALIBRATION_STALE),
                      ("offline", "no frames for 10 s"), ("online", ""), ("online", CALIBRATION_STALE)]


def test_the_console_shows_a_workers_stale_calibration() -> None:
    now = datetime(2026, 12, 2, 10, tzinfo=UTC)
    manager = SimpleNamespace(setups={"C1": CameraSetup(camera=CameraSpec("C1", "Hall", "rtsp://nvr/1", "rtsp"))},
                              _remote_counts={"C1": (now - timedelta(seconds=5), 23, {})}, offline_after_s=10.0)

    def snapshot(message: str):
        return CameraManager._remote_snapshot(manager, "C1", CameraHealthEvent("C1", now, "online", message), now)

    stale = snapshot(CALIBRATION_STALE)
    assert stale.calibration_stale and stale.status == CaptureStatus("online", message="") and stale.lobby_count == 23
    assert not snapshot("").calibration_stale
    offline = CameraManager._remote_snapshot(manager, "C1", CameraHealthEvent("C1", now, "offline", "x"), now)
    assert not offline.calibration_stale
