"""Live staffing advice: are the open counters enough for the queue now, and what to do if not.

Every evaluation (once a branch minute, see ``console/app/advice_service.py``) compares, per queued service type, the
counters working for it with the counters it needs, and proposes concrete actions that only use staff actually on
shift with the needed skill. Plain functions over plain records (the live snapshot, the benchmark's simulator).

Decisions, all in one place:
- **Demand is measured**: arrivals are the tickets of the type issued in the last ``ARRIVAL_WINDOW`` (30 min);
  the counter time per customer is the mean call → finish time of the type's tickets finished in the last hour
  (at least ``MIN_SAMPLES``), else today's, else the caller's fallback (the demo profile's mean).
- **Need**: the larger of the Erlang C counters for the service target (``counters_required``) and the counters
  that call every customer already waiting within the target: a counter calls its next customer at once and then
  one every counter time, so within the target it calls floor(target / counter time) + 1 of them, and the backlog
  needs ceil(waiting ÷ that) counters — a backlog the steady-state formula does not see. (An earlier rule, load +
  waiting × counter time ÷ target, counted the arrivals twice and fractions of customers: "8 counters" for 9
  waiting where 5 call them all within 10 minutes.)
- **Supply**: a working counter (calling, serving or idle, with someone logged in) counts for its first service
  type only — the queue it calls first — so a flexible counter is not counted twice.
- **Actions for a shortfall**, least disruptive first: switch a flexible counter whose first type has a counter to
  spare (its person must have the skill); let an idle counter whose own queues have nobody waiting take the short
  queue too (弹性窗口: nobody moves; its person must have the skill), after its own types, so its own customers
  still come first and it serves the short queue whenever its own is empty — counters of ordinary queues before
  the VIP / priority counter, the one idle longest first; open a closed counter that takes the type with someone at work who is
  not at a counter (tellers before managers, the one free longest first); recall someone on a break at a paused
  counter of the type; open a closed counter with someone on a roster break elsewhere (recalled from the break).
  One action per missing counter; a person or counter is used once per evaluation.
- **Surplus**: a counter idle for at least ``IDLE_BEFORE_CLOSE`` whose first type has more counters than it needs,
  while no ticket of any type it takes is waiting and no other queue is short with customers waiting, may be
  closed — never the last one of a type, and not in the last ``NO_CLOSE_BEFORE_CLOSING`` before closing time (the
  queue still has to be served out).
- Counters with a request still pending are left alone (the manager has already acted).
- **Stability**: a flexible counter is switched only while the short type has customers waiting and its first type
  has none; nothing is advised before opening; no counter is closed in the first ``ARRIVAL_WINDOW`` after opening
  (too little measured yet) nor in the last ``NO_CLOSE_BEFORE_CLOSING``; after closing time no more arrivals are
  expected, so only customers still waiting count.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from statistics import fmean

from console.domain.counter_actions import check_command
from console.domain.queue_metrics import cycle_s, is_waiting
from console.domain.records import CounterCommand, CounterStatus, ShiftRecord, StaffMember, TicketRecord
from console.domain.roster_rules import on_shift
from console.domain.staffing import StaffingError, counters_required, erlang_c
from console.domain.vocabulary import (
    QUEUED_SERVICE_TYPES,
    CounterAction,
    CounterState,
    ServiceType,
    ShiftKind,
    StaffRole,
)

ARRIVAL_WINDOW = timedelta(minutes=30)
HANDLING_WINDOW = timedelta(hours=1)
MIN_SAMPLES = 3
IDLE_BEFORE_CLOSE = timedelta(minutes=10)
NO_CLOSE_BEFORE_CLOSING = timedelta(minutes=30)
WORKING = (CounterState.OPEN, CounterState.SERVING, CounterState.IDLE)
#: Roles asked last to take a counter: they run the floor and the branch.
_MANAGERS = (StaffRole.LOBBY_MANAGER, StaffRole.BRANCH_MANAGER)


class AdviceKind(StrEnum):
    SWITCH_TYPES = "switch_types"  # a working flexible counter takes the short type first
    TAKE_QUEUE = "take_queue"  # an idle counter whose queues are empty adds the short type after its own
    RECALL = "recall"  # reopen a paused counter: its person comes back from a break
    OPEN = "open"  # open a closed counter with someone at work
    OPEN_FROM_BREAK = "open_from_break"  # open a closed counter with someone recalled from a roster break
    CLOSE_IDLE = "close_idle"


@dataclass(frozen=True, slots=True)
class TypeLoad:
    """The arithmetic behind the advice for one service type (rates per hour, times in seconds)."""

    service_type: ServiceType
    arrivals_per_hour: float  # measured over ARRIVAL_WINDOW
    counter_time_s: float  # mean call → finish
    measured_handling: bool  # False: the fallback was used
    waiting: int
    required: int  # counters needed now (0 when nothing arrives and nothing waits)
    working: int  # counters working with this type first
    service_level: float | None  # predicted share within target with ``working`` counters (None: unstable/none)
    service_level_required: float | None  # ... with ``required`` counters
    able: int = 0  # counters set up to take the type (any state but offline): more cannot work for it at once

    @property
    def beyond_counters(self) -> bool:
        """The need is more than the counters able to take the type: say so, and divert (分流)."""
        return self.required > self.able

    @property
    def shortfall(self) -> int:
        return self.required - self.working


@dataclass(frozen=True, slots=True)
class Advice:
    """One proposed action; ``commands`` are what accepting it requests, in order."""

    kind: AdviceKind
    service_type: ServiceType
    counter_id: str
    staff_id: str | None
    commands: tuple[CounterCommand, ...]
    load: TypeLoad
    break_until: datetime | None = None  # the person's break end (recall, open from break)
    idle_since: datetime | None = None  # close idle

    @property
    def key(self) -> str:
        """Identity for "dismissed": the same proposal again has the same key."""
        return f"{self.kind.value}|{self.service_type.value}|{self.counter_id}|{self.staff_id or ''}"


@dataclass(frozen=True, slots=True)
class AdviceSettings:
    target_s: float = 600.0  # wait within which the share counts (service standard)
    target_share: float = 0.8
    opens_at: datetime | None = None  # today's opening time: no advice before it, no closing in the first window
    closes_at: datetime | None = None  # today's closing time: no arrivals after it, no closing proposals near it


def _first_type(counter: CounterStatus) -> ServiceType | None:
    return counter.service_types[0] if counter.service_types else None


def measure(tickets: Sequence[TicketRecord], service_type: ServiceType, at: datetime,
            fallback_s: float) -> tuple[float, float, bool, int]:
    """(arrivals per second, counter time s, measured?, waiting) of one type at ``at``."""
    mine = [t for t in tickets if t.service_type is service_type]
    arrived = sum(1 for t in mine if at - ARRIVAL_WINDOW < t.issued_at <= at)
    waiting = sum(1 for t in mine if is_waiting(t, at))
    done = [(t.finished_at, c) for t in mine if t.finished_at is not None and t.finished_at <= at
            and (c := cycle_s(t)) is not None]
    recent = [c for f, c in done if f > at - HANDLING_WINDOW]
    sample = recent if len(recent) >= MIN_SAMPLES else [c for _, c in done]
    if len(sample) >= MIN_SAMPLES:
        return arrived / ARRIVAL_WINDOW.total_seconds(), fmean(sample), True, waiting
    return arrived / ARRIVAL_WINDOW.total_seconds(), fallback_s, False, waiting


def _level(rate: float, cycle: float, counters: int, target_s: float) -> float | None:
    if counters < 1:
        return None
    try:
        return erlang_c(rate, cycle, counters, target_s).service_level
    except StaffingError:
        return None


def type_loads(tickets: Sequence[TicketRecord], counters: Sequence[CounterStatus], at: datetime,
               fallback_s: Mapping[ServiceType, float], settings: AdviceSettings,
               service_types: Iterable[ServiceType] = QUEUED_SERVICE_TYPES) -> list[TypeLoad]:
    """Need against supply for each service type the branch's counters take."""
    offered = {t for c in counters for t in c.service_types}
    loads = []
    for st in service_types:
        if st not in offered:
            continue
        rate, cycle, measured, waiting = measure(tickets, st, at, fallback_s.get(st, 300.0))
        if settings.closes_at is not None and at >= settings.closes_at:
            rate = 0.0  # the doors are closed: only the customers inside remain
        working = sum(1 for c in counters if c.state in WORKING and c.staff_id is not None and _first_type(c) is st)
        if rate == 0 and waiting == 0:
            required = 0
        else:
            steady = counters_required(rate, cycle, settings.target_s, settings.target_share).figures.counters \
                if rate > 0 else 0
            backlog = math.ceil(waiting / (math.floor(settings.target_s / cycle) + 1))
            required = max(1, steady, backlog)
        able = sum(1 for c in counters if st in c.service_types and c.state is not CounterState.OFFLINE)
        loads.append(TypeLoad(st, rate * 3600, cycle, measured, waiting, required, working,
                              _level(rate, cycle, working, settings.target_s) if rate > 0 else None,
                              _level(rate, cycle, required, settings.target_s) if rate > 0 else None, able))
    return loads


def _break_end(records: Sequence[ShiftRecord], at: datetime) -> datetime | None:
    """End of the roster break ``at`` falls in, if any."""
    for s in records:
        if s.kind is ShiftKind.WORK and s.start <= at < s.end:
            for b in s.breaks:
                if b.start <= at < b.end:
                    return b.end
    return None


def _free_until(records: Sequence[ShiftRecord], at: datetime) -> datetime:
    """When the person's current stretch of work ends (next break or end of the record)."""
    for s in records:
        if s.kind is ShiftKind.WORK and s.start <= at < s.end:
            later = [b.start for b in s.breaks if b.start > at]
            return min([s.end, *later])
    return at


def advise(at: datetime, counters: Sequence[CounterStatus], tickets: Sequence[TicketRecord],
           staff: Sequence[StaffMember], roster: Sequence[ShiftRecord], fallback_s: Mapping[ServiceType, float],
           settings: AdviceSettings = AdviceSettings(), pending: Iterable[str] = (),
           requested_by: str = "console") -> tuple[list[TypeLoad], list[Advice]]:
    """The loads per service type and the proposed actions at ``at`` (see the module docstring)."""
    loads = type_loads(tickets, counters, at, fallback_s, settings)
    if settings.opens_at is not None and at < settings.opens_at:
        return loads, []
    blocked = set(pending)
    used_staff: set[str] = set()
    by_person: dict[str, list[ShiftRecord]] = {}
    for s in roster:
        by_person.setdefault(s.staff_id, []).append(s)
    people = {p.staff_id: p for p in staff}
    surplus = {ld.service_type: ld.working - ld.required for ld in loads}
    waiting_of = {ld.service_type: ld.waiting for ld in loads}
    advice: list[Advice] = []

    def command(counter_id: str, action: CounterAction, staff_id: str | None = None,
                service_types: tuple[ServiceType, ...] = ()) -> CounterCommand | None:
        cmd = CounterCommand(counter_id, action, at, requested_by, staff_id=staff_id, service_types=service_types)
        return None if check_command(cmd, counters, staff, roster) is not None else cmd

    def candidates(st: ServiceType, on_break: bool) -> list[str]:
        at_counter = {c.staff_id for c in counters if c.staff_id is not None and c.state is not CounterState.CLOSED}
        found = []
        for sid, records in by_person.items():
            person = people.get(sid)
            if person is None or st not in person.skills or sid in at_counter or sid in used_staff:
                continue
            if on_break:
                if _break_end(records, at) is None:
                    continue
            elif not on_shift(records, at):
                continue
            found.append(sid)
        if on_break:
            return sorted(found, key=lambda sid: (people[sid].role in _MANAGERS, _break_end(by_person[sid], at), sid))
        return sorted(found, key=lambda sid: (people[sid].role in _MANAGERS, -_free_until(by_person[sid], at)
                                              .timestamp(), sid))

    def recall(st: ServiceType, ld: TypeLoad) -> Advice | None:
        for c in counters:
            if (c.counter_id in blocked or c.state is not CounterState.PAUSED or c.staff_id is None
                    or c.staff_id in used_staff or st not in c.service_types):
                continue
            cmds: list[CounterCommand] = []
            if _first_type(c) is not st:
                sw = command(c.counter_id, CounterAction.SET_SERVICE_TYPES,
                             service_types=(st,) + tuple(t for t in c.service_types if t is not st))
                if sw is None:
                    continue
                cmds.append(sw)
            if (cmd := command(c.counter_id, CounterAction.OPEN)):
                return Advice(AdviceKind.RECALL, st, c.counter_id, c.staff_id, (*cmds, cmd), ld,
                              break_until=_break_end(by_person.get(c.staff_id, ()), at))
        return None

    def open_closed(st: ServiceType, ld: TypeLoad, on_break: bool) -> Advice | None:
        # counters taking the type first, then those taking it later, then any closed counter set up for it
        closed = sorted((c for c in counters if c.state is CounterState.CLOSED and c.counter_id not in blocked),
                        key=lambda c: (st not in c.service_types, _first_type(c) is not st, c.counter_id))
        for c in closed:
            for sid in candidates(st, on_break):
                if not (cmd := command(c.counter_id, CounterAction.OPEN, staff_id=sid)):
                    continue
                cmds = [cmd]
                if _first_type(c) is not st:
                    person = people.get(sid)
                    skills = person.skills if person is not None else ()
                    types = (st,) + tuple(t for t in c.service_types if t is not st and t in skills)
                    cmds.insert(0, CounterCommand(c.counter_id, CounterAction.SET_SERVICE_TYPES, at, requested_by,
                                                  service_types=types))
                kind = AdviceKind.OPEN_FROM_BREAK if on_break else AdviceKind.OPEN
                return Advice(kind, st, c.counter_id, sid, tuple(cmds), ld,
                              break_until=_break_end(by_person[sid], at) if on_break else None)
        return None

    for ld in sorted(loads, key=lambda x: (-x.shortfall, x.service_type.value)):
        st = ld.service_type
        missing = ld.shortfall
        while missing > 0:
            found: Advice | None = None
            # 1. a working flexible counter whose first type has a counter to spare
            for c in counters:
                first = _first_type(c)
                if (c.counter_id in blocked or c.state not in WORKING or first is None or first is st
                        or st not in c.service_types or surplus.get(first, 0) < 1 or ld.waiting == 0
                        or waiting_of.get(first, 0) > 0):
                    continue
                types = (st,) + tuple(t for t in c.service_types if t is not st)
                if (cmd := command(c.counter_id, CounterAction.SET_SERVICE_TYPES, service_types=types)):
                    surplus[first] -= 1
                    found = Advice(AdviceKind.SWITCH_TYPES, st, c.counter_id, c.staff_id, (cmd,), ld)
                    break
            if found is None and ld.waiting > 0:
                # 1b. an idle counter with nobody waiting for what it takes, whose person can take the queue
                for c in sorted(counters, key=lambda c: (_first_type(c) is ServiceType.VIP, c.state_since,
                                                         c.counter_id)):
                    if (c.counter_id in blocked or c.state is not CounterState.IDLE or c.staff_id is None
                            or st in c.service_types or any(waiting_of.get(t, 0) > 0 for t in c.service_types)):
                        continue
                    types = (*c.service_types, st)
                    if (cmd := command(c.counter_id, CounterAction.SET_SERVICE_TYPES, service_types=types)):
                        found = Advice(AdviceKind.TAKE_QUEUE, st, c.counter_id, c.staff_id, (cmd,), ld,
                                       idle_since=c.state_since)
                        break
            if found is None:
                found = open_closed(st, ld, on_break=False)  # 2. someone at work, not at a counter
            if found is None:
                found = recall(st, ld)  # 3. someone on a break at a paused counter of the type
            if found is None:
                found = open_closed(st, ld, on_break=True)  # 4. someone on a roster break elsewhere
            if found is None:
                break
            advice.append(found)
            blocked.add(found.counter_id)
            if found.staff_id is not None:
                used_staff.add(found.staff_id)
            missing -= 1

    near_closing = settings.closes_at is not None and at >= settings.closes_at - NO_CLOSE_BEFORE_CLOSING
    ramping_up = settings.opens_at is not None and at < settings.opens_at + ARRIVAL_WINDOW
    # no closing while another queue is short with customers waiting: the branch is not quiet, and a counter kept
    # open can still take that queue (its person may be given the skill, or the queue's customers be diverted)
    strained = any(ld.shortfall > 0 and ld.waiting > 0 for ld in loads)
    if not near_closing and not ramping_up and not strained:
        waiting_types = {t.service_type for t in tickets if is_waiting(t, at)}
        working_for = {ld.service_type: ld.working for ld in loads}
        for ld in loads:
            st = ld.service_type
            if surplus.get(st, 0) < 1:
                continue
            idle = sorted((c for c in counters if c.state is CounterState.IDLE and _first_type(c) is st
                           and c.counter_id not in blocked and at - c.state_since >= IDLE_BEFORE_CLOSE
                           and not set(c.service_types) & waiting_types),
                          key=lambda c: (c.state_since, c.counter_id))
            for c in idle:
                if surplus[st] < 1 or working_for[st] <= 1:
                    break
                if (cmd := command(c.counter_id, CounterAction.CLOSE)):
                    advice.append(Advice(AdviceKind.CLOSE_IDLE, st, c.counter_id, c.staff_id, (cmd,), ld,
                                         idle_since=c.state_since))
                    surplus[st] -= 1
                    working_for[st] -= 1
                    blocked.add(c.counter_id)
    return loads, advice


@dataclass(frozen=True)
class AdviceInputs:
    """What one evaluation reads: plain records of one branch instant."""

    at: datetime
    counters: tuple[CounterStatus, ...]
    tickets: tuple[TicketRecord, ...]
    staff: tuple[StaffMember, ...]
    roster: tuple[ShiftRecord, ...]
    pending: tuple[str, ...]
    opens_at: datetime | None  # None: the branch is closed today
    closes_at: datetime | None


@dataclass(frozen=True)
class AdviceResult:
    at: datetime
    loads: tuple[TypeLoad, ...]
    advice: tuple[Advice, ...]  # not dismissed
    target_s: float
    target_share: float
    names: dict[str, str] = field(default_factory=dict)  # staff id → name, for the wording


def expected_waits_after(advice: Sequence[Advice]) -> list[float]:
    """For each proposal in order, the wait (seconds) the customers of its queue should expect once it and the
    proposals before it for the same queue are carried out (``backlog_after``)."""
    return [wait for wait, _ in backlog_after(advice)]


def backlog_after(advice: Sequence[Advice]) -> list[tuple[float, int]]:
    """For each proposal in order, (wait in seconds, counters) once it and the proposals before it for the same
    queue are carried out: the customers waiting now times the counter time, shared by the counters then working
    for the queue — waiting × counter time ÷ counters. (The queue's arrivals meanwhile are what the need already
    provides for; this is the backlog the move clears.) A closing proposal leaves one counter fewer; a queue with
    nobody waiting expects no wait."""
    added: dict[ServiceType, int] = {}
    out = []
    for a in advice:
        ld = a.load
        step = -1 if a.kind is AdviceKind.CLOSE_IDLE else 1
        added[ld.service_type] = added.get(ld.service_type, 0) + step
        counters = max(1, ld.working + added[ld.service_type])
        out.append((0.0 if ld.waiting == 0 else ld.waiting * ld.counter_time_s / counters, counters))
    return out
