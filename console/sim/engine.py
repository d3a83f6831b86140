"""A discrete-event simulation of one business day of the demo branch: tickets, counters, staff and people.

``BranchSimulation`` is driven from outside by ``advance_to(t)``: it processes every internal event up to ``t`` in
time order and returns the ticket-feed events (``TicketEvent``) that happened, exactly as a real branch's queue
system would deliver them. All randomness is drawn up front (``console/sim/arrivals.py``) and internal times are
integer milliseconds since the simulation start, so the same (profile, day, seed) gives the same events and the
same positions however the caller steps the clock.

Queue rules (what a Chinese branch's 叫号系统 typically does):
- a counter is ``closed`` until its rostered staff member logs in, then ``idle``; when idle it calls the next
  ticket it takes → ``open`` (waiting for the customer) → ``serving`` when the customer reaches the counter → it
  calls the next ticket or goes ``idle``;
- the next ticket for a counter: priority tickets (elderly, disabled) first, then transferred tickets, then the
  rest; within each, the counter's first service type before its others, then the oldest. A counter with
  ``priority_any_type`` (the VIP counter) calls its own types first and priority tickets of any type when none of
  its own wait. When several counters are idle the one idle longest calls first;
- a break (or a terminal outage) starts when the counter's current ticket is done and ends at its rostered end
  (an outage lasts its drawn minutes); a shift end closes the counter once its current ticket is done — except
  shifts ending at or after closing time: those keep calling until nothing they take waits (or may still be
  transferred to them), then close;
- a waiting customer who runs out of patience either cancels the ticket (``abandoned``) or leaves silently; a
  silent leaver's number is still called later and becomes a ``no_show`` after ``no_show_after_s`` seconds;
- the manager's requests from the board (``apply_command``): *open* logs the given person in at a closed counter
  until closing time (leaving any paused or closed counter they were at), or sends a paused counter back to
  calling, ending its break early; *pause* and *close* take effect once the current ticket is done (a paused
  counter stays paused through its rostered breaks, a closed one opens again at its next rostered shift);
  *assign staff* swaps the person at the counter once it is free; *service types* apply at once;
- after closing time, once every counter is closed, customers still waiting go home: their tickets are
  ``abandoned`` (this only happens when the manager has closed every counter that takes their service type);
- appointments (``console/sim/appointments.py``) are booked before the day (their ``appointment_booked`` and
  ``appointment_cancelled`` events come with the first ``advance_to``); a customer with an appointment checks in
  when taking the ticket (``checked_in`` right after ``issued``). Appointment tickets queue like any other;
- a transfer happens instead of the ``finished`` of the first service: the ticket keeps its id, number and
  ``issued_at``, gets the new service type, ``transfers`` + 1, loses its call/start times and waits again ahead of
  ordinary tickets; transferred customers do not give up;
- an ``abandoned`` or ``no_show`` ticket's ``finished_at`` is the time it became final.

The day is ``finished`` once the doors are closed, every ticket is final, every counter closed and the last
customer has walked out; after that ``advance_to`` just moves the clock.
"""

from __future__ import annotations

import dataclasses
import heapq
import math
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from console.domain.records import (
    AppointmentRecord,
    CounterCommand,
    CounterStatus,
    ShiftRecord,
    TicketEvent,
    TicketRecord,
)
from console.domain.vocabulary import CounterAction, CounterState, ServiceType, ShiftKind, TicketEventType, TicketStatus
from console.sim.appointments import SimAppointment, plan_appointments
from console.sim.arrivals import MS, CustomerDraw, draw_day
from console.sim.lobby import (
    Person,
    PersonKind,
    PlaceBook,
    Point,
    Track,
    route_counter_to_exit,
    route_counter_to_place,
    route_place_to_counter,
    route_place_to_exit,
    route_to_place,
)
from console.sim.profile import DemoProfile, demo_roster
from console.sim.state import PRIORITY, TRANSFERRED, Pause, SimCounter, SimTicket, WaitingQueues, Walker
from console.sim.walkins import plan_walk_ins

_ONE_MS = timedelta(milliseconds=1)
_LETTERS = {ServiceType.CASH: "A", ServiceType.NON_CASH: "B", ServiceType.CORPORATE: "C", ServiceType.VIP: "V",
            ServiceType.SELF_SERVICE: "S"}

# Internal event kinds; the number is also the tie-break at equal times: ends before starts, the counter side
# before the customer side, new tickets last.
_SHIFT_END, _PAUSE_END, _SHIFT_START, _PAUSE_START, _SERVICE_END, _NO_SHOW, _AT_COUNTER, _PATIENCE, _ISSUE = range(9)
_DOORS_CLOSED = 9


class BranchSimulation:
    """One simulated business day of a branch; see the module docstring for the rules."""

    def __init__(self, profile: DemoProfile, day: date, seed: int) -> None:
        self._profile = profile
        self._day = day
        # the day as text once: formatting a date calls strftime, which imports the time module on every call,
        # through PySide's import hook once Qt is loaded; importing from this (demo) thread while the GUI thread
        # imports too has deadlocked in PySide's hook, so the hot path imports nothing
        self._day_text = f"{day:%Y%m%d}"
        self._seed = seed
        zone = ZoneInfo(profile.branch.timezone)
        opens = datetime.combine(day, profile.branch.opens, tzinfo=zone)
        self._start = opens - timedelta(minutes=15)
        self._now = self._start
        self._opens_ms = (opens - self._start) // _ONE_MS
        self._closes_ms = (datetime.combine(day, profile.branch.closes, tzinfo=zone) - self._start) // _ONE_MS
        self._floor = profile.floor
        self._roster = demo_roster(profile, day)
        self._seq = 0  # internal events scheduled, for deterministic tie-breaks
        self._event_seq = 0  # feed events emitted
        self._heap: list[tuple[int, int, int, object]] = []
        self._out: list[TicketEvent] = []
        self._counters = [SimCounter(spec, i) for i, spec in enumerate(profile.counters)]
        self._by_id = {c.spec.counter_id: c for c in self._counters}
        self._tickets: list[SimTicket] = []
        self._final = 0
        self._numbers: dict[str, int] = {}
        self._queues = WaitingQueues()
        self._seats = PlaceBook(self._floor.seats)
        self._standing = PlaceBook(self._floor.standing)
        self._last_exit_s = 0.0

        draws = draw_day(profile, day, seed, self._opens_ms)
        walkers: list[Walker] = []
        for draw in draws.customers:
            track = Track(draw.enter_ms / MS, self._floor.door)
            track.walk(draw.enter_ms / MS, (self._floor.ticket_machine,), draw.speed_mps)
            walker = Walker(draw.person_id, PersonKind.CUSTOMER, track)
            walkers.append(walker)
            self._schedule(draw.issue_ms, _ISSUE, (draw, walker))
        for draw, track in zip(draws.walk_ins, plan_walk_ins(self._floor, draws.walk_ins)):
            walkers.append(Walker(draw.person_id, PersonKind.SELF_SERVICE, track))
            self._last_exit_s = max(self._last_exit_s, track.end_s or 0.0)
        walkers.sort(key=lambda w: (w.track.start_s, w.person_id))
        self._walkers = walkers
        self._next_walker = 0
        self._present: list[Walker] = []
        self._moved: set[str] = set()  # staff the manager put at a counter: their roster no longer places them

        token = 0
        for shift in self._roster:
            if shift.kind is not ShiftKind.WORK or shift.counter_id not in self._by_id:
                continue
            start_ms, end_ms = self._ms(shift.start), self._ms(shift.end)
            self._schedule(start_ms, _SHIFT_START, (shift.counter_id, shift.staff_id, end_ms))
            self._schedule(end_ms, _SHIFT_END, (shift.counter_id, shift.staff_id, end_ms))
            for b in shift.breaks:
                token += 1
                pause = Pause(token, self._ms(b.start), self._ms(b.end), None, CounterState.PAUSED)
                self._schedule(pause.start_ms, _PAUSE_START, (shift.counter_id, pause))
        self._schedule(self._closes_ms, _DOORS_CLOSED, None)
        self._appointments = plan_appointments(list(draws.customers), day, seed, self._opens_ms, self._closes_ms)
        self._appointment_of = {a.person_id: a for a in self._appointments if a.person_id is not None}
        before_day = [(a.booked_ms, TicketEventType.APPOINTMENT_BOOKED, a) for a in self._appointments]
        before_day += [(a.cancelled_ms, TicketEventType.APPOINTMENT_CANCELLED, a) for a in self._appointments
                       if a.cancelled_ms is not None]
        for ms, kind, a in sorted(before_day, key=lambda x: (x[0], x[2].appointment_id)):
            self._emit(kind, ms, appointment=a)
        if draws.offline is not None and draws.offline.counter_id in self._by_id:
            token += 1
            pause = Pause(token, draws.offline.start_ms, None, int(draws.offline.minutes * 60 * MS),
                           CounterState.OFFLINE)
            self._schedule(pause.start_ms, _PAUSE_START, (draws.offline.counter_id, pause))

    # --- public ----------------------------------------------------------------------------------------------

    @property
    def profile(self) -> DemoProfile:
        return self._profile

    @property
    def day(self) -> date:
        return self._day

    @property
    def seed(self) -> int:
        return self._seed

    @property
    def now(self) -> datetime:
        """The simulated clock (branch-local, aware)."""
        return self._now

    @property
    def start_time(self) -> datetime:
        """Where the clock starts: 15 minutes before opening (staff log in then)."""
        return self._start

    @property
    def finished(self) -> bool:
        """True once the doors are closed, every ticket final, every counter closed and the lobby empty."""
        now_ms = (self._now - self._start) // _ONE_MS
        return (
            now_ms >= self._closes_ms
            and self._final == len(self._tickets)
            and all(c.state is CounterState.CLOSED for c in self._counters)
            and now_ms / MS >= self._last_exit_s
        )

    def advance_to(self, t: datetime) -> list[TicketEvent]:
        """Process every internal event up to and including ``t``; return the feed events, in order.

        Raises ValueError when ``t`` is naive or earlier than ``now``.
        """
        if t.tzinfo is None:
            raise ValueError(f"advance_to needs a timezone-aware time, got {t!r}")
        if t < self._now:
            raise ValueError(f"cannot go back in time: now is {self._now.isoformat()}, asked for {t.isoformat()}")
        t_ms = (t - self._start) // _ONE_MS
        heap = self._heap
        while heap and heap[0][0] <= t_ms:
            ms, kind, _, payload = heapq.heappop(heap)
            self._handle(ms, kind, payload)
            self._dispatch(ms)
        self._now = t.astimezone(self._start.tzinfo)
        out, self._out = self._out, []
        return out

    def apply_command(self, command: CounterCommand) -> None:
        """Carry out a manager's request at ``now`` (rules in the module docstring); its feed events come with the
        next ``advance_to``. Requests ``check_command`` would refuse are ignored."""
        c = self._by_id.get(command.counter_id)
        if c is None:
            return
        ms = (self._now - self._start) // _ONE_MS
        action = command.action
        if action is CounterAction.SET_SERVICE_TYPES:
            if command.service_types:
                c.spec = dataclasses.replace(c.spec, service_types=tuple(command.service_types))
        elif action is CounterAction.PAUSE:
            if c.staff_id is not None and c.state is not CounterState.OFFLINE:
                c.held = True
                if c.free and c.state is not CounterState.PAUSED:
                    self._settle(c, ms)
        elif action is CounterAction.CLOSE:
            if c.staff_id is not None:
                c.held, c.ending, c.late, c.queued_shifts = False, True, False, []
                if c.free:
                    self._close(c, ms)
        elif action in (CounterAction.OPEN, CounterAction.ASSIGN_STAFF) and self._working_elsewhere(c, command.staff_id):
            pass
        elif action is CounterAction.OPEN:
            if c.staff_id is None and command.staff_id is not None:
                self._moved.add(command.staff_id)
                self._release(command.staff_id, ms)
                self._until_closing(c, command.staff_id, ms)
                self._login(c, command.staff_id, self._closes_ms, ms)
            elif c.staff_id is not None and c.state is CounterState.PAUSED:
                c.held, c.pause = False, None
                self._settle(c, ms)
        elif action is CounterAction.ASSIGN_STAFF and command.staff_id is not None:
            self._moved.add(command.staff_id)
            self._release(command.staff_id, ms)
            if c.staff_id is None:
                self._until_closing(c, command.staff_id, ms)
                self._login(c, command.staff_id, self._closes_ms, ms)
            else:
                c.swap_to = command.staff_id
                if c.free:
                    self._settle(c, ms)
        self._dispatch(ms)

    def counters(self) -> list[CounterStatus]:
        """Every counter now, in counter order."""
        result = []
        for c in self._counters:
            t = c.ticket
            since = None
            if t is not None:
                since = t.started_ms if c.state is CounterState.SERVING else t.called_ms
            result.append(
                CounterStatus(
                    counter_id=c.spec.counter_id,
                    name=c.spec.name,
                    service_types=c.spec.service_types,
                    state=c.state,
                    state_since=self._dt(c.since_ms),
                    staff_id=c.staff_id,
                    ticket_id=t.ticket_id if t else None,
                    ticket_number=t.number if t else None,
                    ticket_since=self._dt(since) if since is not None else None,
                )
            )
        return result

    def tickets(self) -> list[TicketRecord]:
        """Every ticket issued so far with its current status, in issue order."""
        return [
            TicketRecord(
                ticket_id=t.ticket_id,
                number=t.number,
                service_type=t.service_type,
                priority=t.priority,
                issued_at=self._dt(t.issued_ms),
                status=t.status,
                called_at=self._dt_or_none(t.called_ms),
                started_at=self._dt_or_none(t.started_ms),
                finished_at=self._dt_or_none(t.finished_ms),
                counter_id=t.counter_id,
                staff_id=t.staff_id,
                transfers=t.transfers,
            )
            for t in self._tickets
        ]

    def appointments(self) -> list[AppointmentRecord]:
        """The day's appointments as known at ``now``, in slot order."""
        return [AppointmentRecord(appointment_id=a.appointment_id, service_type=a.service_type,
                                  due_at=self._dt(a.due_ms), booked_at=self._dt(a.booked_ms),
                                  checked_in_at=self._dt_or_none(a.checked_in_ms),
                                  cancelled_at=self._dt_or_none(a.cancelled_ms), ticket_id=a.ticket_id)
                for a in self._appointments]

    def roster(self) -> list[ShiftRecord]:
        """The day's roster (``demo_roster``) the simulation follows."""
        return list(self._roster)

    def staff_at_counter(self) -> dict[str, str]:
        """Counter id → employee number of whoever is logged in there now."""
        return {c.spec.counter_id: c.staff_id for c in self._counters if c.staff_id is not None}

    def people(self) -> list[Person]:
        """Everyone on the lobby floor at ``now``, in metres, ordered by ``person_id``."""
        t_s = ((self._now - self._start) // _ONE_MS) / MS
        walkers = self._walkers
        while self._next_walker < len(walkers) and walkers[self._next_walker].track.start_s <= t_s:
            self._present.append(walkers[self._next_walker])
            self._next_walker += 1
        self._present = [w for w in self._present if w.track.end_s is None or t_s < w.track.end_s]
        people = []
        for w in self._present:
            x, y = w.track.position(t_s)
            people.append(Person(w.person_id, w.kind, x, y, w.ticket.ticket_id if w.ticket else None))
        people.sort(key=lambda p: p.person_id)
        return people

    # --- plumbing --------------------------------------------------------------------------------------------

    def _ms(self, at: datetime) -> int:
        return max(0, (at - self._start) // _ONE_MS)

    def _dt(self, ms: int) -> datetime:
        return self._start + ms * _ONE_MS

    def _dt_or_none(self, ms: int | None) -> datetime | None:
        return None if ms is None else self._start + ms * _ONE_MS

    def _schedule(self, ms: int, kind: int, payload: object) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (ms, kind, self._seq, payload))

    def _emit(
        self,
        type_: TicketEventType,
        ms: int,
        ticket: SimTicket | None = None,
        counter: SimCounter | None = None,
        state: CounterState | None = None,
        staff_id: str | None = None,
        appointment: SimAppointment | None = None,
    ) -> None:
        self._event_seq += 1
        booked = type_ is TicketEventType.APPOINTMENT_BOOKED
        self._out.append(
            TicketEvent(
                event_id=f"demo-{self._day_text}-{self._event_seq:06d}",
                type=type_,
                at=self._dt(ms),
                ticket_id=ticket.ticket_id if ticket else None,
                number=ticket.number if ticket else None,
                service_type=ticket.service_type if ticket else (appointment.service_type if booked else None),
                priority=ticket.priority if ticket else False,
                counter_id=counter.spec.counter_id if counter else None,
                staff_id=staff_id if staff_id is not None else (counter.staff_id if counter else None),
                state=state,
                appointment_id=appointment.appointment_id if appointment else None,
                due_at=self._dt(appointment.due_ms) if booked and appointment else None,
            )
        )

    def _set_state(self, c: SimCounter, state: CounterState, ms: int) -> None:
        if state is not c.state:
            c.state = state
            c.since_ms = ms
            self._emit(TicketEventType.COUNTER_STATE, ms, counter=c, state=state)

    def _handle(self, ms: int, kind: int, payload: object) -> None:
        if kind == _DOORS_CLOSED:
            self._send_home(ms)
            return
        if kind == _ISSUE:
            self._issue(ms, *payload)  # type: ignore[misc]
        elif kind == _PATIENCE:
            self._patience(ms, payload)  # type: ignore[arg-type]
        elif kind == _AT_COUNTER:
            self._at_counter(ms, payload)  # type: ignore[arg-type]
        elif kind == _SERVICE_END:
            self._service_end(ms, payload)  # type: ignore[arg-type]
        elif kind == _NO_SHOW:
            self._no_show(ms, payload)  # type: ignore[arg-type]
        elif kind == _SHIFT_START:
            self._shift_start(ms, *payload)  # type: ignore[misc]
        elif kind == _SHIFT_END:
            self._shift_end(ms, *payload)  # type: ignore[misc]
        elif kind == _PAUSE_START:
            self._pause_start(ms, *payload)  # type: ignore[misc]
        elif kind == _PAUSE_END:
            self._pause_end(ms, *payload)  # type: ignore[misc]

    # --- customers -------------------------------------------------------------------------------------------

    def _take_place(self, ticket: SimTicket) -> Point:
        """A seat if one is free, else a standing spot, else a point in the waiting zone drawn from the seat draw."""
        u = ticket.draw.seat_u
        for book in (self._seats, self._standing):
            i = book.take(u)
            if i is not None:
                ticket.place = (book, i)
                return book.places[i]
        ticket.place = None
        return (1.0 + 11.0 * u, 4.4 + 7.0 * ((u * 7.31) % 1.0))

    def _leave_place(self, ticket: SimTicket) -> Point:
        """Give up the seat (or spot); returns where the customer is sitting or standing."""
        here = ticket.walker.track
        x, y = here.xs[-1], here.ys[-1]
        if ticket.place is not None:
            book, i = ticket.place
            book.release(i)
            x, y = book.places[i]
            ticket.place = None
        return (x, y)

    def _exit(self, ticket: SimTicket, t_s: float, route: tuple[Point, ...]) -> None:
        track = ticket.walker.track
        track.end_s = track.walk(t_s, route, ticket.draw.speed_mps)
        self._last_exit_s = max(self._last_exit_s, track.end_s)

    def _issue(self, ms: int, draw: CustomerDraw, walker: Walker) -> None:
        letter = _LETTERS[draw.service_type]
        n = self._numbers.get(letter, 0) + 1
        self._numbers[letter] = n
        number = f"{letter}{n:03d}"
        ticket = SimTicket(f"{self._day_text}-{number}", number, draw, walker)
        walker.ticket = ticket
        self._tickets.append(ticket)
        self._queues.add(ticket)
        place = self._take_place(ticket)
        walker.track.walk(ms / MS, route_to_place(self._floor, place), draw.speed_mps)
        self._emit(TicketEventType.ISSUED, ms, ticket)
        appointment = self._appointment_of.get(draw.person_id)
        if appointment is not None:
            appointment.checked_in_ms, appointment.ticket_id = ms, ticket.ticket_id
            self._emit(TicketEventType.CHECKED_IN, ms, ticket, appointment=appointment)
        self._schedule(ms + int(draw.patience_s * MS), _PATIENCE, ticket)

    def _patience(self, ms: int, ticket: SimTicket) -> None:
        if ticket.status is not TicketStatus.WAITING or ticket.transfers or ticket.gone:
            return
        place = self._leave_place(ticket)
        self._exit(ticket, ms / MS, route_place_to_exit(self._floor, place))
        if ticket.draw.cancels:
            self._queues.remove(ticket)
            self._finalise(ticket, TicketStatus.ABANDONED, ms)
            self._emit(TicketEventType.ABANDONED, ms, ticket)
        else:
            ticket.gone = True

    def _send_home(self, ms: int) -> None:
        """After closing with every counter closed, whoever still waits leaves (see the module docstring)."""
        if ms < self._closes_ms or any(c.state is not CounterState.CLOSED for c in self._counters):
            return
        for ticket in self._tickets:
            if ticket.status is not TicketStatus.WAITING:
                continue
            self._queues.remove(ticket)
            if not ticket.gone:
                place = self._leave_place(ticket)
                self._exit(ticket, ms / MS, route_place_to_exit(self._floor, place))
            self._finalise(ticket, TicketStatus.ABANDONED, ms)
            self._emit(TicketEventType.ABANDONED, ms, ticket)

    def _finalise(self, ticket: SimTicket, status: TicketStatus, ms: int) -> None:
        ticket.status = status
        ticket.finished_ms = ms
        self._final += 1

    # --- counters and the queue ------------------------------------------------------------------------------

    def _has_work(self, c: SimCounter) -> bool:
        """Something waits that the counter takes, or a ticket in service will be transferred to a type it takes."""
        if self._queues.pick(c.spec) is not None:
            return True
        target = self._profile.transfer_to
        for other in self._counters:
            t = other.ticket
            if t is not None and t.will_transfer and (target in c.spec.service_types
                                                      or (t.priority and c.spec.priority_any_type)):
                return True
        return False

    def _call(self, c: SimCounter, ticket: SimTicket, ms: int) -> None:
        self._queues.remove(ticket)
        ticket.status = TicketStatus.CALLED
        ticket.called_ms = ms
        ticket.counter_id = c.spec.counter_id
        ticket.staff_id = c.staff_id
        c.ticket = ticket
        self._emit(TicketEventType.CALLED, ms, ticket, c)
        self._set_state(c, CounterState.OPEN, ms)
        if ticket.gone:
            self._schedule(ms + int(self._profile.no_show_after_s * MS), _NO_SHOW, ticket)
            return
        place = self._leave_place(ticket)
        track = ticket.walker.track
        t0 = ms / MS
        track.walk(t0, (), 1.0)  # stop where they are (they may still be on the way to their seat)
        track.wait(t0 + ticket.draw.reaction_s)
        spot = self._floor.counter_place(c.spec.counter_id).spot
        arrive_s = track.walk(t0 + ticket.draw.reaction_s, route_place_to_counter(self._floor, place, spot),
                              ticket.draw.speed_mps)
        self._schedule(max(ms, math.ceil(arrive_s * MS)), _AT_COUNTER, ticket)

    def _at_counter(self, ms: int, ticket: SimTicket) -> None:
        c = self._by_id[ticket.counter_id]  # type: ignore[index]
        ticket.status = TicketStatus.SERVING
        ticket.started_ms = ms
        self._emit(TicketEventType.STARTED, ms, ticket, c)
        self._set_state(c, CounterState.SERVING, ms)
        handling = ticket.draw.transfer_handling_s if ticket.transfers else ticket.draw.handling_s
        self._schedule(ms + int(handling * MS), _SERVICE_END, ticket)  # type: ignore[operator]

    def _service_end(self, ms: int, ticket: SimTicket) -> None:
        c = self._by_id[ticket.counter_id]  # type: ignore[index]
        c.ticket = None
        spot = self._floor.counter_place(c.spec.counter_id).spot
        if ticket.will_transfer:
            ticket.service_type = self._profile.transfer_to
            ticket.transfers += 1
            ticket.status = TicketStatus.WAITING
            ticket.called_ms = ticket.started_ms = None
            self._emit(TicketEventType.TRANSFERRED, ms, ticket, c)
            ticket.counter_id = ticket.staff_id = None
            ticket.call_class = PRIORITY if ticket.priority else TRANSFERRED
            self._queues.add(ticket)
            place = self._take_place(ticket)
            ticket.walker.track.walk(ms / MS, route_counter_to_place(self._floor, spot, place), ticket.draw.speed_mps)
        else:
            self._finalise(ticket, TicketStatus.SERVED, ms)
            self._emit(TicketEventType.FINISHED, ms, ticket, c)
            self._exit(ticket, ms / MS, route_counter_to_exit(self._floor, spot))
        self._settle(c, ms)

    def _no_show(self, ms: int, ticket: SimTicket) -> None:
        c = self._by_id[ticket.counter_id]  # type: ignore[index]
        c.ticket = None
        self._finalise(ticket, TicketStatus.NO_SHOW, ms)
        self._emit(TicketEventType.NO_SHOW, ms, ticket, c)
        self._settle(c, ms)

    def _settle(self, c: SimCounter, ms: int) -> None:
        """Decide what a counter that has just become free does next: close, pause, call or idle."""
        if c.staff_id is None:
            return
        if c.swap_to is not None:
            staff_id, c.swap_to, c.pause = c.swap_to, None, None
            self._emit(TicketEventType.STAFF_LOGOUT, ms, counter=c)
            c.staff_id, c.shift_end_ms, c.late, c.ending = staff_id, self._closes_ms, True, False
            self._until_closing(c, staff_id, ms)
            self._emit(TicketEventType.STAFF_LOGIN, ms, counter=c)
        if c.ending and (not c.late or not self._has_work(c)):
            self._close(c, ms)
            return
        if c.held:
            self._set_state(c, CounterState.PAUSED, ms)
            return
        if not c.ending:
            c.pending = [p for p in c.pending if p.end_ms is None or p.end_ms > ms]
            due = [p for p in c.pending if p.start_ms <= ms]
            if due:
                self._begin_pause(c, due[0], ms)
                return
        if c.state in (CounterState.PAUSED, CounterState.OFFLINE, CounterState.CLOSED):
            self._set_state(c, CounterState.IDLE, ms)  # back at the counter before the next call goes out
        ticket = self._queues.pick(c.spec)
        if ticket is not None:
            self._call(c, ticket, ms)
        else:
            self._set_state(c, CounterState.IDLE, ms)

    def _dispatch(self, ms: int) -> None:
        """Let idle counters (longest idle first) call waiting tickets, and close those whose day is over."""
        idle = [c for c in self._counters if c.state is CounterState.IDLE]
        if len(idle) > 1:
            idle.sort(key=lambda c: (c.since_ms, c.index))
        for c in idle:
            if c.state is not CounterState.IDLE:
                continue
            if c.ending and (not c.late or not self._has_work(c)):
                self._close(c, ms)
                continue
            ticket = self._queues.pick(c.spec)
            if ticket is not None:
                self._call(c, ticket, ms)

    # --- staff ----------------------------------------------------------------------------------------------

    def _login(self, c: SimCounter, staff_id: str, end_ms: int, ms: int) -> None:
        c.staff_id = staff_id
        c.shift_end_ms = end_ms
        c.late = end_ms >= self._closes_ms
        c.ending = False
        c.held = False
        self._emit(TicketEventType.STAFF_LOGIN, ms, counter=c)
        self._settle(c, ms)

    def _until_closing(self, c: SimCounter, staff_id: str, ms: int) -> None:
        """A person the manager puts at a counter works there until closing time (then serves the queue out)."""
        self._schedule(max(ms, self._closes_ms), _SHIFT_END, (c.spec.counter_id, staff_id, self._closes_ms))

    def _working_elsewhere(self, c: SimCounter, staff_id: str | None) -> bool:
        return staff_id is not None and any(
            o is not c and o.staff_id == staff_id and o.state in (CounterState.OPEN, CounterState.SERVING,
                                                                  CounterState.IDLE) for o in self._counters)

    def _release(self, staff_id: str, ms: int) -> None:
        """The person leaves a paused or offline counter they are logged in at (the manager moved them)."""
        for other in self._counters:
            if other.staff_id == staff_id and other.free and other.state in (CounterState.PAUSED,
                                                                              CounterState.OFFLINE):
                other.queued_shifts = []
                self._close(other, ms)

    def _close(self, c: SimCounter, ms: int) -> None:
        staff_id = c.staff_id
        c.pause = None
        c.held = False
        c.swap_to = None
        c.pending = []
        self._set_state(c, CounterState.CLOSED, ms)
        self._emit(TicketEventType.STAFF_LOGOUT, ms, counter=c, staff_id=staff_id)
        c.staff_id = None
        c.ending = False
        if c.queued_shifts:
            staff, end_ms = c.queued_shifts.pop(0)
            if end_ms > ms:
                self._login(c, staff, end_ms, ms)
        self._send_home(ms)

    def _shift_start(self, ms: int, counter_id: str, staff_id: str, end_ms: int) -> None:
        c = self._by_id[counter_id]
        if staff_id in self._moved and any(o is not c and o.staff_id == staff_id for o in self._counters):
            return  # the manager has put this person at another counter
        if c.staff_id is None:
            self._login(c, staff_id, end_ms, ms)
        elif c.staff_id == staff_id:  # the same person's next slot begins before the last one was wound up
            c.shift_end_ms, c.late, c.ending = end_ms, end_ms >= self._closes_ms, False
        else:
            c.queued_shifts.append((staff_id, end_ms))

    def _shift_end(self, ms: int, counter_id: str, staff_id: str, end_ms: int) -> None:
        c = self._by_id[counter_id]
        if c.staff_id != staff_id or c.shift_end_ms != end_ms:
            c.queued_shifts = [q for q in c.queued_shifts if q != (staff_id, end_ms)]
            return
        c.ending = True
        if c.free:
            if c.state in (CounterState.PAUSED, CounterState.OFFLINE):
                self._close(c, ms)
            else:
                self._settle(c, ms)

    def _pause_start(self, ms: int, counter_id: str, pause: Pause) -> None:
        c = self._by_id[counter_id]
        if c.staff_id is None or c.ending:
            return
        c.pending.append(pause)
        if c.state is CounterState.IDLE:
            self._settle(c, ms)

    def _begin_pause(self, c: SimCounter, pause: Pause, ms: int) -> None:
        c.pending.remove(pause)
        end_ms = pause.end_ms if pause.end_ms is not None else ms + (pause.length_ms or 0)
        if end_ms <= ms:
            self._settle(c, ms)
            return
        c.pause = pause
        self._set_state(c, pause.state, ms)
        self._schedule(end_ms, _PAUSE_END, (c.spec.counter_id, pause))

    def _pause_end(self, ms: int, counter_id: str, pause: Pause) -> None:
        c = self._by_id[counter_id]
        if c.pause is not pause:
            return
        c.pause = None
        self._settle(c, ms)
