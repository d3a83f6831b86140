"""What each alert rule measures from a branch state, checked against figures worked out by hand."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from console.domain.alert_engine import RuleKind
from console.domain.alert_measures import (
    BranchState,
    CameraState,
    cameras_offline,
    crowding,
    idle_counters,
    long_waits,
    not_logged_in,
    queues,
    service_level,
    staffing,
)
from console.domain.records import CounterStatus, ShiftRecord, TicketRecord, ZoneSpec
from console.domain.vocabulary import CounterState, ServiceType, TicketStatus, ZoneKind

TZ = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 11, 16, 11, 0, tzinfo=TZ)
CASH, NON_CASH = ServiceType.CASH, ServiceType.NON_CASH


def ticket(number: str, st: ServiceType, issued_min_ago: float, called_min_ago: float | None = None,
           status: TicketStatus = TicketStatus.WAITING, finished_min_ago: float | None = None) -> TicketRecord:
    called = AT - timedelta(minutes=called_min_ago) if called_min_ago is not None else None
    finished = AT - timedelta(minutes=finished_min_ago) if finished_min_ago is not None else None
    return TicketRecord(number, number, st, False, AT - timedelta(minutes=issued_min_ago), status, called_at=called,
                        finished_at=finished)


def counter(cid: str, state: CounterState, staff: str | None, types, since_min: float = 1) -> CounterStatus:
    return CounterStatus(cid, cid, tuple(types), state, AT - timedelta(minutes=since_min), staff)


TICKETS = (
    ticket("A001", CASH, 40, called_min_ago=20, status=TicketStatus.SERVED, finished_min_ago=10),  # waited 20
    ticket("A002", CASH, 31),  # waiting 31 min
    ticket("A003", CASH, 16),
    ticket("A004", CASH, 2),
    ticket("B001", NON_CASH, 20, called_min_ago=18, status=TicketStatus.SERVED, finished_min_ago=5),  # waited 2
    ticket("B002", NON_CASH, 50, status=TicketStatus.ABANDONED, finished_min_ago=30),
    ticket("A005", CASH, -1),  # issued after the instant: not there yet
)
COUNTERS = (
    counter("1", CounterState.SERVING, "E1", (CASH,)),
    counter("2", CounterState.IDLE, "E2", (NON_CASH, CASH), since_min=12),
    counter("3", CounterState.CLOSED, None, (CASH,)),
    counter("5", CounterState.PAUSED, "E5", (NON_CASH,)),
)


def state(**kw) -> BranchState:
    return BranchState(at=AT, tickets=TICKETS, counters=COUNTERS, **kw)


def test_crowding_in_percent_of_the_lobby_and_zone_capacities() -> None:
    zones = (ZoneSpec("Waiting area", ZoneKind.WAITING, ((0, 0), (1, 0), (1, 1)), capacity=20),
             ZoneSpec("Entrance", ZoneKind.ENTRANCE, ((0, 0), (1, 0), (1, 1))))  # no capacity: not measured
    ms = crowding(state(lobby_count=51, lobby_capacity=60, zones=zones, zone_counts={"Waiting area": 17, "Entrance": 3}))
    assert [(m.subject, m.value) for m in ms] == [("lobby", pytest.approx(85.0)), ("Waiting area", pytest.approx(85.0))]


def test_a_lobby_crowding_alert_names_the_camera_figures_it_rests_on() -> None:
    from console.domain.alert_measures import CameraFigure, camera_figures

    figures = (CameraFigure("入口 Entrance", 20, 2), CameraFigure("Hall", 14), CameraFigure("Side", 5, 1, stale=True))
    (m,) = crowding(state(lobby_count=39, lobby_capacity=40, lobby_figures=figures))
    assert m.detail == "39/40 · 入口 Entrance 20±2 · Hall 14? · Side 5±1!"
    assert camera_figures(m.detail) == ("39/40", list(figures))
    assert camera_figures("39/40") == ("39/40", [])  # the demo, and alerts stored before figures were
    assert crowding(state(lobby_count=39, lobby_capacity=40))[0].detail == "39/40"
    # many cameras with long names: whole figures up to the stored detail's 200 characters, then how many more
    many = tuple(CameraFigure(f"Camera with a long name number {i}", 10 + i, 2) for i in range(12))
    (crowded,) = crowding(state(lobby_count=150, lobby_capacity=100, lobby_figures=many))
    ratio, kept = camera_figures(crowded.detail)
    assert len(crowded.detail) <= 200 and kept == list(many[:len(kept)]) and len(kept) >= 4
    assert crowded.detail.endswith(f" · +{len(many) - len(kept)}")


def test_long_waits_are_one_per_queue_with_its_longest_wait_and_tickets() -> None:
    from console.domain.alert_measures import waiting_tickets

    (m,) = long_waits(state())  # A002, A003, A004 wait in the cash queue
    assert (m.subject, m.value) == ("cash", pytest.approx(31))
    assert m.detail == "A002 31 · A003 16 · A004 2"
    assert waiting_tickets(m.detail) == ([("A002", 31), ("A003", 16), ("A004", 2)], 0)
    many = tuple(ticket(f"N{i:02d}", NON_CASH, 40 - i) for i in range(15))
    (n,) = long_waits(BranchState(at=AT, tickets=many, counters=COUNTERS))
    named, more = waiting_tickets(n.detail)
    assert (n.subject, n.value, more) == ("non_cash", pytest.approx(40), 3)
    assert named[0] == ("N00", 40) and named[-1] == ("N11", 29) and len(named) == 12
    long_numbers = tuple(ticket(f"CASH-COUNTER-{i:03d}", CASH, 40 - i) for i in range(12))
    (c,) = long_waits(BranchState(at=AT, tickets=long_numbers, counters=COUNTERS))
    named, more = waiting_tickets(c.detail)
    assert len(c.detail) <= 200 and len(named) + more == 12 and more > 0 and named[0] == ("CASH-COUNTER-000", 40)


def test_queue_per_working_counter_and_service_level_of_the_last_hour() -> None:
    ms = {m.subject: m.value for m in queues(state())}
    # cash: A002, A003, A004 waiting; counters 1 and 2 work for cash → 1.5; non-cash: nothing waiting
    assert ms == {"cash": pytest.approx(1.5), "non_cash": 0.0}
    assert service_level(state()) == []  # 2 called + 1 abandoned in the hour: too few to judge
    many = TICKETS + tuple(ticket(f"C{i}", CASH, 30, called_min_ago=25, status=TicketStatus.SERVED,
                                  finished_min_ago=20) for i in range(3))
    (sl,) = service_level(BranchState(at=AT, tickets=many, counters=COUNTERS))
    # called in the hour: A001 (20 min), B001 (2), C0-C2 (5 each); abandoned: B002 → within 10 min: 4 of 6
    assert sl.value == pytest.approx(100 * 4 / 6)


def test_idle_counter_only_while_its_types_have_tickets_waiting() -> None:
    (m,) = idle_counters(state())
    assert (m.subject, m.value) == ("2", pytest.approx(12))
    calm = tuple(t for t in TICKETS if t.number not in ("A002", "A003", "A004"))
    assert idle_counters(BranchState(at=AT, tickets=calm, counters=COUNTERS)) == []


def test_staffing_is_one_figure_the_counters_short_over_the_types() -> None:
    from console.domain.advice import AdviceSettings, type_loads
    from console.domain.alert_measures import staffing_shortfalls

    fallback = {CASH: 240, NON_CASH: 330}
    (m,) = staffing(state(counter_time_fallback_s=fallback))
    loads = type_loads(TICKETS, COUNTERS, AT, fallback, AdviceSettings(target_s=600, target_share=0.8))
    short = {ld.service_type.value: ld.required - ld.working for ld in loads if ld.required > ld.working}
    assert m.subject == "branch" and m.value == sum(short.values())
    assert dict(staffing_shortfalls(m.detail)) == short


def test_cameras_offline_in_seconds() -> None:
    ms = cameras_offline(state(cameras=(CameraState("C1", True), CameraState("C2", False, AT - timedelta(seconds=75)))))
    assert [(m.subject, m.value) for m in ms] == [("C1", 0.0), ("C2", 75.0)]


def test_not_logged_in_after_the_shift_start() -> None:
    roster = (ShiftRecord("E1", AT - timedelta(hours=2), AT + timedelta(hours=5), counter_id="1"),  # at counter 1
              ShiftRecord("E7", AT - timedelta(minutes=12), AT + timedelta(hours=5), counter_id="3"),  # never came
              ShiftRecord("E8", AT - timedelta(minutes=40), AT + timedelta(hours=5), counter_id="4"),  # logged in
              ShiftRecord("E9", AT - timedelta(minutes=40), AT + timedelta(hours=5)),  # back office: not checked
              ShiftRecord("E6", AT + timedelta(minutes=5), AT + timedelta(hours=5), counter_id="6"))  # not started
    ms = not_logged_in(state(roster=roster, logins={"E8": [AT - timedelta(minutes=41)]}))
    assert [(m.subject, m.value) for m in ms] == [("E7", pytest.approx(12))]
    assert all(m.kind is RuleKind.NOT_LOGGED_IN for m in ms)
