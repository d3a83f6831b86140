"""Frame sources against real footage (../shared/datasets) and a real MJPEG server on 127.0.0.1."""

from __future__ import annotations

import io
import shutil
import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from camera.credentials import mask_credentials
from camera.mjpeg import MjpegHttpSource
from camera.sources import (
    FOLDER_FPS,
    FolderSource,
    SourceError,
    SourceSpec,
    StreamSource,
    VideoFileSource,
    open_source,
    parse_source,
)
from tests.camera.conftest import SECRET
from tests.camera.mjpeg_server import MjpegServer, free_port

# --- credentials ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("rtsp://admin:secret@nvr:554/ch1", "rtsp://***:***@nvr:554/ch1"),
    ("rtsps://admin@nvr/ch1", "rtsps://***@nvr/ch1"),
    ("camera rtsp://a:p@ss@10.0.0.5/s failed; http://u:v@h2/x too",
     "camera rtsp://***:***@10.0.0.5/s failed; http://***:***@h2/x too"),
    ("rtsp://a:ab/c@h/x", "rtsp://***:***@h/x"),  # an unencoded "/" in the password stays hidden
    ("http://cam/snap.cgi?user=admin&pwd=s3&chn=1", "http://cam/snap.cgi?user=***&pwd=***&chn=1"),
    ("http://cam/x?Password=a;token=b&key=c#f", "http://cam/x?Password=***;token=***&key=***#f"),
    ("http://cam:8080/video?fps=5", "http://cam:8080/video?fps=5"),
    ("http://cam/v?token=t0k: connection refused", "http://cam/v?token=***: connection refused"),
    ("C:/videos/lobby.mp4 and mail@example.com", "C:/videos/lobby.mp4 and mail@example.com"),
])
def test_mask_credentials(text: str, expected: str) -> None:
    assert mask_credentials(text) == expected


# --- parse_source ----------------------------------------------------------------------------------------------


def test_parse_source_recognises_every_kind(tmp_path: Path) -> None:
    video = tmp_path / "clip.avi"
    video.write_bytes(b"x")
    assert parse_source(f"rtsp://u:{SECRET}@nvr/1") == SourceSpec("rtsp", f"rtsp://u:{SECRET}@nvr/1")
    assert parse_source("RTSPS://nvr/1").kind == "rtsp"
    assert parse_source("http://cam/mjpg").kind == "http" and parse_source("https://cam/x").kind == "http"
    assert parse_source("usb:2") == SourceSpec("usb", "2")
    assert parse_source(" 0 ") == SourceSpec("usb", "0")
    assert parse_source(str(tmp_path)) == SourceSpec("folder", str(tmp_path))
    assert parse_source(str(video)) == SourceSpec("file", str(video))
    assert parse_source("rtsp://nvr/1").is_live and not parse_source(str(video)).is_live


@pytest.mark.parametrize(("bad", "needles"), [
    ("", ["empty", "usb:N"]),
    ("usb:x", ["'usb:x'", "usb:N"]),
    (f"ftp://admin:{SECRET}@h/x", ["ftp://***:***@h/x", "unsupported scheme ftp://", "rtsp://"]),
    (f"rtsp://admin:{SECRET}@/x", ["rtsp://***:***@/x", "no host"]),
    ("/nowhere/lobby.avi", ["'/nowhere/lobby.avi'", "no such file or folder", "a video file", "usb:N"]),
])
def test_parse_source_errors_name_the_input_and_hide_passwords(bad: str, needles: list[str]) -> None:
    with pytest.raises(SourceError) as err:
        parse_source(bad)
    message = str(err.value)
    assert SECRET not in message
    for needle in needles:
        assert needle in message


def test_a_spec_never_shows_its_password() -> None:
    spec = parse_source(f"rtsp://admin:{SECRET}@nvr/1")
    assert SECRET not in repr(spec) and SECRET not in str(spec) and SECRET not in f"{spec}"
    assert spec.target.endswith("@nvr/1")  # kept for opening


# --- files and folders -----------------------------------------------------------------------------------------


def test_video_file_frames_times_and_size(datasets: Path) -> None:
    path = str(datasets / "pets09-s2l1" / "video.avi")
    source = open_source(path)
    try:
        assert isinstance(source, VideoFileSource) and not source.is_live
        # the container says 10 fps; the README says the footage was shot at 7, which callers can impose
        assert source.fps == pytest.approx(10.0) and source.size_wh == (768, 576)
        frames = [source.read() for _ in range(3)]
        assert [f.index for f in frames] == [0, 1, 2]
        assert [f.t_s for f in frames] == pytest.approx([0.0, 0.1, 0.2])
        assert frames[0].image.shape == (576, 768, 3) and frames[0].image.dtype == np.uint8
    finally:
        source.close()
    seven = open_source(path, fps=7.0)
    try:
        frames = [seven.read() for _ in range(8)]
        assert seven.fps == 7.0 and frames[7].t_s == pytest.approx(1.0)
        direct = cv2.VideoCapture(path)  # an independent decode of the same frame
        for _ in range(8):
            ok, expected = direct.read()
        direct.release()
        assert ok and np.array_equal(frames[7].image, expected)
    finally:
        seven.close()


def test_video_file_ends_or_loops_with_media_time_running_on(datasets: Path) -> None:
    path = str(datasets / "pets09-s2l1" / "video.avi")
    source = open_source(path, loop=True, fps=7.0)
    try:
        first = source.read()
        for _ in range(794):
            last = source.read()
        assert last.index == 794
        again = source.read()  # looped: the first picture, but index and time keep counting
        assert again.index == 795 and again.t_s == pytest.approx(795 / 7.0)
        assert np.array_equal(again.image, first.image)
    finally:
        source.close()
    finite = VideoFileSource(path)
    try:
        finite.capture.set(cv2.CAP_PROP_POS_FRAMES, 790)
        assert sum(1 for _ in iter(finite.read, None)) == 6  # the pending first frame + frames 790..794
        assert finite.read() is None
    finally:
        finite.close()


def test_realtime_replay_is_paced_and_close_wakes_it(datasets: Path) -> None:
    source = open_source(str(datasets / "pets09-s2l1" / "video.avi"), realtime=True, fps=20.0)
    started = time.monotonic()
    for _ in range(6):
        source.read()
    elapsed = time.monotonic() - started
    source.close()
    assert 0.2 <= elapsed < 0.6  # frames 0..5 at 20 fps: 0.25 s
    slow = open_source(str(datasets / "mall-train" / "frames"), realtime=True, fps=0.1)  # 10 s per frame
    slow.read()
    closer = threading.Timer(0.2, slow.close)
    closer.start()
    started = time.monotonic()
    assert slow.read() is None  # close() from another thread ends the wait
    assert time.monotonic() - started < 2
    closer.join()


def test_folder_of_frames(datasets: Path) -> None:
    source = open_source(str(datasets / "mall-train" / "frames"))
    try:
        assert isinstance(source, FolderSource) and source.fps == FOLDER_FPS == 2.0
        assert source.size_wh == (640, 480)
        frames = [source.read() for _ in range(3)]
        assert [f.index for f in frames] == [0, 1, 2] and [f.t_s for f in frames] == [0.0, 0.5, 1.0]
        expected = cv2.imread(str(datasets / "mall-train" / "frames" / "000002.jpg"))
        assert np.array_equal(frames[2].image, expected)
    finally:
        source.close()


def test_folder_skips_and_counts_corrupt_images(datasets: Path, tmp_path: Path) -> None:
    frames = datasets / "mall-train" / "frames"
    shutil.copy(frames / "000000.jpg", tmp_path / "a.jpg")
    (tmp_path / "b.jpg").write_bytes(b"\xff\xd8 truncated")
    shutil.copy(frames / "000001.jpg", tmp_path / "c.png")
    (tmp_path / "notes.txt").write_text("not an image, not counted")
    source = open_source(str(tmp_path), fps=4.0)
    got = list(iter(source.read, None))
    assert [(f.index, f.t_s) for f in got] == [(0, 0.0), (2, 0.5)]
    assert source.corrupt_frames == 1


def test_not_a_video_and_empty_folders(tmp_path: Path) -> None:
    not_video = tmp_path / "notes.avi"
    not_video.write_text("hello")
    with pytest.raises(SourceError, match=r"notes\.avi is not a video OpenCV can read"):
        open_source(str(not_video))
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SourceError, match=r"empty holds no images"):
        open_source(str(empty))
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "x.jpg").write_bytes(b"nope")
    with pytest.raises(SourceError, match=r"broken: none of its 1 images can be read"):
        open_source(str(broken))


# --- MJPEG parsing ---------------------------------------------------------------------------------------------


def _jpeg(value: int) -> bytes:
    return cv2.imencode(".jpg", np.full((24, 32, 3), value, np.uint8))[1].tobytes()


def _reader(body: bytes, content_type: str) -> MjpegHttpSource:
    return MjpegHttpSource("http://admin:x@cam/stream", io.BytesIO(body), content_type)


def test_mjpeg_parts_with_and_without_content_length() -> None:
    a, b = _jpeg(40), _jpeg(200)
    body = (b"preamble\r\n--cam\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n" % len(a) + a + b"\r\n"
            b"--cam\r\nContent-Type: image/jpeg\r\n\r\n" + b + b"\r\n"
            b"--cam\r\nContent-Type: image/jpeg\r\n\r\nnot a jpeg\r\n"
            b"--cam\n\n" + a + b"\n--cam--\r\n")
    source = _reader(body, 'multipart/x-mixed-replace; boundary="cam"')
    frames = [source.read() for _ in range(3)]
    assert [int(f.image.mean()) for f in frames] == pytest.approx([40, 200, 40], abs=2)
    assert [f.index for f in frames] == [0, 1, 2]
    assert source.corrupt_frames == 1 and source.size_wh == (32, 24)
    with pytest.raises(SourceError, match="closed the stream") as err:
        source.read()
    assert "http://***:***@cam/stream" in str(err.value)


def test_mjpeg_boundary_declared_with_dashes() -> None:
    a = _jpeg(90)
    body = b"--myboundary\r\nContent-Length: %d\r\n\r\n" % len(a) + a + b"\r\n--myboundary\r\n"
    source = _reader(body, "multipart/x-mixed-replace;boundary=--myboundary")
    assert source.read().image.shape == (24, 32, 3)


def test_mjpeg_gives_up_on_a_stream_of_garbage() -> None:
    body = b"".join(b"--b\r\nContent-Length: 4\r\n\r\nnope\r\n" for _ in range(60))
    source = _reader(body, "multipart/x-mixed-replace; boundary=b")
    with pytest.raises(SourceError, match="50 parts in a row are not images"):
        source.read()


# --- HTTP against a real server --------------------------------------------------------------------------------


def test_mjpeg_over_http_with_credentials() -> None:
    with MjpegServer(auth=("admin", SECRET)) as server:
        url = server.url.replace("http://", f"http://admin:{SECRET}@")
        source = open_source(url)
        try:
            assert isinstance(source, MjpegHttpSource) and source.is_live
            frames = [source.read() for _ in range(3)]
            assert [f.index for f in frames] == [0, 1, 2] and frames[0].image.shape == (120, 160, 3)
            assert frames[0].t_s <= frames[1].t_s <= time.monotonic()  # live: monotonic clock
        finally:
            source.close()
        with pytest.raises(SourceError, match="401") as err:
            open_source(server.url.replace("http://", "http://admin:wrong-Secret@"))
        assert "wrong-Secret" not in str(err.value) and "check the user name and password" in str(err.value)


def test_mjpeg_server_without_content_length() -> None:
    with MjpegServer(content_length=False, boundary_in_header="--frame") as server:
        source = open_source(server.url)
        try:
            assert [source.read().image.shape for _ in range(3)] == [(120, 160, 3)] * 3
            assert source.corrupt_frames == 0
        finally:
            source.close()


def test_close_from_another_thread_ends_a_blocked_mjpeg_read() -> None:
    with MjpegServer() as server:
        source = open_source(server.url)
        assert source.read() is not None
        server.pause()
        time.sleep(0.2)
        closer = threading.Timer(0.3, source.close)
        closer.start()
        started = time.monotonic()
        while source.read() is not None:  # frames sent before the pause, then a read blocked until close()
            pass
        assert 0.25 < time.monotonic() - started < 1.5
        closer.join()


def test_unreachable_and_non_mjpeg_http() -> None:
    with pytest.raises(SourceError, match="connection refused") as err:
        open_source(f"http://admin:{SECRET}@127.0.0.1:{free_port()}/video")
    assert SECRET not in str(err.value) and "http://***:***@127.0.0.1" in str(err.value)
    with MjpegServer() as server:
        # a single JPEG is not MJPEG: it goes to OpenCV's FFMPEG backend, which still reads the picture
        source = open_source(f"http://127.0.0.1:{server.port}/still.jpg")
        try:
            assert isinstance(source, StreamSource)
            assert source.read().image.shape == (120, 160, 3)
        finally:
            source.close()


def test_opencv_stream_read_times_out_on_a_stalled_camera() -> None:
    with MjpegServer() as server:
        source = StreamSource(server.url, open_timeout_s=3, read_timeout_s=0.5)  # FFMPEG reads MJPEG too
        try:
            assert source.read().image.shape == (120, 160, 3) and source.is_live
            server.pause()
            started = time.monotonic()
            with pytest.raises(SourceError, match="stopped delivering frames"):
                for _ in range(100):  # frames already buffered come first
                    source.read()
            assert time.monotonic() - started < 3
        finally:
            source.close()
            server.resume()
