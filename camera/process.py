"""A camera's capture and analysis in a child process of its own, with the same interface as ``CameraWorker``.

Why a process: decoding and inference release Python's global interpreter lock, but tracking, zones, lines and the
bookkeeping around them are Python code. With several cameras in the console's process those threads hold the lock
often enough to stall the window's event loop (measured with benchmarks/throughput.py); in child processes they
cannot, and the cameras use every core. A crash in a camera's native code (a broken stream or model) ends only
that camera's process; it is reported as "failed" and restarted after a pause.

The child (started with the "spawn" method, as on Windows, so no Qt state is inherited) runs a ``CameraWorker``
whose callbacks put messages on a queue: snapshots, occupancy samples, line crossings, health changes, calibration
frames and log records. A pump thread in the console's process takes them off the queue and calls the callbacks
given here, so callers see exactly what a thread-based ``CameraWorker`` would deliver, from a non-GUI thread.

Pickled per message: a snapshot carries a preview frame of at most 640 pixels wide (about 0.9 MB) at most five
times a second; everything else is small.
"""

from __future__ import annotations

import logging
import logging.handlers
import multiprocessing
import os
import queue
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from camera.calibration import CalibrationFrame, CountModel, load_calibration
from camera.model_store import DetectorRecipe
from camera.pipeline import PipelineConfig
from camera.worker import CameraSnapshot, CameraWorker
from console.domain.records import CameraHealthEvent, LineCrossings, OccupancyPoint

log = logging.getLogger(__name__)

#: Thread pools of the numerical libraries in each camera process: one thread each. Several cameras share the
#: cores already, and idle pool threads that spin (OpenBLAS, OpenMP) burn CPU the other cameras need. Set in the
#: environment the children inherit (they read it when numpy and OpenCV load); the console's own process has
#: loaded them already and is not affected.
_CHILD_THREAD_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
for _name, _value in _CHILD_THREAD_ENV.items():
    os.environ.setdefault(_name, _value)

#: How much lower than the console's the camera processes' scheduling priority is (Unix nice increment).
CHILD_NICENESS = 10

#: Pause (seconds) before a camera process that ended unexpectedly is started again.
RESTART_AFTER_S = 5.0


class _LogToQueue(logging.handlers.QueueHandler):
    """Log records of the child, tagged so the pump can tell them from the camera's messages."""

    def enqueue(self, record: logging.LogRecord) -> None:
        self.queue.put(("log", record))


def _lower_priority() -> None:
    """Run the camera below the window's priority: when the cores are busy the window still gets the CPU at once
    (the analysis catches up by dropping stale frames, which it does anyway)."""
    try:
        if hasattr(os, "nice"):
            os.nice(CHILD_NICENESS)
        elif sys.platform == "win32":
            import ctypes

            below_normal = 0x00004000
            ctypes.windll.kernel32.SetPriorityClass(ctypes.windll.kernel32.GetCurrentProcess(), below_normal)
    except OSError:
        pass


def _child_main(messages: Any, stop: Any, args: dict[str, Any]) -> None:
    """Entry point of the child process: run one camera until ``stop`` is set."""
    _lower_priority()
    import cv2

    cv2.setNumThreads(1)
    root = logging.getLogger()
    root.handlers[:] = [_LogToQueue(messages)]
    root.setLevel(args.pop("log_level"))

    def send(kind: str) -> Callable[[Any], None]:
        return lambda payload: messages.put((kind, payload))

    calibration_json = args.pop("calibration_json")
    worker = CameraWorker(
        **args,
        calibration=load_calibration(calibration_json),
        publish=send("snapshot"),
        on_sample=send("samples"),
        on_health=send("health"),
        on_crossings=send("crossings"),
        on_calibration_frame=send("calibration"),
    )
    worker.start()
    try:
        while not stop.wait(0.5):
            if not worker.is_alive:
                break
    finally:
        worker.stop()
        messages.put(("ended", None))


class CameraProcess:
    """One camera analysed in a child process; see the module notes. Start, stop and read from the GUI thread."""

    def __init__(
        self,
        camera_id: str,
        name: str,
        source: str,
        recipe: DetectorRecipe,
        config: PipelineConfig,
        *,
        publish: Callable[[CameraSnapshot], None],
        on_sample: Callable[[list[OccupancyPoint]], None] | None = None,
        on_health: Callable[[CameraHealthEvent], None] | None = None,
        on_crossings: Callable[[list[LineCrossings]], None] | None = None,
        analysis_fps: float = 5.0,
        offline_after_s: float = 10.0,
        calibration: CountModel | None = None,
        sample_period_s: float = 5.0,
        publish_hz: float = 5.0,
    ) -> None:
        self.camera_id = camera_id
        self.name = name
        self._args: dict[str, Any] = {
            "camera_id": camera_id, "name": name, "source": source, "detector_factory": recipe, "config": config,
            "analysis_fps": analysis_fps, "offline_after_s": offline_after_s, "sample_period_s": sample_period_s,
            "publish_hz": publish_hz,
            "calibration_json": calibration.to_json() if calibration is not None else None,
        }
        self._publish = publish
        self._on_sample = on_sample
        self._on_health = on_health
        self._on_crossings = on_crossings
        self._context = multiprocessing.get_context("spawn")
        self._messages: Any = None
        self._stop_child: Any = None
        self._process: Any = None
        self._pump: threading.Thread | None = None
        self._stopping = threading.Event()
        self.frames_analysed = 0
        self.restarts = 0
        #: recent frames offered for count calibration, newest last (as ``CameraWorker.calibration_frames``)
        self.calibration_frames: deque[CalibrationFrame] = deque(maxlen=40)

    @property
    def is_alive(self) -> bool:
        return self._pump is not None and self._pump.is_alive()

    def start(self) -> None:
        self._stopping.clear()
        self._pump = threading.Thread(target=self._run, name=f"camera-process-{self.camera_id}", daemon=True)
        self._pump.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Ask the child to stop and wait for it (killed if it does not end within ``timeout_s``)."""
        self._stopping.set()
        if self._stop_child is not None:
            self._stop_child.set()
        if self._pump is not None:
            self._pump.join(timeout_s + 1.0)
            self._pump = None

    # --- pump thread -------------------------------------------------------------------------------------------

    def _spawn(self) -> None:
        self._messages = self._context.Queue()
        self._stop_child = self._context.Event()
        args = dict(self._args, log_level=logging.getLogger().getEffectiveLevel())
        self._process = self._context.Process(target=_child_main, args=(self._messages, self._stop_child, args),
                                              name=f"camera-{self.camera_id}", daemon=True)
        self._process.start()

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self._spawn()
            except Exception as exc:  # cannot start a process at all (resources exhausted, ...)
                log.error("camera %s: cannot start its analysis process: %s", self.camera_id, exc)
                self._report_failure(f"cannot start the analysis process: {exc}")
            else:
                self._drain_until_ended()
                if self._stopping.is_set():
                    break
                code = self._process.exitcode
                log.error("camera %s: the analysis process ended unexpectedly (exit code %s); restarting in %.0f s",
                          self.camera_id, code, RESTART_AFTER_S)
                self._report_failure(f"the analysis process ended unexpectedly (exit code {code}); "
                                     f"restarting in {RESTART_AFTER_S:.0f} s")
            if self._stopping.wait(RESTART_AFTER_S):
                break
            self.restarts += 1
        self._finish()

    def _drain_until_ended(self) -> None:
        """Deliver the child's messages until it says it ended, or dies without saying so."""
        while True:
            try:
                kind, payload = self._messages.get(timeout=0.5)
            except queue.Empty:
                if not self._process.is_alive():
                    return
                continue
            except (EOFError, OSError):
                return
            if kind == "ended":
                return
            self._deliver(kind, payload)

    def _deliver(self, kind: str, payload: Any) -> None:
        try:
            if kind == "snapshot":
                self.frames_analysed = payload.frames_analysed
                self._publish(payload)
            elif kind == "samples" and self._on_sample is not None:
                self._on_sample(payload)
            elif kind == "health" and self._on_health is not None:
                self._on_health(payload)
            elif kind == "crossings" and self._on_crossings is not None:
                self._on_crossings(payload)
            elif kind == "calibration":
                self.calibration_frames.append(payload)
            elif kind == "log":
                logger = logging.getLogger(payload.name)
                if logger.isEnabledFor(payload.levelno):
                    logger.handle(payload)
        except Exception:  # a listener's bug must not stop the camera
            log.exception("camera %s: a listener failed on %s", self.camera_id, kind)

    def _report_failure(self, message: str) -> None:
        if self._on_health is not None:
            from datetime import UTC, datetime

            try:
                self._on_health(CameraHealthEvent(self.camera_id, datetime.now(UTC), "failed", message))
            except Exception:
                log.exception("camera %s: the health listener failed", self.camera_id)

    def _finish(self) -> None:
        process = self._process
        if process is None:
            return
        deadline = time.monotonic() + 10.0
        while process.is_alive() and time.monotonic() < deadline:
            try:  # keep draining so the child's queue feeder can flush and exit
                self._messages.get(timeout=0.1)
            except (queue.Empty, EOFError, OSError):
                pass
        if process.is_alive():
            log.warning("camera %s: the analysis process did not stop; killing it", self.camera_id)
            process.kill()
        process.join(2.0)
        self._messages.close()
        self._messages.cancel_join_thread()
