"""Fixtures of the camera tests: the evaluation footage, a secret planted in camera URLs to prove it never leaks,
and a real RTSP server on 127.0.0.1 streaming H.264 made from the footage (tests/camera/rtsp_server.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import cv2
import pytest

from tests.camera.mjpeg_server import free_port
from tests.camera.rtsp_server import PACKAGES, RtspServer, missing
from tests.conftest import SHARED

#: A password planted in camera URLs; no message, log line or stored row may contain it.
SECRET = "Pl4nted-Secret"
#: Frames of PETS09-S2L1 the RTSP test server streams (14 s of the footage, shot at 7 frames per second).
RTSP_FRAMES = 100
#: Frames per second the RTSP test server sends (a PAL camera's rate; 25 fps keeps the tests short).
RTSP_FPS = 25

_rtsp_missing: str | None = None  # what the RTSP server lacks ("" when nothing), checked once


@pytest.fixture(scope="module")
def datasets() -> Path:
    if not (SHARED / "datasets").is_dir():
        pytest.skip(f"{SHARED / 'datasets'} (evaluation footage) is not next to the repository")
    return SHARED / "datasets"


def require_rtsp_server() -> None:
    """Skip when the RTSP server's Debian packages are not installed — except under CI (``CI=true``), where the
    test command (installer/bootstrap.sh test) installs them, so their absence fails the test."""
    global _rtsp_missing
    if _rtsp_missing is None:
        _rtsp_missing = missing()
    if _rtsp_missing:
        message = (f"the RTSP test server cannot run: {_rtsp_missing} is missing (Debian packages: "
                   f"{' '.join(PACKAGES)}; installer/bootstrap.sh test installs them)")
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def rtsp_frames(datasets: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first :data:`RTSP_FRAMES` frames of PETS09-S2L1 as a folder of JPEG files (000000.jpg, ...): what the
    RTSP test server encodes to H.264, and the file side of the comparisons."""
    require_rtsp_server()
    folder = tmp_path_factory.mktemp("rtsp-frames")
    video = cv2.VideoCapture(str(datasets / "pets09-s2l1" / "video.avi"))
    try:
        for index in range(RTSP_FRAMES):
            ok, image = video.read()
            assert ok, f"pets09-s2l1/video.avi ended before frame {index}"
            cv2.imwrite(str(folder / f"{index:06d}.jpg"), image, [cv2.IMWRITE_JPEG_QUALITY, 95])
    finally:
        video.release()
    return folder


@pytest.fixture(scope="module")
def rtsp_server(rtsp_frames: Path) -> Iterator[RtspServer]:
    """An RTSP server on a free port of 127.0.0.1 looping :data:`RTSP_FRAMES` frames at :data:`RTSP_FPS`; every
    session starts at frame 0. Ended (and waited for) after the module's tests."""
    server = RtspServer(free_port(), rtsp_frames, fps=RTSP_FPS).start()
    try:
        yield server
    finally:
        server.close()
