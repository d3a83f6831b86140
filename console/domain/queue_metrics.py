"""Live queue figures over plain ticket and counter records.

Definitions (shared with the day report, ``console/domain/day_report.py``):
- a ticket is *waiting* at time t when it was issued at or before t, has not been called by t and did not end
  (abandon) by t; a transferred ticket waits again under its new service type;
- its current wait is t − issued_at, in seconds;
- wait (for the service level) = called_at − issued_at; a ticket counts as *within target* when it was called
  within the target wait; service level = tickets called within target ÷ (tickets called + tickets abandoned);
- handling (transaction) time = finished_at − started_at of a served ticket.

The estimated wait for the next customer of a service type (``estimate_wait_s``): the tickets already waiting for
the type are called before the new one, and each working counter calls its next ticket one *cycle* after the last
(called → finished: the walk to the counter plus the transaction). With n tickets waiting and c staffed counters
working on the type (idle ones take a ticket at once):
    wait ≈ max(0, n − idle) × cycle ÷ c
where cycle is the mean called→finished time of the type's tickets finished in the last 60 minutes (today's mean
before that, a default before any). Priority tickets jump the queue, so this is the estimate for a normal ticket.
Chosen by measurement (``benchmarks/estimated_wait.py`` and variants on three simulated days): counting the new
ticket itself as one more cycle, or a flexible counter as 1/k of a counter per service type, made the error worse
(mean absolute error 2.0 min for this formula; 4.3 min with both).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import fmean

from console.domain.records import CounterStatus, TicketRecord
from console.domain.vocabulary import QUEUED_SERVICE_TYPES, CounterState, ServiceType, TicketStatus

#: Handling time assumed for a service type before any ticket of that type was served today, in seconds.
DEFAULT_HANDLING_S = 300.0

#: Counter states in which a counter is working through the queue (it will call again soon).
WORKING_STATES = frozenset({CounterState.OPEN, CounterState.SERVING, CounterState.IDLE})


@dataclass(frozen=True, slots=True)
class ServiceQueue:
    """The queue of one service type at one instant."""

    service_type: ServiceType
    waiting: int
    longest_wait_s: float  # 0.0 when nobody waits
    counters_working: int
    avg_handling_s: float  # today's average, or DEFAULT_HANDLING_S before any service
    estimated_wait_s: float | None  # for a ticket issued now (estimate_wait_s); None when no counter takes the type


@dataclass(frozen=True, slots=True)
class CounterFigures:
    """Today's figures of one counter."""

    counter_id: str
    served: int
    avg_handling_s: float | None


def is_priority(ticket: TicketRecord) -> bool:
    """A priority customer: a VIP ticket, or a ticket marked priority (elderly, disabled, pregnant, …) at issue."""
    return ticket.priority or ticket.service_type is ServiceType.VIP


def priority_waiting(tickets, at: datetime) -> list[tuple[TicketRecord, float]]:
    """The priority customers waiting at ``at`` with their waits in seconds, longest first."""
    found = [(t, (at - t.issued_at).total_seconds()) for t in tickets if is_priority(t) and is_waiting(t, at)]
    return sorted(found, key=lambda item: (-item[1], item[0].number))


def is_waiting(ticket: TicketRecord, at: datetime) -> bool:
    """True when the ticket waits to be called at ``at`` (see the module docstring)."""
    if ticket.issued_at > at:
        return False
    if ticket.called_at is not None and ticket.called_at <= at:
        return False
    if ticket.status.is_final and ticket.finished_at is not None and ticket.finished_at <= at:
        return False
    return True


def handling_s(ticket: TicketRecord) -> float | None:
    """Transaction time of a served ticket in seconds, else None."""
    if ticket.status is not TicketStatus.SERVED or ticket.started_at is None or ticket.finished_at is None:
        return None
    return (ticket.finished_at - ticket.started_at).total_seconds()


def wait_s(ticket: TicketRecord) -> float | None:
    """Wait until called, in seconds, for a ticket that was called; else None."""
    if ticket.called_at is None:
        return None
    return (ticket.called_at - ticket.issued_at).total_seconds()


#: How far back the cycle time of the estimate looks (recent handling, not the whole day's).
RECENT_WINDOW = timedelta(minutes=60)


def cycle_s(ticket: TicketRecord) -> float | None:
    """Counter time a served ticket took, called → finished, in seconds; else None."""
    if ticket.status is not TicketStatus.SERVED or ticket.called_at is None or ticket.finished_at is None:
        return None
    return (ticket.finished_at - ticket.called_at).total_seconds()


def estimate_wait_s(tickets: Sequence[TicketRecord], counters: Sequence[CounterStatus], service_type: ServiceType,
                    at: datetime) -> float | None:
    """Estimated wait in seconds of a ticket of ``service_type`` issued at ``at`` (see the module docstring);
    None when no staffed counter takes the type."""
    working = [c for c in counters
               if service_type in c.service_types and c.state in WORKING_STATES and c.staff_id is not None]
    if not working:
        return None
    idle = sum(1 for c in working if c.state is CounterState.IDLE)
    mine = [t for t in tickets if t.service_type is service_type]
    waiting = sum(1 for t in mine if is_waiting(t, at))
    recent = [v for t in mine if t.finished_at is not None and at - RECENT_WINDOW < t.finished_at <= at
              and (v := cycle_s(t)) is not None]
    if not recent:
        recent = [v for t in mine if t.finished_at is not None and t.finished_at <= at
                  and (v := cycle_s(t)) is not None]
    cycle = fmean(recent) if recent else DEFAULT_HANDLING_S
    return max(0, waiting - idle) * cycle / len(working)


def service_queues(
    tickets: Sequence[TicketRecord],
    counters: Sequence[CounterStatus],
    at: datetime,
    service_types: Iterable[ServiceType] = QUEUED_SERVICE_TYPES,
) -> list[ServiceQueue]:
    """Queue length, longest current wait and estimated wait per service type at ``at``."""
    result: list[ServiceQueue] = []
    for service_type in service_types:
        waiting = [t for t in tickets if t.service_type is service_type and is_waiting(t, at)]
        longest = max(((at - t.issued_at).total_seconds() for t in waiting), default=0.0)
        handled = [h for t in tickets if t.service_type is service_type and (h := handling_s(t)) is not None]
        avg_handling = fmean(handled) if handled else DEFAULT_HANDLING_S
        working = sum(
            1
            for c in counters
            if service_type in c.service_types and c.state in WORKING_STATES and c.staff_id is not None
        )
        estimate = estimate_wait_s(tickets, counters, service_type, at)
        result.append(
            ServiceQueue(
                service_type=service_type,
                waiting=len(waiting),
                longest_wait_s=max(longest, 0.0),
                counters_working=working,
                avg_handling_s=avg_handling,
                estimated_wait_s=estimate,
            )
        )
    return result


def service_level(
    tickets: Iterable[TicketRecord], target_wait: timedelta, since: datetime | None = None
) -> float | None:
    """Share of tickets called within ``target_wait`` among tickets called or abandoned (issued since ``since``).

    None when no ticket was called or abandoned yet (a share of nothing is not 100%).
    """
    called_or_abandoned = 0
    within = 0
    for t in tickets:
        if since is not None and t.issued_at < since:
            continue
        w = wait_s(t)
        if w is not None:
            called_or_abandoned += 1
            if w <= target_wait.total_seconds():
                within += 1
        elif t.status is TicketStatus.ABANDONED:
            called_or_abandoned += 1
    return within / called_or_abandoned if called_or_abandoned else None


@dataclass(frozen=True, slots=True)
class PeriodFigures:
    """Service over a period: share called within the target among tickets called or abandoned in it, and the
    average wait (called − issued) of the tickets called in it, in seconds; None when nothing happened."""

    service_level: float | None
    avg_wait_s: float | None
    called: int
    abandoned: int


def period_figures(tickets: Iterable[TicketRecord], target_wait: timedelta, start: datetime | None,
                   end: datetime) -> PeriodFigures:
    """Figures of the tickets called or abandoned in (start, end] (``start`` None: since the first ticket) — the
    last 60 minutes as the queue panel shows them, or the whole day so far."""
    waits: list[float] = []
    within = abandoned = 0
    for t in tickets:
        if t.called_at is not None:
            if t.called_at <= end and (start is None or t.called_at > start):
                w = (t.called_at - t.issued_at).total_seconds()
                waits.append(w)
                within += w <= target_wait.total_seconds()
        elif t.status is TicketStatus.ABANDONED and t.finished_at is not None:
            if t.finished_at <= end and (start is None or t.finished_at > start):
                abandoned += 1
    total = len(waits) + abandoned
    return PeriodFigures(service_level=within / total if total else None,
                         avg_wait_s=fmean(waits) if waits else None, called=len(waits), abandoned=abandoned)


def counter_figures(tickets: Iterable[TicketRecord], counter_ids: Iterable[str]) -> dict[str, CounterFigures]:
    """Served count and average handling time per counter, from served tickets."""
    per: dict[str, list[float]] = {cid: [] for cid in counter_ids}
    for t in tickets:
        h = handling_s(t)
        if h is not None and t.counter_id is not None:
            per.setdefault(t.counter_id, []).append(h)
    return {
        cid: CounterFigures(counter_id=cid, served=len(hs), avg_handling_s=fmean(hs) if hs else None)
        for cid, hs in per.items()
    }


def longest_wait_s(tickets: Iterable[TicketRecord], at: datetime) -> float:
    """Longest current wait over every service type at ``at``, in seconds (0 when nobody waits)."""
    return max(((at - t.issued_at).total_seconds() for t in tickets if is_waiting(t, at)), default=0.0)
