"""The demo lobby's floor plan and the movement of people on it, for the simulated ceiling camera.

Coordinates are metres on the floor, seen from above like the camera sees it: origin at the top-left corner of the
lobby, x to the right (0 … ``width_m``), y downwards (0 … ``depth_m``), the counters along the top wall (y = 0) and
the street door in the bottom wall. y grows downwards so that scaling by pixels-per-metre gives image coordinates.

A person's movement is a ``Track``: waypoints (time, x, y) joined by straight lines, walked at the person's own
speed. Position at time t is a pure function of the track and t, so how a caller steps the clock never matters.
The simulator only ever changes a track from the current instant onwards (``Track.walk``), so positions already
reported stay true.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass
from enum import StrEnum

from console.domain.records import ZoneSpec
from console.domain.vocabulary import ZoneKind

Point = tuple[float, float]


class PersonKind(StrEnum):
    """Who a person on the floor is: a customer with a ticket, or a walk-in using the self-service machines."""

    CUSTOMER = "customer"
    SELF_SERVICE = "self_service"


@dataclass(frozen=True, slots=True)
class Person:
    """Someone on the lobby floor at one instant; position in metres (see the module docstring).

    ``person_id`` is stable for the whole day; ``ticket_id`` is set for customers once their ticket exists.
    """

    person_id: int
    kind: PersonKind
    x_m: float
    y_m: float
    ticket_id: str | None = None


@dataclass(frozen=True, slots=True)
class CounterPlace:
    """A counter on the plan: its desk (centre, metres) against the top wall and where its customer stands."""

    counter_id: str
    desk: Point
    spot: Point


@dataclass(frozen=True, slots=True)
class FloorPlan:
    """The lobby: size and zones in metres, and the fixed places people walk between.

    Zones tile the rectangle 0 ≤ x < width_m, 0 ≤ y < depth_m without overlap, so every person on the floor is in
    exactly one zone (``camera.zones`` counts a point on a shared edge in one zone only).
    ``aisle_y`` is the walkway between the counter strip and the first row of seats; ``queue_step_m`` is the gap
    between people queueing for a self-service machine (the queue grows to the left of the machine).
    """

    width_m: float
    depth_m: float
    zones: tuple[ZoneSpec, ...]
    door: Point  # where people step in from the street
    exit: Point  # where people leave (the same door, other side of the opening)
    door_span_x: tuple[float, float]  # the opening in the bottom wall, metres
    ticket_machine: Point  # where a customer stands to take a ticket
    seats: tuple[Point, ...]
    standing: tuple[Point, ...]  # places to stand in the waiting zone when every seat is taken
    counters: tuple[CounterPlace, ...]
    self_service_machines: tuple[Point, ...]  # machine centres against the right wall
    self_service_spots: tuple[Point, ...]  # where the user of each machine stands
    aisle_y: float
    queue_step_m: float = 0.7

    def zone(self, kind: ZoneKind) -> ZoneSpec:
        """The first zone of ``kind`` (the demo plan has one of each)."""
        for z in self.zones:
            if z.kind is kind:
                return z
        raise KeyError(f"floor plan has no {kind.value} zone")

    def counter_place(self, counter_id: str) -> CounterPlace:
        for place in self.counters:
            if place.counter_id == counter_id:
                return place
        raise KeyError(f"floor plan has no counter {counter_id!r}")

    def contains(self, x_m: float, y_m: float) -> bool:
        """True when the point is on the floor (half-open: the far walls x = width_m, y = depth_m are outside)."""
        return 0.0 <= x_m < self.width_m and 0.0 <= y_m < self.depth_m


def _rect(x0: float, y0: float, x1: float, y1: float) -> tuple[Point, ...]:
    return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))


def demo_floor_plan(counter_ids: tuple[str, ...] = ("1", "2", "3", "4", "5", "6", "7")) -> FloorPlan:
    """The demo branch's lobby: 18 m × 12 m.

    Layout: the counter strip along the top wall (x 0–13, y 0–3) with desks 1.5 m apart from x = 3.6 (the top-left
    corner is left free: the camera overlay sits there); the waiting area below it (x 0–13, y 3–12) with 40 seats
    in 5 rows of 8; the self-service corner at the top right (x 13–18, y 0–6) with 5 machines on the right wall;
    the entrance at the bottom right (x 13–18, y 6–12) with the door in the bottom wall and the ticket machine.
    """
    width, depth = 18.0, 12.0
    zones = (
        ZoneSpec("counters", ZoneKind.COUNTER, _rect(0.0, 0.0, 13.0, 3.0), capacity=14),
        ZoneSpec("waiting", ZoneKind.WAITING, _rect(0.0, 3.0, 13.0, depth), capacity=50),
        ZoneSpec("self_service", ZoneKind.SELF_SERVICE, _rect(13.0, 0.0, width, 6.0), capacity=12),
        ZoneSpec("entrance", ZoneKind.ENTRANCE, _rect(13.0, 6.0, width, depth), capacity=10),
    )
    counters = tuple(
        CounterPlace(cid, desk=(3.6 + 1.5 * i, 0.45), spot=(3.6 + 1.5 * i, 1.5)) for i, cid in enumerate(counter_ids)
    )
    seats = tuple((1.6 + 1.35 * col, 5.0 + 1.5 * row) for row in range(5) for col in range(8))
    standing = (
        tuple((1.0 + 0.8 * k, 3.6) for k in range(14))
        + tuple((0.5, 4.6 + 0.8 * k) for k in range(9))
        + tuple((12.5, 4.6 + 0.8 * k) for k in range(9))
    )
    machines = tuple((17.5, 0.9 + 1.1 * k) for k in range(5))
    spots = tuple((16.7, y) for _, y in machines)
    return FloorPlan(
        width_m=width,
        depth_m=depth,
        zones=zones,
        door=(15.2, 11.6),
        exit=(16.0, 11.6),
        door_span_x=(14.6, 16.6),
        ticket_machine=(14.4, 7.4),
        seats=seats,
        standing=standing,
        counters=counters,
        self_service_machines=machines,
        self_service_spots=spots,
        aisle_y=3.9,
    )


class Track:
    """Waypoints (seconds since the simulation start, x, y) of one person; mutable, owned by the simulator.

    Between waypoints the person moves in a straight line at constant speed; after the last one they stand still.
    ``end_s`` is when they leave the floor (None while that is not known yet).
    """

    __slots__ = ("times", "xs", "ys", "start_s", "end_s")

    def __init__(self, start_s: float, at: Point) -> None:
        self.times: list[float] = [start_s]
        self.xs: list[float] = [at[0]]
        self.ys: list[float] = [at[1]]
        self.start_s = start_s
        self.end_s: float | None = None

    def position(self, t_s: float) -> Point:
        """Where the person is at ``t_s`` (clamped to the first/last waypoint outside the track's span)."""
        times = self.times
        i = bisect_right(times, t_s)
        if i == 0:
            return self.xs[0], self.ys[0]
        if i == len(times):
            return self.xs[-1], self.ys[-1]
        t0, t1 = times[i - 1], times[i]
        f = (t_s - t0) / (t1 - t0) if t1 > t0 else 1.0
        return self.xs[i - 1] + f * (self.xs[i] - self.xs[i - 1]), self.ys[i - 1] + f * (self.ys[i] - self.ys[i - 1])

    def present(self, t_s: float) -> bool:
        return self.start_s <= t_s and (self.end_s is None or t_s < self.end_s)

    def _cut(self, t_s: float) -> None:
        """Drop everything planned after ``t_s`` and pin the position at ``t_s`` as a waypoint."""
        x, y = self.position(t_s)
        i = bisect_right(self.times, t_s)
        del self.times[i:], self.xs[i:], self.ys[i:]
        if self.times[-1] < t_s:
            self.times.append(t_s)
            self.xs.append(x)
            self.ys.append(y)
        else:  # a waypoint exactly at t_s: keep its time, move it to where the person is
            self.xs[-1], self.ys[-1] = x, y

    def walk(self, t_s: float, points: tuple[Point, ...] | list[Point], speed_mps: float) -> float:
        """From wherever the person is at ``t_s``, walk through ``points``; returns the arrival time in seconds."""
        self._cut(t_s)
        t, x, y = t_s, self.xs[-1], self.ys[-1]
        for px, py in points:
            d = math.hypot(px - x, py - y)
            if d < 1e-9:
                continue
            t += d / speed_mps
            self.times.append(t)
            self.xs.append(px)
            self.ys.append(py)
            x, y = px, py
        return t

    def wait(self, until_s: float) -> None:
        """Stand still at the last waypoint until ``until_s`` (a waypoint, so a later walk starts from there)."""
        if until_s > self.times[-1]:
            self.times.append(until_s)
            self.xs.append(self.xs[-1])
            self.ys.append(self.ys[-1])


class PlaceBook:
    """Which of a fixed set of places (seats, standing spots) are taken; picks a free one from a uniform draw."""

    __slots__ = ("places", "_taken")

    def __init__(self, places: tuple[Point, ...]) -> None:
        self.places = places
        self._taken = [False] * len(places)

    def take(self, u: float) -> int | None:
        """Take the free place number ``floor(u × free places)`` in plan order; None when all are taken."""
        free = [i for i, taken in enumerate(self._taken) if not taken]
        if not free:
            return None
        i = free[min(int(u * len(free)), len(free) - 1)]
        self._taken[i] = True
        return i

    def release(self, index: int) -> None:
        self._taken[index] = False


# --- routes ---------------------------------------------------------------------------------------------------
# Paths keep to the aisles: along the row in front of a seat, then straight to the target. They are drawn, not
# obstacle-avoiding: good enough for a top-down demo view and always inside the floor rectangle.


def route_to_place(plan: FloorPlan, place: Point) -> tuple[Point, ...]:
    """From the ticket machine (or anywhere east of the seats) to a seat or standing spot in the waiting zone."""
    row_y = max(place[1] - 0.7, plan.aisle_y)
    return ((12.6, row_y), (place[0], row_y), place)


def route_place_to_counter(plan: FloorPlan, place: Point, spot: Point) -> tuple[Point, ...]:
    row_y = max(place[1] - 0.7, plan.aisle_y)
    return ((place[0], row_y), (spot[0], plan.aisle_y), spot)


def route_counter_to_place(plan: FloorPlan, spot: Point, place: Point) -> tuple[Point, ...]:
    row_y = max(place[1] - 0.7, plan.aisle_y)
    return ((spot[0], plan.aisle_y), (place[0], row_y), place)


def route_place_to_exit(plan: FloorPlan, place: Point) -> tuple[Point, ...]:
    """From the waiting zone out, past the ticket machine (where a leaver cancels a ticket) to the door."""
    row_y = max(place[1] - 0.7, plan.aisle_y)
    return ((place[0], row_y), (12.6, row_y), plan.ticket_machine, plan.exit)


def route_counter_to_exit(plan: FloorPlan, spot: Point) -> tuple[Point, ...]:
    return ((spot[0], 2.6), (12.8, plan.aisle_y), plan.exit)


def route_door_to_machine(plan: FloorPlan) -> tuple[Point, ...]:
    return (plan.ticket_machine,)


def path_length(start: Point, points: tuple[Point, ...]) -> float:
    """Length in metres of the walk from ``start`` through ``points``."""
    total, (x, y) = 0.0, start
    for px, py in points:
        total += math.hypot(px - x, py - y)
        x, y = px, py
    return total


def self_service_slot(plan: FloorPlan, machine: int, slot: int) -> Point:
    """Where a walk-in stands: slot 0 at the machine, slot k the k-th place of its queue (at most 4 deep drawn)."""
    x, y = plan.self_service_spots[machine]
    return (x - plan.queue_step_m * min(slot, 4), y)
