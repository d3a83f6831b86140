"""Coverage of a day: counters required per half-hour by the forecast demand (Erlang C per service type) against
the staff on shift in the roster.

Decisions: each service type is staffed on its own (a counter serves one queue at a time; flexible counters make
the real need somewhat lower, so this is the cautious figure); arrivals are spread evenly over the half-hour;
the handling time of a type is the mean transaction time of its served tickets in the history (the fallback when
there are none); the target is the branch's service standard (share within a wait). Staff on shift = people at
work (not on leave, not on a break) at the middle of the half-hour. Plain functions over plain data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from console.domain.forecast import Counts
from console.domain.records import ShiftRecord
from console.domain.roster_rules import on_shift
from console.domain.staffing import counters_required
from console.domain.vocabulary import ServiceType

HALF_HOUR_S = 1800.0


@dataclass(frozen=True, slots=True)
class IntervalCoverage:
    start: datetime
    arrivals: float  # forecast tickets in the half-hour, all types
    required: dict[ServiceType, int]  # counters per type (0 when no arrivals)
    on_shift: int  # people at work

    @property
    def total_required(self) -> int:
        return sum(self.required.values())

    @property
    def shortfall(self) -> int:
        return max(0, self.total_required - self.on_shift)


def coverage(counts: Counts, slots: int, opens_at: datetime, roster: Sequence[ShiftRecord],
             aht_s: Mapping[ServiceType, float], target_s: float, target_share: float) -> list[IntervalCoverage]:
    """One ``IntervalCoverage`` per half-hour from ``opens_at``."""
    people: dict[str, list[ShiftRecord]] = {}
    for s in roster:
        people.setdefault(s.staff_id, []).append(s)
    rows = []
    for i in range(slots):
        start = opens_at + timedelta(minutes=30 * i)
        middle = start + timedelta(minutes=15)
        required: dict[ServiceType, int] = {}
        total = 0.0
        for (service, slot), n in counts.items():
            if slot != i or n <= 0:
                continue
            total += n
            answer = counters_required(n / HALF_HOUR_S, aht_s[service], target_s, target_share)
            required[service] = answer.figures.counters
        at_work = sum(1 for records in people.values() if on_shift(records, middle))
        rows.append(IntervalCoverage(start, total, required, at_work))
    return rows


def mean_handling_s(handling: Mapping[ServiceType, Sequence[float]], fallback: Mapping[ServiceType, float]
                    ) -> dict[ServiceType, float]:
    """Mean transaction time per type from measured ones (seconds), else the fallback."""
    return {t: (sum(handling[t]) / len(handling[t]) if handling.get(t) else fallback[t]) for t in fallback}


def interval_service_level(arrivals: float, aht_s: float, counters: int, target_s: float) -> float | None:
    """Share called within ``target_s`` in a half-hour with ``arrivals`` tickets and ``counters`` counters (Erlang
    C); None without arrivals, 0.0 when the counters cannot keep up (load ≥ counters: the queue only grows)."""
    if arrivals <= 0:
        return None
    rate = arrivals / HALF_HOUR_S
    if counters < 1 or rate * aht_s >= counters:
        return 0.0
    from console.domain.staffing import erlang_c

    return erlang_c(rate, aht_s, counters, target_s).service_level


def what_if(rows: Sequence[IntervalCoverage], counts: Counts, service: ServiceType, aht_s: float, target_s: float,
            delta: int) -> list[tuple[float | None, float | None]]:
    """Per half-hour: the service level of ``service`` with its required counters, and with ``delta`` more (or
    fewer, when negative) counters."""
    out = []
    for i, row in enumerate(rows):
        n = counts.get((service, i), 0.0)
        base = row.required.get(service, 0)
        out.append((interval_service_level(n, aht_s, base, target_s),
                    interval_service_level(n, aht_s, max(0, base + delta), target_s)))
    return out
