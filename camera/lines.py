"""Counting lines: people crossing a line segment, in and out, from their tracks.

A crossing is a step of a track's anchor — the bottom centre of its box, where the person stands — from its
previous position to its current one that intersects the segment A→B (ends A and B included). Its direction is the
side the anchor ends on: "in" where cross(B−A, P−A) > 0 in image coordinates (y down) — on screen, the right-hand
side as seen from A looking towards B — else "out". This is the convention of the ground truth in
../shared/datasets, and it reproduces the totals of its truth.json files from the annotated tracks.

A point exactly on the line (cross = 0) is on neither side: the track's side is remembered from before, and the
crossing is counted once, when the anchor leaves the line — on the side it leaves to, provided it came from the
other side and leaves from a point within the segment. Standing on the line, or touching it and going back,
counts nothing.

``band_per_height`` adds hysteresis against box jitter and truncated boxes at the image edge: an anchor closer to
the line than that fraction of its box's height counts as on the line, so a crossing needs the person to get clearly
beyond it on the other side; the segment test then uses the step from the last position clearly on the old side.
0 (the default) is the plain geometric rule of the ground truth.

``min_step_px`` suppresses box jitter: a move shorter than that (pixels) from the last position used is ignored
(the position is not advanced, so slow walking still adds up to a step). 0 tests every step.

A track absent from an update keeps its last position, so a person missed for a few frames who reappears on the
other side is still counted; a track absent for ``forget_after_updates`` consecutive updates, or not in the ids
given to ``forget``, is forgotten.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from camera.detections import Detections

Direction = Literal["in", "out"]


@dataclass(frozen=True)
class Crossing:
    track_id: int
    direction: Direction  # "in" or "out"


@dataclass
class _TrackState:
    x: float  # last position used, pixels
    y: float
    side: int  # last strict side, +1 ("in" side) or −1; 0 while the track has only been seen on the line
    sx: float = 0.0  # last position strictly on that side (used with a band)
    sy: float = 0.0
    absent_updates: int = 0


def _cross(ax: float, ay: float, bx: float, by: float, px: float, py: float) -> float:
    """cross(B−A, P−A): > 0 on the "in" side (image coordinates, y down)."""
    return (bx - ax) * (py - ay) - (by - ay) * (px - ax)


def _sign(v: float) -> int:
    return 1 if v > 0 else -1 if v < 0 else 0


class CountingLine:
    """One counting line's state machine; ``update`` once per frame with that frame's tracks."""

    def __init__(
        self,
        name: str,
        a_xy: Sequence[float],
        b_xy: Sequence[float],
        *,
        min_step_px: float = 0.0,
        forget_after_updates: int = 50,
        band_per_height: float = 0.0,
    ) -> None:
        try:
            a = np.asarray(a_xy, dtype=np.float64).reshape(-1)
            b = np.asarray(b_xy, dtype=np.float64).reshape(-1)
        except (TypeError, ValueError):
            raise ValueError(f"counting line {name!r}: ends must be (x, y) points, got {a_xy!r}, {b_xy!r}") from None
        if a.shape != (2,) or b.shape != (2,) or not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
            raise ValueError(f"counting line {name!r}: ends must be two finite (x, y) points, got {a_xy}, {b_xy}")
        if np.array_equal(a, b):
            raise ValueError(f"counting line {name!r} has both ends at {tuple(float(v) for v in a)}: not a line")
        if not min_step_px >= 0:
            raise ValueError(f"counting line {name!r}: min_step_px must be ≥ 0 pixels, got {min_step_px}")
        if not band_per_height >= 0:
            raise ValueError(f"counting line {name!r}: band_per_height must be ≥ 0, got {band_per_height}")
        if forget_after_updates < 1:
            raise ValueError(f"counting line {name!r}: forget_after_updates must be ≥ 1, got {forget_after_updates}")
        self.name = name
        self.a_xy = (float(a[0]), float(a[1]))
        self.b_xy = (float(b[0]), float(b[1]))
        self.min_step_px = float(min_step_px)
        self.band_per_height = float(band_per_height)
        self._length = float(np.hypot(b[0] - a[0], b[1] - a[1]))
        self.forget_after_updates = forget_after_updates
        self.in_count = 0
        self.out_count = 0
        self._tracks: dict[int, _TrackState] = {}

    def reset(self) -> None:
        """Totals back to zero and every track forgotten."""
        self.in_count = self.out_count = 0
        self._tracks.clear()

    def forget(self, track_ids_alive: Iterable[int]) -> None:
        """Drop the state of every track not in ``track_ids_alive`` (e.g. ``ByteTracker.active_ids``)."""
        alive = {int(i) for i in track_ids_alive}
        for tid in [t for t in self._tracks if t not in alive]:
            del self._tracks[tid]

    @property
    def tracked_ids(self) -> frozenset[int]:
        """Ids whose last position the line remembers."""
        return frozenset(self._tracks)

    def update(self, tracks: Detections) -> list[Crossing]:
        """The crossings of this frame (at most one per track); the totals are updated. Ids < 0 are ignored."""
        crossings: list[Crossing] = []
        seen: set[int] = set()
        anchors = tracks.anchors_xy.astype(np.float64).tolist()
        heights = (tracks.xyxy[:, 3] - tracks.xyxy[:, 1]).astype(np.float64).tolist()
        banded = self.band_per_height > 0
        for track_id, (px, py), height in zip(tracks.track_ids.tolist(), anchors, heights, strict=True):
            if track_id < 0 or track_id in seen:
                continue
            seen.add(track_id)
            state = self._tracks.get(track_id)
            cross = _cross(*self.a_xy, *self.b_xy, px, py)
            if banded and abs(cross) <= self.band_per_height * max(height, 0.0) * self._length:
                side = 0
            else:
                side = _sign(cross)
            if state is None:
                self._tracks[track_id] = _TrackState(px, py, side, sx=px, sy=py)
                continue
            state.absent_updates = 0
            if self.min_step_px > 0 and np.hypot(px - state.x, py - state.y) < self.min_step_px:
                continue
            x0, y0 = (state.sx, state.sy) if banded else (state.x, state.y)
            if side != 0 and state.side == -side and self._step_meets_segment(x0, y0, px, py):
                direction: Direction = "in" if side > 0 else "out"
                if side > 0:
                    self.in_count += 1
                else:
                    self.out_count += 1
                crossings.append(Crossing(track_id, direction))
            state.x, state.y = px, py
            if side != 0:
                state.side = side
                state.sx, state.sy = px, py
        for tid in [t for t in self._tracks if t not in seen]:
            state = self._tracks[tid]
            state.absent_updates += 1
            if state.absent_updates >= self.forget_after_updates:
                del self._tracks[tid]
        return crossings

    def _step_meets_segment(self, x0: float, y0: float, x1: float, y1: float) -> bool:
        """Whether the step (x0, y0)→(x1, y1), which ends strictly on the other side of line AB than the track last
        was, meets the segment: A and B must not lie strictly on the same side of the step's own line."""
        da = _sign(_cross(x0, y0, x1, y1, *self.a_xy))
        db = _sign(_cross(x0, y0, x1, y1, *self.b_xy))
        return da * db <= 0
