"""A live camera: a capture thread feeding a one-deep mailbox, and an analysis thread running the pipeline.

The analysis thread takes the newest frame (older ones are dropped and counted by the mailbox), runs the pipeline at
most ``analysis_fps`` times a second, and publishes a ``CameraSnapshot`` at most ``publish_hz`` times a second with
a downscaled copy of the frame and the tracks to draw. Occupancy samples (lobby and per zone, the mean over the
sample period, rounded) go to ``on_sample`` every ``sample_period_s`` seconds, and the counting lines' crossings
during that period to ``on_crossings``; changes of the capture state (online, offline, failed) go to ``on_health``,
and so does a calibrated camera's picture drifting from its calibration's (an "online" event whose message is
``CALIBRATION_STALE``, and an "online" event with no message once it fits again): a headless worker stores it like
any state, so the console shows the staleness of cameras it does not analyse. Neither thread touches Qt; the
console connects ``publish`` to a Qt signal. One camera failing never affects another: each has its own threads and
every error is caught, logged (credentials masked) and shown in its status.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import cv2
import numpy as np

from camera.calibration import CalibrationFrame
from camera.capture import CaptureStatus, CaptureWorker, LatestFrameMailbox
from camera.credentials import mask_credentials
from camera.detections import Detections
from camera.detectors.base import Detector
from camera.pipeline import CameraPipeline, FrameResult, PipelineConfig
from console.domain.records import CameraHealthEvent, LineCrossings, OccupancyPoint

log = logging.getLogger(__name__)

#: Width of the frame copy sent to the window, in pixels (height follows the aspect ratio).
PREVIEW_WIDTH = 640
#: the message of the health event saying a calibrated camera's picture has drifted from its calibration's
CALIBRATION_STALE = "calibration may be stale: the picture has changed since it was calibrated"


@dataclass(frozen=True)
class CameraSnapshot:
    """What the window shows of one camera at one instant (immutable; the preview is a fresh copy)."""

    camera_id: str
    name: str
    status: CaptureStatus | None
    detector: str
    low_accuracy: bool
    count: float
    zone_counts: dict[str, int]
    lobby_count: int
    line_totals: dict[str, tuple[int, int]]
    dwell: dict[str, tuple[int, float, float]]  # zone → (people, mean s, max s)
    tracks: Detections
    preview: np.ndarray | None = field(default=None, compare=False)  # BGR, PREVIEW_WIDTH wide
    preview_scale: float = 1.0  # preview pixels per frame pixel
    analysed_fps: float = 0.0
    error: str | None = None
    frames_analysed: int = 0  # since the camera's analysis started
    #: the live pictures have drifted from the calibration's (lighting, the camera moved): its count is unsure
    calibration_stale: bool = False
    #: the detector's raw boxes of the same frame (None on frames without a detector run): every person an alert
    #: snapshot must blur, also those the tracker has not confirmed yet (camera/privacy.py)
    detections: Detections | None = field(default=None, compare=False)
    #: counted by a headless worker on another PC (figures read back from the database; no picture here)
    remote: bool = False


class CameraWorker:
    def __init__(
        self,
        camera_id: str,
        name: str,
        source: str,
        detector_factory: Callable[[], Detector],
        config: PipelineConfig,
        *,
        publish: Callable[[CameraSnapshot], None],
        on_sample: Callable[[list[OccupancyPoint]], None] | None = None,
        on_health: Callable[[CameraHealthEvent], None] | None = None,
        on_crossings: Callable[[list[LineCrossings]], None] | None = None,
        on_calibration_frame: Callable[[CalibrationFrame], None] | None = None,
        analysis_fps: float = 5.0,
        publish_hz: float = 5.0,
        sample_period_s: float = 5.0,
        offline_after_s: float = 10.0,
        calibration=None,
        calibration_every_s: float = 10.0,
    ) -> None:
        self.camera_id = camera_id
        self.name = name
        self._source = source
        self._factory = detector_factory
        self._config = config
        self._calibration = calibration
        self._publish = publish
        self._on_sample = on_sample
        self._period = 1.0 / analysis_fps
        self._publish_period = 1.0 / publish_hz
        self._sample_period = sample_period_s
        self.mailbox = LatestFrameMailbox()
        self._on_health = on_health
        self._on_crossings = on_crossings
        self._on_calibration_frame = on_calibration_frame
        self._line_reported: dict[str, tuple[int, int]] = {}
        self._health_state: str | None = None
        self._stale_sent: bool | None = None  # the staleness last reported while online (None: none since)
        self._health_lock = threading.Lock()
        self.capture = CaptureWorker(source, self.mailbox, name=camera_id, offline_after_s=offline_after_s,
                                     on_state=self._capture_state)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: str | None = None
        self.frames_analysed = 0
        #: recent frames offered for count calibration (one every ``calibration_every_s``), newest last
        self.calibration_frames: deque[CalibrationFrame] = deque(maxlen=40)
        self._calibration_every = calibration_every_s

    def start(self) -> None:
        self.capture.start()
        self._thread = threading.Thread(target=self._run, name=f"analysis-{self.camera_id}", daemon=False)
        self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        self.capture.stop()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    @property
    def is_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _capture_state(self, status: CaptureStatus) -> None:
        self._health(status.state, status.message)

    def _health(self, state: str, message: str) -> None:
        """Report a change of state to ``on_health`` (from the capture or analysis thread; once per change)."""
        with self._health_lock:
            if state == self._health_state:
                return
            self._health_state = state
            self._stale_sent = None
        self._send_health(state, message)

    def _report_calibration(self, stale: bool) -> None:
        """Report a change of the calibration's staleness while the camera is online (analysis thread)."""
        with self._health_lock:
            if self._health_state != "online" or stale == self._stale_sent:
                return
            first, self._stale_sent = self._stale_sent is None, stale
        if stale or not first:  # a fitting calibration is news only after a stale one
            self._send_health("online", CALIBRATION_STALE if stale else "")

    def _send_health(self, state: str, message: str) -> None:
        if self._on_health is not None:
            try:
                self._on_health(CameraHealthEvent(self.camera_id, datetime.now(UTC), state,
                                                  mask_credentials(message)))
            except Exception:  # a listener's bug must not stop the camera
                log.exception("camera %s: the health listener failed", self.camera_id)

    def _run(self) -> None:
        try:
            detector = self._factory()
            pipeline = CameraPipeline(detector, self._config, calibration=self._calibration, feature_period_s=1.0)
        except Exception as exc:
            self.error = mask_credentials(f"{type(exc).__name__}: {exc}")
            log.error("camera %s cannot start its analysis: %s", self.camera_id, self.error)
            self._health("failed", self.error)
            self._publish(self._snapshot(None, None, None, 0.0))
            return
        last_analysis = 0.0
        last_publish = 0.0
        last_candidate = 0.0
        window: list[tuple[int, dict[str, int]]] = []
        window_start = time.monotonic()
        fps_ema = 0.0
        while not self._stop.is_set():
            frame = self.mailbox.take(timeout_s=0.5)
            now = time.monotonic()
            if frame is None:
                if now - last_publish >= 1.0:  # keep the status live while no frames come
                    self._publish(self._snapshot(pipeline, None, None, fps_ema, detector))
                    last_publish = now
                continue
            early_s = self._period - (now - last_analysis)
            if early_s > 0:  # too soon: wait for the analysis time, then analyse the newest frame there is
                if self._stop.wait(early_s):
                    break
                frame = self.mailbox.take(timeout_s=0) or frame
                now = time.monotonic()
            try:
                result = pipeline.process(frame)
            except Exception as exc:  # a bad frame or a detector failure must not end the camera
                self.error = mask_credentials(f"{type(exc).__name__}: {exc}")
                log.exception("camera %s: analysis failed on frame %s", self.camera_id, frame.index)
                continue
            self.error = None
            self.frames_analysed += 1
            if pipeline.drift is not None:
                self._report_calibration(pipeline.drift.stale)
            if last_analysis:
                fps_ema = 0.8 * fps_ema + 0.2 / max(now - last_analysis, 1e-6)
            last_analysis = now
            window.append((result.lobby_count, dict(result.zone_counts)))
            if now - window_start >= self._sample_period and window:
                self._emit_samples(window)
                self._emit_crossings(pipeline.line_totals)
                window, window_start = [], now
            if (result.features is not None and result.scene is not None
                    and now - last_candidate >= self._calibration_every):
                preview, scale = self._preview(frame.image)
                candidate = CalibrationFrame(preview, scale, result.features, result.raw_count, datetime.now(UTC),
                                             scene=result.scene, scene_scale=result.scene_scale)
                self.calibration_frames.append(candidate)
                if self._on_calibration_frame is not None:
                    self._on_calibration_frame(candidate)
                last_candidate = now
            if now - last_publish >= self._publish_period:
                self._publish(self._snapshot(pipeline, result, frame.image, fps_ema, detector))
                last_publish = now

    def _emit_samples(self, window: list[tuple[int, dict[str, int]]]) -> None:
        if self._on_sample is None:
            return
        at = datetime.now(UTC)
        lobby = round(sum(n for n, _ in window) / len(window))
        points = [OccupancyPoint(at=at, count=lobby, zone=None, camera_id=self.camera_id)]
        names = {name for _, zones in window for name in zones}
        for name in sorted(names):
            mean = sum(zones.get(name, 0) for _, zones in window) / len(window)
            points.append(OccupancyPoint(at=at, count=round(mean), zone=name, camera_id=self.camera_id))
        self._on_sample(points)

    def _emit_crossings(self, totals: dict[str, tuple[int, int]]) -> None:
        """The crossings of each line since the last sample period (only lines someone crossed)."""
        at = datetime.now(UTC)
        batch = []
        for name, (n_in, n_out) in totals.items():
            old_in, old_out = self._line_reported.get(name, (0, 0))
            if (n_in, n_out) != (old_in, old_out):
                batch.append(LineCrossings(self.camera_id, name, at, n_in - old_in, n_out - old_out))
                self._line_reported[name] = (n_in, n_out)
        if batch and self._on_crossings is not None:
            self._on_crossings(batch)

    @staticmethod
    def _preview(image: np.ndarray) -> tuple[np.ndarray, float]:
        """A copy at most PREVIEW_WIDTH wide and the scale from frame to preview pixels."""
        h, w = image.shape[:2]
        scale = min(1.0, PREVIEW_WIDTH / w)
        if scale < 1:
            return cv2.resize(image, (int(w * scale), int(h * scale)), interpolation=cv2.INTER_AREA), scale
        return image.copy(), 1.0

    def _snapshot(self, pipeline, result: FrameResult | None, image, fps: float, detector=None) -> CameraSnapshot:
        preview = None
        scale = 1.0
        if image is not None:
            preview, scale = self._preview(image)
        dwell = {}
        if pipeline is not None:
            for zone in self._config.zones:
                dwell[zone.name] = pipeline.zones.dwell_summary(zone.name)
        return CameraSnapshot(
            camera_id=self.camera_id,
            name=self.name,
            status=self.capture.status(),
            detector=getattr(detector, "name", "—"),
            low_accuracy=bool(getattr(detector, "low_accuracy", False)),
            count=result.count if result else 0.0,
            zone_counts=dict(result.zone_counts) if result else {},
            lobby_count=result.lobby_count if result else 0,
            line_totals=pipeline.line_totals if pipeline is not None else {},
            dwell=dwell,
            tracks=result.tracks if result else Detections.empty(),
            preview=preview,
            preview_scale=scale,
            analysed_fps=fps,
            error=self.error,
            frames_analysed=self.frames_analysed,
            calibration_stale=bool(pipeline is not None and pipeline.drift is not None and pipeline.drift.stale),
            detections=result.detections if result else None,
        )
