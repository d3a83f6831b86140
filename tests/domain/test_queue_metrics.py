"""Live queue figures and presence against hand-computed cases."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from console.domain.presence import Presence, staff_presence
from console.domain.queue_metrics import (
    DEFAULT_HANDLING_S,
    counter_figures,
    is_waiting,
    longest_wait_s,
    service_level,
    service_queues,
)
from console.domain.records import BreakSpan, CounterStatus, ShiftRecord, StaffMember, TicketRecord
from console.domain.vocabulary import (
    CounterState,
    ServiceType,
    ShiftKind,
    StaffRole,
    TicketStatus,
)

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=TZ)


def ago(minutes: float) -> datetime:
    return NOW - timedelta(minutes=minutes)


def ticket(i: str, kind: ServiceType, issued_min_ago: float, status: TicketStatus = TicketStatus.WAITING, **kw):
    return TicketRecord(i, i, kind, False, ago(issued_min_ago), status, **kw)


TICKETS = [
    ticket("a", ServiceType.CASH, 12),
    ticket("b", ServiceType.CASH, 3),
    ticket("c", ServiceType.NON_CASH, 20, TicketStatus.CALLED, called_at=ago(1), counter_id="5"),
    ticket("d", ServiceType.CASH, 40, TicketStatus.SERVED, called_at=ago(35), started_at=ago(34),
           finished_at=ago(30), counter_id="1"),
    ticket("e", ServiceType.CASH, 30, TicketStatus.SERVED, called_at=ago(28), started_at=ago(27),
           finished_at=ago(21), counter_id="1"),
    ticket("f", ServiceType.CORPORATE, 50, TicketStatus.ABANDONED, finished_at=ago(10)),
    ticket("g", ServiceType.VIP, -1),  # issued in the future relative to NOW: not waiting yet
]

COUNTERS = [
    CounterStatus("1", "Counter 1", (ServiceType.CASH,), CounterState.IDLE, ago(5), staff_id="E1"),
    CounterStatus("3", "Counter 3", (ServiceType.CASH, ServiceType.NON_CASH), CounterState.PAUSED, ago(5), staff_id="E3"),
    CounterStatus("5", "Counter 5", (ServiceType.NON_CASH,), CounterState.OPEN, ago(1), staff_id="E5"),
    CounterStatus("6", "Counter 6", (ServiceType.CORPORATE,), CounterState.CLOSED, ago(60)),
]


def test_waiting_and_longest_wait() -> None:
    assert [t.ticket_id for t in TICKETS if is_waiting(t, NOW)] == ["a", "b"]
    assert longest_wait_s(TICKETS, NOW) == pytest.approx(12 * 60)
    # as of an earlier time, c was still waiting and f had not abandoned yet
    earlier = ago(15)
    assert sorted(t.ticket_id for t in TICKETS if is_waiting(t, earlier)) == ["c", "f"]


def test_service_queues() -> None:
    queues = {q.service_type: q for q in service_queues(TICKETS, COUNTERS, NOW)}
    cash = queues[ServiceType.CASH]
    assert cash.waiting == 2 and cash.longest_wait_s == pytest.approx(720)
    assert cash.counters_working == 1  # counter 1; counter 3 is paused
    assert cash.avg_handling_s == pytest.approx((4 * 60 + 6 * 60) / 2)
    # a new cash ticket: a and b go first, counter 1 is idle and takes one at once: 1 cycle on 1 counter;
    # cycle = mean called→finished of d (5 min) and e (7 min), both finished within the last 60 minutes
    assert cash.estimated_wait_s == pytest.approx((2 - 1) * 360 / 1)
    non_cash = queues[ServiceType.NON_CASH]
    # nobody waits: called as soon as counter 5 is done with c
    assert non_cash.waiting == 0 and non_cash.counters_working == 1 and non_cash.estimated_wait_s == 0
    corporate = queues[ServiceType.CORPORATE]
    assert corporate.counters_working == 0 and corporate.estimated_wait_s is None
    assert corporate.avg_handling_s == DEFAULT_HANDLING_S


def test_estimate_uses_recent_cycles() -> None:
    from console.domain.queue_metrics import estimate_wait_s

    counters = [
        CounterStatus("1", "Counter 1", (ServiceType.CASH,), CounterState.SERVING, ago(5), staff_id="E1"),
        CounterStatus("2", "Counter 2", (ServiceType.CASH, ServiceType.NON_CASH), CounterState.SERVING, ago(5),
                      staff_id="E2"),
    ]
    old = ticket("o", ServiceType.CASH, 200, TicketStatus.SERVED, called_at=ago(190), started_at=ago(189),
                 finished_at=ago(170), counter_id="1")  # 20-minute cycle, more than an hour ago
    recent = ticket("r", ServiceType.CASH, 40, TicketStatus.SERVED, called_at=ago(30), started_at=ago(29),
                    finished_at=ago(26), counter_id="1")  # 4-minute cycle, recent
    waiting = [ticket(f"w{i}", ServiceType.CASH, 5 - i) for i in range(3)]
    # 3 waiting ahead: 3 cycles of 4 min (the recent one) over the 2 counters taking cash, both serving
    assert estimate_wait_s([old, recent, *waiting], counters, ServiceType.CASH, NOW) == pytest.approx(3 * 240 / 2)
    # with no service in the last 60 minutes the day's cycles count: only "o", 20 minutes
    assert estimate_wait_s([old, *waiting], counters, ServiceType.CASH, NOW) == pytest.approx(3 * 1200 / 2)
    assert estimate_wait_s([old, recent], counters, ServiceType.VIP, NOW) is None


def test_period_figures_last_hour_and_today() -> None:
    from console.domain.queue_metrics import period_figures

    target = timedelta(minutes=10)
    # called: c at -1 min (waited 19 min), d at -35 (5 min), e at -28 (2 min); abandoned: f at -10
    today = period_figures(TICKETS, target, None, NOW)
    assert (today.called, today.abandoned) == (3, 1)
    assert today.service_level == pytest.approx(2 / 4) and today.avg_wait_s == pytest.approx((19 + 5 + 2) * 60 / 3)
    last_20 = period_figures(TICKETS, target, ago(20), NOW)  # only c called and f abandoned
    assert (last_20.called, last_20.abandoned) == (1, 1)
    assert last_20.service_level == 0 and last_20.avg_wait_s == pytest.approx(19 * 60)
    before = period_figures(TICKETS, target, None, ago(30))  # as of 30 min ago: d only
    assert before.service_level == 1 and before.avg_wait_s == pytest.approx(5 * 60)
    empty = period_figures([], target, None, NOW)
    assert empty.service_level is None and empty.avg_wait_s is None


def test_service_level_and_counter_figures() -> None:
    # called: c (19 min), d (5), e (2); abandoned: f -> 2 within 10 of 4
    assert service_level(TICKETS, timedelta(minutes=10)) == pytest.approx(0.5)
    assert service_level([], timedelta(minutes=10)) is None
    figures = counter_figures(TICKETS, ["1", "5"])
    assert figures["1"].served == 2 and figures["1"].avg_handling_s == pytest.approx(300)
    assert figures["5"].served == 0 and figures["5"].avg_handling_s is None


def test_presence() -> None:
    day = NOW.replace(hour=0)
    staff = [StaffMember(f"E{i}", f"P{i}", StaffRole.TELLER, (ServiceType.CASH,)) for i in range(1, 6)]
    roster = [
        ShiftRecord("E1", day.replace(hour=8), day.replace(hour=17), counter_id="1"),
        ShiftRecord("E2", day.replace(hour=8), day.replace(hour=17), counter_id="2",
                    breaks=(BreakSpan(ago(10), ago(-20)),)),
        ShiftRecord("E3", day.replace(hour=8), day.replace(hour=17), counter_id="3"),
        ShiftRecord("E4", day.replace(hour=8), day.replace(hour=17), kind=ShiftKind.LEAVE),
    ]
    counters = [CounterStatus("1", "1", (ServiceType.CASH,), CounterState.IDLE, NOW, staff_id="E1")]
    got = {p.staff.staff_id: (p.presence, p.counter_id) for p in staff_presence(staff, roster, counters, NOW)}
    assert got == {
        "E1": (Presence.AT_COUNTER, "1"),
        "E2": (Presence.ON_BREAK, "2"),
        "E3": (Presence.EXPECTED, "3"),
        "E4": (Presence.ON_LEAVE, None),
        "E5": (Presence.OFF, None),
    }


