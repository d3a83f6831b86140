"""Counter actions: which requests are refused and why, and when a request counts as carried out."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from console.domain.counter_actions import (
    PENDING_FOR,
    Problem,
    after_current_ticket,
    allowed_actions,
    check_command,
    is_carried_out,
    pending_commands,
)
from console.domain.records import CounterCommand, CounterStatus, ShiftRecord, StaffMember
from console.domain.vocabulary import CounterAction, CounterState, ServiceType, ShiftKind, StaffRole

TZ = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 11, 16, 10, 0, tzinfo=TZ)
CASH, NON_CASH, CORP = ServiceType.CASH, ServiceType.NON_CASH, ServiceType.CORPORATE

STAFF = (
    StaffMember("E1", "Li", StaffRole.TELLER, (CASH, NON_CASH)),
    StaffMember("E2", "Wang", StaffRole.TELLER, (CASH,)),
    StaffMember("E3", "Liu", StaffRole.CORPORATE_OFFICER, (CORP,)),
    StaffMember("E4", "Chen", StaffRole.TELLER, (CASH, NON_CASH)),
)
ROSTER = (ShiftRecord("E4", AT - timedelta(hours=2), AT + timedelta(hours=6), kind=ShiftKind.LEAVE),)


def counter(cid: str, state: CounterState, staff: str | None = None, types=(CASH,), ticket: str | None = None):
    return CounterStatus(cid, cid, tuple(types), state, AT - timedelta(minutes=5), staff, ticket, ticket, None)


COUNTERS = (
    counter("1", CounterState.SERVING, "E1", ticket="A001"),
    counter("2", CounterState.PAUSED, "E2"),
    counter("3", CounterState.CLOSED, types=(CASH, NON_CASH)),
    counter("4", CounterState.OFFLINE, "E3", types=(CORP,)),
    counter("5", CounterState.IDLE, None, types=(CORP,)),
)


def cmd(cid: str, action: CounterAction, staff: str | None = None, types=(), at=AT) -> CounterCommand:
    return CounterCommand(cid, action, at, "manager", staff, tuple(types))


def problem(c: CounterCommand):
    refusal = check_command(c, COUNTERS, STAFF, ROSTER)
    return None if refusal is None else refusal.problem


@pytest.mark.parametrize("command, expected", [
    (cmd("9", CounterAction.PAUSE), Problem.UNKNOWN_COUNTER),
    (cmd("1", CounterAction.PAUSE), None),  # serving: after the current ticket
    (cmd("1", CounterAction.CLOSE), None),
    (cmd("1", CounterAction.OPEN), Problem.ALREADY),
    (cmd("2", CounterAction.PAUSE), Problem.ALREADY),
    (cmd("2", CounterAction.OPEN), None),  # back from a break: no staff needed
    (cmd("3", CounterAction.OPEN), Problem.NEEDS_STAFF),
    (cmd("3", CounterAction.OPEN, "E9"), Problem.UNKNOWN_STAFF),
    (cmd("3", CounterAction.OPEN, "E4"), Problem.ON_LEAVE),
    (cmd("3", CounterAction.OPEN, "E3"), Problem.NOT_SKILLED),  # corporate officer at a cash/non-cash counter
    (cmd("3", CounterAction.OPEN, "E1"), Problem.BUSY_ELSEWHERE),  # serving at counter 1
    (cmd("3", CounterAction.OPEN, "E2"), None),  # paused at counter 2: moved
    (cmd("3", CounterAction.CLOSE), Problem.ALREADY),
    (cmd("4", CounterAction.OPEN), Problem.OFFLINE),
    (cmd("4", CounterAction.PAUSE), Problem.OFFLINE),
    (cmd("4", CounterAction.CLOSE), None),
    (cmd("5", CounterAction.ASSIGN_STAFF, "E3"), None),
    (cmd("2", CounterAction.ASSIGN_STAFF, "E2"), Problem.ALREADY),
    (cmd("5", CounterAction.SET_SERVICE_TYPES), Problem.NO_SERVICE_TYPES),
    (cmd("1", CounterAction.SET_SERVICE_TYPES, types=(CASH, CORP)), Problem.NOT_SKILLED),  # E1 cannot do corporate
    (cmd("1", CounterAction.SET_SERVICE_TYPES, types=(NON_CASH,)), None),
    (cmd("3", CounterAction.SET_SERVICE_TYPES, types=(CORP,)), None),  # nobody there: any types
])
def test_check_command(command: CounterCommand, expected: Problem | None) -> None:
    assert problem(command) is expected


def test_refusal_names_what_is_wrong() -> None:
    refusal = check_command(cmd("3", CounterAction.OPEN, "E1"), COUNTERS, STAFF, ROSTER)
    assert refusal is not None and refusal.staff_id == "E1" and refusal.other_counter == "1"
    refusal = check_command(cmd("1", CounterAction.SET_SERVICE_TYPES, types=(CASH, CORP)), COUNTERS, STAFF, ROSTER)
    assert refusal is not None and refusal.service_type is CORP and refusal.staff_id == "E1"


def test_allowed_actions_follow_the_state() -> None:
    by_id = {c.counter_id: c for c in COUNTERS}
    assert CounterAction.OPEN not in allowed_actions(by_id["1"])
    assert {CounterAction.PAUSE, CounterAction.CLOSE} <= allowed_actions(by_id["1"])
    assert CounterAction.OPEN in allowed_actions(by_id["2"]) and CounterAction.PAUSE not in allowed_actions(by_id["2"])
    assert CounterAction.CLOSE not in allowed_actions(by_id["3"])
    assert allowed_actions(by_id["4"]) == {CounterAction.CLOSE, CounterAction.SET_SERVICE_TYPES}
    # every offered action passes check_command when it needs no person
    for c in COUNTERS:
        for action in allowed_actions(c) - {CounterAction.ASSIGN_STAFF, CounterAction.SET_SERVICE_TYPES}:
            if action is CounterAction.OPEN and c.state is CounterState.CLOSED:
                continue
            assert problem(cmd(c.counter_id, action)) is None, (c.counter_id, action)


def test_pause_of_a_busy_counter_waits_for_its_ticket() -> None:
    assert after_current_ticket(cmd("1", CounterAction.PAUSE), COUNTERS[0])
    assert not after_current_ticket(cmd("5", CounterAction.PAUSE), COUNTERS[4])
    assert not after_current_ticket(cmd("1", CounterAction.SET_SERVICE_TYPES, types=(CASH,)), COUNTERS[0])


def test_carried_out_and_pending() -> None:
    pause = cmd("1", CounterAction.PAUSE)
    assert not is_carried_out(pause, COUNTERS[0])
    paused = counter("1", CounterState.PAUSED, "E1")
    assert is_carried_out(pause, paused)
    assert is_carried_out(cmd("3", CounterAction.OPEN, "E2"), counter("3", CounterState.IDLE, "E2"))
    assert not is_carried_out(cmd("3", CounterAction.OPEN, "E2"), counter("3", CounterState.IDLE, "E1"))
    assert is_carried_out(cmd("5", CounterAction.ASSIGN_STAFF, "E3"), counter("5", CounterState.IDLE, "E3"))

    close_later = cmd("1", CounterAction.CLOSE, at=AT + timedelta(minutes=1))
    types = cmd("3", CounterAction.SET_SERVICE_TYPES, types=(CORP,))
    now = AT + timedelta(minutes=2)
    # the later request for counter 1 replaces the earlier; service-type changes are never pending
    assert pending_commands([pause, close_later, types], COUNTERS, now) == {"1": close_later}
    assert pending_commands([pause], [paused], now) == {}
    assert pending_commands([pause], COUNTERS, AT + PENDING_FOR + timedelta(seconds=1)) == {}
