"""People per zone with inertia, and how long each person has been in a zone.

Inertia (as Frigate does it): a track counts as inside a zone after ``enter_frames`` consecutive updates with its
anchor (bottom centre) inside the polygon, and stops counting after ``leave_frames`` consecutive updates with it
outside or absent from the tracks, so a person standing on a zone's edge or missed for a frame does not make the
count flicker. With 1 and 1 the counts equal the memoryless ``camera.zones.count_in_zones`` of the anchors.
Only tracked boxes (track id ≥ 0) take part: inertia needs an identity.

Dwell: the seconds from a track's entry to the latest ``t_s``, where the entry is the first update of the
``enter_frames`` streak that made it count — the inertia frames are included, so inertia does not shorten a wait.
A counted track keeps accumulating dwell during its ``leave_frames`` grace; once it stops counting, its stay ends,
and a later re-entry starts again from zero. Dwell is the camera's own measure of how long people have been waiting.

Points on a polygon's edge follow ``camera.zones.points_in_polygon`` (the same rule as the memoryless counts).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from camera.detections import Detections
from camera.zones import validated_polygon, zone_masks
from console.domain.records import ZoneSpec


@dataclass
class _Membership:
    inside_streak: int = 0
    outside_streak: int = 0
    counted: bool = False
    streak_start_s: float = 0.0  # t_s of the first update of the current inside streak
    entered_s: float = 0.0  # when the counted stay began (meaningful while counted)


class ZoneOccupancy:
    """Per-zone membership state machines, one per (zone, track); ``update`` once per frame."""

    def __init__(self, zones: Sequence[ZoneSpec], *, enter_frames: int = 3, leave_frames: int = 3) -> None:
        if enter_frames < 1 or leave_frames < 1:
            raise ValueError(f"enter_frames and leave_frames must be at least 1, got {enter_frames}, {leave_frames}")
        names: set[str] = set()
        for zone in zones:
            validated_polygon(zone.polygon, zone.name)
            if zone.name in names:
                raise ValueError(f"zone {zone.name!r} is defined twice")
            names.add(zone.name)
        self.zones = tuple(zones)
        self.enter_frames = enter_frames
        self.leave_frames = leave_frames
        self._state: dict[str, dict[int, _Membership]] = {z.name: {} for z in self.zones}
        self._t_s = 0.0

    def reset(self) -> None:
        """Forget every track (all counts 0)."""
        for states in self._state.values():
            states.clear()
        self._t_s = 0.0

    def update(self, tracks: Detections, t_s: float) -> dict[str, int]:
        """Advance every zone's state by one frame at time ``t_s`` (seconds); returns people per zone now."""
        self._t_s = float(t_s)
        keep = tracks.track_ids >= 0
        ids = tracks.track_ids[keep].tolist()
        masks = zone_masks(tracks.anchors_xy[keep], self.zones)
        for zone in self.zones:
            states = self._state[zone.name]
            present: set[int] = set()
            for tid, is_in in zip(ids, masks[zone.name].tolist(), strict=True):
                if tid in present:
                    continue
                present.add(tid)
                self._step(states.setdefault(tid, _Membership()), is_in)
            for tid in [t for t in states if t not in present]:
                m = states[tid]
                self._step(m, False)
                if not m.counted:
                    del states[tid]  # absent and no longer counted: nothing left to remember
        return self.counts()

    def _step(self, m: _Membership, is_in: bool) -> None:
        if is_in:
            if m.inside_streak == 0:
                m.streak_start_s = self._t_s
            m.inside_streak += 1
            m.outside_streak = 0
            if not m.counted and m.inside_streak >= self.enter_frames:
                m.counted = True
                m.entered_s = m.streak_start_s
        else:
            m.outside_streak += 1
            m.inside_streak = 0
            if m.counted and m.outside_streak >= self.leave_frames:
                m.counted = False

    def _zone(self, zone_name: str) -> dict[int, _Membership]:
        try:
            return self._state[zone_name]
        except KeyError:
            raise KeyError(f"no zone named {zone_name!r}; zones: {sorted(self._state)}") from None

    def counts(self) -> dict[str, int]:
        """People counted in each zone now, in the order of the zones."""
        return {name: sum(1 for m in states.values() if m.counted) for name, states in self._state.items()}

    def members(self, zone_name: str) -> frozenset[int]:
        """Track ids counted in the zone now."""
        return frozenset(tid for tid, m in self._zone(zone_name).items() if m.counted)

    def lobby_count(self) -> int:
        """People counted in at least one zone with ``in_lobby=True`` (a union: each person once)."""
        ids: set[int] = set()
        for zone in self.zones:
            if zone.in_lobby:
                ids |= self.members(zone.name)
        return len(ids)

    def dwell_s(self, zone_name: str) -> dict[int, float]:
        """Seconds each counted track has been in the zone (see the module docstring), by track id."""
        return {tid: max(0.0, self._t_s - m.entered_s) for tid, m in self._zone(zone_name).items() if m.counted}

    def dwell_summary(self, zone_name: str) -> tuple[int, float, float]:
        """(people counted, mean dwell seconds, longest dwell seconds) in the zone now; (0, 0.0, 0.0) when empty."""
        values = list(self.dwell_s(zone_name).values())
        if not values:
            return (0, 0.0, 0.0)
        return (len(values), float(np.mean(values)), float(max(values)))
