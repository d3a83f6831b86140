"""The simulator's own mutable records: tickets in the making, people, counters, pauses and the waiting queues.

Internal to ``console/sim``: callers see frozen ``TicketRecord``/``CounterStatus``/``Person`` snapshots built from
these. Times are integer milliseconds since the simulation start.
"""

from __future__ import annotations

from console.domain.vocabulary import CounterState, ServiceType, TicketStatus
from console.sim.arrivals import CustomerDraw
from console.sim.lobby import PersonKind, PlaceBook, Track
from console.sim.profile import CounterSpec

# Call classes of the waiting queues, in calling order.
PRIORITY, TRANSFERRED, ORDINARY = range(3)


class SimTicket:
    """A ticket as the simulator works on it (``transfers`` > 0 after a transfer; ``gone`` for silent leavers)."""

    __slots__ = ("ticket_id", "number", "service_type", "priority", "issued_ms", "status", "called_ms",
                 "started_ms", "finished_ms", "counter_id", "staff_id", "transfers", "call_class", "gone",
                 "draw", "walker", "place")

    def __init__(self, ticket_id: str, number: str, draw: CustomerDraw, walker: Walker) -> None:
        self.ticket_id = ticket_id
        self.number = number
        self.service_type = draw.service_type
        self.priority = draw.priority
        self.issued_ms = draw.issue_ms
        self.status = TicketStatus.WAITING
        self.called_ms: int | None = None
        self.started_ms: int | None = None
        self.finished_ms: int | None = None
        self.counter_id: str | None = None
        self.staff_id: str | None = None
        self.transfers = 0
        self.call_class = PRIORITY if draw.priority else ORDINARY
        self.gone = False  # left silently: will not answer the call
        self.draw = draw
        self.walker = walker
        self.place: tuple[PlaceBook, int] | None = None  # the seat or standing spot held while waiting

    @property
    def will_transfer(self) -> bool:
        return self.draw.transfer_handling_s is not None and self.transfers == 0


class Walker:
    """A person on the floor: their track and, once they have one, their ticket."""

    __slots__ = ("person_id", "kind", "track", "ticket")

    def __init__(self, person_id: int, kind: PersonKind, track: Track) -> None:
        self.person_id = person_id
        self.kind = kind
        self.track = track
        self.ticket: SimTicket | None = None


class Pause:
    """A break (fixed end) or an outage (fixed length) waiting for, or in, its counter."""

    __slots__ = ("token", "start_ms", "end_ms", "length_ms", "state")

    def __init__(self, token: int, start_ms: int, end_ms: int | None, length_ms: int | None, state: CounterState):
        self.token, self.start_ms, self.end_ms, self.length_ms, self.state = token, start_ms, end_ms, length_ms, state


class SimCounter:
    """A counter's live state: who is logged in, what it does, its current ticket and pauses to come."""

    __slots__ = ("spec", "index", "state", "since_ms", "staff_id", "shift_end_ms", "late", "ending", "ticket",
                 "pause", "pending", "queued_shifts", "held", "swap_to")

    def __init__(self, spec: CounterSpec, index: int) -> None:
        self.spec = spec
        self.index = index
        self.state = CounterState.CLOSED
        self.since_ms = 0
        self.staff_id: str | None = None
        self.shift_end_ms = 0
        self.late = False  # the current shift ends at or after closing: serve the queue out before closing
        self.ending = False  # the shift has ended; close once free (and, if late, once nothing is left)
        self.ticket: SimTicket | None = None
        self.pause: Pause | None = None
        self.pending: list[Pause] = []
        self.queued_shifts: list[tuple[str, int]] = []  # (staff, shift end) waiting for the counter to close
        self.held = False  # paused by the manager: stays paused (after its current ticket) until opened again
        self.swap_to: str | None = None  # the manager put this person at the counter: takes over once it is free

    @property
    def free(self) -> bool:
        return self.ticket is None


class WaitingQueues:
    """Tickets waiting to be called: one FIFO per (service type, call class).

    ``pick`` applies the calling order of the module docstring of ``engine``: priority, then transferred, then
    ordinary tickets; within a class the counter's first service type before its others; within a queue the oldest.
    """

    def __init__(self) -> None:
        self._queues: dict[ServiceType, tuple[list[SimTicket], list[SimTicket], list[SimTicket]]] = {
            st: ([], [], []) for st in ServiceType
        }

    def add(self, ticket: SimTicket) -> None:
        self._queues[ticket.service_type][ticket.call_class].append(ticket)

    def remove(self, ticket: SimTicket) -> None:
        self._queues[ticket.service_type][ticket.call_class].remove(ticket)

    def pick(self, spec: CounterSpec) -> SimTicket | None:
        """The ticket the counter calls next, or None when nothing it takes waits."""
        for call_class in (PRIORITY, TRANSFERRED, ORDINARY):
            for st in spec.service_types:
                queue = self._queues[st][call_class]
                if queue:
                    return queue[0]
        if spec.priority_any_type:
            heads = [q[PRIORITY][0] for q in self._queues.values() if q[PRIORITY]]
            if heads:
                return min(heads, key=lambda t: (t.issued_ms, t.ticket_id))
        return None
