"""A drawn top-down view of the demo lobby that stands in for a ceiling camera.

It shows what a real camera would give the console: a BGR frame and, for counting, each person's floor point in
pixels (the bottom-centre of a detection box in a real camera; here simply the person's position). The only text
in the picture is the CCTV-style clock and the counter numbers, so the frame reads the same in any UI language.

The plan and the people are taken by shape (``FloorLike``, ``PersonLike``) rather than by import, which keeps
``camera`` independent of the simulator: anything with metres on a top-down floor can be drawn. Pixels are
metres × ``px_per_m`` with the origin at the top-left corner of the floor, y down.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

import cv2
import numpy as np

from console.domain.records import CounterStatus, ZoneSpec
from console.domain.vocabulary import CounterState, ZoneKind

Point = tuple[float, float]


class CounterPlaceLike(Protocol):
    @property
    def counter_id(self) -> str: ...
    @property
    def desk(self) -> Point: ...


class FloorLike(Protocol):
    """What the camera needs of a floor plan (``console.sim.lobby.FloorPlan`` has it); metres."""

    @property
    def width_m(self) -> float: ...
    @property
    def depth_m(self) -> float: ...
    @property
    def zones(self) -> tuple[ZoneSpec, ...]: ...
    @property
    def door_span_x(self) -> tuple[float, float]: ...
    @property
    def ticket_machine(self) -> Point: ...
    @property
    def seats(self) -> tuple[Point, ...]: ...
    @property
    def counters(self) -> Sequence[CounterPlaceLike]: ...
    @property
    def self_service_machines(self) -> tuple[Point, ...]: ...


class PersonLike(Protocol):
    """A person on the floor: position in metres and a kind whose value is ``"customer"`` or ``"self_service"``."""

    @property
    def x_m(self) -> float: ...
    @property
    def y_m(self) -> float: ...
    @property
    def kind(self) -> str: ...


# Colours are BGR.
_FLOOR = (214, 218, 222)
_WALL = (70, 70, 70)
_ZONE_TINT = {
    ZoneKind.WAITING: (235, 200, 150),
    ZoneKind.COUNTER: (150, 215, 240),
    ZoneKind.SELF_SERVICE: (170, 225, 170),
    ZoneKind.ENTRANCE: (215, 190, 215),
}
_DESK_NEUTRAL = (200, 200, 200)
_DESK_BY_STATE = {
    CounterState.SERVING: (80, 175, 60),
    CounterState.OPEN: (40, 190, 240),
    CounterState.IDLE: (225, 200, 120),
    CounterState.PAUSED: (160, 160, 160),
    CounterState.CLOSED: (95, 95, 95),
    CounterState.OFFLINE: (60, 60, 210),
}
_SEAT = (125, 112, 100)
_TICKET_MACHINE = (60, 60, 200)
_SELF_SERVICE_MACHINE = (150, 130, 40)
_DOOR = (60, 120, 170)
_PERSON = {"customer": (30, 110, 240), "self_service": (170, 70, 150)}
_PERSON_OTHER = (60, 60, 60)
_PERSON_RADIUS_M = 0.25


def _darker(colour: tuple[int, int, int], f: float = 0.55) -> tuple[int, int, int]:
    return (int(colour[0] * f), int(colour[1] * f), int(colour[2] * f))


class SyntheticLobbyCamera:
    """Draws frames of a floor plan with people on it at ``px_per_m`` pixels per metre.

    At the default 40 px/m the demo's 18 m × 12 m lobby gives 720 × 480 frames. The static background is drawn
    once; a frame copies it and adds desk states, people and the clock (well under a millisecond at 720 × 480).
    """

    def __init__(self, plan: FloorLike, px_per_m: float = 40.0) -> None:
        if not px_per_m > 0:
            raise ValueError(f"px_per_m must be above 0, got {px_per_m}")
        self._plan = plan
        self._s = float(px_per_m)
        self._size_wh = (int(round(plan.width_m * self._s)), int(round(plan.depth_m * self._s)))
        self._font_scale = 0.015 * self._s
        self._thickness = max(1, int(round(self._s / 40)))
        self._desks = {c.counter_id: self._desk_rect(c.desk) for c in plan.counters}
        self._background = self._draw_background()

    @property
    def size_wh(self) -> tuple[int, int]:
        """Frame width and height in pixels."""
        return self._size_wh

    @property
    def px_per_m(self) -> float:
        return self._s

    def zones_px(self) -> tuple[ZoneSpec, ...]:
        """The plan's zones in pixel coordinates (what a real camera's zones are drawn in)."""
        s = self._s
        return tuple(
            ZoneSpec(z.name, z.kind, tuple((x * s, y * s) for x, y in z.polygon), z.capacity, z.in_lobby)
            for z in self._plan.zones
        )

    def points_px(self, people: Iterable[PersonLike]) -> np.ndarray:
        """(N, 2) float array of each person's floor point in pixels, in the order given."""
        pts = np.asarray([(p.x_m, p.y_m) for p in people], dtype=np.float64).reshape(-1, 2)
        return pts * self._s

    def render(self, people: Iterable[PersonLike], at: datetime, counters: Sequence[CounterStatus] = ()) -> np.ndarray:
        """A fresh BGR uint8 frame (H × W × 3): the lobby, desks coloured by counter state, people, and the clock."""
        frame = self._background.copy()
        t = self._thickness
        for status in counters:
            rect = self._desks.get(status.counter_id)
            if rect is not None:
                self._draw_desk(frame, status.counter_id, rect, _DESK_BY_STATE.get(status.state, _DESK_NEUTRAL))
        r = max(2, int(round(_PERSON_RADIUS_M * self._s)))
        for p in people:
            colour = _PERSON.get(str(p.kind), _PERSON_OTHER)
            centre = (int(round(p.x_m * self._s)), int(round(p.y_m * self._s)))
            cv2.circle(frame, centre, r, colour, -1, cv2.LINE_AA)
            cv2.circle(frame, centre, r, _darker(colour), t, cv2.LINE_AA)
        self._draw_clock(frame, at.strftime("%H:%M:%S"))
        return frame

    # --- drawing -------------------------------------------------------------------------------------------

    def _px(self, x_m: float, y_m: float) -> tuple[int, int]:
        return int(round(x_m * self._s)), int(round(y_m * self._s))

    def _box(self, centre: Point, w_m: float, h_m: float) -> tuple[tuple[int, int], tuple[int, int]]:
        cx, cy = centre
        return self._px(cx - w_m / 2, cy - h_m / 2), self._px(cx + w_m / 2, cy + h_m / 2)

    def _desk_rect(self, desk: Point) -> tuple[tuple[int, int], tuple[int, int]]:
        return self._box(desk, 1.3, 0.6)

    def _draw_desk(self, frame: np.ndarray, counter_id: str, rect: tuple[tuple[int, int], tuple[int, int]],
                   colour: tuple[int, int, int]) -> None:
        (x0, y0), (x1, y1) = rect
        cv2.rectangle(frame, (x0, y0), (x1, y1), colour, -1)
        cv2.rectangle(frame, (x0, y0), (x1, y1), _darker(colour, 0.5), self._thickness)
        font, scale = cv2.FONT_HERSHEY_SIMPLEX, self._font_scale * 0.9
        (tw, th), _ = cv2.getTextSize(counter_id, font, scale, self._thickness)
        text_colour = (255, 255, 255) if sum(colour) < 400 else (30, 30, 30)
        cv2.putText(frame, counter_id, ((x0 + x1 - tw) // 2, (y0 + y1 + th) // 2), font, scale, text_colour,
                    self._thickness, cv2.LINE_AA)

    def _draw_background(self) -> np.ndarray:
        plan, s, t = self._plan, self._s, self._thickness
        w, h = self._size_wh
        frame = np.empty((h, w, 3), dtype=np.uint8)
        frame[:] = _FLOOR
        tint = frame.copy()
        polys = []
        for zone in plan.zones:
            poly = np.round(np.asarray(zone.polygon, dtype=np.float64) * s).astype(np.int32)
            polys.append((zone.kind, poly))
            cv2.fillPoly(tint, [poly], _ZONE_TINT.get(zone.kind, _FLOOR))
        frame = cv2.addWeighted(tint, 0.45, frame, 0.55, 0.0)
        for kind, poly in polys:
            cv2.polylines(frame, [poly], True, _darker(_ZONE_TINT.get(kind, _FLOOR), 0.7), t, cv2.LINE_AA)
        for seat in plan.seats:
            p0, p1 = self._box(seat, 0.45, 0.45)
            cv2.rectangle(frame, p0, p1, _SEAT, -1)
        mx, my = plan.ticket_machine
        p0, p1 = self._box((mx, my - 0.6), 0.55, 0.4)
        cv2.rectangle(frame, p0, p1, _TICKET_MACHINE, -1)
        cv2.rectangle(frame, p0, p1, _darker(_TICKET_MACHINE), t)
        for machine in plan.self_service_machines:
            p0, p1 = self._box(machine, 0.5, 0.8)
            cv2.rectangle(frame, p0, p1, _SELF_SERVICE_MACHINE, -1)
            cv2.rectangle(frame, p0, p1, _darker(_SELF_SERVICE_MACHINE), t)
        for counter_id, rect in self._desks.items():
            self._draw_desk(frame, counter_id, rect, _DESK_NEUTRAL)
        wall = max(2, int(round(0.08 * s)))
        cv2.rectangle(frame, (0, 0), (w - 1, h - 1), _WALL, wall)
        d0, d1 = plan.door_span_x
        y_door = h - 1 - wall // 2  # the opening in the bottom wall, drawn over the wall
        cv2.line(frame, (self._px(d0, 0)[0], y_door), (self._px(d1, 0)[0], y_door), _DOOR, wall)
        return frame

    def _draw_clock(self, frame: np.ndarray, text: str) -> None:
        font, scale, t = cv2.FONT_HERSHEY_SIMPLEX, self._font_scale, self._thickness
        (tw, th), baseline = cv2.getTextSize(text, font, scale, t)
        pad = max(3, int(round(0.1 * self._s)))
        x0, y0 = pad, pad
        cv2.rectangle(frame, (x0, y0), (x0 + tw + 2 * pad, y0 + th + baseline + 2 * pad), (20, 20, 20), -1)
        cv2.putText(frame, text, (x0 + pad, y0 + pad + th), font, scale, (255, 255, 255), t, cv2.LINE_AA)
