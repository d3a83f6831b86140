"""One camera's analysis: detector → tracker → zones and counting lines → counts (and calibration features).

The pipeline is the same for a live camera (fed by a capture thread) and for ``main.py evaluate`` (fed from a
recorded dataset), so evaluation measures what the console shows.

Counting: a frame's count is the number of people the tracker holds at that instant — tracks matched in this frame
plus confirmed tracks missed for a moment and coasting on their prediction — whose anchor (bottom centre) lies in
the region of interest. Coasting keeps a person who was missed for a frame or two; the tracker's confirmation
(a couple of hits) keeps one-frame false detections out. ``detect_every`` runs the detector on every n-th frame only;
the tracker predicts the frames in between, so counts and overlays stay live at the display rate.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from camera.calibration import CountModel, DriftWatch, detection_features
from camera.detections import Detections
from camera.detectors.base import Detector
from camera.frames import Frame
from camera.lines import CountingLine
from camera.scene_features import scene_gray
from camera.tracker import ByteTracker
from camera.zone_state import ZoneOccupancy
from camera.zones import points_in_polygon
from console.domain.records import ZoneSpec


@dataclass(frozen=True)
class LineSpec:
    """A counting line from ``a`` to ``b`` in image pixels; "in" is the side where cross(B−A, P−A) > 0."""

    name: str
    a: tuple[float, float]
    b: tuple[float, float]


@dataclass(frozen=True)
class PipelineConfig:
    detect_every: int = 1
    zones: tuple[ZoneSpec, ...] = ()
    lines: tuple[LineSpec, ...] = ()
    roi: tuple[tuple[float, float], ...] | None = None
    enter_frames: int = 2
    leave_frames: int = 2
    # Tracker and line settings with the lowest frame-count error and line-total error on the evaluation footage
    # (pets09-s2l1, tud-stadtmitte, tud-campus; see benchmarks/counting_accuracy.py and camera/tracker.py).
    max_missed_s: float = 1.5
    report_missed_s: float = 0.3
    min_hits: int = 2
    weak_keep_s: float = 1.0
    line_band_per_height: float = 0.15


@dataclass(frozen=True)
class FrameResult:
    index: int
    t_s: float
    tracks: Detections  # the people counted in this frame, with track ids
    detections: Detections | None  # the detector's raw output, None on frames without a detector run
    count: float  # people in the region of interest (calibrated when a count model is set)
    raw_count: int  # the same before calibration
    zone_counts: dict[str, int] = field(default_factory=dict)
    lobby_count: int = 0
    #: on frames with calibration features: the detection features (``camera.calibration.DETECTION_FEATURES``) and
    #: the grey working picture the scene features are measured on, with its scale (working / frame pixels)
    features: np.ndarray | None = None
    scene: np.ndarray | None = None
    scene_scale: float = 1.0


class CameraPipeline:
    """Not thread-safe: one pipeline per camera, driven by that camera's analysis worker."""

    def __init__(
        self,
        detector: Detector,
        config: PipelineConfig,
        *,
        calibration: CountModel | None = None,
        collect_features: bool = False,
        feature_period_s: float | None = None,
    ) -> None:
        """``collect_features``: calibration features on every frame (evaluation); ``feature_period_s``: at most
        that often otherwise (a live camera keeps frames to label); a calibrated camera needs them every frame."""
        if config.detect_every < 1:
            raise ValueError(f"detect_every must be at least 1, got {config.detect_every}")
        self.detector = detector
        self.config = config
        if calibration is not None and not calibration.background:
            raise ValueError("the calibration has no scene background (stored by an earlier version): "
                             "load it with camera.calibration.load_calibration")
        self.calibration = calibration
        threshold = getattr(detector, "track_threshold", 0.5)
        self.tracker = ByteTracker(high_threshold=threshold, new_track_threshold=threshold,
                                   max_missed_s=config.max_missed_s, report_missed_s=config.report_missed_s,
                                   min_hits=config.min_hits, weak_keep_s=config.weak_keep_s)
        self.zones = ZoneOccupancy(config.zones, enter_frames=config.enter_frames, leave_frames=config.leave_frames)
        self.lines = [CountingLine(spec.name, spec.a, spec.b, band_per_height=config.line_band_per_height)
                      for spec in config.lines]
        self._collect = collect_features or calibration is not None
        self._feature_period_s = feature_period_s
        self._last_features_s: float | None = None
        #: whether the pictures still look like the calibration's (None without a calibration)
        self.drift = DriftWatch(calibration) if calibration is not None else None
        self._frames = 0
        self._last_detections = Detections.empty()

    @property
    def line_totals(self) -> dict[str, tuple[int, int]]:
        """(in, out) crossings per line since the pipeline started."""
        return {line.name: (line.in_count, line.out_count) for line in self.lines}

    def _in_roi(self, tracks: Detections) -> Detections:
        if self.config.roi is None or len(tracks) == 0:
            return tracks
        return tracks.filter(points_in_polygon(tracks.anchors_xy, self.config.roi))

    def process(self, frame: Frame) -> FrameResult:
        run_detector = self._frames % self.config.detect_every == 0
        self._frames += 1
        detections: Detections | None = None
        if run_detector:
            detections = self.detector.detect(frame.image)
            self._last_detections = detections
            tracks = self.tracker.update(detections, frame.t_s)
        else:
            tracks = self.tracker.predict(frame.t_s)
        for line in self.lines:
            line.update(tracks)
        zone_counts = self.zones.update(tracks, frame.t_s) if self.config.zones else {}
        counted = self._in_roi(tracks)
        raw = len(counted)
        features = scene = None
        scale = 1.0
        due = self._collect or (
            self._feature_period_s is not None
            and (self._last_features_s is None or frame.t_s - self._last_features_s >= self._feature_period_s))
        if due:
            self._last_features_s = frame.t_s
            features = detection_features(counted, self._last_detections, self.config.roi)
            scene, scale = scene_gray(frame.image)
        count: float = raw
        if self.calibration is not None and features is not None and scene is not None:
            row = self.calibration.feature_row(features, scene)
            count = float(self.calibration.predict(row)[0])
            if self.drift is not None:
                self.drift.observe(row)
            if raw > 0 and zone_counts:
                factor = count / raw
                zone_counts = {name: int(round(n * factor)) for name, n in zone_counts.items()}
        lobby = self.zones.lobby_count() if self.config.zones else raw
        if self.calibration is not None and raw > 0:
            lobby = int(round(lobby * count / raw))
        elif self.calibration is not None:
            lobby = int(round(count))
        return FrameResult(
            index=frame.index,
            t_s=frame.t_s,
            tracks=tracks,
            detections=detections,
            count=count,
            raw_count=raw,
            zone_counts=zone_counts,
            lobby_count=lobby,
            features=features,
            scene=scene,
            scene_scale=scale,
        )

