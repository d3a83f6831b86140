"""The mailbox and the capture thread against a real MJPEG server on 127.0.0.1 and real footage."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from camera.capture import CaptureStatus, CaptureWorker, LatestFrameMailbox
from camera.frames import Frame
from camera.sources import SourceError
from tests.camera.conftest import SECRET
from tests.camera.mjpeg_server import MjpegServer, free_port


@pytest.fixture
def thread_errors(monkeypatch: pytest.MonkeyPatch) -> list[threading.ExceptHookArgs]:
    """Exceptions escaping any thread during the test (there must be none)."""
    errors: list[threading.ExceptHookArgs] = []
    monkeypatch.setattr(threading, "excepthook", errors.append)
    return errors


@pytest.fixture
def workers() -> Iterator[list[CaptureWorker]]:
    """Workers to stop after the test, even when it fails."""
    started: list[CaptureWorker] = []
    yield started
    for worker in started:
        worker.stop()


def wait_for(predicate: Callable[[], bool], timeout_s: float = 5.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.01)
    raise AssertionError(f"{what} not met within {timeout_s} s")


def frame(i: int) -> Frame:
    return Frame(index=i, t_s=i / 10, image=np.zeros((2, 2, 3), np.uint8))


# --- mailbox ---------------------------------------------------------------------------------------------------


def test_mailbox_keeps_the_newest_and_counts_drops() -> None:
    box = LatestFrameMailbox()
    for i in range(3):
        box.put(frame(i))
    assert box.take(0.01).index == 2 and box.dropped == 2 and box.delivered == 1
    box.put(frame(3))
    assert box.take(0.01).index == 3 and box.dropped == 2  # taken before the next one: not a drop
    started = time.monotonic()
    assert box.take(0.1) is None
    assert 0.09 <= time.monotonic() - started < 0.5


def test_mailbox_take_wakes_when_a_frame_arrives() -> None:
    box = LatestFrameMailbox()
    putter = threading.Timer(0.1, box.put, args=(frame(7),))
    putter.start()
    started = time.monotonic()
    got = box.take(5.0)
    putter.join()
    assert got is not None and got.index == 7 and time.monotonic() - started < 1.0


def test_mailbox_counts_every_frame_under_contention() -> None:
    box = LatestFrameMailbox()
    taken: list[int] = []
    done = threading.Event()

    def consume() -> None:
        while not done.is_set() or box._frame is not None:
            f = box.take(0.01)
            if f is not None:
                taken.append(f.index)

    consumer = threading.Thread(target=consume)
    consumer.start()
    for i in range(2000):
        box.put(frame(i))
    done.set()
    consumer.join()
    assert len(taken) + box.dropped == 2000 and taken == sorted(taken)


# --- a live MJPEG camera ---------------------------------------------------------------------------------------


def test_frames_arrive_with_a_measured_rate(workers: list[CaptureWorker], thread_errors: list) -> None:
    with MjpegServer(fps=25) as server:
        box = LatestFrameMailbox()
        states: list[CaptureStatus] = []
        worker = CaptureWorker(server.url, box, name="lobby", on_state=states.append)
        workers.append(worker)
        worker.start()
        assert {t.name for t in threading.enumerate()} >= {"capture-lobby", "capture-lobby-watchdog"}
        wait_for(lambda: worker.status().state == "online", what="online")
        first = box.take(2.0)
        assert first is not None and first.image.shape == (120, 160, 3)
        assert first.t_s <= time.monotonic()  # live frames carry the monotonic clock
        before, t0, notified = worker.status().frames_read, time.monotonic(), len(states)
        time.sleep(1.5)
        status = worker.status()
        rate = (status.frames_read - before) / (time.monotonic() - t0)  # independent: frames counted / time
        assert status.fps_measured == pytest.approx(rate, rel=0.25) and 15 < rate < 30
        assert status.frames_dropped == box.dropped > 0  # nobody took the frames: each one replaced the last
        assert status.last_frame_at is not None and time.monotonic() - status.last_frame_at < 0.5
        assert "receiving 160x120" in status.message
        # on_state: every state change, otherwise at most once a second (about 37 frames came meanwhile)
        assert {s.state for s in states} <= {"connecting", "online"} and states[-1].state == "online"
        assert 1 <= len(states) - notified <= 2
    worker.stop()
    assert not worker.is_running and not thread_errors


def test_garbage_part_is_counted_and_capture_goes_on(workers: list[CaptureWorker]) -> None:
    with MjpegServer() as server:
        worker = CaptureWorker(server.url, LatestFrameMailbox(), name="g")
        workers.append(worker)
        worker.start()
        wait_for(lambda: worker.status().frames_read >= 3, what="first frames")
        server.inject_garbage()
        wait_for(lambda: worker.status().corrupt_frames >= 1, what="corrupt part counted")
        after = worker.status().frames_read
        wait_for(lambda: worker.status().frames_read >= after + 5, what="frames after the garbage")
        status = worker.status()
        assert status.state == "online" and status.reconnects == 0 and status.corrupt_frames == 1


def test_server_gone_goes_offline_then_reconnects_on_the_same_port(workers: list[CaptureWorker],
                                                                  thread_errors: list) -> None:
    port = free_port()
    server = MjpegServer(port=port).start()
    states: list[str] = []
    box = LatestFrameMailbox()
    worker = CaptureWorker(server.url, box, name="door", offline_after_s=0.5, backoff_initial_s=0.1,
                           backoff_max_s=0.2, on_state=lambda s: states.append(s.state))
    workers.append(worker)
    try:
        worker.start()
        wait_for(lambda: worker.status().state == "online", what="online")
        server.stop()
        gone_at = time.monotonic()
        wait_for(lambda: worker.status().state == "offline", 3, what="offline")
        status = worker.status()
        assert 0.4 <= time.monotonic() - gone_at < 1.5  # offline_after_s after the last frame, not much later
        wait_for(lambda: "retrying in" in worker.status().message, 2, what="retry message")
        assert "connection refused" in worker.status().message
        reconnects_while_down = worker.status().reconnects
        assert reconnects_while_down >= 1
        server = MjpegServer(port=port).start()
        wait_for(lambda: worker.status().state == "online", 3, what="online again")
        status = worker.status()
        assert status.reconnects >= reconnects_while_down and "receiving" in status.message
        frames_before = status.frames_read
        got = box.take(1.0)
        assert got is not None and got.index >= frames_before - 1  # indexes run on across the reconnection
        assert states[:1] == ["online"] and "offline" in states and states[-1] == "online"
    finally:
        worker.stop()
        server.stop()
    assert not thread_errors


def test_dropped_connection_reconnects_quickly(workers: list[CaptureWorker]) -> None:
    with MjpegServer() as server:
        worker = CaptureWorker(server.url, LatestFrameMailbox(), name="k", offline_after_s=5, backoff_initial_s=0.05)
        workers.append(worker)
        worker.start()
        wait_for(lambda: worker.status().frames_read >= 2, what="frames")
        server.kill_connections()
        wait_for(lambda: worker.status().reconnects >= 1, 3, what="reconnect")
        count = worker.status().frames_read
        wait_for(lambda: worker.status().frames_read > count + 3, 3, what="frames after reconnecting")
        assert server.requests >= 2 and worker.status().state == "online"


def test_stalled_stream_goes_offline_and_is_reopened(workers: list[CaptureWorker]) -> None:
    with MjpegServer() as server:
        worker = CaptureWorker(server.url, LatestFrameMailbox(), name="s", offline_after_s=0.4, backoff_initial_s=0.05)
        workers.append(worker)
        worker.start()
        wait_for(lambda: worker.status().state == "online", what="online")
        server.pause()  # the connection stays open, nothing comes: only the watchdog can notice
        wait_for(lambda: worker.status().state == "offline", 3, what="offline")
        assert "no picture for" in worker.status().message
        server.resume()
        wait_for(lambda: worker.status().state == "online", 3, what="online again")
        assert worker.status().reconnects >= 1  # the watchdog closed the silent stream; it was reopened


def test_stop_returns_promptly_while_a_read_is_blocked(workers: list[CaptureWorker]) -> None:
    with MjpegServer() as server:
        worker = CaptureWorker(server.url, LatestFrameMailbox(), name="p", offline_after_s=30)
        workers.append(worker)
        worker.start()
        wait_for(lambda: worker.status().state == "online", what="online")
        server.pause()
        time.sleep(0.3)  # the capture thread now waits inside a socket read
        started = time.monotonic()
        worker.stop()
        assert time.monotonic() - started < 1.0
        assert not worker.is_running and worker.status().message == "capture stopped"
        worker.stop()  # idempotent


# --- failures and credentials ----------------------------------------------------------------------------------


def test_closed_port_retries_without_leaking_credentials(workers: list[CaptureWorker], thread_errors: list,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    url = f"http://admin:{SECRET}@127.0.0.1:{free_port()}/stream?token=tok-{SECRET}"
    statuses: list[CaptureStatus] = []
    worker = CaptureWorker(url, LatestFrameMailbox(), name="x", offline_after_s=0.3, backoff_initial_s=0.05,
                           backoff_max_s=0.1, on_state=statuses.append)
    workers.append(worker)
    assert SECRET not in repr(worker)
    worker.start()
    wait_for(lambda: worker.status().state == "offline", 3, what="offline")
    wait_for(lambda: worker.status().reconnects >= 3, 3, what="retries")
    wait_for(lambda: "retrying in 0.1 s" in worker.status().message, 3, what="retry message")
    assert worker.is_running  # still trying, nothing escaped the thread
    status = worker.status()
    assert status.state == "offline" and "connection refused; retrying in 0.1 s" in status.message
    assert "http://***:***@127.0.0.1" in status.message and "token=***" in status.message
    worker.stop()
    assert not thread_errors
    assert {s.state for s in statuses} <= {"connecting", "offline"} and statuses[-1].state == "offline"
    texts = [s.message for s in statuses] + [status.message, worker.status().message]
    texts += [record.getMessage() for record in caplog.records] + [caplog.text]
    assert any("connection refused" in t for t in texts) and not any(SECRET in t for t in texts)


def test_credentials_in_the_url_open_a_protected_camera(workers: list[CaptureWorker],
                                                        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with MjpegServer(auth=("admin", SECRET)) as server:
        url = server.url.replace("http://", f"http://admin:{SECRET}@")
        worker = CaptureWorker(url, LatestFrameMailbox(), name="auth", offline_after_s=0.3, backoff_initial_s=0.05)
        workers.append(worker)
        worker.start()
        wait_for(lambda: worker.status().state == "online", what="online")
        server.stop()  # failures get logged too
        wait_for(lambda: worker.status().state == "offline", 3, what="offline")
        worker.stop()
    messages = [worker.status().message] + [record.getMessage() for record in caplog.records] + [caplog.text]
    assert any("***:***@127.0.0.1" in m for m in messages)
    assert not any(SECRET in m for m in messages)


def test_opener_raising_anything_is_retried_for_a_live_source(workers: list[CaptureWorker],
                                                              thread_errors: list) -> None:
    calls: list[str] = []

    def broken_opener(spec: str, **_: object):
        calls.append(spec)
        raise RuntimeError(f"decoder crashed on {spec}")

    worker = CaptureWorker(f"rtsp://admin:{SECRET}@nvr.local/ch1", LatestFrameMailbox(), name="r",
                           backoff_initial_s=0.02, backoff_max_s=0.05, opener=broken_opener)
    workers.append(worker)
    worker.start()
    wait_for(lambda: len(calls) >= 3, what="retries")
    message = worker.status().message
    worker.stop()
    assert "RuntimeError: decoder crashed on rtsp://***:***@nvr.local/ch1" in message and SECRET not in message
    assert not thread_errors


# --- files and folders -----------------------------------------------------------------------------------------


def test_missing_file_fails_without_retrying(tmp_path: Path, workers: list[CaptureWorker]) -> None:
    worker = CaptureWorker(str(tmp_path / "gone.avi"), LatestFrameMailbox(), name="f", backoff_initial_s=0.01)
    workers.append(worker)
    worker.start()
    wait_for(lambda: worker.status().state == "failed", what="failed")
    status = worker.status()
    assert "gone.avi" in status.message and "no such file or folder" in status.message and status.reconnects == 0
    wait_for(lambda: not worker.is_running, what="threads ended")


def test_not_a_video_fails_with_the_source_error(tmp_path: Path, workers: list[CaptureWorker]) -> None:
    bogus = tmp_path / "lobby.mp4"
    bogus.write_text("not a video")
    worker = CaptureWorker(str(bogus), LatestFrameMailbox(), name="nv")
    workers.append(worker)
    worker.start()
    wait_for(lambda: worker.status().state == "failed", what="failed")
    assert worker.status().message.endswith("lobby.mp4 is not a video OpenCV can read")


def test_finite_folder_ends(datasets: Path, tmp_path: Path, workers: list[CaptureWorker]) -> None:
    for name in ("000000.jpg", "000001.jpg", "000002.jpg"):
        (tmp_path / name).write_bytes((datasets / "mall-train" / "frames" / name).read_bytes())
    box = LatestFrameMailbox()
    worker = CaptureWorker(str(tmp_path), box, name="end", realtime_files=False, loop_files=False)
    workers.append(worker)
    worker.start()
    wait_for(lambda: worker.status().state == "ended", what="ended")
    last = box.take(0.1)
    assert last is not None and (last.index, last.t_s) == (2, 1.0)  # media time at the folder's 2 fps
    assert worker.status().frames_read == 3 and "end of the recording (3 frames read)" in worker.status().message


def test_video_replayed_in_real_time_with_media_time(datasets: Path, workers: list[CaptureWorker]) -> None:
    box = LatestFrameMailbox()
    worker = CaptureWorker(str(datasets / "pets09-s2l1" / "video.avi"), box, name="replay")
    workers.append(worker)
    worker.start()
    wait_for(lambda: worker.status().state == "online", what="online")
    time.sleep(1.0)
    status = worker.status()
    assert status.fps_measured == pytest.approx(10.0, rel=0.2)  # paced at the container's 10 fps
    got = box.take(1.0)
    assert got is not None and got.t_s == pytest.approx(got.index / 10.0)
    assert got.image.shape == (576, 768, 3)


def test_a_listener_that_raises_does_not_stop_the_capture(workers: list[CaptureWorker],
                                                          caplog: pytest.LogCaptureFixture) -> None:
    def bad_listener(status: CaptureStatus) -> None:
        raise ValueError("listener bug")

    with MjpegServer() as server:
        worker = CaptureWorker(server.url, LatestFrameMailbox(), name="l", on_state=bad_listener)
        workers.append(worker)
        worker.start()
        wait_for(lambda: worker.status().frames_read >= 10, what="frames despite the listener")
        worker.stop()
    assert "the status listener failed" in caplog.text


def test_source_error_type_is_shared() -> None:
    assert issubclass(SourceError, Exception)
