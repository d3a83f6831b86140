"""The demo branch's appointments (预约) for a day, drawn from the day's customers.

Some customers of corporate and VIP business (and a few non-cash ones) booked their visit: their slot (15-minute
grid within opening hours) is placed around the time they take their ticket, most arriving within the on-time
window, some early, some late. A few more bookings never show up, and a few were cancelled the day before. Drawn
with a random generator of its own (seeded by day and seed), so the day's customers, tickets and queue are exactly
what they are without appointments.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from console.domain.vocabulary import ServiceType
from console.sim.arrivals import MS, CustomerDraw

SLOT_MS = 15 * 60 * MS
#: Share of customers of a service type who booked.
BOOKED_SHARE = {ServiceType.CORPORATE: 0.5, ServiceType.VIP: 0.6, ServiceType.NON_CASH: 0.08}


@dataclass
class SimAppointment:
    appointment_id: str
    service_type: ServiceType
    due_ms: int
    booked_ms: int  # before the simulation start (negative): booked on an earlier day
    cancelled_ms: int | None = None
    person_id: int | None = None  # the customer who will check in (None: never comes)
    checked_in_ms: int | None = None
    ticket_id: str | None = None


def plan_appointments(customers: list[CustomerDraw], day: date, seed: int, opens_ms: int,
                      closes_ms: int) -> list[SimAppointment]:
    rng = random.Random(day.toordinal() * 7919 + seed * 31 + 11)
    first_slot = opens_ms
    last_slot = closes_ms - SLOT_MS

    def slot(ms: float) -> int:
        k = round((ms - opens_ms) / SLOT_MS)
        return min(last_slot, max(first_slot, opens_ms + k * SLOT_MS))

    def booked() -> int:
        return -int(rng.uniform(2, 72) * 3600 * MS)

    plans: list[SimAppointment] = []
    for c in customers:
        if rng.random() >= BOOKED_SHARE.get(c.service_type, 0.0):
            continue
        u = rng.random()
        if u < 0.7:
            arrival_minus_due = rng.uniform(-15, 10)  # on time
        elif u < 0.9:
            arrival_minus_due = rng.uniform(-45, -15)  # early
        else:
            arrival_minus_due = rng.uniform(10, 25)  # late
        plans.append(SimAppointment("", c.service_type, slot(c.issue_ms - arrival_minus_due * 60 * MS), booked(),
                                    person_id=c.person_id))
    extra = max(1, round(len(plans) * 0.08))
    for _ in range(extra):  # booked, never came
        st = rng.choice((ServiceType.CORPORATE, ServiceType.VIP))
        plans.append(SimAppointment("", st, slot(rng.uniform(opens_ms, last_slot)), booked()))
    for _ in range(max(1, round(len(plans) * 0.06))):  # booked, then cancelled before the day
        st = rng.choice((ServiceType.CORPORATE, ServiceType.VIP, ServiceType.NON_CASH))
        b = booked()
        plans.append(SimAppointment("", st, slot(rng.uniform(opens_ms, last_slot)), b,
                                    cancelled_ms=int(b / 2)))
    plans.sort(key=lambda p: (p.due_ms, p.booked_ms))
    for i, p in enumerate(plans, start=1):
        p.appointment_id = f"{day:%Y%m%d}-R{i:03d}"
    return plans
