"""Demand over the day and handling times, measured from the event feed of many simulated days."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from statistics import fmean, median

from console.domain.vocabulary import QUEUED_SERVICE_TYPES, ServiceType, TicketEventType
from console.sim.engine import BranchSimulation
from tests.sim.support import profile

E = TicketEventType
FIRST_DAY = date(2026, 10, 12)  # a Monday; 20 consecutive days (weekends, paydays and the month end included)


def _days() -> list[BranchSimulation]:
    sims = []
    for k in range(20):
        sim = BranchSimulation(profile(), FIRST_DAY + timedelta(days=k), seed=100 + k)
        sims.append(sim)
    return sims


def test_intraday_curve_and_handling_times_over_twenty_days() -> None:
    arrivals: dict[str, list[int]] = defaultdict(lambda: [0] * 20)
    handling: dict[ServiceType, list[float]] = defaultdict(list)
    for k, sim in enumerate(_days()):
        events = sim.advance_to(sim.start_time + timedelta(hours=14))
        started = {}
        for e in events:
            if e.type is E.ISSUED:
                arrivals[f"{e.at:%H}:{30 * (e.at.minute // 30):02d}"][k] += 1
            elif e.type is E.STARTED:
                started[e.ticket_id] = e
            elif e.type is E.FINISHED and started[e.ticket_id].service_type is e.service_type:
                handling[e.service_type].append((e.at - started[e.ticket_id].at).total_seconds())
    mean = {slot: fmean(counts) for slot, counts in arrivals.items()}
    trough = fmean([mean["14:00"], mean["14:30"]])
    for slot in ("09:00", "09:30", "11:30", "12:00", "12:30", "13:00", "15:30", "16:00"):
        assert mean[slot] > 1.3 * trough, (slot, mean[slot], trough)

    # medians per type (complex business and transfers included), seconds
    ranges = {
        ServiceType.CASH: (150, 240),  # ~3 min
        ServiceType.NON_CASH: (250, 380),  # ~5 min
        ServiceType.CORPORATE: (660, 960),  # 10–20 min, ~13
        ServiceType.VIP: (400, 600),  # ~8 min
    }
    for service_type in QUEUED_SERVICE_TYPES:
        lo, hi = ranges[service_type]
        assert lo <= median(handling[service_type]) <= hi, (service_type, median(handling[service_type]))
    cash = handling[ServiceType.CASH]
    assert sum(60 <= h <= 360 for h in cash) / len(cash) > 0.8  # "mostly 1–6 min"
    everything = [h for hs in handling.values() for h in hs]
    assert 0.05 < sum(h >= 600 for h in everything) / len(everything) < 0.3  # complex and corporate


def test_expected_tickets_and_mix_of_the_profile() -> None:
    p = profile()
    wednesday = date(2026, 11, 11)
    assert 250 <= p.expected_tickets(wednesday) <= 330
    assert p.expected_tickets(date(2026, 11, 16)) == p.expected_tickets(wednesday) * 1.15  # Monday
    assert p.expected_tickets(date(2026, 11, 14)) == p.expected_tickets(wednesday) * 0.70  # Saturday
    for payday in (date(2026, 11, 10), date(2026, 12, 15), date(2026, 11, 29), date(2026, 2, 27)):
        assert p.demand.is_payday(payday), payday
    assert not p.demand.is_payday(date(2026, 11, 28)) and not p.demand.is_payday(date(2026, 2, 26))
    per_type = defaultdict(float)
    priority = 0.0
    for interval in p.arrivals:
        for st, rate in interval.per_hour:
            per_type[st] += rate
        priority += sum(rate for _, rate in interval.priority_per_hour)
    total = sum(per_type.values()) + priority
    assert 0.38 <= per_type[ServiceType.CASH] / total <= 0.46
    assert 0.30 <= per_type[ServiceType.NON_CASH] / total <= 0.37
    assert 0.06 <= per_type[ServiceType.CORPORATE] / total <= 0.12
    assert 0.07 <= per_type[ServiceType.VIP] / total <= 0.10
    assert 0.04 <= priority / total <= 0.06
    assert 100 <= sum(i.self_service_per_hour * i.minutes / 60 for i in p.arrivals) <= 140
