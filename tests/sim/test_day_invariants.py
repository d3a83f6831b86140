"""Invariants of a whole simulated day, checked from the tickets and, independently, from the event feed."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime

import pytest

from console.domain.records import TicketEvent
from console.domain.vocabulary import CounterState, ShiftKind, TicketEventType, TicketStatus
from tests.sim.support import DAYS, SEEDS, full_day, profile

E = TicketEventType
CASES = [(day, seed) for day in DAYS for seed in SEEDS]
_ENDS = (E.FINISHED, E.NO_SHOW, E.TRANSFERRED)


def _by_counter(events: tuple[TicketEvent, ...]) -> dict[str, list[TicketEvent]]:
    out: dict[str, list[TicketEvent]] = defaultdict(list)
    for e in events:
        if e.counter_id is not None:
            out[e.counter_id].append(e)
    return out


@pytest.mark.parametrize(("day", "seed"), CASES)
def test_every_ticket_is_final_and_listed_once(day: date, seed: int) -> None:
    run = full_day(day, seed)
    tickets = run.sim.tickets()
    issued = [e.ticket_id for e in run.events if e.type is E.ISSUED]
    assert len(issued) == len(set(issued)) == len(tickets) > 0
    assert [t.ticket_id for t in tickets] == issued  # issue order
    assert all(t.status.is_final for t in tickets)
    assert all(c.state is CounterState.CLOSED and c.staff_id is None for c in run.sim.counters())
    assert run.sim.people() == []

    # replaying the feed gives the same final status for every ticket
    last: dict[str, TicketEventType] = {}
    for e in run.events:
        if e.ticket_id is not None:
            last[e.ticket_id] = e.type
    expected = {E.FINISHED: TicketStatus.SERVED, E.NO_SHOW: TicketStatus.NO_SHOW, E.ABANDONED: TicketStatus.ABANDONED}
    assert {t.ticket_id: t.status for t in tickets} == {tid: expected[ev] for tid, ev in last.items()}


@pytest.mark.parametrize(("day", "seed"), CASES)
def test_timestamps_are_ordered_and_tickets_issued_in_opening_hours(day: date, seed: int) -> None:
    run = full_day(day, seed)
    branch = profile().branch
    opens = run.sim.start_time.replace(hour=branch.opens.hour, minute=branch.opens.minute)
    closes = run.sim.start_time.replace(hour=branch.closes.hour, minute=branch.closes.minute)
    for t in run.sim.tickets():
        assert opens <= t.issued_at < closes
        chain = [x for x in (t.issued_at, t.called_at, t.started_at, t.finished_at) if x is not None]
        assert chain == sorted(chain), t
        if t.status is TicketStatus.SERVED:
            assert None not in (t.called_at, t.started_at, t.counter_id, t.staff_id)
        if t.status is TicketStatus.NO_SHOW:
            assert t.called_at is not None and t.started_at is None
            assert (t.finished_at - t.called_at).total_seconds() == pytest.approx(profile().no_show_after_s)
        if t.status is TicketStatus.ABANDONED:
            assert t.called_at is None
    ats = [e.at for e in run.events]
    assert ats == sorted(ats)
    assert all(e.at.tzinfo is not None for e in run.events)
    assert len({e.event_id for e in run.events}) == len(run.events)
    assert not [e for e in run.events if e.type is E.ISSUED and e.at >= closes]


@pytest.mark.parametrize(("day", "seed"), CASES)
def test_a_counter_serves_one_ticket_at_a_time_and_only_types_it_takes(day: date, seed: int) -> None:
    run = full_day(day, seed)
    specs = {c.counter_id: c for c in profile().counters}
    for counter_id, events in _by_counter(run.events).items():
        current: str | None = None
        for e in events:
            if e.type is E.CALLED:
                assert current is None, f"counter {counter_id} called {e.number} while busy with {current}"
                current = e.ticket_id
                spec = specs[counter_id]
                assert e.service_type in spec.service_types or (spec.priority_any_type and e.priority), e
            elif e.type is E.STARTED:
                assert current == e.ticket_id
            elif e.type in _ENDS:
                assert current == e.ticket_id
                current = None
        assert current is None


@pytest.mark.parametrize(("day", "seed"), CASES)
def test_service_only_while_logged_in_and_not_on_break(day: date, seed: int) -> None:
    run = full_day(day, seed)
    for counter_id, events in _by_counter(run.events).items():
        staff: str | None = None
        state = CounterState.CLOSED
        for e in events:
            if e.type is E.STAFF_LOGIN:
                assert staff is None
                staff = e.staff_id
            elif e.type is E.STAFF_LOGOUT:
                assert staff == e.staff_id and state is CounterState.CLOSED
                staff = None
            elif e.type is E.COUNTER_STATE:
                assert e.state is not None and e.state is not state, "a state event must change the state"
                state = e.state
                assert state is CounterState.CLOSED or staff is not None  # closed comes just before the logout
            else:
                assert staff is not None and e.staff_id == staff, e
                if e.type is E.CALLED:
                    assert state in (CounterState.IDLE, CounterState.SERVING, CounterState.OPEN), e


def _free_at_or_after(events: list[TicketEvent], start: datetime) -> datetime | None:
    """When the counter next had no ticket in hand at or after ``start`` (None: never again)."""
    busy = False
    for e in events:
        if e.at >= start:
            break
        if e.type is E.CALLED:
            busy = True
        elif e.type in _ENDS:
            busy = False
    if not busy:
        return start
    return next((e.at for e in events if e.at >= start and e.type in _ENDS), None)


@pytest.mark.parametrize(("day", "seed"), CASES)
def test_breaks_start_after_the_current_ticket_and_nothing_is_called_during_them(day: date, seed: int) -> None:
    run = full_day(day, seed)
    per_counter = _by_counter(run.events)
    checked = 0
    for shift in run.sim.roster():
        if shift.kind is not ShiftKind.WORK or shift.counter_id is None:
            continue
        events = per_counter[shift.counter_id]
        states = [e for e in events if e.type is E.COUNTER_STATE]
        for b in shift.breaks:
            calls = [e for e in events if e.type is E.CALLED and b.start <= e.at < b.end]
            assert not calls, f"counter {shift.counter_id} called during a break: {calls[0]}"
            free = _free_at_or_after(events, b.start)
            if free is None or free >= b.end:
                continue  # the ticket in hand ran past the whole break
            at_free = [e.state for e in states if e.at == free]
            # paused (or offline, when a terminal outage was due first) as soon as the ticket was done
            assert at_free and at_free[-1] in (CounterState.PAUSED, CounterState.OFFLINE), (shift.counter_id, b)
            before_end = [e.state for e in states if e.at < b.end]
            if before_end[-1] is CounterState.PAUSED:
                # back at the break end (straight into a terminal outage if one came due during the break)
                assert [e.state for e in states if e.at == b.end][:1] in ([CounterState.IDLE], [CounterState.OFFLINE])
            checked += 1
    assert checked >= 5


@pytest.mark.parametrize(("day", "seed"), CASES)
def test_staff_log_in_at_shift_start_and_out_after_shift_end(day: date, seed: int) -> None:
    run = full_day(day, seed)
    logins = [e for e in run.events if e.type is E.STAFF_LOGIN]
    logouts = [e for e in run.events if e.type is E.STAFF_LOGOUT]
    shifts = [s for s in run.sim.roster() if s.kind is ShiftKind.WORK and s.counter_id is not None]
    assert len(logins) == len(logouts) == len(shifts)
    handovers = 0
    for s in shifts:
        login = [e for e in logins if e.counter_id == s.counter_id and e.staff_id == s.staff_id
                 and s.start <= e.at < s.end]
        assert len(login) == 1, s
        if login[0].at > s.start:
            # a handover: the previous person finished their last ticket first, then logged out
            previous = [e for e in logouts if e.counter_id == s.counter_id and e.at == login[0].at]
            assert previous and previous[0].staff_id != s.staff_id, s
            handovers += 1
        out = [e for e in logouts if e.counter_id == s.counter_id and e.staff_id == s.staff_id and e.at >= s.end]
        assert out, s
    assert handovers <= 4
    branch = profile().branch
    closes = run.sim.start_time.replace(hour=branch.closes.hour, minute=branch.closes.minute)
    # the counters that stay until the end of the day leave only when nothing is left to do
    last_logout = max(e.at for e in logouts)
    assert last_logout >= closes
    assert max(t.finished_at for t in run.sim.tickets()) <= last_logout


def test_transfers_requeue_under_the_new_type_and_end_final() -> None:
    transferred = 0
    for day, seed in CASES:
        run = full_day(day, seed)
        tickets = {t.ticket_id: t for t in run.sim.tickets()}
        for e in run.events:
            if e.type is not E.TRANSFERRED:
                continue
            transferred += 1
            t = tickets[e.ticket_id]
            assert e.service_type is profile().transfer_to and t.service_type is profile().transfer_to
            assert t.transfers == 1 and t.status.is_final
            assert t.ticket_id.endswith(t.number) and t.number.startswith("B")  # keeps its non-cash number
            later = [x for x in run.events if x.ticket_id == t.ticket_id and x.at >= e.at and x is not e]
            if t.status is TicketStatus.SERVED:
                assert t.counter_id is not None
                assert profile().transfer_to in profile().counter(t.counter_id).service_types or t.priority
                assert [x.type for x in later] == [E.CALLED, E.STARTED, E.FINISHED]
    assert transferred >= 3


def test_customers_give_up_mostly_at_the_lunch_peak() -> None:
    """Abandonments and no-shows happen, and over-proportionally among tickets issued around the lunch peak."""
    leavers = issued = leavers_lunch = issued_lunch = 0
    for day, seed in CASES:
        for t in full_day(day, seed).sim.tickets():
            lunch = 11 <= t.issued_at.hour < 14
            issued += 1
            issued_lunch += lunch
            if t.status in (TicketStatus.ABANDONED, TicketStatus.NO_SHOW):
                leavers += 1
                leavers_lunch += lunch
    statuses = Counter(t.status for d, s in CASES for t in full_day(d, s).sim.tickets())
    assert statuses[TicketStatus.ABANDONED] > 0 and statuses[TicketStatus.NO_SHOW] > 0
    assert leavers_lunch / leavers > 1.2 * issued_lunch / issued
    assert leavers / issued < 0.15


def test_busier_days_have_more_tickets() -> None:
    mean = {day: sum(len(full_day(day, s).sim.tickets()) for s in SEEDS) / len(SEEDS) for day in DAYS}
    wednesday, monday, saturday, month_end = (mean[d] for d in DAYS)
    assert saturday < wednesday < monday
    assert wednesday < month_end
    assert 230 <= wednesday <= 330
