"""Cameras on a real RTSP server (tests/camera/rtsp_server.py: GStreamer's RTSP server on 127.0.0.1 streaming H.264
encoded from PETS09-S2L1 frames, as a branch's NVR serves its cameras): a live camera and a headless worker count
from it, the counts match those of the same frames read from disk, a restarted server is reconnected to within
10 s, and a stream that stops sending while its session stays open is reported offline."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import time as clock_time
from pathlib import Path

import cv2
import numpy as np
import pytest
import sqlalchemy as sa

from camera.capture import CaptureStatus, CaptureWorker, LatestFrameMailbox
from camera.detectors import load_detector
from camera.frames import Frame
from camera.model_store import ModelStore
from camera.pipeline import CameraPipeline, PipelineConfig
from camera.sources import READ_TIMEOUT_S, open_source
from camera.worker import CameraSnapshot, CameraWorker
from console.domain.records import BranchInfo, CameraHealthEvent
from storage import models as m
from storage.database import open_database
from storage.records import CameraSetup, CameraSpec
from storage.tasks import SaveBranchSetup, SaveCamera
from storage.writer import apply_now
from tests.camera.conftest import RTSP_FPS
from tests.camera.mjpeg_server import free_port
from tests.camera.rtsp_server import RtspServer
from tests.camera.test_capture import wait_for
from tests.conftest import SHARED

ROOT = Path(__file__).resolve().parents[2]
MODEL = SHARED / "models" / "yolox-nano" / "yolox_nano.onnx"
#: PETS09-S2L1 was shot at 7 frames per second: the media time both pipelines of the comparison run on.
PETS_FPS = 7.0
#: The console's lowest setting of cameras.offline_after_s (console/settings.py), so the tests wait little.
OFFLINE_AFTER_S = 2.0
#: The longest a camera may stay dark after its server is back.
RECONNECT_LIMIT_S = 10.0


@pytest.fixture(scope="module")
def model() -> Path:
    if not MODEL.is_file():
        pytest.skip(f"{MODEL} (the YOLOX-Nano detector) is not next to the repository")
    return MODEL


def client_lines(server: RtspServer) -> list[str]:
    return [line for line in server.output if line.startswith("CLIENT ")]


def sessions_open(server: RtspServer) -> int:
    """RTSP connections the server holds open, from what it printed."""
    lines = client_lines(server)
    return sum(line.endswith(" connected") for line in lines) - sum(line.endswith(" closed") for line in lines)


@pytest.mark.slow  # about 3 s: connect, then a few analysed frames
def test_a_live_camera_counts_people_from_an_rtsp_stream(rtsp_server: RtspServer, model: Path) -> None:
    snapshots: list[CameraSnapshot] = []
    health: list[CameraHealthEvent] = []
    lock = threading.Lock()

    def publish(snapshot: CameraSnapshot) -> None:
        with lock:
            snapshots.append(snapshot)

    def counted() -> bool:
        with lock:
            return sum(1 for s in snapshots if s.status is not None and s.status.state == "online"
                       and s.frames_analysed and s.count >= 2) >= 3

    camera = CameraWorker("CAM1", "Plaza", rtsp_server.url, lambda: load_detector(model), PipelineConfig(),
                          publish=publish, on_health=health.append, analysis_fps=5, publish_hz=5,
                          offline_after_s=OFFLINE_AFTER_S)
    try:
        camera.start()
        wait_for(counted, 20, what="three snapshots counting people from the RTSP stream")
    finally:
        stopping = time.monotonic()
        camera.stop()
    assert time.monotonic() - stopping < 6 and not camera.is_alive and not camera.capture.is_running
    snapshot = snapshots[-1]
    assert snapshot.error is None and snapshot.preview is not None and snapshot.preview.shape[1] == 640
    assert "receiving 768x576" in snapshot.status.message and snapshot.status.reconnects == 0
    states = [e.state for e in health]
    assert "online" in states and set(states) <= {"connecting", "online"}, states  # never offline or failed
    assert 2 <= max(s.count for s in snapshots) <= 10  # PETS09's first frames hold 3 to 6 people
    wait_for(lambda: sessions_open(rtsp_server) == 0, 6, what="the RTSP session closed after stop()")


@pytest.mark.slow  # about 8 s: a worker process starting a camera process, then one occupancy sample
def test_a_headless_worker_counts_an_rtsp_camera(rtsp_server: RtspServer, model: Path, tmp_path: Path) -> None:
    """``main.py worker`` with a camera whose source is the RTSP URL: it reports the camera online and writes
    occupancy samples with people counted. The database is a SQLite file (what the worker writes is the same on
    PostgreSQL; tests/cli/test_worker.py runs it against PostgreSQL)."""
    branch = BranchInfo("HZ01", "Hangzhou Wulin", "Asia/Shanghai", clock_time(9), clock_time(17), 60)
    url = f"sqlite:///{tmp_path / 'console.db'}"
    db = open_database(url)
    apply_now(db, SaveBranchSetup(branch=branch),
              SaveCamera(branch.code, CameraSetup(CameraSpec("CAM1", "Door", rtsp_server.url, "rtsp",
                                                             analysed_by="worker"), analysis_fps=5.0)))
    db.close()
    data = tmp_path / "worker"
    ModelStore(data).install(str(model))

    def rows() -> tuple[list, list]:
        db = open_database(url, migrate=False)
        try:
            with db.session() as s:
                return (s.execute(sa.select(m.CameraHealth.camera_id, m.CameraHealth.state, m.CameraHealth.message)
                                  .order_by(m.CameraHealth.at)).all(),
                        s.execute(sa.select(m.OccupancySample.camera_id, m.OccupancySample.count)
                                  .where(m.OccupancySample.zone == "")).all())
        finally:
            db.close()

    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.pop("BRANCH_CONSOLE_DB", None)
    with open(tmp_path / "stderr.txt", "w") as stderr:
        process = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--db", url, "--data-dir", str(data),
                                    "worker", "--branch", branch.code], stdout=subprocess.DEVNULL, stderr=stderr,
                                   env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 40
        while not rows()[1]:  # polled gently: the worker and its camera process share the machine's cores
            assert time.monotonic() < deadline and process.poll() is None, (tmp_path / "stderr.txt").read_text()
            time.sleep(0.25)
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
    health, samples = rows()
    stderr_text = (tmp_path / "stderr.txt").read_text()
    assert ("CAM1", "online", f"{rtsp_server.url}: receiving 768x576") in health, (health, stderr_text)
    assert all(state != "offline" for _, state, _ in health)
    assert all(camera == "CAM1" for camera, _ in samples) and max(count for _, count in samples) >= 2, samples
    assert f"camera CAM1 is online: {rtsp_server.url}: receiving 768x576" in stderr_text
    wait_for(lambda: sessions_open(rtsp_server) == 0, 5, what="the worker's RTSP session closed")


@pytest.mark.slow  # about 5 s: 60 frames read from the stream, then 60 frames through each of two pipelines
def test_counts_from_the_rtsp_stream_match_the_frames_on_disk(rtsp_server: RtspServer, rtsp_frames: Path,
                                                              model: Path) -> None:
    """The pipeline counts the RTSP stream as it counts the same frames read from the folder.

    Both pipelines get frames 0-59 with the same media time (index ÷ 7 fps, PETS09's rate), so only the pixels
    differ: H.264 at 2 Mbit/s against JPEG at quality 95 (32-36 dB PSNR), enough to move a box or a confidence a
    little. Tolerance: the mean absolute difference of the per-frame counts below 0.5 person and the mean counts
    within 0.5 person (measured: 0.07 and 0.0 over these 60 frames; 0.14 and 0.1 over 100). Each stream frame is
    first checked to be the folder frame of the same number (PSNR > 30 dB; a neighbouring frame gives about 25), so
    a dropped or repeated frame fails the test instead of blurring the comparison.
    """
    frames = 60
    source = open_source(rtsp_server.url)  # a new session: the server starts it at frame 0
    try:
        streamed = [source.read() for _ in range(frames)]
    finally:
        source.close()
    folder = open_source(str(rtsp_frames), fps=PETS_FPS)
    try:
        on_disk = [folder.read() for _ in range(frames)]
    finally:
        folder.close()
    assert all(f is not None for f in streamed + on_disk)
    psnr = [cv2.PSNR(a.image, b.image) for a, b in zip(streamed, on_disk)]
    assert min(psnr) > 30, f"stream frames are not the folder's frames of the same number: PSNR {min(psnr):.1f} dB"

    def counts(images: list[np.ndarray]) -> np.ndarray:
        pipeline = CameraPipeline(load_detector(model), PipelineConfig())
        return np.array([pipeline.process(Frame(index=i, t_s=i / PETS_FPS, image=image)).count
                         for i, image in enumerate(images)], dtype=float)

    live = counts([f.image for f in streamed])
    disk = counts([f.image for f in on_disk])
    assert disk.mean() >= 3  # the detector sees the walkers (3 to 6 per frame here): not a comparison of zeros
    mae = float(np.abs(live - disk).mean())
    print(f"RTSP vs disk over {frames} frames: mean {live.mean():.2f} vs {disk.mean():.2f}, MAE {mae:.2f}, "
          f"PSNR {min(psnr):.1f}-{max(psnr):.1f} dB")
    assert mae < 0.5, (live.tolist(), disk.tolist())
    assert abs(live.mean() - disk.mean()) < 0.5


@pytest.mark.slow  # about 6 s: connect, 2.5 s without a server, reconnect
def test_capture_is_online_again_within_10_s_of_the_server_restarting(rtsp_frames: Path) -> None:
    """The server process ends (every connection drops) and starts again on the same port 2.5 s later. The capture,
    with the console's reconnection settings (only offline_after_s lowered), goes offline, retries, and is online
    again within 10 s of the server listening. Any outage is covered: the longest wait between two attempts
    (``backoff_max_s``) plus the time an RTSP open takes (measured at the first connection) stays below 10 s."""
    port = free_port()
    server = RtspServer(port, rtsp_frames, fps=RTSP_FPS).start()
    states: list[CaptureStatus] = []
    box = LatestFrameMailbox()
    worker = CaptureWorker(server.url, box, name="nvr", offline_after_s=OFFLINE_AFTER_S, on_state=states.append)
    try:
        started = time.monotonic()
        worker.start()
        wait_for(lambda: worker.status().state == "online", 15, what="online")
        open_s = time.monotonic() - started
        server.stop()
        gone_at = time.monotonic()
        wait_for(lambda: worker.status().state == "offline", OFFLINE_AFTER_S + 5, what="offline")
        wait_for(lambda: "cannot be opened" in worker.status().message, 5, what="a refused attempt")
        time.sleep(max(0.0, gone_at + 2.5 - time.monotonic()))
        attempts_while_down = worker.status().reconnects
        server.start()
        back_at = time.monotonic()
        frames_before = worker.status().frames_read
        wait_for(lambda: worker.status().state == "online", RECONNECT_LIMIT_S, what="online again within 10 s")
        reconnect_s = time.monotonic() - back_at
        wait_for(lambda: worker.status().frames_read > frames_before + 10, 5, what="frames after the reconnection")
        status = worker.status()
    finally:
        worker.stop()
        server.close()
    print(f"RTSP open {open_s:.2f} s; online again {reconnect_s:.2f} s after the server was back")
    assert attempts_while_down >= 1 and status.reconnects > attempts_while_down
    assert status.state == "online" and "receiving 768x576" in status.message
    sequence = [s.state for i, s in enumerate(states) if i == 0 or s.state != states[i - 1].state]
    assert sequence[-2:] == ["offline", "online"] and sequence.count("online") == 2, sequence
    assert worker.backoff_max_s + open_s < RECONNECT_LIMIT_S, (worker.backoff_max_s, open_s)


@pytest.mark.slow  # about 6 s and 9 s: connect, offline_after_s of silence, recover
@pytest.mark.parametrize("offline_after_s", [OFFLINE_AFTER_S, READ_TIMEOUT_S + 1.0],
                         ids=["watchdog-first", "read-timeout-first"])
def test_a_stalled_rtsp_stream_is_reported_offline(rtsp_frames: Path, offline_after_s: float) -> None:
    """The server stops sending frames; the RTSP session and its TCP connection stay open (a frozen camera). The
    camera is offline ``offline_after_s`` after the last frame (give or take a watchdog period), and no frame is
    counted after the stall. Below the stream's read timeout (``READ_TIMEOUT_S``, 4 s) the watchdog notices first,
    while the session is still open, and closes the stream; above it (the console's default is 10 s) the read times
    out first and the stream is reopened — the frames FFMPEG's decoder held back and releases on that timeout must
    not count as pictures, or the camera would stay online a read timeout longer per frame. When frames flow again
    the camera is online again."""
    server = RtspServer(free_port(), rtsp_frames, fps=RTSP_FPS).start()  # its own: stalling it disturbs no test
    worker = CaptureWorker(server.url, LatestFrameMailbox(), name="frozen", offline_after_s=offline_after_s)
    try:
        worker.start()
        wait_for(lambda: worker.status().state == "online", 15, what="online")
        wait_for(lambda: worker.status().frames_read >= 40, 5, what="frames flowing")  # the opening burst is over
        server.stall()
        stalled_at = time.monotonic()
        time.sleep(1.0)  # frames already on their way have arrived
        frames_at_stall = worker.status().frames_read
        open_while_silent = sessions_open(server)  # before the watchdog or the read timeout can act
        wait_for(lambda: worker.status().state == "offline", offline_after_s + 3, what="offline")
        offline_s = time.monotonic() - stalled_at
        status = worker.status()
        server.resume()
        wait_for(lambda: worker.status().state == "online", 15, what="online again")
        recovered = worker.status()
    finally:
        worker.stop()
        server.close()
    print(f"stalled stream offline after {offline_s:.2f} s (offline_after_s {offline_after_s:g} s)")
    assert open_while_silent == 1  # still connected: a stall, not a dropped connection
    assert offline_after_s - 0.3 <= offline_s <= offline_after_s + 1.0
    assert f"no picture for {offline_after_s:.0f} s" in status.message
    assert status.frames_read == frames_at_stall  # nothing counted as a picture after the stall
    if offline_after_s < READ_TIMEOUT_S:
        assert status.reconnects == 0  # the watchdog, not a failed read, noticed the silence
    assert recovered.reconnects >= 1 and "receiving 768x576" in recovered.message
