"""Where people are on the floor, sampled through whole days, against the ticket states and the zones."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from camera.synthetic import SyntheticLobbyCamera
from camera.zones import count_in_zones, lobby_count, points_in_polygon
from console.domain.vocabulary import TicketEventType, TicketStatus, ZoneKind
from console.sim.engine import BranchSimulation
from console.sim.lobby import PersonKind, Track, demo_floor_plan, path_length
from tests.sim.support import MONDAY, MONTH_END, full_day, profile

SETTLE = timedelta(seconds=30)  # longer than any walk from the machine or a counter to a seat


@pytest.mark.parametrize(("day", "seed"), [(MONDAY, 2), (MONTH_END, 3)])
def test_people_stay_on_the_floor_in_the_right_zones(day: date, seed: int) -> None:
    whole = full_day(day, seed)
    no_shows = {t.ticket_id for t in whole.sim.tickets() if t.status is TicketStatus.NO_SHOW}
    requeued_at: dict[str, object] = {}
    plan = profile().floor
    waiting_zone = plan.zone(ZoneKind.WAITING).polygon
    counter_zone = plan.zone(ZoneKind.COUNTER).polygon
    camera = SyntheticLobbyCamera(plan)
    zones_px = camera.zones_px()

    sim = BranchSimulation(profile(), day, seed)
    t = sim.start_time
    end = max(e.at for e in whole.events) + timedelta(minutes=1)
    checked_waiting = checked_serving = max_present = 0
    while t <= end:
        for e in sim.advance_to(t):
            if e.type is TicketEventType.TRANSFERRED:
                requeued_at[e.ticket_id] = e.at
        people = sim.people()
        max_present = max(max_present, len(people))
        tickets = {tk.ticket_id: tk for tk in sim.tickets()}
        xy = np.asarray([(p.x_m, p.y_m) for p in people]).reshape(-1, 2)
        assert all(plan.contains(p.x_m, p.y_m) for p in people)
        assert len({p.person_id for p in people}) == len(people)
        in_waiting = points_in_polygon(xy, waiting_zone)
        in_counter = points_in_polygon(xy, counter_zone)
        for i, p in enumerate(people):
            if p.kind is PersonKind.SELF_SERVICE:
                assert p.ticket_id is None
                continue
            if p.ticket_id is None:
                continue  # still on the way to the ticket machine
            tk = tickets[p.ticket_id]
            since = max(tk.issued_at, requeued_at.get(tk.ticket_id, tk.issued_at))
            if tk.status is TicketStatus.WAITING and tk.ticket_id not in no_shows and t - since >= SETTLE:
                assert in_waiting[i], (t, p, tk)
                checked_waiting += 1
            if tk.status is TicketStatus.SERVING:
                assert in_counter[i], (t, p, tk)
                spot = plan.counter_place(tk.counter_id).spot
                assert (p.x_m, p.y_m) == pytest.approx(spot)
                checked_serving += 1
        pts = camera.points_px(people)
        assert lobby_count(pts, zones_px) == len(people)
        assert sum(count_in_zones(pts, zones_px).values()) == len(people)  # the zones tile the floor
        t += timedelta(seconds=37)
    assert checked_waiting > 500 and checked_serving > 500
    assert 15 <= max_present <= 120


def test_walk_in_customers_reach_the_machine_when_their_ticket_is_issued() -> None:
    sim = BranchSimulation(profile(), MONDAY, 4)
    plan = profile().floor
    seen = 0
    t = sim.start_time + timedelta(minutes=20)
    for _ in range(200):
        for e in sim.advance_to(t):
            if e.type is TicketEventType.ISSUED:
                seen += 1
        t += timedelta(seconds=1)
    # at the instant of an issue the customer stands at the machine
    sim2 = BranchSimulation(profile(), MONDAY, 4)
    issued = [e for e in full_day(MONDAY, 4).events if e.type is TicketEventType.ISSUED][:10]
    for e in issued:
        sim2.advance_to(e.at)
        person = next(p for p in sim2.people() if p.ticket_id == e.ticket_id)
        assert (person.x_m, person.y_m) == pytest.approx(plan.ticket_machine, abs=0.01)
    assert seen > 0


def test_track_positions_are_piecewise_linear_and_redirects_keep_the_past() -> None:
    track = Track(10.0, (0.0, 0.0))
    arrive = track.walk(10.0, ((3.0, 4.0), (3.0, 10.0)), 1.0)
    assert arrive == pytest.approx(10.0 + 5.0 + 6.0)
    assert track.position(12.5) == pytest.approx((1.5, 2.0))
    assert track.position(100.0) == pytest.approx((3.0, 10.0))
    before = track.position(13.0)
    track.walk(13.0, ((0.0, 0.0),), 2.0)  # turned back at t = 13
    assert track.position(13.0) == pytest.approx(before)
    assert track.position(12.5) == pytest.approx((1.5, 2.0))
    assert track.position(13.0 + path_length(before, ((0.0, 0.0),)) / 2.0) == pytest.approx((0.0, 0.0))


def test_the_demo_floor_plan_is_tiled_by_its_zones() -> None:
    plan = demo_floor_plan()
    areas = []
    for z in plan.zones:
        poly = np.asarray(z.polygon)
        x, y = poly[:, 0], poly[:, 1]
        areas.append(0.5 * abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))))
    assert sum(areas) == pytest.approx(plan.width_m * plan.depth_m)
    grid = np.stack(np.meshgrid(np.arange(0.05, plan.width_m, 0.25), np.arange(0.05, plan.depth_m, 0.25)), -1)
    pts = grid.reshape(-1, 2)
    counts = sum(points_in_polygon(pts, z.polygon).astype(int) for z in plan.zones)
    assert np.all(counts == 1)
    assert len(plan.seats) == 40 and 4 <= len(plan.self_service_machines) <= 6
    places = [plan.door, plan.exit, plan.ticket_machine, *plan.seats, *plan.standing,
              *(c.spot for c in plan.counters), *plan.self_service_spots]
    assert all(plan.contains(x, y) for x, y in places)
    assert all(points_in_polygon(np.asarray(plan.seats + plan.standing), plan.zone(ZoneKind.WAITING).polygon))
