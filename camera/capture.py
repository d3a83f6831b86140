"""The capture thread of one camera: reads frames into a one-deep mailbox, reconnects, watches for silence.

- :class:`LatestFrameMailbox` keeps only the newest frame: a frame the analysis did not take before the next one
  arrived is dropped and counted, so the analysis never works on stale frames and memory never grows.
- :class:`CaptureWorker` runs two threads, ``capture-<name>`` (open, read, reconnect) and ``capture-<name>-watchdog``
  (silence detection). When a live source fails or ends, the capture thread closes it and reopens it after
  ``backoff_initial_s``, doubling up to ``backoff_max_s``; a session that delivered a frame resets the delay. A file
  or folder that cannot be opened fails at once (retrying would not help); a file that ends without ``loop_files``
  ends the worker (state ``ended``).
- A camera or NVR that comes back (after a reboot, a network outage) is online again within 10 s: the next attempt
  comes at most ``backoff_max_s`` (5 s) after it is back, and opening an RTSP stream takes 1-3 s (FFMPEG reads the
  first frames to learn the stream's format). A longer cap would leave a camera that was away for a while dark for
  up to that long after it is back; an attempt on a camera that is still away costs a refused connection, or one
  open timeout (``sources.OPEN_TIMEOUT_S``) when the host does not answer at all.
- The watchdog marks the camera ``offline`` when no frame arrived for ``offline_after_s`` seconds (also while
  reconnecting, and from the start when the first frame never comes) and, as Frigate's does, closes a live source
  that has been silent that long so it is reopened; the next frame makes the camera ``online`` again.
- ``stop()`` sets a flag and calls the current source's ``close()`` from the stopping thread. That ends a blocked
  read at once for HTTP MJPEG (the socket is shut down), files and folders. An OpenCV stream (RTSP, other HTTP,
  USB) is never released while its read is running — FFMPEG would free the demuxer under the reading thread — so
  that read ends by its own timeout (``sources.READ_TIMEOUT_S``, 4 s, below stop's default 5 s) and the capture
  thread releases it. An open still in progress (≤ ``sources.OPEN_TIMEOUT_S``) cannot be interrupted either: stop()
  then returns after ``timeout_s`` with a warning and the thread ends as soon as the open returns.
- Live frames are renumbered so ``Frame.index`` runs on across reconnections; file and folder frames keep the
  source's index (``t_s = index / fps``, media time).
- Status messages and log lines never contain credentials: everything naming the source goes through
  ``mask_credentials``.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from camera.credentials import mask_credentials
from camera.frames import Frame
from camera.sources import FrameSource, SourceError, SourceSpec, open_source, parse_source

log = logging.getLogger(__name__)

STATES = ("connecting", "online", "offline", "ended", "failed")

#: Time constant (seconds) of the frame-rate average.
FPS_TAU_S = 1.0
#: Least time (seconds) between two on_state calls that do not change the state.
NOTIFY_PERIOD_S = 1.0


class LatestFrameMailbox:
    """One slot between the capture thread and the analysis. Thread-safe.

    ``dropped`` counts frames overwritten before anyone took them; ``delivered`` counts frames taken."""

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
            self._condition.notify_all()

    def take(self, timeout_s: float) -> Frame | None:
        """The newest frame, waiting up to ``timeout_s`` seconds for one; None if none came."""
        with self._condition:
            self._condition.wait_for(lambda: self._frame is not None, timeout=max(0.0, timeout_s))
            frame, self._frame = self._frame, None
            if frame is not None:
                self.delivered += 1
            return frame


@dataclass(frozen=True)
class CaptureStatus:
    """A camera's capture as the UI shows it. ``fps_measured`` is frames per second averaged over about the last
    second (0 once frames stop); ``last_frame_at`` is ``time.monotonic()`` of the last frame; ``reconnects`` counts
    opening attempts after the first; ``message`` is human readable and free of credentials."""

    state: str  # one of STATES
    frames_read: int = 0
    frames_dropped: int = 0
    corrupt_frames: int = 0
    reconnects: int = 0
    fps_measured: float = 0.0
    last_frame_at: float | None = None
    message: str = ""


def _seconds(value: float) -> str:
    """4 → "4 s", 0.25 → "0.25 s": delays as people read them."""
    return f"{value:.0f} s" if value >= 1 else f"{value:.2g} s"


class CaptureWorker:
    """Reads one camera into ``mailbox`` on its own threads; see the module notes for reconnection and stopping.

    ``on_state(status)`` is called from the worker's threads (never concurrently, never after stop()) whenever the
    state changes and at most once a second otherwise; keep it short and do not call stop() from it. ``opener`` is
    called as ``opener(spec, realtime=..., loop=...)`` (tests inject failures through it).
    """

    def __init__(
        self,
        spec: str,
        mailbox: LatestFrameMailbox,
        *,
        name: str,
        offline_after_s: float = 10.0,
        backoff_initial_s: float = 1.0,
        backoff_max_s: float = 5.0,
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
        self.backoff_max_s = max(backoff_max_s, backoff_initial_s)
        self.realtime_files = realtime_files
        self.loop_files = loop_files
        self.on_state = on_state
        self.opener = opener
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._notify_lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        # everything below is guarded by _lock
        self._state = "connecting"
        self._message = f"connecting to {self.masked}"
        self._frames_read = 0
        self._corrupt_closed = 0  # corrupt frames of sources already closed
        self._corrupt_current = 0
        self._reconnects = 0
        self._fps = 0.0
        self._last_frame_at: float | None = None
        self._started_at = time.monotonic()
        self._source: FrameSource | None = None
        self._source_opened_at = 0.0
        self._stalled_source: FrameSource | None = None
        self._problem = ""  # the last failure, shown with "offline"
        self._notified: CaptureStatus | None = None
        self._notified_at = -math.inf

    def __repr__(self) -> str:
        return f"CaptureWorker(name={self.name!r}, source={self.masked!r})"

    # --- control ---------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the capture and watchdog threads (once; later calls do nothing)."""
        if self._threads:
            return
        self._started_at = time.monotonic()
        self._threads = [
            threading.Thread(target=self._run, name=f"capture-{self.name}", daemon=False),
            threading.Thread(target=self._watch, name=f"capture-{self.name}-watchdog", daemon=False),
        ]
        for thread in self._threads:
            thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop and join both threads, waiting up to ``timeout_s`` seconds in all. Idempotent."""
        self._stop.set()
        with self._lock:
            source = self._source
        if source is not None:
            source.close()  # wakes a blocked read where the source allows it; never blocks for long
        deadline = time.monotonic() + timeout_s
        for thread in self._threads:
            if thread is threading.current_thread():
                continue
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                log.warning("camera %s: %s is still inside a blocking open or read of %s; it ends by its own "
                            "timeout", self.name, thread.name, self.masked)
        with self._lock:
            if self._state in ("connecting", "online", "offline"):
                self._message = "capture stopped"

    @property
    def is_running(self) -> bool:
        return any(thread.is_alive() for thread in self._threads)

    def status(self) -> CaptureStatus:
        with self._lock:
            return self._status_locked()

    # --- status ----------------------------------------------------------------------------------------------

    def _status_locked(self) -> CaptureStatus:
        return CaptureStatus(
            state=self._state,
            frames_read=self._frames_read,
            frames_dropped=self.mailbox.dropped,
            corrupt_frames=self._corrupt_closed + self._corrupt_current,
            reconnects=self._reconnects,
            fps_measured=self._fps,
            last_frame_at=self._last_frame_at,
            message=self._message,
        )

    def _set_state(self, state: str, message: str) -> None:
        message = mask_credentials(message)
        with self._lock:
            changed = state != self._state
            self._state, self._message = state, message
        if changed:
            level = logging.WARNING if state in ("offline", "failed") else logging.INFO
            log.log(level, "camera %s is %s: %s", self.name, state, message)
        self._notify()

    def _notify(self) -> None:
        """Call on_state if the state changed, or at most once a second if anything else did."""
        if self.on_state is None or self._stop.is_set():
            return
        with self._notify_lock:
            with self._lock:
                status = self._status_locked()
                now = time.monotonic()
                previous = self._notified
                if previous is not None and status.state == previous.state and (
                        now - self._notified_at < NOTIFY_PERIOD_S or status == previous):
                    return
                self._notified, self._notified_at = status, now
            try:
                self.on_state(status)
            except Exception:  # a listener's bug must not stop the capture
                log.exception("camera %s: the status listener failed", self.name)

    # --- capture thread --------------------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            spec = parse_source(self.spec)
        except SourceError as exc:
            self._set_state("failed", str(exc))
            return
        backoff = self.backoff_initial_s
        attempts = 0
        while not self._stop.is_set():
            if attempts:
                with self._lock:
                    self._reconnects += 1
            attempts += 1
            source, problem = self._open(spec)
            if source is None:
                if not spec.is_live:
                    self._set_state("failed", problem)
                    return
                if self._retry_after(problem, backoff, first=attempts == 1):
                    break
                backoff = min(backoff * 2, self.backoff_max_s)
                continue
            try:
                got_frame, ended, problem = self._read_loop(source, spec)
            finally:
                with self._lock:
                    self._source = None
                    self._corrupt_closed += source.corrupt_frames
                    self._corrupt_current = 0
                source.close()
            if self._stop.is_set():
                break
            if ended:
                self._set_state("ended", f"{spec.display}: end of the recording ({self.status().frames_read} "
                                         "frames read)")
                return
            if not spec.is_live:
                self._set_state("failed", problem)
                return
            if got_frame:
                backoff = self.backoff_initial_s
            if self._retry_after(problem, backoff, first=got_frame):
                break
            backoff = min(backoff * 2, self.backoff_max_s)

    def _open(self, spec: SourceSpec) -> tuple[FrameSource | None, str]:
        try:
            source = self.opener(self.spec, realtime=self.realtime_files, loop=self.loop_files)
        except SourceError as exc:
            return None, str(exc)
        except Exception as exc:  # OpenCV or the network may raise anything: report it, never die of it
            log.debug("camera %s: opening failed", self.name, exc_info=True)
            return None, mask_credentials(f"{spec.display}: {type(exc).__name__}: {exc}")
        with self._lock:
            self._source = source
            self._source_opened_at = time.monotonic()
        if self._stop.is_set():  # stop() ran before the source was registered: close it here
            source.close()
        return source, ""

    def _retry_after(self, problem: str, delay_s: float, *, first: bool) -> bool:
        """Report the failure, wait ``delay_s``; True when stopped meanwhile."""
        message = mask_credentials(f"{problem}; retrying in {_seconds(delay_s)}")
        with self._lock:
            self._problem = mask_credentials(problem)
            state = "connecting" if self._state == "online" else self._state
        log.log(logging.WARNING if first else logging.DEBUG, "camera %s: %s", self.name, message)
        self._set_state(state, message)
        return self._stop.wait(delay_s)

    def _read_loop(self, source: FrameSource, spec: SourceSpec) -> tuple[bool, bool, str]:
        """Read until stopped or the source ends or fails: (got a frame, ended normally, problem)."""
        got_frame = False
        last_at: float | None = None
        mean_interval: float | None = None
        while not self._stop.is_set():
            try:
                frame = source.read()
            except SourceError as exc:
                return got_frame, False, str(exc)
            except Exception as exc:  # a decoder or network error of any kind: treat as a failed stream
                log.debug("camera %s: reading failed", self.name, exc_info=True)
                return got_frame, False, mask_credentials(f"{spec.display}: {type(exc).__name__}: {exc}")
            if frame is None:
                if not spec.is_live:
                    return got_frame, True, ""
                with self._lock:
                    stalled = self._stalled_source is source
                if stalled:
                    return got_frame, False, f"{spec.display}: no picture for {_seconds(self.offline_after_s)}"
                return got_frame, False, f"{spec.display}: the stream ended"
            now = time.monotonic()
            if last_at is not None:  # exponential average of the frame interval, time constant FPS_TAU_S
                interval = max(now - last_at, 1e-6)
                if mean_interval is None:
                    mean_interval = interval
                else:
                    mean_interval += (1.0 - math.exp(-interval / FPS_TAU_S)) * (interval - mean_interval)
            last_at = now
            with self._lock:
                if spec.is_live:  # one index sequence across reconnections (files keep theirs: t_s = index / fps)
                    frame = Frame(index=self._frames_read, t_s=frame.t_s, image=frame.image)
                self._frames_read += 1
                self._last_frame_at = now
                self._fps = 1.0 / mean_interval if mean_interval else 0.0
                self._corrupt_current = source.corrupt_frames
                self._problem = ""
                was_online = self._state == "online"
            self.mailbox.put(frame)
            got_frame = True
            if not was_online:
                size = f" {source.size_wh[0]}x{source.size_wh[1]}" if source.size_wh else ""
                self._set_state("online", f"{spec.display}: receiving{size}")
            else:
                self._notify()
        return got_frame, False, ""

    # --- watchdog thread -------------------------------------------------------------------------------------

    def _watch(self) -> None:
        period = min(0.5, max(0.02, self.offline_after_s / 5))
        while not self._stop.wait(period):
            now = time.monotonic()
            with self._lock:
                if self._state in ("ended", "failed"):
                    return
                reference = self._last_frame_at if self._last_frame_at is not None else self._started_at
                silent_s = now - reference
                if silent_s > 2 * FPS_TAU_S:
                    self._fps = 0.0
                go_offline = self._state != "offline" and silent_s >= self.offline_after_s
                source = self._source
                stalled = (source is not None and source.is_live and self._stalled_source is not source
                           and silent_s >= self.offline_after_s
                           and now - self._source_opened_at >= self.offline_after_s)
                if stalled:
                    self._stalled_source = source
                problem = self._problem
            if go_offline:
                self._set_state("offline", f"no picture for {_seconds(silent_s)}" + (f" — {problem}" if problem else ""))
            if stalled and source is not None:
                log.warning("camera %s: %s sent nothing for %s; reopening it", self.name, self.masked,
                            _seconds(silent_s))
                source.close()
            self._notify()
