"""A camera analysed in a child process: the same snapshots, samples and health as in-process, log records of the
child reach the console's log, and a child that dies is reported and started again."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import pytest

import camera.process as camera_process
from camera.model_store import DetectorRecipe, ModelStore
from camera.pipeline import LineSpec, PipelineConfig
from camera.process import CameraProcess
from console.domain.records import CameraHealthEvent
from tests.camera.test_capture import wait_for


@pytest.fixture
def recipe(tmp_path: Path, shared: Path) -> DetectorRecipe:
    ModelStore(tmp_path).install(str(shared / "models" / "yolox-nano" / "yolox_nano.onnx"))
    return DetectorRecipe(str(tmp_path), None, threads=1)


def test_camera_process_delivers_and_restarts_after_a_crash(recipe: DetectorRecipe, shared: Path,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(camera_process, "RESTART_AFTER_S", 0.5)
    caplog.set_level(logging.INFO)
    snapshots = []
    health: list[CameraHealthEvent] = []
    lock = threading.Lock()

    def on_health(event: CameraHealthEvent) -> None:
        with lock:
            health.append(event)

    config = PipelineConfig(lines=(LineSpec("walkway", (420, 120), (420, 576)),))
    worker = CameraProcess("C1", "Plaza", str(shared / "datasets" / "pets09-s2l1" / "video.avi"), recipe, config,
                           publish=snapshots.append, on_health=on_health, analysis_fps=5)
    try:
        worker.start()
        wait_for(lambda: len(snapshots) >= 5 and snapshots[-1].preview is not None, 30, what="snapshots")
        snap = snapshots[-1]
        assert snap.detector == "YOLOX-Nano" and snap.camera_id == "C1" and "walkway" in snap.line_totals
        assert snap.preview.shape[1] == 640 and worker.frames_analysed >= 5
        assert [e.state for e in health][:1] == ["online"]
        assert any("camera C1 is online" in r.getMessage() for r in caplog.records)  # the child's log record
        first_pid = worker._process.pid
        worker._process.kill()  # a crash in native code
        wait_for(lambda: any(e.state == "failed" for e in health), 10, what="failure reported")
        failed = next(e for e in health if e.state == "failed")
        assert "ended unexpectedly" in failed.message
        count = len(snapshots)
        wait_for(lambda: len(snapshots) > count + 3, 30, what="snapshots after the restart")
        assert worker._process.pid != first_pid and worker.restarts == 1
        assert health[-1].state == "online"
    finally:
        started = time.monotonic()
        worker.stop()
    assert time.monotonic() - started < 5 and not worker.is_alive
    assert not worker._process.is_alive()
