"""Roster validation: the checks the roster editor, the CSV/Excel import and the CLI share.

A roster is a list of ``ShiftRecord``s (work with breaks, or leave). Problems found (each names the person and the
times, so the message can say exactly what to fix):
- unknown staff: the record's employee number is not in the directory;
- a break outside its shift or ending before it starts (a shift ending before it starts cannot be a
  ``ShiftRecord``: the editor and the import refuse it when reading it);
- overlapping records of one person (two shifts, or a shift during leave);
- a duty longer than ``max_duty`` — a duty is a person's work records joined when less than ``split_gap`` apart
  (a split shift around a long lunch is one duty), measured from its first start to its last end;
- too little rest: less than ``min_rest`` between two duties of one person;
- no cover: a half-hour of opening time in which nobody on shift (at work, not on a break) can handle a service
  type the branch offers.
Times are aware datetimes; the rules' defaults follow common Chinese branch practice and are settings.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from console.domain.records import ShiftRecord, StaffMember
from console.domain.vocabulary import ServiceType, ShiftKind

HALF_HOUR = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class RosterRules:
    max_duty: timedelta = timedelta(hours=10)
    min_rest: timedelta = timedelta(hours=11)
    split_gap: timedelta = timedelta(hours=3)  # records closer than this form one duty


class RosterProblemKind(StrEnum):
    UNKNOWN_STAFF = "unknown_staff"
    BREAK_OUTSIDE = "break_outside"
    OVERLAP = "overlap"
    TOO_LONG = "too_long"
    TOO_LITTLE_REST = "too_little_rest"
    NO_COVER = "no_cover"


@dataclass(frozen=True, slots=True)
class RosterProblem:
    kind: RosterProblemKind
    staff_id: str | None  # None for a cover gap
    start: datetime  # of the record, duty, rest or half-hour concerned
    end: datetime
    other_start: datetime | None = None  # the other record of an overlap
    service_type: ServiceType | None = None  # the type without cover


def _duties(work: Sequence[ShiftRecord], split_gap: timedelta) -> list[tuple[datetime, datetime]]:
    duties: list[tuple[datetime, datetime]] = []
    for s in sorted(work, key=lambda s: s.start):
        if duties and s.start - duties[-1][1] < split_gap:
            duties[-1] = (duties[-1][0], max(duties[-1][1], s.end))
        else:
            duties.append((s.start, s.end))
    return duties


def check_person(staff_id: str, records: Sequence[ShiftRecord], rules: RosterRules) -> list[RosterProblem]:
    """Problems of one person's records (well-formed records only: see ``check_roster``)."""
    problems: list[RosterProblem] = []
    ordered = sorted(records, key=lambda s: (s.start, s.end))
    for i, a in enumerate(ordered):
        for b in ordered[i + 1:]:
            if b.start >= a.end:
                break
            problems.append(RosterProblem(RosterProblemKind.OVERLAP, staff_id, b.start, min(a.end, b.end),
                                          other_start=a.start))
    work = [s for s in ordered if s.kind is ShiftKind.WORK]
    duties = _duties(work, rules.split_gap)
    for start, end in duties:
        if end - start > rules.max_duty:
            problems.append(RosterProblem(RosterProblemKind.TOO_LONG, staff_id, start, end))
    for (_, end), (start, _) in zip(duties, duties[1:]):
        if start - end < rules.min_rest:
            problems.append(RosterProblem(RosterProblemKind.TOO_LITTLE_REST, staff_id, end, start))
    return problems


def on_shift(records: Iterable[ShiftRecord], at: datetime) -> bool:
    """At work at ``at``: inside a work record and not on one of its breaks."""
    return any(s.kind is ShiftKind.WORK and s.start <= at < s.end and not any(b.start <= at < b.end for b in s.breaks)
               for s in records)


def cover_gaps(shifts: Sequence[ShiftRecord], staff: Sequence[StaffMember], opening: Sequence[tuple[datetime, datetime]],
               needed: Sequence[ServiceType]) -> list[RosterProblem]:
    """Half-hours of opening time (each checked at its start and its middle) in which nobody at work can handle a
    needed service type; consecutive half-hours of the same type are reported as one span."""
    skills = {p.staff_id: set(p.skills) for p in staff}
    by_person: dict[str, list[ShiftRecord]] = {}
    for s in shifts:
        by_person.setdefault(s.staff_id, []).append(s)
    problems: list[RosterProblem] = []
    for open_at, close_at in opening:
        for service in needed:
            gap_start: datetime | None = None
            t = open_at
            while t < close_at:
                probes = (t, min(t + HALF_HOUR / 2, close_at - timedelta(seconds=1)))
                covered = all(any(service in skills.get(pid, ()) and on_shift(records, probe)
                                  for pid, records in by_person.items()) for probe in probes)
                if not covered and gap_start is None:
                    gap_start = t
                if covered and gap_start is not None:
                    problems.append(RosterProblem(RosterProblemKind.NO_COVER, None, gap_start, t,
                                                  service_type=service))
                    gap_start = None
                t += HALF_HOUR
            if gap_start is not None:
                problems.append(RosterProblem(RosterProblemKind.NO_COVER, None, gap_start, close_at,
                                              service_type=service))
    return problems


def check_roster(shifts: Sequence[ShiftRecord], staff: Sequence[StaffMember], rules: RosterRules = RosterRules(),
                 opening: Sequence[tuple[datetime, datetime]] = (), needed: Sequence[ServiceType] = ()
                 ) -> list[RosterProblem]:
    """Every problem of a roster: those of single records in the order given, then each person's (directory
    order, then time), cover gaps last."""
    known = {p.staff_id for p in staff}
    problems: list[RosterProblem] = []
    by_person: dict[str, list[ShiftRecord]] = {}
    for s in shifts:
        if s.staff_id not in known:
            problems.append(RosterProblem(RosterProblemKind.UNKNOWN_STAFF, s.staff_id, s.start, s.end))
            continue
        bad_break = next((b for b in s.breaks if b.end <= b.start or b.start < s.start or b.end > s.end), None)
        if bad_break is not None:
            problems.append(RosterProblem(RosterProblemKind.BREAK_OUTSIDE, s.staff_id, bad_break.start,
                                          bad_break.end, other_start=s.start))
        by_person.setdefault(s.staff_id, []).append(s)
    for person in staff:
        problems.extend(check_person(person.staff_id, by_person.get(person.staff_id, []), rules))
    problems.extend(cover_gaps([s for records in by_person.values() for s in records], staff, opening, needed))
    return problems
