"""People per zone with inertia, and how long each person has been in a zone.

Inertia (as Frigate does it): a track counts as inside a zone after ``enter_frames`` consecutive updates with its
anchor inside the polygon, and stops counting after ``leave_frames`` consecutive updates outside or absent, so a
person standing on a zone's edge or missed for a frame does not make the count flicker. With 1 and 1 the counts
equal the memoryless point-in-polygon counts.

Dwell: the seconds since a track's counted entry into the zone, measured from the first of its ``enter_frames``
inside (so inertia does not shorten a wait); the camera's own measure of how long people have been waiting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from camera.detections import Detections
from camera.zones import points_in_polygon
from console.domain.records import ZoneSpec


@dataclass
class _Membership:
    inside_streak: int = 0
    outside_streak: int = 0
    counted: bool = False
    first_inside_s: float | None = None  # start of the current inside streak
    entered_s: float | None = None  # when the counted stay began


class ZoneOccupancy:
    def __init__(self, zones: Sequence[ZoneSpec], *, enter_frames: int = 3, leave_frames: int = 3) -> None:
        if enter_frames < 1 or leave_frames < 1:
            raise ValueError("enter_frames and leave_frames must be at least 1")
        names = set()
        for zone in zones:
            if len(zone.polygon) < 3:
                raise ValueError(f"zone {zone.name!r} needs at least 3 points, got {len(zone.polygon)}")
            if zone.name in names:
                raise ValueError(f"zone name {zone.name!r} is used twice")
            names.add(zone.name)
        self.zones = tuple(zones)
        self.enter_frames = enter_frames
        self.leave_frames = leave_frames
        self._state: dict[str, dict[int, _Membership]] = {z.name: {} for z in self.zones}
        self._t_s = 0.0

    def update(self, tracks: Detections, t_s: float) -> dict[str, int]:
        self._t_s = t_s
        anchors = tracks.anchors_xy
        ids = [int(i) for i in tracks.track_ids]
        for zone in self.zones:
            inside = points_in_polygon(anchors, zone.polygon) if len(anchors) else np.zeros(0, dtype=bool)
            states = self._state[zone.name]
            present = set()
            for tid, is_in in zip(ids, inside, strict=True):
                if tid < 0:
                    continue
                present.add(tid)
                m = states.setdefault(tid, _Membership())
                self._step(m, bool(is_in), t_s)
            for tid in list(states):
                if tid not in present:
                    m = states[tid]
                    self._step(m, False, t_s)
                    if not m.counted and m.inside_streak == 0:
                        del states[tid]
        return self.counts()

    def _step(self, m: _Membership, is_in: bool, t_s: float) -> None:
        if is_in:
            if m.inside_streak == 0:
                m.first_inside_s = t_s
            m.inside_streak += 1
            m.outside_streak = 0
            if not m.counted and m.inside_streak >= self.enter_frames:
                m.counted = True
                m.entered_s = m.first_inside_s
        else:
            m.outside_streak += 1
            m.inside_streak = 0
            if m.counted and m.outside_streak >= self.leave_frames:
                m.counted = False
                m.entered_s = None

    def counts(self) -> dict[str, int]:
        return {name: sum(1 for m in states.values() if m.counted) for name, states in self._state.items()}

    def members(self, zone_name: str) -> set[int]:
        return {tid for tid, m in self._state[zone_name].items() if m.counted}

    def lobby_count(self) -> int:
        """People counted in any zone that is part of the lobby (each person once)."""
        ids: set[int] = set()
        for zone in self.zones:
            if zone.in_lobby:
                ids |= self.members(zone.name)
        return len(ids)

    def dwell_s(self, zone_name: str) -> dict[int, float]:
        """Seconds each counted person has been in the zone, by track id."""
        return {tid: self._t_s - m.entered_s for tid, m in self._state[zone_name].items()
                if m.counted and m.entered_s is not None}

    def dwell_summary(self, zone_name: str) -> tuple[int, float, float]:
        """(people, mean seconds, longest seconds) in the zone now."""
        values = list(self.dwell_s(zone_name).values())
        if not values:
            return (0, 0.0, 0.0)
        return (len(values), float(np.mean(values)), float(max(values)))
