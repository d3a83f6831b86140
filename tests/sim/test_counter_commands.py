"""The simulator carries out the manager's counter requests the way the board promises."""

from __future__ import annotations

from datetime import datetime, timedelta

from console.domain.counter_actions import check_command, is_carried_out
from console.domain.records import CounterCommand
from console.domain.vocabulary import CounterAction, CounterState, ServiceType, TicketEventType
from console.sim.engine import BranchSimulation
from tests.sim.support import MONDAY, profile


def sim_at(hour: int, minute: int = 0) -> BranchSimulation:
    sim = BranchSimulation(profile(), MONDAY, 1)
    sim.advance_to(datetime.combine(MONDAY, sim.start_time.timetz().replace(hour=hour, minute=minute)))
    return sim


def counter(sim: BranchSimulation, cid: str):
    return next(c for c in sim.counters() if c.counter_id == cid)


def request(sim: BranchSimulation, cid: str, action: CounterAction, staff: str | None = None, types=()) -> CounterCommand:
    command = CounterCommand(cid, action, sim.now, "manager", staff, tuple(types))
    assert check_command(command, sim.counters(), profile().staff, sim.roster()) is None
    sim.apply_command(command)
    return command


def run(sim: BranchSimulation, minutes: float, step_s: float = 20.0):
    """Advance ``minutes``; yield (counters, events) after every step."""
    end = sim.now + timedelta(minutes=minutes)
    while sim.now < end:
        events = sim.advance_to(min(end, sim.now + timedelta(seconds=step_s)))
        yield sim.counters(), events


def test_pause_waits_for_the_ticket_then_holds_until_opened() -> None:
    sim = sim_at(10, 30)
    busy = next(c for c in sim.counters() if c.state is CounterState.SERVING and c.counter_id in ("1", "2"))
    cid, ticket = busy.counter_id, busy.ticket_id
    pause = request(sim, cid, CounterAction.PAUSE)
    assert counter(sim, cid).state is CounterState.SERVING  # nobody is sent away mid-transaction
    paused_at = None
    for counters, events in run(sim, 40):
        c = next(c for c in counters if c.counter_id == cid)
        if paused_at is None and c.state is CounterState.PAUSED:
            paused_at = sim.now
            finished = [e for e in events if e.ticket_id == ticket and e.type is TicketEventType.FINISHED]
            assert finished or any(t.ticket_id == ticket and t.finished_at for t in sim.tickets())
        if paused_at is not None:
            assert c.state is CounterState.PAUSED and c.ticket_id is None  # held: calls nobody
            assert not [e for e in events if e.type is TicketEventType.CALLED and e.counter_id == cid]
    assert paused_at is not None and is_carried_out(pause, counter(sim, cid))

    opened = request(sim, cid, CounterAction.OPEN)
    assert is_carried_out(opened, counter(sim, cid))  # a free counter opens at once
    waiting_for_it = [t for t in sim.tickets() if t.status.value == "waiting" and t.service_type in busy.service_types]
    states = [next(c for c in cs if c.counter_id == cid).state for cs, _ in run(sim, 10)]
    assert CounterState.PAUSED not in states
    if waiting_for_it:
        assert CounterState.OPEN in states or CounterState.SERVING in states


def test_close_then_open_a_closed_counter_with_a_person_from_a_break() -> None:
    sim = sim_at(10, 0)
    idle_or_busy = counter(sim, "5")
    assert idle_or_busy.state is not CounterState.CLOSED
    close = request(sim, "5", CounterAction.CLOSE)
    for counters, _ in run(sim, 30):
        if is_carried_out(close, next(c for c in counters if c.counter_id == "5")):
            break
    assert counter(sim, "5").state is CounterState.CLOSED and counter(sim, "5").staff_id is None

    # the branch manager (not rostered at a counter, every skill) opens it again
    opened = request(sim, "5", CounterAction.OPEN, staff="E1010")
    c5 = counter(sim, "5")
    assert c5.staff_id == "E1010" and c5.state in (CounterState.IDLE, CounterState.OPEN)
    assert is_carried_out(opened, c5)
    assert counter(sim, "5").state is not CounterState.CLOSED
    for _ in run(sim, 120, step_s=60):
        assert counter(sim, "5").staff_id == "E1010"  # until closing time, whatever the roster of counter 5 says
    called = [t for t in sim.tickets() if t.counter_id == "5" and t.staff_id == "E1010"]
    assert called, "an opened counter calls the queue"


def test_assign_swaps_staff_after_the_ticket_and_service_types_apply_at_once() -> None:
    sim = sim_at(10, 30)
    request(sim, "6", CounterAction.SET_SERVICE_TYPES, types=(ServiceType.CORPORATE, ServiceType.NON_CASH))
    assert counter(sim, "6").service_types == (ServiceType.CORPORATE, ServiceType.NON_CASH)
    before = counter(sim, "1").staff_id
    assign = request(sim, "1", CounterAction.ASSIGN_STAFF, staff="E1010")
    events = []
    for counters, new in run(sim, 30):
        events.extend(new)
        if is_carried_out(assign, next(c for c in counters if c.counter_id == "1")):
            break
    assert counter(sim, "1").staff_id == "E1010"
    logins = [(e.type, e.staff_id) for e in events if e.counter_id == "1"
              and e.type in (TicketEventType.STAFF_LOGOUT, TicketEventType.STAFF_LOGIN)]
    assert logins[:2] == [(TicketEventType.STAFF_LOGOUT, before), (TicketEventType.STAFF_LOGIN, "E1010")]

    # the relief teller, moved from the VIP counter 7 once it is free, is not logged in twice by the roster later
    assert counter(sim, "7").staff_id == "E1008"
    request(sim, "7", CounterAction.PAUSE)
    for _ in run(sim, 30):
        if counter(sim, "7").state is CounterState.PAUSED:
            break
    request(sim, "3", CounterAction.ASSIGN_STAFF, staff="E1008") if counter(sim, "3").state is CounterState.CLOSED \
        else None
    for counters, _ in run(sim, 240, step_s=120):
        assert sum(1 for c in counters if c.staff_id == "E1008") <= 1
    sim.advance_to(sim.start_time + timedelta(hours=14))
    assert sim.finished
