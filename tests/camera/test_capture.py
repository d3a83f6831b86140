"""Sources and the capture thread against real footage and a real MJPEG server on 127.0.0.1."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from camera.capture import CaptureWorker, LatestFrameMailbox
from camera.credentials import mask_credentials
from camera.frames import Frame
from camera.sources import SourceError, open_source, parse_source
from tests.camera.mjpeg_server import MjpegServer, free_port


def wait_for(predicate, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def test_parse_source(tmp_path: Path) -> None:
    assert parse_source("rtsp://u:p@nvr/1").kind == "rtsp"
    assert parse_source("http://cam/mjpg").kind == "http"
    assert parse_source("usb:2").target == "2" and parse_source("0").kind == "usb"
    assert parse_source(str(tmp_path)).kind == "folder"
    for bad, needle in [("", "empty"), ("usb:x", "usb:N"), ("ftp://u:secret@h/x", "unsupported"),
                        (str(tmp_path / "nope.avi"), "no such file")]:
        with pytest.raises(SourceError, match=needle) as err:
            parse_source(bad)
        assert "secret" not in str(err.value)


def test_file_and_folder_sources(shared: Path, tmp_path: Path) -> None:
    video = open_source(str(shared / "datasets" / "pets09-s2l1" / "video.avi"))
    frames = [video.read() for _ in range(3)]
    video.close()
    assert video.fps > 0  # the container's rate (this file's header says 10)
    assert [f.index for f in frames] == [0, 1, 2] and frames[2].t_s == pytest.approx(2 / video.fps)
    assert frames[0].image.shape == (576, 768, 3)
    folder = open_source(str(shared / "datasets" / "mall-train" / "frames"))
    first = folder.read()
    assert first.image.shape == (480, 640, 3) and first.t_s == 0.0
    not_video = tmp_path / "notes.avi"
    not_video.write_text("hello")
    with pytest.raises(SourceError, match="not a video"):
        open_source(str(not_video))
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SourceError, match="no images"):
        open_source(str(empty))


def test_mailbox_keeps_the_newest_and_counts_drops() -> None:
    box = LatestFrameMailbox()
    for i in range(3):
        box.put(Frame(i, i, None))  # type: ignore[arg-type]
    assert box.take(0.01).index == 2 and box.dropped == 2
    assert box.take(0.01) is None


def test_stream_reconnects_and_reports_offline_and_corrupt_frames() -> None:
    port = free_port()
    server = MjpegServer(port=port).start()
    box = LatestFrameMailbox()
    worker = CaptureWorker(server.url, box, name="t", offline_after_s=0.6, backoff_initial_s=0.2, backoff_max_s=0.4)
    worker.start()
    try:
        wait_for(lambda: worker.status().state == "online")
        server.garbage.set()
        wait_for(lambda: worker.status().corrupt_frames >= 1)
        server.stop()
        wait_for(lambda: worker.status().state == "offline", 10)
        assert "retrying" in worker.status().message or "reconnecting" in worker.status().message
        server = MjpegServer(port=port).start()
        wait_for(lambda: worker.status().state == "online", 15)
        assert worker.status().reconnects >= 1
        assert box.take(1.0) is not None
        server.paused.set()  # a stalled stream: stop() must still return promptly
        time.sleep(0.2)
        started = time.monotonic()
        worker.stop()
        assert time.monotonic() - started < 5
    finally:
        worker.stop()
        server.stop()


def test_unreachable_stream_never_leaks_credentials(caplog: pytest.LogCaptureFixture) -> None:
    url = f"http://admin:Pl4nted-Secret@127.0.0.1:{free_port()}/stream"
    states = []
    caplog.set_level(logging.DEBUG)
    worker = CaptureWorker(url, LatestFrameMailbox(), name="x", offline_after_s=0.3, backoff_initial_s=0.1,
                           backoff_max_s=0.2, on_state=states.append)
    worker.start()
    try:
        wait_for(lambda: worker.status().state == "offline")
        wait_for(lambda: worker.status().reconnects >= 1)
    finally:
        worker.stop()
    texts = [s.message for s in states] + [worker.status().message] + [r.getMessage() for r in caplog.records]
    assert texts and not any("Pl4nted-Secret" in t for t in texts)
    assert mask_credentials(url) in worker.status().message or "127.0.0.1" in worker.status().message


def test_a_missing_file_fails_without_retrying(tmp_path: Path) -> None:
    worker = CaptureWorker(str(tmp_path / "gone.avi"), LatestFrameMailbox(), name="f")
    worker.start()
    try:
        wait_for(lambda: worker.status().state == "failed")
        assert "gone.avi" in worker.status().message
    finally:
        worker.stop()
