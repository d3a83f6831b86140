"""Where frames come from: a video file, a folder of frames, an RTSP/HTTP stream or a USB camera.

Times (``Frame.t_s``): media time for files and folders (frame index ÷ fps), so evaluation is independent of how
fast the machine decodes; the monotonic clock for live sources. HTTP MJPEG streams (``multipart/x-mixed-replace``)
are read by a small reader of our own (urllib + JPEG decoding) with socket timeouts: more robust and easier to
time out than FFMPEG for MJPEG; other URLs go through OpenCV's FFMPEG backend with open/read timeouts.
Every message names the source with its credentials masked.
"""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from camera.credentials import mask_credentials
from camera.frames import Frame

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp")

#: Frames per second assumed for a folder of frames (the Mall dataset's rate is about 2 per second).
FOLDER_FPS = 2.0

#: Seconds to wait when opening a stream and for each read from it.
STREAM_TIMEOUT_S = 10.0


class SourceError(Exception):
    """A source that cannot be opened or read; the message names it (credentials masked) and the problem."""


@dataclass(frozen=True)
class SourceSpec:
    kind: str  # "file", "folder", "rtsp", "http", "usb"
    target: str


def parse_source(spec: str) -> SourceSpec:
    text = spec.strip()
    lower = text.lower()
    if not text:
        raise SourceError("the camera source is empty: give a video file, a folder of frames, an rtsp:// or "
                          "http:// URL, or usb:N")
    if lower.startswith(("rtsp://", "rtsps://")):
        return SourceSpec("rtsp", text)
    if lower.startswith(("http://", "https://")):
        return SourceSpec("http", text)
    if lower.startswith("usb:") or text.isdigit():
        index = text[4:] if lower.startswith("usb:") else text
        if not index.isdigit():
            raise SourceError(f"camera source {text!r}: a USB camera is usb:N with N a number, e.g. usb:0")
        return SourceSpec("usb", index)
    if "://" in text:
        raise SourceError(f"camera source {mask_credentials(text)!r}: unsupported scheme (use rtsp://, http:// or "
                          "https://)")
    path = Path(text).expanduser()
    if path.is_dir():
        return SourceSpec("folder", str(path))
    if path.is_file():
        return SourceSpec("file", str(path))
    raise SourceError(f"camera source {text!r}: no such file or folder (or write a URL, or usb:N)")


class FrameSource(Protocol):
    is_live: bool
    fps: float | None
    corrupt_frames: int

    def read(self) -> Frame | None:
        """The next frame; None at the end of a file or folder. Live sources raise SourceError on failure."""
        ...

    def close(self) -> None: ...


class VideoFileSource:
    is_live = False

    def __init__(self, path: str, *, realtime: bool = False, loop: bool = False) -> None:
        self.path = path
        self.capture = cv2.VideoCapture(path)
        if not self.capture.isOpened():
            raise SourceError(f"{path} is not a video OpenCV can read")
        ok, first = self.capture.read()
        if not ok or first is None:
            self.capture.release()
            raise SourceError(f"{path} is not a video OpenCV can read (no frame could be decoded)")
        self._pending: np.ndarray | None = first
        fps = self.capture.get(cv2.CAP_PROP_FPS)
        self.fps = fps if fps and fps > 0 else 25.0
        self.realtime = realtime
        self.loop = loop
        self.corrupt_frames = 0
        self._index = 0
        self._started: float | None = None

    def read(self) -> Frame | None:
        if self._pending is not None:
            image, self._pending = self._pending, None
        else:
            ok, image = self.capture.read()
            if not ok or image is None:
                if not self.loop:
                    return None
                self.capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
                ok, image = self.capture.read()
                if not ok or image is None:
                    return None
        frame = Frame(index=self._index, t_s=self._index / self.fps, image=image)
        if self.realtime:
            if self._started is None:
                self._started = time.monotonic()
            due = self._started + self._index / self.fps
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        self._index += 1
        return frame

    def close(self) -> None:
        self.capture.release()


class FolderSource:
    is_live = False

    def __init__(self, folder: str, *, fps: float = FOLDER_FPS, realtime: bool = False, loop: bool = False) -> None:
        self.folder = folder
        self.files = sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not self.files:
            raise SourceError(f"folder {folder} holds no images ({', '.join(IMAGE_SUFFIXES)})")
        self.fps = fps
        self.realtime = realtime
        self.loop = loop
        self.corrupt_frames = 0
        self._position = 0
        self._index = 0
        self._started: float | None = None

    def read(self) -> Frame | None:
        while True:
            if self._position >= len(self.files):
                if not self.loop:
                    return None
                self._position = 0
            path = self.files[self._position]
            self._position += 1
            image = cv2.imread(str(path), cv2.IMREAD_COLOR)
            index = self._index
            self._index += 1
            if image is None:
                self.corrupt_frames += 1
                continue
            if self.realtime:
                if self._started is None:
                    self._started = time.monotonic()
                delay = self._started + index / self.fps - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            return Frame(index=index, t_s=index / self.fps, image=image)

    def close(self) -> None:
        pass


class StreamSource:
    """RTSP, non-MJPEG HTTP or USB through OpenCV (FFMPEG for URLs)."""

    is_live = True

    def __init__(self, target: str, *, usb: bool = False) -> None:
        self.name = mask_credentials(target)
        if usb:
            self.capture = cv2.VideoCapture(int(target))
        else:
            params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, int(STREAM_TIMEOUT_S * 1000),
                      cv2.CAP_PROP_READ_TIMEOUT_MSEC, int(STREAM_TIMEOUT_S * 1000)]
            self.capture = cv2.VideoCapture(target, cv2.CAP_FFMPEG, params)
        if not self.capture.isOpened():
            self.capture.release()
            what = f"USB camera {target}" if usb else f"stream {self.name}"
            raise SourceError(f"{what} cannot be opened (unreachable, wrong address or credentials, or no such device)")
        fps = self.capture.get(cv2.CAP_PROP_FPS)
        self.fps = fps if fps and 0 < fps < 200 else None
        self.corrupt_frames = 0
        self._index = 0

    def read(self) -> Frame | None:
        ok, image = self.capture.read()
        if not ok or image is None:
            raise SourceError(f"stream {self.name} stopped delivering frames")
        frame = Frame(index=self._index, t_s=time.monotonic(), image=image)
        self._index += 1
        return frame

    def close(self) -> None:
        self.capture.release()


class MjpegHttpSource:
    """An HTTP multipart/x-mixed-replace JPEG stream read part by part."""

    is_live = True

    def __init__(self, url: str, response) -> None:
        self.name = mask_credentials(url)
        self.response = response
        content_type = response.headers.get("Content-Type", "")
        boundary = content_type.split("boundary=")[-1].strip().strip('"') if "boundary=" in content_type else ""
        self.boundary = ("--" + boundary.lstrip("-")).encode() if boundary else b"--"
        self.fps = None
        self.corrupt_frames = 0
        self._index = 0

    def _read_part(self) -> bytes:
        headers: dict[str, str] = {}
        while True:  # skip to the boundary, then read the part's headers
            line = self.response.readline()
            if not line:
                raise SourceError(f"stream {self.name} ended")
            if line.strip().startswith(self.boundary):
                break
        while True:
            line = self.response.readline()
            if not line:
                raise SourceError(f"stream {self.name} ended")
            line = line.strip()
            if not line:
                break
            key, _, value = line.decode("latin-1").partition(":")
            headers[key.strip().lower()] = value.strip()
        length = headers.get("content-length")
        if length is None or not length.isdigit():
            raise SourceError(f"stream {self.name}: a part without Content-Length")
        data = self.response.read(int(length))
        if len(data) < int(length):
            raise SourceError(f"stream {self.name} ended in the middle of a frame")
        return data

    def read(self) -> Frame | None:
        while True:
            try:
                data = self._read_part()
            except (OSError, TimeoutError) as exc:
                raise SourceError(f"stream {self.name}: {exc}") from None
            image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
            if image is None:
                self.corrupt_frames += 1
                continue
            frame = Frame(index=self._index, t_s=time.monotonic(), image=image)
            self._index += 1
            return frame

    def close(self) -> None:
        """Also safe from another thread: shutting the socket down wakes a read blocked on it."""
        try:
            sock = self.response.fp.raw._sock  # http.client keeps the socket behind its buffered reader
            sock.shutdown(socket.SHUT_RDWR)
        except (AttributeError, OSError):
            pass
        try:
            self.response.close()
        except OSError:
            pass


def _open_http(url: str) -> FrameSource:
    name = mask_credentials(url)
    try:
        response = urllib.request.urlopen(url, timeout=STREAM_TIMEOUT_S)  # noqa: S310 (http/https checked above)
    except urllib.error.HTTPError as exc:
        raise SourceError(f"stream {name}: the server answered {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SourceError(f"stream {name} cannot be opened: {mask_credentials(str(reason))}") from None
    if "multipart/x-mixed-replace" in response.headers.get("Content-Type", ""):
        return MjpegHttpSource(url, response)
    response.close()
    return StreamSource(url)


def open_source(spec: str, *, realtime: bool = False, loop: bool = False) -> FrameSource:
    """Open a camera source; SourceError names the problem."""
    parsed = parse_source(spec)
    if parsed.kind == "file":
        return VideoFileSource(parsed.target, realtime=realtime, loop=loop)
    if parsed.kind == "folder":
        return FolderSource(parsed.target, realtime=realtime, loop=loop)
    if parsed.kind == "http":
        return _open_http(parsed.target)
    if parsed.kind == "usb":
        return StreamSource(parsed.target, usb=True)
    return StreamSource(parsed.target)
