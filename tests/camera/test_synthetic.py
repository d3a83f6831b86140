"""The drawn lobby camera: frame format, determinism, people where they should be."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from camera.synthetic import SyntheticLobbyCamera
from camera.zones import count_in_zones
from console.domain.records import CounterStatus
from console.domain.vocabulary import CounterState, ServiceType
from console.sim.engine import BranchSimulation
from console.sim.lobby import Person, PersonKind, demo_floor_plan
from console.sim.profile import demo_profile

AT = datetime(2026, 11, 16, 10, 5, 9, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(scope="module")
def camera() -> SyntheticLobbyCamera:
    return SyntheticLobbyCamera(demo_floor_plan())


def test_frame_format_and_zones_in_pixels(camera: SyntheticLobbyCamera) -> None:
    assert camera.size_wh == (720, 480)
    frame = camera.render([], AT)
    assert frame.shape == (480, 720, 3) and frame.dtype == np.uint8
    zones = camera.zones_px()
    waiting = next(z for z in zones if z.name == "waiting")
    assert waiting.polygon == ((0.0, 120.0), (520.0, 120.0), (520.0, 480.0), (0.0, 480.0))
    assert [z.name for z in zones] == [z.name for z in demo_floor_plan().zones]
    big = SyntheticLobbyCamera(demo_floor_plan(), px_per_m=20.0)
    assert big.size_wh == (360, 240)
    with pytest.raises(ValueError):
        SyntheticLobbyCamera(demo_floor_plan(), px_per_m=0)


def test_points_are_metres_times_scale(camera: SyntheticLobbyCamera) -> None:
    people = [Person(1, PersonKind.CUSTOMER, 1.5, 4.25, "x"), Person(2, PersonKind.SELF_SERVICE, 17.0, 0.5)]
    assert camera.points_px(people).tolist() == [[60.0, 170.0], [680.0, 20.0]]
    assert camera.points_px([]).shape == (0, 2)
    assert count_in_zones(camera.points_px(people), camera.zones_px()) == {
        "counters": 0, "waiting": 1, "self_service": 1, "entrance": 0}


def test_people_are_drawn_in_their_own_colours_where_they_stand(camera: SyntheticLobbyCamera) -> None:
    people = [Person(1, PersonKind.CUSTOMER, 6.0, 9.0, "t"), Person(2, PersonKind.SELF_SERVICE, 15.0, 3.0)]
    empty = camera.render([], AT)
    frame = camera.render(people, AT)
    colours = []
    for (x, y) in camera.points_px(people).astype(int):
        assert not np.array_equal(frame[y, x], empty[y, x])
        colours.append(tuple(frame[y, x]))
    assert colours[0] != colours[1]
    # only the neighbourhood of the people changed
    changed = np.argwhere(np.any(frame != empty, axis=2))
    pts = camera.points_px(people)
    dist = np.min(np.linalg.norm(changed[:, ::-1][:, None, :] - pts[None, :, :], axis=2), axis=1)
    assert dist.max() <= 0.25 * 40 + 2


def test_rendering_is_deterministic_fresh_and_fast(camera: SyntheticLobbyCamera) -> None:
    sim = BranchSimulation(demo_profile(), AT.date(), 3)
    sim.advance_to(AT)
    people, counters = sim.people(), sim.counters()
    assert people
    a = camera.render(people, AT, counters)
    b = camera.render(people, AT, counters)
    assert np.array_equal(a, b) and a is not b
    a[:] = 0
    assert np.array_equal(camera.render(people, AT, counters), b)
    assert not np.array_equal(camera.render(people, AT + timedelta(seconds=1), counters), b)  # the clock moved
    start = time.perf_counter()
    for _ in range(20):
        camera.render(people, AT, counters)
    assert (time.perf_counter() - start) / 20 < 0.02


def test_desks_take_the_colour_of_their_counter_state(camera: SyntheticLobbyCamera) -> None:
    place = demo_floor_plan().counter_place("3")
    x, y = int(place.desk[0] * 40) - 15, int(place.desk[1] * 40)  # left of the number
    colours = set()
    for state in (CounterState.SERVING, CounterState.CLOSED, CounterState.OFFLINE):
        status = CounterStatus("3", "Counter 3", (ServiceType.CASH,), state, AT)
        colours.add(tuple(camera.render([], AT, [status])[y, x]))
    assert len(colours) == 3
