"""A camera that stops sending frames is reported offline after the configured time, and every change of its state
is stored; messages never carry the URL's password. Real MJPEG server on 127.0.0.1, real SQLite file."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from camera.detectors import load_detector
from camera.pipeline import PipelineConfig
from camera.worker import CameraWorker
from console.domain.records import BranchInfo, CameraHealthEvent
from storage.database import open_database
from storage.repository import load_camera_health
from storage.tasks import RecordCameraHealth, SaveBranchSetup
from storage.writer import apply_now
from tests.camera.mjpeg_server import MjpegServer, free_port
from tests.camera.test_capture import wait_for


def test_offline_camera_is_reported_and_recorded(tmp_path: Path) -> None:
    from datetime import time

    db = open_database(f"sqlite:///{tmp_path / 'console.db'}")
    apply_now(db, SaveBranchSetup(branch=BranchInfo(code="B1", name="B", timezone="Asia/Shanghai", opens=time(9),
                                                     closes=time(17), lobby_capacity=30), counters=(), staff=()))
    events: list[CameraHealthEvent] = []
    lock = threading.Lock()

    def on_health(event: CameraHealthEvent) -> None:
        with lock:
            events.append(event)
        apply_now(db, RecordCameraHealth("B1", event))

    port = free_port()
    server = MjpegServer(port=port, auth=("admin", "s3cret-pw")).start()
    url = f"http://admin:s3cret-pw@127.0.0.1:{port}/stream"
    snapshots = []
    worker = CameraWorker("C1", "Door", url, lambda: load_detector(None), PipelineConfig(),
                          publish=snapshots.append, on_health=on_health, analysis_fps=2.0, offline_after_s=2.0)
    started = datetime.now(UTC)
    try:
        worker.start()
        wait_for(lambda: [e.state for e in events][-1:] == ["online"], 10, what="online")
        server.stop()
        gone = datetime.now(UTC)
        wait_for(lambda: [e.state for e in events][-1:] == ["offline"], 10, what="offline")
        offline = events[-1]
        assert timedelta(seconds=1.5) <= offline.at - gone <= timedelta(seconds=4)  # about offline_after_s
        wait_for(lambda: any(s.status is not None and s.status.state == "offline" for s in snapshots), 5,
                 what="offline shown in a snapshot")
        server = MjpegServer(port=port, auth=("admin", "s3cret-pw")).start()
        wait_for(lambda: [e.state for e in events][-1:] == ["online"], 15, what="online again")
    finally:
        worker.stop()
        server.stop()
    stored = load_camera_health(db, "B1", started - timedelta(seconds=1))
    states = [e.state for e in stored]
    important = [s for s in states if s != "connecting"]  # "connecting" comes and goes around (re)connections
    assert important == ["online", "offline", "online"], states
    assert [e.state for e in stored] == [e.state for e in events]  # one row per change, in order
    assert all(e.camera_id == "C1" for e in stored)
    assert all("s3cret-pw" not in e.message for e in stored)
    assert any("no picture for 2 s" in e.message for e in stored if e.state == "offline")
    db.close()


def test_camera_whose_analysis_cannot_start_is_recorded_as_failed(tmp_path: Path) -> None:
    events: list[CameraHealthEvent] = []

    def broken_detector():
        raise RuntimeError("model file /data/models/x.onnx is not a detector")

    server = MjpegServer().start()
    worker = CameraWorker("C2", "Hall", server.url, broken_detector, PipelineConfig(), publish=lambda s: None,
                          on_health=events.append, offline_after_s=2.0)
    try:
        worker.start()
        wait_for(lambda: any(e.state == "failed" for e in events), 10, what="failed")
    finally:
        worker.stop()
        server.stop()
    failed = next(e for e in events if e.state == "failed")
    assert "not a detector" in failed.message
