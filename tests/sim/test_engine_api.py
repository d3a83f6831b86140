"""What callers read from a running simulation: counters, tickets, staff at counters."""

from __future__ import annotations

from datetime import timedelta

from console.domain.vocabulary import CounterState, TicketEventType, TicketStatus
from console.sim.engine import BranchSimulation
from tests.sim.support import MONDAY, profile


def test_counters_tickets_and_staff_during_the_day() -> None:
    sim = BranchSimulation(profile(), MONDAY, 1)
    assert [c.state for c in sim.counters()] == [CounterState.CLOSED] * 7
    assert sim.tickets() == [] and sim.people() == [] and sim.staff_at_counter() == {}
    events = sim.advance_to(sim.start_time)
    assert {e.type for e in events} == {TicketEventType.STAFF_LOGIN, TicketEventType.COUNTER_STATE,
                                        TicketEventType.APPOINTMENT_BOOKED, TicketEventType.APPOINTMENT_CANCELLED}
    assert set(sim.staff_at_counter()) == {"1", "2", "5", "6", "7"}

    seen_open = seen_serving = 0
    t = sim.start_time
    for _ in range(200):
        t += timedelta(seconds=97)
        sim.advance_to(t)
        tickets = {tk.ticket_id: tk for tk in sim.tickets()}
        staff = sim.staff_at_counter()
        for c in sim.counters():
            assert c.state_since <= t
            assert (c.staff_id is None) == (c.state is CounterState.CLOSED)
            assert staff.get(c.counter_id) == c.staff_id
            if c.state in (CounterState.OPEN, CounterState.SERVING):
                tk = tickets[c.ticket_id]
                assert tk.counter_id == c.counter_id and tk.number == c.ticket_number
                if c.state is CounterState.OPEN:
                    assert tk.status is TicketStatus.CALLED and c.ticket_since == tk.called_at
                    seen_open += 1
                else:
                    assert tk.status is TicketStatus.SERVING and c.ticket_since == tk.started_at
                    seen_serving += 1
            else:
                assert c.ticket_id is None and c.ticket_since is None
    assert seen_serving > 100 and seen_open > 0
    issued = sim.tickets()
    assert all(tk.ticket_id == f"{MONDAY:%Y%m%d}-{tk.number}" for tk in issued)
    letters = {tk.service_type.value: tk.number[0] for tk in issued if tk.transfers == 0}
    assert letters == {"cash": "A", "non_cash": "B", "corporate": "C", "vip": "V"}
    assert any(tk.priority for tk in issued)
