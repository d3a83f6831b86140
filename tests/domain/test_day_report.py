"""The day report against figures computed independently, ticket by ticket, in the test."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from console.domain.day_report import build_day_report, percentile_nearest_rank
from console.domain.records import TicketRecord
from console.domain.vocabulary import ServiceType, TicketStatus

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 27)


def t(hh: int, mm: int, ss: int = 0) -> datetime:
    return datetime(2026, 11, 27, hh, mm, ss, tzinfo=TZ)


def random_tickets(seed: int, n: int) -> list[TicketRecord]:
    rng = random.Random(seed)
    tickets = []
    for i in range(n):
        issued = t(9, 0) + timedelta(seconds=rng.uniform(0, 8 * 3600))
        kind = rng.choice(list(ServiceType))
        fate = rng.random()
        if fate < 0.1:
            tickets.append(TicketRecord(f"T{i}", f"A{i:03d}", kind, False, issued, TicketStatus.ABANDONED,
                                        finished_at=issued + timedelta(minutes=rng.uniform(1, 40))))
            continue
        called = issued + timedelta(minutes=rng.uniform(0, 35))
        counter = str(rng.randint(1, 7))
        if fate < 0.15:
            tickets.append(TicketRecord(f"T{i}", f"A{i:03d}", kind, False, issued, TicketStatus.NO_SHOW,
                                        called_at=called, finished_at=called + timedelta(seconds=30), counter_id=counter))
            continue
        if fate < 0.2:
            tickets.append(TicketRecord(f"T{i}", f"A{i:03d}", kind, False, issued, TicketStatus.WAITING))
            continue
        started = called + timedelta(seconds=rng.uniform(10, 60))
        finished = started + timedelta(minutes=rng.uniform(1, 20))
        tickets.append(TicketRecord(f"T{i}", f"A{i:03d}", kind, rng.random() < 0.05, issued, TicketStatus.SERVED,
                                    called_at=called, started_at=started, finished_at=finished, counter_id=counter))
    return tickets


def test_hand_computed_small_day() -> None:
    tickets = [
        TicketRecord("1", "A001", ServiceType.CASH, False, t(9, 0), TicketStatus.SERVED,
                     called_at=t(9, 4), started_at=t(9, 5), finished_at=t(9, 9), counter_id="1"),
        TicketRecord("2", "A002", ServiceType.CASH, False, t(9, 10), TicketStatus.SERVED,
                     called_at=t(9, 30), started_at=t(9, 31), finished_at=t(9, 37), counter_id="1"),
        TicketRecord("3", "B001", ServiceType.NON_CASH, False, t(9, 20), TicketStatus.ABANDONED, finished_at=t(9, 50)),
        TicketRecord("4", "B002", ServiceType.NON_CASH, False, t(9, 40), TicketStatus.NO_SHOW,
                     called_at=t(9, 46), finished_at=t(9, 47), counter_id="2"),
        # another day: ignored
        TicketRecord("5", "A001", ServiceType.CASH, False, t(9, 0) - timedelta(days=1), TicketStatus.SERVED,
                     called_at=t(9, 1) - timedelta(days=1), started_at=t(9, 2) - timedelta(days=1),
                     finished_at=t(9, 3) - timedelta(days=1), counter_id="1"),
    ]
    r = build_day_report(tickets, DAY, TZ, target_wait_min=10)
    assert (r.arrived, r.served, r.no_show, r.abandoned, r.waiting) == (4, 2, 1, 1, 0)
    # waits of called tickets: 4, 20, 6 minutes
    assert r.avg_wait_min == pytest.approx(10.0)
    assert r.max_wait_min == pytest.approx(20.0)
    assert r.p90_wait_min == pytest.approx(20.0)
    # within 10 min: tickets 1 and 4; denominator: 3 called + 1 abandoned
    assert r.service_level == pytest.approx(2 / 4)
    assert r.avg_transaction_min == pytest.approx(5.0)
    assert r.max_transaction_min == pytest.approx(6.0)
    assert r.per_counter["1"].served == 2 and r.per_counter["1"].busy_min == pytest.approx(10.0)
    assert "2" not in r.per_counter  # no served ticket there
    assert r.per_service_type["non_cash"].arrived == 2 and r.per_service_type["non_cash"].served == 0
    assert r.per_service_type["non_cash"].avg_wait_min == pytest.approx(6.0)
    assert [i.start.strftime("%H:%M") for i in r.intervals] == ["09:00", "09:30"]
    assert [i.arrived for i in r.intervals] == [3, 1]
    assert [i.served for i in r.intervals] == [1, 1]
    assert r.intervals[0].avg_wait_min == pytest.approx(4.0)  # ticket 1 called at 9:04
    assert r.intervals[1].avg_wait_min == pytest.approx(13.0)  # tickets 2 (20) and 4 (6) called after 9:30


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_day_against_independent_computation(seed: int) -> None:
    tickets = random_tickets(seed, 400)
    r = build_day_report(tickets, DAY, TZ, target_wait_min=10)
    waits = np.array([(x.called_at - x.issued_at).total_seconds() / 60 for x in tickets if x.called_at])
    served = [x for x in tickets if x.status is TicketStatus.SERVED]
    handling = np.array([(x.finished_at - x.started_at).total_seconds() / 60 for x in served])
    abandoned = sum(x.status is TicketStatus.ABANDONED for x in tickets)
    assert r.arrived == len(tickets)
    assert r.served == len(served)
    assert r.avg_wait_min == pytest.approx(waits.mean())
    assert r.max_wait_min == pytest.approx(waits.max())
    assert r.p90_wait_min == pytest.approx(np.percentile(waits, 90, method="inverted_cdf"))
    assert r.service_level == pytest.approx((waits <= 10).sum() / (len(waits) + abandoned))
    assert r.avg_transaction_min == pytest.approx(handling.mean())
    assert sum(c.served for c in r.per_counter.values()) == len(served)
    assert sum(c.busy_min for c in r.per_counter.values()) == pytest.approx(handling.sum())
    assert sum(i.arrived for i in r.intervals) == len(tickets)
    assert sum(i.served for i in r.intervals) == len(served)
    json = r.to_json()
    assert set(json) >= {"date", "arrived", "served", "no_show", "abandoned", "avg_wait_min", "p90_wait_min",
                         "max_wait_min", "service_level", "avg_transaction_min", "max_transaction_min",
                         "per_counter", "per_service_type", "intervals"}


def test_empty_day_has_no_figures() -> None:
    r = build_day_report([], DAY, TZ)
    assert r.arrived == 0 and r.avg_wait_min is None and r.service_level is None and r.intervals == ()


def test_percentile_nearest_rank() -> None:
    assert percentile_nearest_rank([], 0.9) is None
    assert percentile_nearest_rank([5.0], 0.9) == 5.0
    assert percentile_nearest_rank([float(v) for v in range(1, 11)], 0.9) == 9.0
    assert percentile_nearest_rank([float(v) for v in range(1, 12)], 0.9) == 10.0
