"""The branch manager's counter actions: which are allowed, and when a request has been carried out.

Decisions (what a manager at the board expects of a 叫号系统):
- *open* a closed counter needs a staff member for it (someone has to sit there); opening a paused counter sends
  its staff member back to calling, ending a break early. An offline counter (terminal not answering) cannot be
  opened or paused from the console.
- *pause* and *close* of a counter that is calling or serving a ticket take effect once that ticket is done, as
  on a real terminal: nobody is sent away mid-transaction. Until then the board shows the request as pending.
- *assign staff* puts a person at a counter: they must be in the directory, not on leave today, able to handle at
  least one of the counter's service types, and not working at another counter (pause or close that one first).
  A person logged in at a paused or closed counter is moved. On a busy counter the change happens after the
  current ticket.
- *service types*: at least one; the staff member at the counter must be able to handle every one of them.
  The change applies at once (it is the console's own configuration of the counter).
- The ticketing system stays the source of truth for a counter's state and staff: a request is *pending* until
  the counter reports the asked state (``is_carried_out``), or a later request for the same counter replaces it.

Plain functions over plain records; messages are codes with their arguments (``Refusal``) so that the GUI, the
CLI and the HTTP API word them in their own language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from console.domain.records import CounterCommand, CounterStatus, ShiftRecord, StaffMember
from console.domain.vocabulary import CounterAction, CounterState, ServiceType, ShiftKind

#: States in which a counter is staffed and working through the queue.
WORKING = frozenset({CounterState.OPEN, CounterState.SERVING, CounterState.IDLE})

#: Actions that change the counter's state or staff, and so wait for the ticketing system to report it.
STATE_ACTIONS = frozenset({CounterAction.OPEN, CounterAction.PAUSE, CounterAction.CLOSE, CounterAction.ASSIGN_STAFF})


class Problem(StrEnum):
    UNKNOWN_COUNTER = "unknown_counter"
    ALREADY = "already"  # the counter is already in the asked state
    OFFLINE = "offline"
    NEEDS_STAFF = "needs_staff"
    UNKNOWN_STAFF = "unknown_staff"
    ON_LEAVE = "on_leave"
    NOT_SKILLED = "not_skilled"
    BUSY_ELSEWHERE = "busy_elsewhere"
    NO_SERVICE_TYPES = "no_service_types"


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a request cannot be carried out, with what the message names."""

    problem: Problem
    counter_id: str
    staff_id: str | None = None
    other_counter: str | None = None
    service_type: ServiceType | None = None
    state: CounterState | None = None


def allowed_actions(counter: CounterStatus) -> frozenset[CounterAction]:
    """Actions worth offering for a counter in its current state (the board enables these)."""
    state = counter.state
    if state is CounterState.OFFLINE:
        return frozenset({CounterAction.CLOSE, CounterAction.SET_SERVICE_TYPES})
    actions = {CounterAction.ASSIGN_STAFF, CounterAction.SET_SERVICE_TYPES}
    if state in (CounterState.CLOSED, CounterState.PAUSED):
        actions.add(CounterAction.OPEN)
    if state in WORKING:
        actions.add(CounterAction.PAUSE)
    if state is not CounterState.CLOSED:
        actions.add(CounterAction.CLOSE)
    return frozenset(actions)


def after_current_ticket(command: CounterCommand, counter: CounterStatus) -> bool:
    """True when the request waits for the counter's current ticket to be done."""
    return command.action in (CounterAction.PAUSE, CounterAction.CLOSE, CounterAction.ASSIGN_STAFF) \
        and counter.ticket_id is not None


def _on_leave(staff_id: str, roster: Sequence[ShiftRecord], at: datetime) -> bool:
    return any(s.staff_id == staff_id and s.kind is ShiftKind.LEAVE and s.start <= at < s.end for s in roster)


def _check_person(command: CounterCommand, counter: CounterStatus, staff: Sequence[StaffMember],
                  roster: Sequence[ShiftRecord], counters: Sequence[CounterStatus]) -> Refusal | None:
    cid, sid = command.counter_id, command.staff_id
    if sid is None:
        return Refusal(Problem.NEEDS_STAFF, cid)
    person = next((p for p in staff if p.staff_id == sid), None)
    if person is None:
        return Refusal(Problem.UNKNOWN_STAFF, cid, staff_id=sid)
    if _on_leave(sid, roster, command.at):
        return Refusal(Problem.ON_LEAVE, cid, staff_id=sid)
    if not set(person.skills) & set(counter.service_types):
        return Refusal(Problem.NOT_SKILLED, cid, staff_id=sid,
                       service_type=counter.service_types[0] if counter.service_types else None)
    for other in counters:
        if other.counter_id != cid and other.staff_id == sid and other.state in WORKING:
            return Refusal(Problem.BUSY_ELSEWHERE, cid, staff_id=sid, other_counter=other.counter_id)
    return None


def check_command(command: CounterCommand, counters: Sequence[CounterStatus], staff: Sequence[StaffMember],
                  roster: Sequence[ShiftRecord]) -> Refusal | None:
    """None when the request can be carried out now (see the module docstring), else why not."""
    cid = command.counter_id
    counter = next((c for c in counters if c.counter_id == cid), None)
    if counter is None:
        return Refusal(Problem.UNKNOWN_COUNTER, cid)
    state, action = counter.state, command.action
    if action is CounterAction.SET_SERVICE_TYPES:
        if not command.service_types:
            return Refusal(Problem.NO_SERVICE_TYPES, cid)
        person = next((p for p in staff if p.staff_id == counter.staff_id), None)
        if person is not None:
            for st in command.service_types:
                if st not in person.skills:
                    return Refusal(Problem.NOT_SKILLED, cid, staff_id=person.staff_id, service_type=st)
        return None
    if state is CounterState.OFFLINE and action is not CounterAction.CLOSE:
        return Refusal(Problem.OFFLINE, cid, state=state)
    if action is CounterAction.OPEN:
        if state in WORKING:
            return Refusal(Problem.ALREADY, cid, state=state)
        if state is CounterState.CLOSED or counter.staff_id is None:
            return _check_person(command, counter, staff, roster, counters)
        return None
    if action is CounterAction.PAUSE:
        if state is not CounterState.OPEN and state not in WORKING:
            return Refusal(Problem.ALREADY, cid, state=state)
        return None
    if action is CounterAction.CLOSE:
        if state is CounterState.CLOSED:
            return Refusal(Problem.ALREADY, cid, state=state)
        return None
    # assign staff
    if command.staff_id is not None and command.staff_id == counter.staff_id:
        return Refusal(Problem.ALREADY, cid, staff_id=command.staff_id, state=state)
    return _check_person(command, counter, staff, roster, counters)


def is_carried_out(command: CounterCommand, counter: CounterStatus) -> bool:
    """True once the counter shows what the request asked for."""
    action = command.action
    if action is CounterAction.OPEN:
        return counter.state in WORKING and (command.staff_id is None or counter.staff_id == command.staff_id)
    if action is CounterAction.PAUSE:
        return counter.state is CounterState.PAUSED
    if action is CounterAction.CLOSE:
        return counter.state is CounterState.CLOSED
    if action is CounterAction.ASSIGN_STAFF:
        return counter.staff_id == command.staff_id
    return tuple(counter.service_types) == tuple(command.service_types)


#: A request not carried out within this time is dropped from the board (the ticketing system did not act on it,
#: or it happened while the console was not watching). Longer than a long corporate transaction.
PENDING_FOR = timedelta(minutes=30)


def pending_commands(commands: Sequence[CounterCommand], counters: Sequence[CounterStatus],
                     at: datetime) -> dict[str, CounterCommand]:
    """Counter id → the newest state request that is not carried out yet and at most ``PENDING_FOR`` old.

    A later request for a counter replaces an earlier one. Callers that watch continuously feed back only the
    returned requests next time, so that a request once carried out never shows again when the counter later
    changes on its own (a closed counter reopened by the next shift).
    """
    by_counter = {c.counter_id: c for c in counters}
    newest: dict[str, CounterCommand] = {}
    for cmd in commands:
        if cmd.action not in STATE_ACTIONS or at - cmd.at > PENDING_FOR:
            continue
        current = newest.get(cmd.counter_id)
        if current is None or (cmd.at, cmd.command_id or 0) >= (current.at, current.command_id or 0):
            newest[cmd.counter_id] = cmd
    return {cid: cmd for cid, cmd in newest.items()
            if cid in by_counter and not is_carried_out(cmd, by_counter[cid])}
