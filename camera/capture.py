"""The capture thread of one camera: reads frames into a one-deep mailbox, reconnects, watches for silence.

- The mailbox keeps only the newest frame: a frame the analysis did not take before the next one arrived is dropped
  and counted (the analysis never works on stale frames and memory never grows).
- When a live source fails the thread closes it and reconnects with exponential backoff (``backoff_initial_s``
  doubling up to ``backoff_max_s``, reset by the next good frame). A file or folder that cannot be opened fails at
  once (retrying would not help).
- The camera is ``offline`` when no frame arrived for ``offline_after_s`` seconds (also while reconnecting) and
  ``online`` again with the next frame.
- ``stop()`` sets a flag and closes an HTTP stream from the calling thread to unblock a read; an OpenCV stream
  read returns within its read timeout (10 s at most). Status messages never contain credentials.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from camera.credentials import mask_credentials
from camera.frames import Frame
from camera.sources import FrameSource, MjpegHttpSource, SourceError, open_source, parse_source

log = logging.getLogger(__name__)


class LatestFrameMailbox:
    def __init__(self) -> None:
        self._frame: Frame | None = None
        self._condition = threading.Condition()
        self.dropped = 0
        self.delivered = 0

    def put(self, frame: Frame) -> None:
        with self._condition:
            if self._frame is not None:
                self.dropped += 1
            self._frame = frame
            self._condition.notify()

    def take(self, timeout_s: float) -> Frame | None:
        with self._condition:
            if self._frame is None:
                self._condition.wait(timeout_s)
            frame, self._frame = self._frame, None
            if frame is not None:
                self.delivered += 1
            return frame


@dataclass(frozen=True)
class CaptureStatus:
    state: str  # "connecting", "online", "offline", "ended", "failed"
    frames_read: int = 0
    frames_dropped: int = 0
    corrupt_frames: int = 0
    reconnects: int = 0
    fps_measured: float = 0.0
    last_frame_at: float | None = None  # time.monotonic()
    message: str = ""


class CaptureWorker:
    def __init__(
        self,
        spec: str,
        mailbox: LatestFrameMailbox,
        *,
        name: str,
        offline_after_s: float = 10.0,
        backoff_initial_s: float = 1.0,
        backoff_max_s: float = 30.0,
        realtime_files: bool = True,
        loop_files: bool = True,
        on_state: Callable[[CaptureStatus], None] | None = None,
        opener: Callable[..., FrameSource] = open_source,
    ) -> None:
        self.spec = spec
        self.masked = mask_credentials(spec)
        self.mailbox = mailbox
        self.name = name
        self.offline_after_s = offline_after_s
        self.backoff_initial_s = backoff_initial_s
        self.backoff_max_s = backoff_max_s
        self.realtime_files = realtime_files
        self.loop_files = loop_files
        self.on_state = on_state
        self.opener = opener
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._status = CaptureStatus(state="connecting", message=f"connecting to {self.masked}")
        self._source: FrameSource | None = None
        self._thread: threading.Thread | None = None
        self._watchdog: threading.Thread | None = None
        self._last_notified = 0.0

    # --- control ---------------------------------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"capture-{self.name}", daemon=False)
        self._watchdog = threading.Thread(target=self._watch, name=f"watchdog-{self.name}", daemon=False)
        self._thread.start()
        self._watchdog.start()

    def stop(self, timeout_s: float = 12.0) -> None:
        self._stop.set()
        source = self._source
        if isinstance(source, MjpegHttpSource):
            source.close()  # unblocks a read waiting on the socket
        for thread in (self._thread, self._watchdog):
            if thread is not None:
                thread.join(timeout_s)
                if thread.is_alive():
                    log.error("camera %s: %s did not stop within %.0f s", self.name, thread.name, timeout_s)
        self._thread = self._watchdog = None

    def status(self) -> CaptureStatus:
        with self._lock:
            return replace(self._status, frames_dropped=self.mailbox.dropped)

    # --- internals -------------------------------------------------------------------------------------------

    def _set(self, **changes: object) -> None:
        with self._lock:
            before = self._status.state
            if "message" in changes:
                changes["message"] = mask_credentials(str(changes["message"]))
            self._status = replace(self._status, **changes)
            status = replace(self._status, frames_dropped=self.mailbox.dropped)
        now = time.monotonic()
        if self.on_state is not None and (status.state != before or now - self._last_notified >= 1.0):
            self._last_notified = now
            try:
                self.on_state(status)
            except Exception:  # a listener's bug must not stop the capture
                log.exception("camera %s: status listener failed", self.name)

    def _open(self) -> FrameSource:
        kind = parse_source(self.spec).kind
        if kind in ("file", "folder"):
            return self.opener(self.spec, realtime=self.realtime_files, loop=self.loop_files)
        return self.opener(self.spec)

    def _run(self) -> None:
        backoff = self.backoff_initial_s
        live = True
        try:
            live = parse_source(self.spec).kind not in ("file", "folder")
        except SourceError as exc:
            self._set(state="failed", message=str(exc))
            return
        while not self._stop.is_set():
            try:
                source = self._open()
                self._source = source
            except SourceError as exc:
                if not live:
                    self._set(state="failed", message=str(exc))
                    return
                self._set(message=f"{exc}; retrying in {backoff:.0f} s")
                log.warning("camera %s: %s", self.name, mask_credentials(str(exc)))
                if self._stop.wait(backoff):
                    break
                backoff = min(backoff * 2, self.backoff_max_s)
                self._set(reconnects=self._status.reconnects + 1)
                continue
            except Exception as exc:  # OpenCV or the network may raise anything
                self._set(state="failed" if not live else self._status.state,
                          message=f"{type(exc).__name__}: {exc}")
                if not live or self._stop.wait(backoff):
                    return
                backoff = min(backoff * 2, self.backoff_max_s)
                continue
            try:
                ended = self._read_loop(source)
            except SourceError as exc:
                ended = False
                if not self._stop.is_set():
                    self._set(message=f"{exc}; reconnecting in {backoff:.0f} s")
                    log.warning("camera %s: %s", self.name, mask_credentials(str(exc)))
            except Exception as exc:  # a decoder or network error of any kind: reconnect
                ended = False
                self._set(message=f"{type(exc).__name__}: {exc}; reconnecting in {backoff:.0f} s")
                log.warning("camera %s: %s: %s", self.name, type(exc).__name__, mask_credentials(str(exc)))
            finally:
                self._source = None
                source.close()
            if ended:
                self._set(state="ended", message=f"{self.masked}: end of the recording")
                return
            if self._stop.wait(backoff):
                break
            backoff = min(backoff * 2, self.backoff_max_s)
            self._set(reconnects=self._status.reconnects + 1)
            if self._status.last_frame_at is not None:
                backoff = self.backoff_initial_s if time.monotonic() - self._status.last_frame_at < 5 else backoff

    def _read_loop(self, source: FrameSource) -> bool:
        """Read until stopped (False) or the end of a finite source (True); SourceError when a stream fails."""
        fps = 0.0
        last = None
        while not self._stop.is_set():
            frame = source.read()
            if frame is None:
                return not self._stop.is_set()
            now = time.monotonic()
            if last is not None:
                fps = 0.9 * fps + 0.1 / max(now - last, 1e-6) if fps else 1.0 / max(now - last, 1e-6)
            last = now
            self.mailbox.put(frame)
            self._set(state="online", frames_read=self._status.frames_read + 1, last_frame_at=now, fps_measured=fps,
                      corrupt_frames=source.corrupt_frames, message=f"{self.masked}: receiving")
        return False

    def _watch(self) -> None:
        period = min(1.0, self.offline_after_s / 4)
        started = time.monotonic()
        while not self._stop.wait(period):
            status = self.status()
            if status.state in ("ended", "failed"):
                return
            reference = status.last_frame_at if status.last_frame_at is not None else started
            if status.state != "offline" and time.monotonic() - reference >= self.offline_after_s:
                self._set(state="offline", message=f"no picture for {self.offline_after_s:.0f} s; "
                                                   f"{status.message}")
