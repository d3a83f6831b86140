"""Multi-object tracking of people, ByteTrack style: a Kalman filter per track and two-stage IoU association.

State of a track: centre x, centre y, width, height and their velocities (pixels, pixels per second), constant
velocity between frames. Times are the frames' ``t_s`` (seconds), so detection may run on fewer frames than are
displayed: ``predict(t_s)`` moves every track to a frame without detections.

Association per detector frame:
1. confident detections (≥ ``high_threshold``) against all live tracks by IoU (Hungarian, ``scipy``);
2. the remaining low-confidence detections (≥ ``low_threshold``) against the remaining tracks — a partly hidden
   person keeps their track instead of being lost (the ByteTrack idea);
3. unmatched confident detections (≥ ``new_track_threshold``) start tentative tracks; a track is confirmed after
   ``min_hits`` matches in consecutive detector frames; a tentative track missed once is dropped;
4. a confirmed track that is missed keeps coasting on its prediction for ``max_missed_s`` seconds (so it can be
   matched again), then ends; it is reported (counted, drawn) while missed for at most ``report_missed_s``.
Ids are positive, increasing and never reused.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

from camera.detections import Detections

# Kalman noise, relative to the box height h (people far away move fewer pixels): position measurement noise
# 5% of h, size measurement noise 10% of h; process noise on velocity 2 h per second².
_MEAS_POS = 0.05
_MEAS_SIZE = 0.10
_PROC_VEL = 2.0


def _xyxy_to_z(b: np.ndarray) -> np.ndarray:
    return np.array([(b[0] + b[2]) / 2, (b[1] + b[3]) / 2, b[2] - b[0], b[3] - b[1]], dtype=np.float64)


def iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of every box in a (N, 4) with every box in b (M, 4)."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)))
    x1 = np.maximum(a[:, None, 0], b[None, :, 0])
    y1 = np.maximum(a[:, None, 1], b[None, :, 1])
    x2 = np.minimum(a[:, None, 2], b[None, :, 2])
    y2 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return inter / np.maximum(area_a[:, None] + area_b[None, :] - inter, 1e-9)


@dataclass
class _Track:
    track_id: int
    x: np.ndarray  # state (8,): cx, cy, w, h, vcx, vcy, vw, vh
    p: np.ndarray  # covariance (8, 8)
    t_s: float
    hits: int = 1
    confirmed: bool = False
    last_seen_s: float = 0.0
    confidence: float = 0.0
    matched_now: bool = True
    history: list[float] = field(default_factory=list)

    def box(self) -> np.ndarray:
        cx, cy, w, h = self.x[:4]
        w, h = max(w, 1.0), max(h, 1.0)
        return np.array([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], dtype=np.float32)

    def predict(self, t_s: float) -> None:
        dt = t_s - self.t_s
        if dt <= 0:
            return
        f = np.eye(8)
        f[:4, 4:] = np.eye(4) * dt
        h = max(self.x[3], 1.0)
        q = np.zeros((8, 8))
        q[4:, 4:] = np.eye(4) * (_PROC_VEL * h) ** 2 * dt
        q[:4, :4] = np.eye(4) * (_PROC_VEL * h) ** 2 * dt**3 / 3
        self.x = f @ self.x
        self.p = f @ self.p @ f.T + q
        self.t_s = t_s

    def correct(self, box: np.ndarray, t_s: float, confidence: float) -> None:
        z = _xyxy_to_z(box)
        hm = np.zeros((4, 8))
        hm[:, :4] = np.eye(4)
        h = max(z[3], 1.0)
        r = np.diag([(_MEAS_POS * h) ** 2, (_MEAS_POS * h) ** 2, (_MEAS_SIZE * h) ** 2, (_MEAS_SIZE * h) ** 2])
        s = hm @ self.p @ hm.T + r
        k = self.p @ hm.T @ np.linalg.inv(s)
        self.x = self.x + k @ (z - hm @ self.x)
        self.p = (np.eye(8) - k @ hm) @ self.p
        self.last_seen_s = t_s
        self.confidence = confidence
        self.hits += 1
        self.matched_now = True


def _new_state(box: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = _xyxy_to_z(box)
    x = np.concatenate([z, np.zeros(4)])
    h = max(z[3], 1.0)
    p = np.diag([(_MEAS_POS * h) ** 2] * 2 + [(_MEAS_SIZE * h) ** 2] * 2 + [(h) ** 2] * 4)
    return x, p


class ByteTracker:
    def __init__(
        self,
        *,
        high_threshold: float = 0.5,
        low_threshold: float = 0.1,
        new_track_threshold: float = 0.5,
        match_iou: float = 0.2,
        max_missed_s: float = 1.0,
        report_missed_s: float = 0.5,
        min_hits: int = 2,
    ) -> None:
        self.high_threshold = high_threshold
        self.low_threshold = low_threshold
        self.new_track_threshold = new_track_threshold
        self.match_iou = match_iou
        self.max_missed_s = max_missed_s
        self.report_missed_s = report_missed_s
        self._now = 0.0
        self.min_hits = min_hits
        self._tracks: list[_Track] = []
        self._next_id = 1

    def reset(self) -> None:
        self._tracks.clear()

    @property
    def active_ids(self) -> list[int]:
        return [t.track_id for t in self._tracks if t.confirmed]

    def _associate(self, tracks: list[_Track], boxes: np.ndarray) -> tuple[list[tuple[int, int]], list[int], list[int]]:
        if not tracks or len(boxes) == 0:
            return [], list(range(len(tracks))), list(range(len(boxes)))
        iou = iou_matrix(np.array([t.box() for t in tracks]), boxes)
        rows, cols = linear_sum_assignment(-iou)
        pairs = [(r, c) for r, c in zip(rows, cols, strict=True) if iou[r, c] >= self.match_iou]
        matched_t = {r for r, _ in pairs}
        matched_d = {c for _, c in pairs}
        return (pairs, [i for i in range(len(tracks)) if i not in matched_t],
                [j for j in range(len(boxes)) if j not in matched_d])

    def update(self, detections: Detections, t_s: float) -> Detections:
        """Associate one frame's detections; returns every confirmed track (matched now or coasting)."""
        self._now = t_s
        for t in self._tracks:
            t.predict(t_s)
            t.matched_now = False
        conf = detections.confidence
        high = np.nonzero(conf >= self.high_threshold)[0]
        low = np.nonzero((conf >= self.low_threshold) & (conf < self.high_threshold))[0]
        boxes = detections.xyxy

        pairs, left_tracks, left_high = self._associate(self._tracks, boxes[high])
        for ti, di in pairs:
            self._tracks[ti].correct(boxes[high[di]], t_s, float(conf[high[di]]))
        remaining = [self._tracks[i] for i in left_tracks if self._tracks[i].confirmed]
        pairs2, _, _ = self._associate(remaining, boxes[low])
        for ti, di in pairs2:
            remaining[ti].correct(boxes[low[di]], t_s, float(conf[low[di]]))

        survivors: list[_Track] = []
        for t in self._tracks:
            if t.matched_now:
                if not t.confirmed and t.hits >= self.min_hits:
                    t.confirmed = True
                survivors.append(t)
            elif t.confirmed and t_s - t.last_seen_s <= self.max_missed_s:
                survivors.append(t)
        for j in left_high:
            d = high[j]
            if conf[d] < self.new_track_threshold:
                continue
            x, p = _new_state(boxes[d])
            track = _Track(self._next_id, x, p, t_s, last_seen_s=t_s, confidence=float(conf[d]),
                           confirmed=self.min_hits <= 1)
            self._next_id += 1
            survivors.append(track)
        self._tracks = survivors
        return self._output()

    def predict(self, t_s: float) -> Detections:
        """Every confirmed track moved to ``t_s`` (a frame without a detector run)."""
        self._now = t_s
        for t in self._tracks:
            t.predict(t_s)
        return self._output()

    def _output(self) -> Detections:
        confirmed = [t for t in self._tracks if t.confirmed and self._now - t.last_seen_s <= self.report_missed_s]
        if not confirmed:
            return Detections.empty()
        return Detections(np.array([t.box() for t in confirmed]), np.array([t.confidence for t in confirmed]),
                          np.array([t.track_id for t in confirmed]))
