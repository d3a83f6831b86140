"""Where frames come from: a video file, a folder of frames, an RTSP/HTTP stream or a USB camera.

Times (``Frame.t_s``): media time for files and folders (frame index ÷ fps), so evaluation does not depend on how
fast the machine decodes; ``time.monotonic()`` when the frame was read for live sources. ``Frame.index`` counts the
frames read from this source, 0-based, skipped corrupt images included (so ``t_s`` stays ``index / fps``).

HTTP streams whose Content-Type is ``multipart/x-mixed-replace`` (MJPEG) are read by ``camera.mjpeg.MjpegHttpSource``, a
small reader of our own (urllib, boundary parsing, ``cv2.imdecode``): it honours socket timeouts, authenticates
with Basic or Digest credentials from the URL, skips a part that does not decode, and can be closed from another
thread to end a blocked read at once. Other URLs and USB cameras go through ``cv2.VideoCapture`` (the FFMPEG
backend for URLs) with open and read timeouts.

Thread safety: ``read()`` is called by one thread; ``close()`` may be called from any thread to end the source.
For files, folders and MJPEG a pending ``read()`` then returns promptly. An OpenCV stream cannot be released while
another thread is inside its ``read()`` (FFMPEG would free the demuxer under the reader), so ``close()`` only marks
it closed and the reading thread releases it when that read returns — within ``READ_TIMEOUT_S``.

Every message names the source with its credentials masked.
"""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from camera.credentials import mask_credentials
from camera.frames import Frame
from camera.stream_limits import (  # noqa: F401  (SourceError and the limits are part of this module's interface)
    MAX_CORRUPT_IN_A_ROW,
    MAX_PART_BYTES,
    OPEN_TIMEOUT_S,
    READ_TIMEOUT_S,
    SourceError,
    size_of,
)

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp")
KINDS = ("file", "folder", "rtsp", "http", "usb")
LIVE_KINDS = ("rtsp", "http", "usb")

#: Frames per second assumed for a folder of frames (the Mall dataset's rate is about 2 per second).
FOLDER_FPS = 2.0
#: Frames per second assumed for a video whose container does not say.
FILE_FPS_FALLBACK = 25.0
ACCEPTED = ("a video file, a folder of images (jpg/png), an rtsp:// or rtsps:// URL, an http:// or https:// URL, "
            "or a USB camera as usb:N (or just N)")


@dataclass(frozen=True)
class SourceSpec:
    """A parsed source: ``kind`` is one of :data:`KINDS`; ``target`` the path, URL (credentials kept, for opening)
    or USB index as text. ``repr`` and ``str`` mask credentials, so a spec is safe in a log line."""

    kind: str
    target: str

    @property
    def is_live(self) -> bool:
        return self.kind in LIVE_KINDS

    @property
    def display(self) -> str:
        return f"USB camera {self.target}" if self.kind == "usb" else mask_credentials(self.target)

    def __str__(self) -> str:
        return self.display

    def __repr__(self) -> str:
        return f"SourceSpec(kind={self.kind!r}, target={mask_credentials(self.target)!r})"


def parse_source(spec: str) -> SourceSpec:
    """Recognise what ``spec`` names; SourceError (naming the input and what is accepted) otherwise."""
    text = spec.strip()
    lower = text.lower()
    if not text:
        raise SourceError(f"the camera source is empty: give {ACCEPTED}")
    if lower.startswith(("rtsp://", "rtsps://")):
        if not urllib.parse.urlsplit(text).hostname:
            raise SourceError(f"camera source {text!r}: the URL has no host")
        return SourceSpec("rtsp", text)
    if lower.startswith(("http://", "https://")):
        if not urllib.parse.urlsplit(text).hostname:
            raise SourceError(f"camera source {text!r}: the URL has no host")
        return SourceSpec("http", text)
    if lower.startswith("usb:") or text.isdigit():
        index = text[4:].strip() if lower.startswith("usb:") else text
        if not index.isdigit():
            raise SourceError(f"camera source {text!r}: a USB camera is usb:N with N its number, e.g. usb:0")
        return SourceSpec("usb", str(int(index)))
    if "://" in text:
        scheme = text.split("://", 1)[0]
        raise SourceError(f"camera source {text!r}: unsupported scheme {scheme}://; give {ACCEPTED}")
    path = Path(text).expanduser()
    if path.is_dir():
        return SourceSpec("folder", str(path))
    if path.is_file():
        return SourceSpec("file", str(path))
    raise SourceError(f"camera source {text!r}: no such file or folder; give {ACCEPTED}")


class FrameSource(Protocol):
    """What :func:`open_source` returns. ``read()`` gives the next frame, None at the end of a finite source; a
    live source raises SourceError when it fails (the caller reopens it). ``size_wh`` is (width, height) in pixels,
    None until known; ``fps`` is the nominal rate, None when the source does not say."""

    is_live: bool
    fps: float | None
    size_wh: tuple[int, int] | None
    corrupt_frames: int

    def read(self) -> Frame | None: ...

    def close(self) -> None: ...


class _Pacer:
    """Sleeps so frame ``index`` is handed out ``index / fps`` seconds after the first (replaying a recording as if
    it were live). A reader that falls more than a second behind restarts the schedule instead of bursting."""

    def __init__(self, fps: float, wake: threading.Event) -> None:
        self.fps = fps
        self.wake = wake
        self._origin: float | None = None
        self._origin_index = 0

    def wait_for(self, index: int) -> bool:
        """False when woken by close()."""
        now = time.monotonic()
        if self._origin is None or now - (self._origin + (index - self._origin_index) / self.fps) > 1.0:
            self._origin, self._origin_index = now, index
            return not self.wake.is_set()
        delay = self._origin + (index - self._origin_index) / self.fps - now
        return not self.wake.wait(delay) if delay > 0 else not self.wake.is_set()


class VideoFileSource:
    """A video file through ``cv2.VideoCapture``. ``fps`` is the container's rate unless given (some files lie:
    the PETS09 sample's header says 10 fps for footage shot at 7)."""

    is_live = False

    def __init__(self, path: str, *, realtime: bool = False, loop: bool = False, fps: float | None = None) -> None:
        self.path = path
        self.capture = cv2.VideoCapture(path)
        first = None
        if self.capture.isOpened():
            ok, first = self.capture.read()
            if not ok:
                first = None
        if first is None:
            self.capture.release()
            raise SourceError(f"{path} is not a video OpenCV can read")
        self._pending: np.ndarray | None = first
        header_fps = self.capture.get(cv2.CAP_PROP_FPS)
        self.fps: float = fps if fps else (header_fps if header_fps and 0 < header_fps < 1000 else FILE_FPS_FALLBACK)
        self.size_wh: tuple[int, int] | None = size_of(first)
        count = self.capture.get(cv2.CAP_PROP_FRAME_COUNT)
        self.frame_count: int | None = int(count) if count and count > 0 else None
        self.loop = loop
        self.corrupt_frames = 0
        self._index = 0
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._pacer = _Pacer(self.fps, self._closed) if realtime else None

    def read(self) -> Frame | None:
        with self._lock:
            if self._closed.is_set():
                return None
            image = self._next_image()
        if image is None:
            return None
        index = self._index
        self._index += 1
        if self._pacer is not None and not self._pacer.wait_for(index):
            return None
        return Frame(index=index, t_s=index / self.fps, image=image)

    def _next_image(self) -> np.ndarray | None:
        if self._pending is not None:
            image, self._pending = self._pending, None
            return image
        ok, image = self.capture.read()
        if ok and image is not None:
            return image
        if not self.loop or self._index == 0:
            return None
        # index and t_s keep counting up through the restart
        self.capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
        ok, image = self.capture.read()
        if not ok:  # a container that cannot seek: open it again
            self.capture.release()
            self.capture = cv2.VideoCapture(self.path)
            ok, image = self.capture.read()
        return image if ok else None

    def close(self) -> None:
        self._closed.set()
        with self._lock:  # waits for a decode in progress (milliseconds)
            self.capture.release()


class FolderSource:
    """A folder of images read in name order at ``fps`` (default :data:`FOLDER_FPS`). An image that does not decode
    is skipped and counted in ``corrupt_frames``; its index is kept, so ``t_s`` stays ``index / fps``."""

    is_live = False

    def __init__(self, folder: str, *, fps: float | None = None, realtime: bool = False, loop: bool = False) -> None:
        self.folder = folder
        try:
            self.files = sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        except OSError as exc:
            raise SourceError(f"folder {folder} cannot be read: {exc.strerror or exc}") from None
        if not self.files:
            raise SourceError(f"folder {folder} holds no images ({', '.join(IMAGE_SUFFIXES)})")
        self.fps: float = fps if fps else FOLDER_FPS
        self.loop = loop
        self.corrupt_frames = 0
        self._position = 0
        self._index = 0
        self._closed = threading.Event()
        self._pacer = _Pacer(self.fps, self._closed) if realtime else None
        self._pending: tuple[int, np.ndarray] | None = self._first_image()
        self.size_wh: tuple[int, int] | None = size_of(self._pending[1])

    def _first_image(self) -> tuple[int, np.ndarray]:
        while self._position < len(self.files):
            item = self._decode_next()
            if item is not None:
                return item
        raise SourceError(f"folder {self.folder}: none of its {len(self.files)} images can be read")

    def _decode_next(self) -> tuple[int, np.ndarray] | None:
        path = self.files[self._position]
        self._position += 1
        index = self._index
        self._index += 1
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if image is None:
            self.corrupt_frames += 1
            return None
        return index, image

    def read(self) -> Frame | None:
        item, self._pending = self._pending, None
        misses = 0
        while item is None:
            if self._closed.is_set() or misses >= len(self.files):  # a whole pass without a readable image
                return None
            if self._position >= len(self.files):
                if not self.loop:
                    return None
                self._position = 0
            item = self._decode_next()
            misses += 1
        index, image = item
        if self._pacer is not None and not self._pacer.wait_for(index):
            return None
        return Frame(index=index, t_s=index / self.fps, image=image)

    def close(self) -> None:
        self._closed.set()


def _cv2_timeout_params(open_timeout_s: float, read_timeout_s: float) -> list[int]:
    params: list[int] = []
    for name, seconds in (("CAP_PROP_OPEN_TIMEOUT_MSEC", open_timeout_s), ("CAP_PROP_READ_TIMEOUT_MSEC", read_timeout_s)):
        prop = getattr(cv2, name, None)
        if prop is not None:
            params += [prop, int(seconds * 1000)]
    return params


class StreamSource:
    """RTSP, non-MJPEG HTTP (FFMPEG backend, with open/read timeouts) or a USB camera (default backend)."""

    is_live = True

    def __init__(self, target: str, *, usb: bool = False, open_timeout_s: float = OPEN_TIMEOUT_S,
                 read_timeout_s: float = READ_TIMEOUT_S) -> None:
        self.name = f"USB camera {target}" if usb else mask_credentials(target)
        self.read_timeout_s = read_timeout_s
        if usb:
            self.capture = cv2.VideoCapture(int(target))
            read_timeout = getattr(cv2, "CAP_PROP_READ_TIMEOUT_MSEC", None)
            if read_timeout is not None and self.capture.isOpened():
                self.capture.set(read_timeout, read_timeout_s * 1000)  # False where the backend has no such knob
        else:
            # FFMPEG refuses to open with a parameter it does not know, so only the ones this OpenCV has are passed
            self.capture = cv2.VideoCapture(target, cv2.CAP_FFMPEG, _cv2_timeout_params(open_timeout_s, read_timeout_s))
        if not self.capture.isOpened():
            self.capture.release()
            problem = ("cannot be opened (no such device, or it is in use)" if usb else
                       "cannot be opened (unreachable, refused, wrong path or credentials, or not a video stream)")
            raise SourceError(f"{self.name} {problem}")
        fps = self.capture.get(cv2.CAP_PROP_FPS)
        self.fps: float | None = fps if fps and 0 < fps < 200 else None
        w, h = int(self.capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(self.capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
        self.size_wh: tuple[int, int] | None = (w, h) if w > 0 and h > 0 else None
        self.corrupt_frames = 0
        self._index = 0
        self._lock = threading.Lock()
        self._closed = False
        self._released = False

    def read(self) -> Frame | None:
        """The next frame; SourceError when the stream failed. A read that lasted the whole read timeout counts as
        failed even when it returned a picture: FFMPEG's decoder holds back the last frame or two it received, and
        the interrupt that ends a read of a stalled stream releases one of them per timeout. Taking those as new
        frames would keep a frozen camera "online" (each one restarts the capture's silence watchdog) and delay its
        reconnection by a read timeout per held-back frame."""
        with self._lock:
            if self._closed:
                self._release_locked()
                return None
            started = time.monotonic()
            ok, image = self.capture.read()
            timed_out = time.monotonic() - started >= self.read_timeout_s
            if self._closed:  # close() was called during the read: release it here, in the reading thread
                self._release_locked()
                return None
        if not ok or image is None or timed_out:
            raise SourceError(f"{self.name} stopped delivering frames (nothing for {self.read_timeout_s:g} s, or the "
                              "connection dropped)")
        self.size_wh = size_of(image)
        frame = Frame(index=self._index, t_s=time.monotonic(), image=image)
        self._index += 1
        return frame

    def _release_locked(self) -> None:
        if not self._released:
            self._released = True
            self.capture.release()

    def close(self) -> None:
        """Never blocks on a pending read: the reader releases the capture when its read returns."""
        self._closed = True
        if self._lock.acquire(blocking=False):
            try:
                self._release_locked()
            finally:
                self._lock.release()


# --- HTTP MJPEG ----------------------------------------------------------------------------------------------


def open_source(spec: str | SourceSpec, *, realtime: bool = False, loop: bool = False,
                fps: float | None = None) -> FrameSource:
    """Open a camera source; SourceError names the problem.

    ``realtime`` paces a file or folder to its fps (replaying a recording as if it were live) and ``loop`` restarts
    it at its end; both are ignored for live sources. ``fps`` overrides a file's container rate and sets a folder's
    rate (default :data:`FOLDER_FPS`).
    """
    parsed = spec if isinstance(spec, SourceSpec) else parse_source(spec)
    if parsed.kind == "file":
        return VideoFileSource(parsed.target, realtime=realtime, loop=loop, fps=fps)
    if parsed.kind == "folder":
        return FolderSource(parsed.target, fps=fps, realtime=realtime, loop=loop)
    if parsed.kind == "http":
        from camera.mjpeg import MjpegHttpSource  # imported here: only an MJPEG camera needs it

        mjpeg = MjpegHttpSource.open(parsed.target)
        if mjpeg is not None:
            return mjpeg
        return StreamSource(parsed.target)
    if parsed.kind == "usb":
        return StreamSource(parsed.target, usb=True)
    return StreamSource(parsed.target)
