"""Live staffing advice: need against supply per service type, and the actions proposed for a shortfall or a surplus."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from console.domain.advice import AdviceKind, AdviceSettings, advise, type_loads
from console.domain.counter_actions import check_command
from console.domain.records import BreakSpan, CounterStatus, ShiftRecord, StaffMember, TicketRecord
from console.domain.vocabulary import CounterState, ServiceType, ShiftKind, StaffRole, TicketStatus

TZ = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 11, 16, 11, 0, tzinfo=TZ)
CASH, NON_CASH, CORP = ServiceType.CASH, ServiceType.NON_CASH, ServiceType.CORPORATE
FALLBACK = {CASH: 240.0, NON_CASH: 330.0, CORP: 800.0, ServiceType.VIP: 500.0}
SETTINGS = AdviceSettings(opens_at=AT.replace(hour=9), closes_at=AT.replace(hour=17))

STAFF = (
    StaffMember("E1", "Li", StaffRole.TELLER, (CASH, NON_CASH)),
    StaffMember("E2", "Wang", StaffRole.TELLER, (CASH,)),
    StaffMember("E3", "Liu", StaffRole.CORPORATE_OFFICER, (CORP,)),
    StaffMember("E4", "Chen", StaffRole.TELLER, (CASH, NON_CASH)),
    StaffMember("E5", "Zhao", StaffRole.TELLER, (NON_CASH,)),
    StaffMember("E6", "Wu", StaffRole.BRANCH_MANAGER, (CASH, NON_CASH, CORP)),
)
DAY = (AT.replace(hour=8, minute=30), AT.replace(hour=17, minute=30))


def work(sid: str, *breaks: tuple[int, int, int]) -> ShiftRecord:
    """A full-day work record with breaks given as (hour, minute, minutes)."""
    spans = tuple(BreakSpan(AT.replace(hour=h, minute=m), AT.replace(hour=h, minute=m) + timedelta(minutes=n))
                  for h, m, n in breaks)
    return ShiftRecord(sid, *DAY, breaks=spans)


def counter(cid: str, state: CounterState, staff: str | None = None, types=(CASH,), since_min: float = 5):
    return CounterStatus(cid, cid, tuple(types), state, AT - timedelta(minutes=since_min), staff)


def tickets(service: ServiceType, arrived: int, cycle_s: float, waiting: int = 0, served: int = 10) -> list[TicketRecord]:
    """``arrived`` tickets issued evenly over the last 30 minutes (the newest ``waiting`` of them still waiting),
    and ``served`` tickets called and finished in the last hour with a counter time of ``cycle_s``."""
    out = []
    for i in range(arrived):
        issued = AT - timedelta(minutes=30) + timedelta(seconds=(i + 0.5) * 1800 / arrived)
        still = i >= arrived - waiting
        out.append(TicketRecord(f"{service}-a{i}", f"A{i}", service, False, issued,
                                TicketStatus.WAITING if still else TicketStatus.SERVING,
                                called_at=None if still else issued + timedelta(seconds=30)))
    for i in range(served):
        called = AT - timedelta(minutes=50) + timedelta(minutes=i)
        out.append(TicketRecord(f"{service}-s{i}", f"S{i}", service, False, called - timedelta(minutes=2),
                                TicketStatus.SERVED, called_at=called, started_at=called,
                                finished_at=called + timedelta(seconds=cycle_s)))
    return out


def textbook_counters(lam_per_s: Fraction, aht: Fraction, target: Fraction, share: float) -> int:
    """The fewest counters reaching ``share`` within ``target`` by the factorial Erlang C formula (exact sums)."""
    load = lam_per_s * aht
    n = math.floor(load) + 1
    while True:
        top = load ** n / math.factorial(n) * Fraction(n) / (n - load)
        c = top / (sum(load ** k / math.factorial(k) for k in range(n)) + top)
        if 1 - float(c) * math.exp(-float((n - load) * target / aht)) >= share:
            return n
        n += 1


def test_need_is_erlang_c_on_measured_arrivals_and_counter_times() -> None:
    ts = tickets(CASH, arrived=30, cycle_s=300)  # 60 an hour, 5 minutes each: a load of 5 Erlangs
    counters = (counter("1", CounterState.SERVING, "E1"), counter("2", CounterState.IDLE, "E2"))
    (load,) = type_loads(ts, counters, AT, FALLBACK, SETTINGS)
    assert load.arrivals_per_hour == 60
    assert load.counter_time_s == 300 and load.measured_handling
    assert load.required == textbook_counters(Fraction(30, 1800), Fraction(300), Fraction(600), 0.8) == 6
    assert load.working == 2 and load.shortfall == 4
    assert load.service_level is None  # two counters cannot keep up with 5 Erlangs


def test_the_fallback_counter_time_is_used_and_said_when_too_little_is_measured() -> None:
    ts = tickets(CASH, arrived=6, cycle_s=100, served=2)
    (load,) = type_loads(ts, (counter("1", CounterState.IDLE, "E1"),), AT, FALLBACK, SETTINGS)
    assert load.counter_time_s == FALLBACK[CASH] and not load.measured_handling


def test_a_backlog_raises_the_need_above_the_steady_state() -> None:
    quiet = tickets(CASH, arrived=4, cycle_s=300)  # 8 an hour: two counters in the steady state
    busy = tickets(CASH, arrived=4, cycle_s=300, waiting=4) + [
        TicketRecord(f"old{i}", f"B{i}", CASH, False, AT - timedelta(minutes=40), TicketStatus.WAITING)
        for i in range(8)]
    counters = (counter("1", CounterState.SERVING, "E1"),)
    steady = textbook_counters(Fraction(4, 1800), Fraction(300), Fraction(600), 0.8)
    assert type_loads(quiet, counters, AT, FALLBACK, SETTINGS)[0].required == steady == 2
    # 12 waiting; a counter calls one at once and one every 5 minutes: 3 within the 10-minute target → 4 counters
    assert type_loads(busy, counters, AT, FALLBACK, SETTINGS)[0].required == math.ceil(12 / 3) == 4
    slow = tickets(CASH, arrived=4, cycle_s=720, waiting=2)  # 12-minute customers: one each within the target
    assert type_loads(slow, counters, AT, FALLBACK, SETTINGS)[0].required == max(
        2, textbook_counters(Fraction(4, 1800), Fraction(720), Fraction(600), 0.8))


def test_a_shortfall_opens_a_closed_counter_with_someone_at_work_who_can_do_it() -> None:
    roster = (work("E1"), work("E2"), work("E4", (10, 45, 30)), work("E5"),
              ShiftRecord("E6", *DAY, kind=ShiftKind.LEAVE))
    counters = (counter("1", CounterState.SERVING, "E1"), counter("2", CounterState.CLOSED),
                counter("5", CounterState.SERVING, "E5", types=(NON_CASH,)))
    ts = tickets(CASH, arrived=20, cycle_s=300, waiting=6) + tickets(NON_CASH, arrived=2, cycle_s=300)
    _, advice = advise(AT, counters, ts, STAFF, roster, FALLBACK, SETTINGS)
    assert [(a.kind, a.counter_id, a.staff_id) for a in advice] == [(AdviceKind.OPEN, "2", "E2")]
    assert all(check_command(c, counters, STAFF, roster) is None for a in advice for c in a.commands)


def test_someone_on_a_break_is_recalled_only_when_nobody_at_work_can_go() -> None:
    roster = (work("E1"), work("E2", (10, 45, 30)), work("E5"))
    counters = (counter("1", CounterState.SERVING, "E1"), counter("2", CounterState.PAUSED, "E2"),
                counter("5", CounterState.SERVING, "E5", types=(NON_CASH,)))
    ts = tickets(CASH, arrived=20, cycle_s=300, waiting=6)
    _, advice = advise(AT, counters, ts, STAFF, roster, FALLBACK, SETTINGS)
    assert [(a.kind, a.counter_id, a.staff_id) for a in advice][0] == (AdviceKind.RECALL, "2", "E2")
    assert advice[0].break_until == AT.replace(minute=15)


def test_managers_are_asked_last_and_people_on_leave_never() -> None:
    roster = (work("E1"), work("E6"), ShiftRecord("E4", *DAY, kind=ShiftKind.LEAVE), work("E2", (10, 50, 30)))
    counters = (counter("1", CounterState.SERVING, "E1"), counter("2", CounterState.CLOSED),
                counter("3", CounterState.CLOSED, types=(CASH, NON_CASH)))
    ts = tickets(CASH, arrived=30, cycle_s=300, waiting=8)
    _, advice = advise(AT, counters, ts, STAFF, roster, FALLBACK, SETTINGS)
    people = [a.staff_id for a in advice]
    assert "E4" not in people
    assert people[0] == "E6"  # the only one at work; E2 is on a break
    assert (advice[1].kind, advice[1].staff_id) == (AdviceKind.OPEN_FROM_BREAK, "E2")
    assert len(set(people)) == len(people) and len({a.counter_id for a in advice}) == len(advice)


def test_a_flexible_counter_switches_to_the_short_type_when_its_own_has_one_to_spare() -> None:
    roster = (work("E1"), work("E2"), work("E4"))
    counters = (counter("1", CounterState.SERVING, "E2"), counter("3", CounterState.SERVING, "E4", types=(CASH, NON_CASH)),
                counter("5", CounterState.SERVING, "E1", types=(NON_CASH,)))
    ts = tickets(CASH, arrived=3, cycle_s=240) + tickets(NON_CASH, arrived=16, cycle_s=330, waiting=5)
    _, advice = advise(AT, counters, ts, STAFF, roster, FALLBACK, SETTINGS)
    assert advice[0].kind is AdviceKind.SWITCH_TYPES and advice[0].counter_id == "3"
    assert advice[0].commands[0].service_types == (NON_CASH, CASH)
    # no one waits for non-cash: the counter stays as it is
    calm = tickets(CASH, arrived=3, cycle_s=240) + tickets(NON_CASH, arrived=16, cycle_s=330)
    _, advice = advise(AT, counters, calm, STAFF, roster, FALLBACK, SETTINGS)
    assert all(a.kind is not AdviceKind.SWITCH_TYPES for a in advice)


def test_an_idle_counter_with_a_spare_is_closed_but_never_the_last_and_not_near_closing() -> None:
    roster = (work("E1"), work("E2"), work("E4"))
    counters = (counter("1", CounterState.IDLE, "E1", since_min=12), counter("2", CounterState.IDLE, "E2", since_min=15),
                counter("3", CounterState.IDLE, "E4", since_min=4))
    ts = tickets(CASH, arrived=2, cycle_s=200)
    _, advice = advise(AT, counters, ts, STAFF, roster, FALLBACK, SETTINGS)
    assert [(a.kind, a.counter_id) for a in advice] == [(AdviceKind.CLOSE_IDLE, "2"), (AdviceKind.CLOSE_IDLE, "1")]
    assert advice[0].idle_since == AT - timedelta(minutes=15)
    late = AT.replace(hour=16, minute=40)
    shifted = [counter(c.counter_id, c.state, c.staff_id, since_min=20) for c in counters]
    assert advise(late, shifted, [], STAFF, roster, FALLBACK, SETTINGS)[1] == []
    waiting = ts + [TicketRecord("w", "A9", CASH, False, AT - timedelta(minutes=1), TicketStatus.WAITING)]
    assert all(a.kind is not AdviceKind.CLOSE_IDLE for a in advise(AT, counters, waiting, STAFF, roster, FALLBACK,
                                                                    SETTINGS)[1])


def test_pending_counters_are_left_alone_and_nothing_is_advised_before_opening() -> None:
    roster = (work("E1"), work("E2"))
    counters = (counter("1", CounterState.SERVING, "E1"), counter("2", CounterState.CLOSED))
    ts = tickets(CASH, arrived=20, cycle_s=300, waiting=6)
    assert advise(AT, counters, ts, STAFF, roster, FALLBACK, SETTINGS, pending=("2",))[1] == []
    assert advise(AT.replace(hour=8, minute=50), counters, ts, STAFF, roster, FALLBACK, SETTINGS)[1] == []


def test_an_idle_counter_whose_queue_is_empty_takes_the_waiting_queue_first_of_all() -> None:
    """Nobody moves: idle cash counters whose person can do non-cash add non-cash after cash (cash customers still
    come first there) before anyone is asked to open a closed counter; a person without the skill is never asked,
    the priority counter last; the expected wait after each is the backlog shared by the counters then working."""
    from console.domain.advice import expected_waits_after

    staff = (*STAFF, StaffMember("E7", "Sun", StaffRole.TELLER, (ServiceType.VIP, NON_CASH)))
    roster = (work("E1"), work("E2"), work("E7"), work("E5"), work("E6"))
    counters = (counter("1", CounterState.IDLE, "E1", since_min=12), counter("2", CounterState.IDLE, "E2"),
                counter("4", CounterState.IDLE, "E7", types=(ServiceType.VIP,), since_min=30),
                counter("5", CounterState.SERVING, "E5", types=(NON_CASH,)),
                counter("6", CounterState.CLOSED, types=(NON_CASH,)))
    ts = tickets(CASH, arrived=2, cycle_s=240) + tickets(NON_CASH, arrived=16, cycle_s=330, waiting=9)
    _, advice = advise(AT, counters, ts, staff, roster, FALLBACK, SETTINGS)
    got = [(a.kind, a.counter_id, a.staff_id) for a in advice]
    assert got[:3] == [(AdviceKind.TAKE_QUEUE, "1", "E1"), (AdviceKind.TAKE_QUEUE, "4", "E7"),
                       (AdviceKind.OPEN, "6", "E6")]
    assert ("2" not in {a.counter_id for a in advice if a.kind is AdviceKind.TAKE_QUEUE})  # Wang: cash only
    assert advice[0].commands[0].service_types == (CASH, NON_CASH)  # its own queue stays first
    assert all(check_command(c, counters, staff, roster) is None for a in advice for c in a.commands)
    waits = expected_waits_after(advice)
    load = advice[0].load
    assert load.working == 1 and load.waiting == 9
    assert waits[0] == 9 * load.counter_time_s / 2 and waits[1] == 9 * load.counter_time_s / 3
    # a cash customer waiting: the cash counters keep to their own queue
    busy = ts + tickets(CASH, arrived=1, cycle_s=240, waiting=1, served=0)
    _, advice = advise(AT, counters, busy, staff, roster, FALLBACK, SETTINGS)
    assert [a.counter_id for a in advice if a.kind is AdviceKind.TAKE_QUEUE] == ["4"]


def test_the_need_says_when_it_is_beyond_the_counters_and_any_closed_counter_can_be_set_up() -> None:
    """Non-cash needs more counters than the two set up for it: the load says so (for the divert line); with no
    closed non-cash counter left, a closed cash counter is opened for non-cash with someone free who can do it,
    set to non-cash first and only the types that person can take."""
    roster = (work("E1"), work("E5"), work("E6"))
    counters = (counter("5", CounterState.SERVING, "E5", types=(NON_CASH,)),
                counter("6", CounterState.OFFLINE, types=(NON_CASH,)),
                counter("2", CounterState.CLOSED, types=(CASH, CORP)))
    ts = tickets(NON_CASH, arrived=30, cycle_s=330, waiting=12)
    loads, advice = advise(AT, counters, ts, STAFF, roster, FALLBACK, SETTINGS)
    (load,) = [ld for ld in loads if ld.service_type is NON_CASH]
    assert load.able == 1 and load.required > 1 and load.beyond_counters  # the offline counter cannot work
    first = advice[0]
    assert (first.kind, first.counter_id, first.staff_id) == (AdviceKind.OPEN, "2", "E1")
    assert first.commands[0].service_types == (NON_CASH, CASH)  # Li does cash and non-cash, not corporate


def test_no_counter_is_closed_while_another_queue_is_short_with_customers_waiting() -> None:
    roster = (work("E1"), work("E2"), work("E3"))
    counters = (counter("1", CounterState.IDLE, "E1", since_min=20), counter("2", CounterState.IDLE, "E2", since_min=20),
                counter("3", CounterState.SERVING, "E3", types=(CORP,)))
    quiet = tickets(CASH, arrived=1, cycle_s=240)
    _, advice = advise(AT, counters, quiet, STAFF, roster, FALLBACK, SETTINGS)
    assert [a.kind for a in advice] == [AdviceKind.CLOSE_IDLE]  # cash has a counter to spare, nobody waits
    strained = quiet + tickets(CORP, arrived=6, cycle_s=900, waiting=4)
    _, advice = advise(AT, counters, strained, STAFF, roster, FALLBACK, SETTINGS)
    assert AdviceKind.CLOSE_IDLE not in [a.kind for a in advice]
