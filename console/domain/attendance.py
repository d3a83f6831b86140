"""Attendance: the roster against who actually logged in at a counter (the ticketing system's staff_login and
staff_logout events).

Decisions:
- work records with a counter are checked against counter logins; a back-office record (no counter) is checked
  only when the person checked in by hand (a session without a counter, recorded in the console) during it —
  otherwise there is nothing to compare with and it is listed as not checked; leave records are listed as leave;
- a person's sessions are their login → logout spans at any counter; a login without a logout lasts until the
  instant of the check;
- only what has happened is judged: a record running without a login yet is *not in yet* (the "not logged in"
  alert is what tells the lobby manager in time); *absent*: no session overlapped the record once it is over;
  *late*: the first session overlapping
  it starts more than ``GRACE`` after the record's start; *left early*: the last one ends more than ``GRACE``
  before the record's end (once the record is over); both can apply; otherwise *on time*. A record not started yet
  is *upcoming*;
- minutes at a counter = the sessions' overlap with the record (breaks included: a break at the counter is still
  time at the counter).
Plain functions over plain records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from console.domain.records import ShiftRecord, TicketEvent
from console.domain.vocabulary import ShiftKind, TicketEventType

GRACE = timedelta(minutes=5)


class AttendanceStatus(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    LEFT_EARLY = "left_early"
    LATE_AND_LEFT_EARLY = "late_and_left_early"
    ABSENT = "absent"
    UPCOMING = "upcoming"
    NOT_IN_YET = "not_in_yet"  # running, nobody logged in yet: absent only once the record is over
    LEAVE = "leave"
    NOT_CHECKED = "not_checked"  # a back-office record


@dataclass(frozen=True, slots=True)
class Session:
    staff_id: str
    counter_id: str | None
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class AttendanceRow:
    shift: ShiftRecord
    status: AttendanceStatus
    first_login: datetime | None
    last_logout: datetime | None
    minutes_at_counter: float
    late_min: float  # minutes after the start (0 when on time)
    early_min: float  # minutes before the end (0 when stayed)


def sessions_from_events(events: Sequence[TicketEvent], until: datetime) -> list[Session]:
    """Login → logout spans per person, in time order; an open login ends at ``until``."""
    open_: dict[str, tuple[datetime, str | None]] = {}
    sessions: list[Session] = []
    for e in sorted((e for e in events if e.type in (TicketEventType.STAFF_LOGIN, TicketEventType.STAFF_LOGOUT)
                     and e.staff_id), key=lambda e: e.at):
        sid = e.staff_id or ""
        if e.type is TicketEventType.STAFF_LOGIN:
            if sid in open_:  # logged in again without logging out: the earlier session ends here
                start, counter = open_.pop(sid)
                sessions.append(Session(sid, counter, start, e.at))
            open_[sid] = (e.at, e.counter_id)
        elif sid in open_:
            start, counter = open_.pop(sid)
            sessions.append(Session(sid, counter, start, e.at))
    for sid, (start, counter) in open_.items():
        if start <= until:  # a login at ``until`` itself is a session that has just begun
            sessions.append(Session(sid, counter, start, until))
    return sorted(sessions, key=lambda s: (s.start, s.staff_id))


def _overlaps(x: Session, s: ShiftRecord, end: datetime) -> bool:
    """The session overlaps the record up to ``end``; a login at ``end`` itself (just now) counts."""
    return (x.start < end and x.end > s.start) or (x.start == x.end == end and s.start <= end)


def attendance(shifts: Sequence[ShiftRecord], sessions: Sequence[Session], at: datetime) -> list[AttendanceRow]:
    """One row per roster record, in time order, as it stands at ``at``."""
    rows = []
    for s in sorted(shifts, key=lambda s: (s.start, s.staff_id)):
        if s.kind is ShiftKind.LEAVE:
            rows.append(AttendanceRow(s, AttendanceStatus.LEAVE, None, None, 0.0, 0.0, 0.0))
            continue
        if s.counter_id is None and not any(x.staff_id == s.staff_id and x.counter_id is None
                                            and _overlaps(x, s, min(s.end, at)) for x in sessions):
            rows.append(AttendanceRow(s, AttendanceStatus.NOT_CHECKED, None, None, 0.0, 0.0, 0.0))
            continue
        if at < s.start:
            rows.append(AttendanceRow(s, AttendanceStatus.UPCOMING, None, None, 0.0, 0.0, 0.0))
            continue
        end = min(s.end, at)
        mine = [x for x in sessions if x.staff_id == s.staff_id and _overlaps(x, s, end)]
        if not mine:
            status = AttendanceStatus.ABSENT if at >= s.end else AttendanceStatus.NOT_IN_YET
            rows.append(AttendanceRow(s, status, None, None, 0.0, 0.0, 0.0))
            continue
        first, last = min(x.start for x in mine), max(x.end for x in mine)
        minutes = sum((min(x.end, end) - max(x.start, s.start)).total_seconds() for x in mine) / 60
        late = max(0.0, (first - s.start).total_seconds() / 60)
        over = at >= s.end
        early = max(0.0, (s.end - last).total_seconds() / 60) if over else 0.0
        is_late, is_early = late * 60 > GRACE.total_seconds(), early * 60 > GRACE.total_seconds()
        status = (AttendanceStatus.LATE_AND_LEFT_EARLY if is_late and is_early else AttendanceStatus.LATE if is_late
                  else AttendanceStatus.LEFT_EARLY if is_early else AttendanceStatus.ON_TIME)
        rows.append(AttendanceRow(s, status, first, last if last < at else None, minutes,
                                  late if is_late else 0.0, early if is_early else 0.0))
    return rows
