"""Each counter's and each person's work over a period, for the branch manager (and administrators) only: served
tickets and the business mix, transaction time against the branch's for the same mix, time staffed, idle share,
pauses, late and absent shifts, customer ratings.

Decisions, so that the figures inform and are fair, not a ranking:
- a person's (or counter's) average transaction time is always shown beside the **branch's average for the same
  mix of business**: Σ over service types of (their tickets of the type with a transaction time × the branch's
  average transaction time of the type) ÷ their tickets with a transaction time. A teller who takes the corporate
  business is compared with what corporate business takes at this branch, not with the cash counter;
- time at a counter comes from the counter states the ticketing system reports (``counter_state`` events): a state
  holds from its event until the counter's next one (or the end of the period), cut to the period; *staffed* is open
  (called, waiting for the customer), serving, idle or paused; *idle share* = idle ÷ staffed; *pauses* counts the
  changes into paused and their minutes. A state counts for the person logged in when it was reported. Branches
  whose ticketing system reports no counter states (a ticket log import) have no staffed time: shown as "—";
- late and absent shifts are the attendance check's (console/domain/attendance.py) over the period's roster;
- rows are ordered by name or counter, never by a figure.
Plain functions over plain records.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from console.domain.attendance import AttendanceRow, AttendanceStatus
from console.domain.day_report import RatingFigures
from console.domain.ids import natural_key
from console.domain.ticket_summary import TicketSummary
from console.domain.vocabulary import CounterState

STAFFED = (CounterState.OPEN, CounterState.SERVING, CounterState.IDLE, CounterState.PAUSED)


@dataclass(frozen=True, slots=True)
class CounterStateChange:
    """A counter's reported state from ``at`` on, with the person logged in then (None: nobody)."""

    counter_id: str
    at: datetime
    state: CounterState
    staff_id: str | None = None


@dataclass(slots=True)
class StateTime:
    """Seconds in each staffed state, and how many pauses began."""

    seconds: dict[CounterState, float] = field(default_factory=dict)
    pauses: int = 0

    @property
    def staffed_s(self) -> float:
        return sum(self.seconds.get(s, 0.0) for s in STAFFED)

    @property
    def idle_share(self) -> float | None:
        staffed = self.staffed_s
        return self.seconds.get(CounterState.IDLE, 0.0) / staffed if staffed else None


def state_times(changes: Iterable[CounterStateChange], start: datetime, end: datetime
                ) -> tuple[dict[str, StateTime], dict[str, StateTime]]:
    """Per counter and per person, the time in each state within [start, end). ``changes``: every change in the
    period and, per counter, the last one before it (the state it started in)."""
    by_counter: dict[str, list[CounterStateChange]] = {}
    for c in changes:
        by_counter.setdefault(c.counter_id, []).append(c)
    counters: dict[str, StateTime] = {}
    people: dict[str, StateTime] = {}
    for counter_id, found in by_counter.items():
        found.sort(key=lambda c: c.at)
        for n, change in enumerate(found):
            following = found[n + 1].at if n + 1 < len(found) else end
            lo, hi = max(change.at, start), min(following, end)
            targets = [counters.setdefault(counter_id, StateTime())]
            if change.staff_id:
                targets.append(people.setdefault(change.staff_id, StateTime()))
            began_pause = (change.state is CounterState.PAUSED and start <= change.at < end
                           and (n == 0 or found[n - 1].state is not CounterState.PAUSED))
            for t in targets:
                if hi > lo:
                    t.seconds[change.state] = t.seconds.get(change.state, 0.0) + (hi - lo).total_seconds()
                t.pauses += began_pause
    return counters, people


@dataclass(frozen=True, slots=True)
class WorkFigures:
    """One counter's or person's period. Minutes; shares 0–1; None where there is nothing to measure."""

    key: str  # counter id or employee number
    served: int
    mix: dict[str, int]  # served tickets per service type
    avg_transaction_min: float | None
    branch_avg_for_mix_min: float | None  # the branch's average transaction for the same mix of business
    staffed_min: float | None  # None: the ticketing system reported no counter states for them
    idle_share: float | None
    pauses: int
    paused_min: float
    shifts: int  # roster work records judged (people only)
    late: int
    absent: int
    rating: RatingFigures | None


def branch_transaction_s(summary: TicketSummary) -> dict[str, float]:
    """The branch's average transaction time per service type (seconds), over the served tickets that have one."""
    return {kind: row[5] / row[4] for kind, row in summary.per_type.items() if len(row) > 5 and row[4]}


def _figures(key: str, by_type: Mapping[str, Sequence[float]], branch_s: Mapping[str, float],
             time: StateTime | None, rating: RatingFigures | None, shifts: int = 0, late: int = 0,
             absent: int = 0) -> WorkFigures:
    served = sum(int(row[0]) for row in by_type.values())
    timed = sum(row[1] for row in by_type.values())
    total_s = sum(row[2] for row in by_type.values())
    expected_n = sum(row[1] for kind, row in by_type.items() if kind in branch_s)
    expected_s = sum(row[1] * branch_s[kind] for kind, row in by_type.items() if kind in branch_s)
    staffed = time.staffed_s if time is not None and time.staffed_s else None
    return WorkFigures(
        key=key, served=served, mix={kind: int(row[0]) for kind, row in by_type.items() if row[0]},
        avg_transaction_min=total_s / timed / 60 if timed else None,
        branch_avg_for_mix_min=expected_s / expected_n / 60 if expected_n else None,
        staffed_min=staffed / 60 if staffed else None,
        idle_share=time.idle_share if time is not None else None,
        pauses=time.pauses if time is not None else 0,
        paused_min=(time.seconds.get(CounterState.PAUSED, 0.0) / 60) if time is not None else 0.0,
        shifts=shifts, late=late, absent=absent, rating=rating)


def _rating(summary: TicketSummary, kind: str, key: str) -> RatingFigures | None:
    row = summary.ratings.get(kind, {}).get(key)
    return RatingFigures(rated=row[0], avg_score=row[1] / row[0], low=row[2]) if row and row[0] else None


LATE = (AttendanceStatus.LATE, AttendanceStatus.LATE_AND_LEFT_EARLY)
JUDGED = (AttendanceStatus.ON_TIME, AttendanceStatus.LATE, AttendanceStatus.LEFT_EARLY,
          AttendanceStatus.LATE_AND_LEFT_EARLY, AttendanceStatus.ABSENT)


def work_figures(summary: TicketSummary, counters_time: Mapping[str, StateTime],
                 people_time: Mapping[str, StateTime], attendance: Sequence[AttendanceRow],
                 people: Iterable[str] = ()) -> tuple[list[WorkFigures], list[WorkFigures]]:
    """(counters, people) of a period from its merged summary, the time in each counter state and the attendance
    rows; ``people``: employee numbers to list even without a served ticket (the staff directory). Counters in
    their natural order, people by employee number."""
    branch_s = branch_transaction_s(summary)
    counter_keys = set(summary.work["counter"]) | set(counters_time)
    counter_rows = [_figures(c, summary.work["counter"].get(c, {}), branch_s, counters_time.get(c),
                             _rating(summary, "counter", c)) for c in sorted(counter_keys, key=natural_key)]
    judged: dict[str, list[AttendanceRow]] = {}
    for row in attendance:
        if row.status in JUDGED:
            judged.setdefault(row.shift.staff_id, []).append(row)
    person_keys = set(summary.work["staff"]) | set(people_time) | set(judged) | set(people)
    person_rows = [_figures(p, summary.work["staff"].get(p, {}), branch_s, people_time.get(p),
                            _rating(summary, "staff", p), len(judged.get(p, ())),
                            sum(r.status in LATE for r in judged.get(p, ())),
                            sum(r.status is AttendanceStatus.ABSENT for r in judged.get(p, ())))
                   for p in sorted(person_keys, key=natural_key)]
    return counter_rows, person_rows
