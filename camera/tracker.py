"""Multi-object tracking of people, ByteTrack style: a Kalman filter per track and two-stage IoU association.

Each track has a constant-velocity Kalman filter (``BoxKalman``) on its box. State (8,): centre x, centre y, width,
height (pixels) and their rates (pixels per second), constant velocity between frames. Times are the frames'
``t_s`` (seconds) and the filter is continuous-time, so the detector may run on fewer frames than are shown:
``update(detections, t_s)`` on frames with a detector run, ``predict(t_s)`` on the frames in between.

Association on a detector frame (every track first predicted to ``t_s``; IoU of predicted box vs detection;
optimal one-to-one matching by the Hungarian method, pairs below ``match_iou`` never matched):
1. confident detections (confidence ≥ ``high_threshold``) with every confirmed track, seen or coasting;
2. the weak detections (``low_threshold`` ≤ confidence < ``high_threshold``) with the confirmed tracks left over
   that were seen at the previous detector frame — a partly hidden person keeps their track (the ByteTrack idea),
   while a weak detection never revives a coasting track or starts one. Weak detections keep a track for at most
   ``weak_keep_s`` seconds after its last confident one: a partial occlusion is brief, whereas a static thing the
   detector half-believes is a person (a sign post, a coat stand) would otherwise hold a track for ever once a few
   confident frames had confirmed it. A weak detection whose height differs from the track's predicted height by
   more than the factor ``weak_height_ratio`` (either way) is not matched: it is usually the visible half of a
   person behind something, and correcting the track with it drags the box (and the anchor on the floor) upwards,
   so the person is lost when they step out from behind the obstacle;
3. the confident detections left over with the tentative tracks;
4. confident detections still left with confidence ≥ ``new_track_threshold`` start tentative tracks.

Life of a track: tentative until matched in ``min_hits`` consecutive detector frames (a tentative track missed once
is dropped: one-frame false detections never get an id); then confirmed and given its id. A confirmed track that
is missed keeps coasting on its prediction, and can be matched again, for ``max_missed_s`` seconds after it was
last seen; then it ends.

What is reported: ``update`` returns the confirmed tracks matched in this frame (box = the Kalman-corrected box)
plus, if ``report_missed_s`` > 0, confirmed tracks missed for at most that many seconds (box = prediction).
``predict`` returns the same set of tracks as the last ``update`` (those it reported), moved to ``t_s``.

Kalman noise choices. Every standard deviation is proportional to the box height h, as in ByteTrack/DeepSORT: a
person far from the camera is small and moves and jitters by fewer pixels, so one set of numbers serves the whole
image.
- Measurement (a detector box): centre ±10 % of h and width ±10 % of h (arms and legs swing with the gait, and a
  partly hidden person's box shifts), height ±5 % of h (head to feet varies less). Chosen with the process noise
  below on benchmarks/tracking.py: ±5 % on the centre follows box jitter too closely (more id switches and
  jitter crossings of counting lines), much smoother filters lag behind people who turn.
- Process: white-noise acceleration (the continuous-time model, so predicting t0→t1→t2 equals t0→t2) with
  1 h/s² on the centre — people start, stop and turn — and 0.25 h/s² on the size, which changes slowly as a
  person walks towards or away from the camera.
- A new track starts at its first box with unknown velocity: ±1 h/s on the centre (walking pace is about
  0.8 h/s) and ±0.1 h/s on the size. While a track coasts its size rates are set to 0 (the box keeps its size).

Matching uses buffered IoU: before the IoU is taken, the track's predicted box and each detection are both
widened on every side by ``BUFFER_STD`` times the track's current position uncertainty (Kalman standard deviation
of the centre, pixels). A track just seen has a few pixels of margin (nearly plain IoU); a new track, whose speed is
still unknown, or one coasting through a miss, gets wider margins, so it still meets its person when the detector
runs at a low rate (at 2-3 detector runs per second a walking person moves most of a box width between runs).

Ids are positive, increasing, assigned at confirmation, and never reused by the tracker object — not even after
``reset()``. Output is sorted by id. Everything is deterministic (no randomness; ties resolved by order).
If ``t_s`` goes backwards (a file source looped), every track is dropped, as by ``reset()``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from camera.detections import Detections

MEAS_STD_CENTRE_PER_H = 0.10
MEAS_STD_WIDTH_PER_H = 0.10
MEAS_STD_HEIGHT_PER_H = 0.05
ACC_STD_CENTRE_H_PER_S2 = 1.0
ACC_STD_SIZE_H_PER_S2 = 0.25
INIT_VEL_STD_CENTRE_H_PER_S = 1.0
INIT_VEL_STD_SIZE_H_PER_S = 0.1
MIN_SIZE_PX = 1.0
BUFFER_STD = 1.0

_H = np.hstack([np.eye(4), np.zeros((4, 4))])  # measurement picks (cx, cy, w, h) from the state
_NO_MATCH_COST = 1e6  # far above any sum of (1 − IoU): the solver first maximises the number of valid pairs


def xyxy_to_cxcywh(box_xyxy: np.ndarray) -> np.ndarray:
    x1, y1, x2, y2 = (float(v) for v in box_xyxy)
    return np.array([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1], dtype=np.float64)


def _measurement_cov(height_px: float) -> np.ndarray:
    h = max(height_px, MIN_SIZE_PX)
    std = np.array([MEAS_STD_CENTRE_PER_H, MEAS_STD_CENTRE_PER_H, MEAS_STD_WIDTH_PER_H, MEAS_STD_HEIGHT_PER_H]) * h
    return np.diag(std**2)


class BoxKalman:
    """One track's filter. ``mean``/``covariance`` are at time ``t_s`` (seconds)."""

    __slots__ = ("mean", "covariance", "t_s")

    def __init__(self, box_xyxy: np.ndarray, t_s: float) -> None:
        z = xyxy_to_cxcywh(box_xyxy)
        h = max(z[3], MIN_SIZE_PX)
        self.mean = np.concatenate([z, np.zeros(4)])
        vel_std = np.array([INIT_VEL_STD_CENTRE_H_PER_S] * 2 + [INIT_VEL_STD_SIZE_H_PER_S] * 2) * h
        cov = np.zeros((8, 8))
        cov[:4, :4] = _measurement_cov(h)
        cov[4:, 4:] = np.diag(vel_std**2)
        self.covariance = cov
        self.t_s = float(t_s)

    def predict(self, t_s: float) -> None:
        """Move the state to ``t_s``; a time not after the current one leaves it unchanged."""
        dt = float(t_s) - self.t_s
        if not dt > 0:
            return
        f = np.eye(8)
        f[:4, 4:] = np.eye(4) * dt
        h = max(self.mean[3], MIN_SIZE_PX)
        q_density = np.array([ACC_STD_CENTRE_H_PER_S2] * 2 + [ACC_STD_SIZE_H_PER_S2] * 2) ** 2 * h**2
        q = np.zeros((8, 8))
        q[:4, :4] = np.diag(q_density * dt**3 / 3)
        q[:4, 4:] = q[4:, :4] = np.diag(q_density * dt**2 / 2)
        q[4:, 4:] = np.diag(q_density * dt)
        self.mean = f @ self.mean
        self.covariance = f @ self.covariance @ f.T + q
        self.t_s = float(t_s)

    def correct(self, box_xyxy: np.ndarray) -> None:
        """Fuse a detector box observed at the current ``t_s`` (call ``predict`` first)."""
        z = xyxy_to_cxcywh(box_xyxy)
        p = self.covariance
        s = _H @ p @ _H.T + _measurement_cov(z[3])
        gain = np.linalg.solve(s, _H @ p).T  # P Hᵀ S⁻¹ (S and P symmetric)
        self.mean = self.mean + gain @ (z - _H @ self.mean)
        p = p - gain @ _H @ p
        self.covariance = (p + p.T) / 2

    def hold_size(self) -> None:
        """Stop the size changing while the person is not seen (a coasting box must not shrink away)."""
        self.mean[6:] = 0.0

    def box_xyxy(self) -> np.ndarray:
        cx, cy = self.mean[0], self.mean[1]
        w, h = max(self.mean[2], MIN_SIZE_PX), max(self.mean[3], MIN_SIZE_PX)
        return np.array([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], dtype=np.float64)


def iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of every box in a (N, 4) with every box in b (M, 4), xyxy pixels."""
    a = np.asarray(a, dtype=np.float64).reshape(-1, 4)
    b = np.asarray(b, dtype=np.float64).reshape(-1, 4)
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)))
    x1 = np.maximum(a[:, None, 0], b[None, :, 0])
    y1 = np.maximum(a[:, None, 1], b[None, :, 1])
    x2 = np.minimum(a[:, None, 2], b[None, :, 2])
    y2 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area_a = np.clip(a[:, 2] - a[:, 0], 0, None) * np.clip(a[:, 3] - a[:, 1], 0, None)
    area_b = np.clip(b[:, 2] - b[:, 0], 0, None) * np.clip(b[:, 3] - b[:, 1], 0, None)
    return inter / np.maximum(area_a[:, None] + area_b[None, :] - inter, 1e-9)


def buffered_iou_matrix(track_boxes: np.ndarray, margins_xy: np.ndarray, det_boxes: np.ndarray) -> np.ndarray:
    """IoU of every track box with every detection after both are widened by the track's margins (N, 2) on each
    side — the track's position uncertainty, so a box whose motion is not known yet can still meet its person."""
    t = np.asarray(track_boxes, dtype=np.float64).reshape(-1, 4)
    d = np.asarray(det_boxes, dtype=np.float64).reshape(-1, 4)
    if len(t) == 0 or len(d) == 0:
        return np.zeros((len(t), len(d)))
    grow = np.concatenate([-margins_xy, margins_xy], axis=1)  # (N, 4)
    t = t + grow
    dd = d[None, :, :] + grow[:, None, :]  # (N, M, 4)
    x1 = np.maximum(t[:, None, 0], dd[..., 0])
    y1 = np.maximum(t[:, None, 1], dd[..., 1])
    x2 = np.minimum(t[:, None, 2], dd[..., 2])
    y2 = np.minimum(t[:, None, 3], dd[..., 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area_t = (t[:, 2] - t[:, 0]) * (t[:, 3] - t[:, 1])
    area_d = (dd[..., 2] - dd[..., 0]) * (dd[..., 3] - dd[..., 1])
    return inter / np.maximum(area_t[:, None] + area_d - inter, 1e-9)


def match_by_iou(
    track_boxes: np.ndarray, det_boxes: np.ndarray, min_iou: float, margins_xy: np.ndarray | None = None
) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Optimal one-to-one matching maximising total IoU among pairs with IoU ≥ ``min_iou`` (buffered IoU when
    ``margins_xy`` is given).

    Returns (pairs (track index, detection index), unmatched track indices, unmatched detection indices).
    """
    n_t, n_d = len(track_boxes), len(det_boxes)
    if n_t == 0 or n_d == 0:
        return [], list(range(n_t)), list(range(n_d))
    if margins_xy is None:
        iou = iou_matrix(track_boxes, det_boxes)
    else:
        iou = buffered_iou_matrix(track_boxes, margins_xy, det_boxes)
    valid = iou >= min_iou
    cost = np.where(valid, 1.0 - iou, _NO_MATCH_COST)
    rows, cols = linear_sum_assignment(cost)
    pairs = [(int(r), int(c)) for r, c in zip(rows, cols, strict=True) if valid[r, c]]
    matched_t = {r for r, _ in pairs}
    matched_d = {c for _, c in pairs}
    return pairs, [i for i in range(n_t) if i not in matched_t], [j for j in range(n_d) if j not in matched_d]


@dataclass(eq=False)
class _Track:
    kalman: BoxKalman
    last_seen_s: float
    confidence: float
    last_confident_s: float = 0.0  # when a confident detection (≥ high_threshold) last matched it
    hits: int = 1
    track_id: int = 0  # 0 while tentative
    seen_last_run: bool = True

    @property
    def confirmed(self) -> bool:
        return self.track_id > 0


class ByteTracker:
    """Not thread-safe: one tracker per camera."""

    def __init__(
        self,
        *,
        high_threshold: float = 0.5,
        low_threshold: float = 0.1,
        new_track_threshold: float = 0.6,
        match_iou: float = 0.3,
        max_missed_s: float = 1.0,
        min_hits: int = 2,
        report_missed_s: float = 0.0,
        weak_keep_s: float = 2.0,
        weak_height_ratio: float = 0.7,
    ) -> None:
        if not 0.0 <= low_threshold <= high_threshold <= 1.0:
            raise ValueError(
                f"tracker thresholds must satisfy 0 ≤ low_threshold ≤ high_threshold ≤ 1, "
                f"got low_threshold={low_threshold}, high_threshold={high_threshold}"
            )
        if not 0.0 <= new_track_threshold <= 1.0:
            raise ValueError(f"new_track_threshold must be in [0, 1], got {new_track_threshold}")
        if not 0.0 < match_iou <= 1.0:
            raise ValueError(f"match_iou must be in (0, 1], got {match_iou}")
        if not max_missed_s >= 0.0:
            raise ValueError(f"max_missed_s must be ≥ 0 seconds, got {max_missed_s}")
        if not report_missed_s >= 0.0:
            raise ValueError(f"report_missed_s must be ≥ 0 seconds, got {report_missed_s}")
        if min_hits < 1:
            raise ValueError(f"min_hits must be at least 1, got {min_hits}")
        if not weak_keep_s >= 0.0:
            raise ValueError(f"weak_keep_s must be ≥ 0 seconds, got {weak_keep_s}")
        if not 0.0 <= weak_height_ratio <= 1.0:
            raise ValueError(f"weak_height_ratio must be in [0, 1], got {weak_height_ratio}")
        self.weak_keep_s = weak_keep_s
        self.weak_height_ratio = weak_height_ratio
        self.high_threshold = high_threshold
        self.low_threshold = low_threshold
        self.new_track_threshold = new_track_threshold
        self.match_iou = match_iou
        self.max_missed_s = max_missed_s
        self.min_hits = min_hits
        self.report_missed_s = report_missed_s
        self._tracks: list[_Track] = []
        self._next_id = 1
        self._now_s: float | None = None
        self._last_update_s: float | None = None

    def reset(self) -> None:
        """Forget every track (ids already given out are still never reused)."""
        self._tracks.clear()
        self._now_s = None
        self._last_update_s = None

    @property
    def active_ids(self) -> frozenset[int]:
        """Ids of the confirmed tracks alive now: seen at the last detector frame or coasting."""
        return frozenset(t.track_id for t in self._tracks if t.confirmed)

    def _advance(self, t_s: float) -> float:
        t_s = float(t_s)
        if not np.isfinite(t_s):
            raise ValueError(f"frame time t_s must be a finite number of seconds, got {t_s}")
        if self._now_s is not None and t_s < self._now_s:
            self.reset()
        for track in self._tracks:
            track.kalman.predict(t_s)
        self._now_s = t_s
        return t_s

    def update(self, detections: Detections, t_s: float) -> Detections:
        """Associate one detector frame's detections at time ``t_s`` (seconds); returns the reported tracks."""
        now = self._advance(t_s)
        conf = detections.confidence
        boxes = detections.xyxy.astype(np.float64)
        high = np.flatnonzero(conf >= self.high_threshold)
        low = np.flatnonzero((conf >= self.low_threshold) & (conf < self.high_threshold))
        matched: list[tuple[_Track, int]] = []

        confirmed = [t for t in self._tracks if t.confirmed]
        tentative = [t for t in self._tracks if not t.confirmed]

        # 1. confident detections with all confirmed tracks (seen or coasting)
        pairs, left_t, left_h = self._match(confirmed, boxes[high])
        matched += [(confirmed[ti], int(high[di])) for ti, di in pairs]
        # 2. weak detections with the confirmed tracks left over that were seen at the previous detector frame
        remaining = [confirmed[i] for i in left_t
                     if confirmed[i].seen_last_run and now - confirmed[i].last_confident_s <= self.weak_keep_s]
        pairs, _, _ = self._match(remaining, boxes[low])
        if pairs and self.weak_height_ratio > 0:
            predicted = self._boxes(remaining)
            ratio = self.weak_height_ratio
            pairs = [(ti, di) for ti, di in pairs
                     if ratio <= (boxes[low[di], 3] - boxes[low[di], 1])
                     / max(predicted[ti, 3] - predicted[ti, 1], MIN_SIZE_PX) <= 1 / ratio]
        matched += [(remaining[ti], int(low[di])) for ti, di in pairs]
        # 3. confident detections left over with the tentative tracks
        high_left = high[left_h]
        pairs, _, left_h2 = self._match(tentative, boxes[high_left])
        matched += [(tentative[ti], int(high_left[di])) for ti, di in pairs]

        matched_now: set[int] = set()
        for track, di in matched:
            track.kalman.correct(boxes[di])
            track.last_seen_s = now
            track.confidence = float(conf[di])
            if conf[di] >= self.high_threshold:
                track.last_confident_s = now
            track.hits += 1
            matched_now.add(id(track))

        survivors: list[_Track] = []
        for track in self._tracks:
            seen = id(track) in matched_now
            track.seen_last_run = seen
            if not track.confirmed:
                if not seen:
                    continue  # a tentative track missed once is dropped
                if track.hits >= self.min_hits:
                    self._confirm(track)
            elif not seen:
                if now - track.last_seen_s > self.max_missed_s:
                    continue
                track.kalman.hold_size()
            survivors.append(track)

        # 4. new tentative tracks from the confident detections nobody claimed
        for di in high_left[left_h2]:
            if conf[di] < self.new_track_threshold:
                continue
            track = _Track(BoxKalman(boxes[di], now), last_seen_s=now, confidence=float(conf[di]),
                           last_confident_s=now)
            if self.min_hits <= 1:
                self._confirm(track)
            survivors.append(track)
        self._tracks = survivors
        self._last_update_s = now
        return self._report()

    def predict(self, t_s: float) -> Detections:
        """The tracks the last ``update`` reported, moved to ``t_s`` (a frame without a detector run)."""
        self._advance(t_s)
        return self._report()

    def _confirm(self, track: _Track) -> None:
        track.track_id = self._next_id
        self._next_id += 1

    def _match(self, tracks: list[_Track], det_boxes: np.ndarray) -> tuple[list[tuple[int, int]], list[int], list[int]]:
        """Buffered-IoU matching; margins = BUFFER_STD × the std of each track's predicted centre (x, y), pixels."""
        margins = np.array([np.sqrt(np.diag(t.kalman.covariance)[:2]) for t in tracks]).reshape(-1, 2)
        return match_by_iou(self._boxes(tracks), det_boxes, self.match_iou, BUFFER_STD * margins)

    @staticmethod
    def _boxes(tracks: list[_Track]) -> np.ndarray:
        if not tracks:
            return np.zeros((0, 4))
        return np.array([t.kalman.box_xyxy() for t in tracks])

    def _report(self) -> Detections:
        if self._last_update_s is None:
            return Detections.empty()
        shown = [
            t for t in self._tracks
            if t.confirmed and self._last_update_s - t.last_seen_s <= self.report_missed_s
        ]
        if not shown:
            return Detections.empty()
        shown.sort(key=lambda t: t.track_id)
        return Detections(
            self._boxes(shown).astype(np.float32),
            np.array([t.confidence for t in shown], dtype=np.float32),
            np.array([t.track_id for t in shown], dtype=np.int64),
        )
