"""Counting lines: people crossing a line segment, in and out, from their tracks.

A crossing is a step of a track's anchor (bottom centre) from its previous position to the current one that
intersects the segment A→B. Its direction is the side the anchor ends on: "in" where cross(B−A, P−A) > 0 in image
coordinates (y down) — on screen, the right-hand side as seen from A looking at B — else "out". This is the
convention of the ground truth in ../shared/datasets. A point exactly on the line belongs to neither side: the
crossing is counted when the anchor leaves the line, on the side it leaves to, and only if it came from the other
side (so standing on the line counts nothing).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from camera.detections import Detections


@dataclass(frozen=True)
class Crossing:
    track_id: int
    direction: str  # "in" or "out"


def _side(a: np.ndarray, b: np.ndarray, p: np.ndarray) -> float:
    d = b - a
    return float(d[0] * (p[1] - a[1]) - d[1] * (p[0] - a[0]))


class CountingLine:
    """State per track: the last side (±1) the track's anchor was strictly on, and its last position."""

    def __init__(self, name: str, a_xy: tuple[float, float], b_xy: tuple[float, float], *,
                 forget_after_updates: int = 50) -> None:
        self.name = name
        self.a = np.asarray(a_xy, dtype=np.float64)
        self.b = np.asarray(b_xy, dtype=np.float64)
        if np.allclose(self.a, self.b):
            raise ValueError(f"counting line {name!r} has both ends at {tuple(a_xy)}")
        self.in_count = 0
        self.out_count = 0
        self._last: dict[int, tuple[np.ndarray, int, int]] = {}  # id → (position, last strict side, updates ago)
        self._forget = forget_after_updates

    def reset(self) -> None:
        self.in_count = self.out_count = 0
        self._last.clear()

    def update(self, tracks: Detections) -> list[Crossing]:
        crossings: list[Crossing] = []
        seen = set()
        for track_id, anchor in zip(tracks.track_ids, tracks.anchors_xy, strict=True):
            tid = int(track_id)
            if tid < 0:
                continue
            seen.add(tid)
            p = anchor.astype(np.float64)
            s = _side(self.a, self.b, p)
            side = 1 if s > 0 else -1 if s < 0 else 0
            previous = self._last.get(tid)
            if previous is None:
                self._last[tid] = (p, side, 0)
                continue
            last_pos, last_side, _ = previous
            if side != 0 and last_side != 0 and side != last_side and self._step_meets(last_pos, p):
                direction = "in" if side > 0 else "out"
                if direction == "in":
                    self.in_count += 1
                else:
                    self.out_count += 1
                crossings.append(Crossing(tid, direction))
            self._last[tid] = (p, side if side != 0 else last_side, 0)
        for tid in list(self._last):
            if tid not in seen:
                pos, side, age = self._last[tid]
                if age + 1 > self._forget:
                    del self._last[tid]
                else:
                    self._last[tid] = (pos, side, age + 1)
        return crossings

    def _step_meets(self, p: np.ndarray, q: np.ndarray) -> bool:
        """Whether the path from p to q passes through the segment (the line between its ends, not beyond)."""
        d3 = _side(p, q, self.a)
        d4 = _side(p, q, self.b)
        return (d3 >= 0 >= d4) or (d4 >= 0 >= d3)
