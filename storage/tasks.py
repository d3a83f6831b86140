"""Typed write tasks: each one is a frozen record with ``apply(session)``, run by the one writer thread.

The ticket feed is stored as events (``ticket_event``, unique per branch on ``event_id``, so a repeated event changes
nothing) and projected onto ``ticket`` (one row per ticket, its current state) and ``counter`` (the live board).
Projection rules, per event type:
issued → ticket created, waiting; called → called_at, counter, staff, status called; started → started_at, serving;
finished → finished_at, served; no_show / abandoned → that final status, finished_at; transferred → new service
type, waiting again (issued_at kept, called/started cleared, transfers + 1); counter_state → the counter's state if
the event is not older than the state already stored (events may arrive out of order); staff_login / staff_logout →
the counter's staff member. An event about a ticket not seen yet creates it from what the event carries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from camera.credentials import mask_credentials
from console.domain.records import (
    AlertRecord,
    BranchInfo,
    CameraHealthEvent,
    CounterCommand,
    CounterStatus,
    LineCrossings,
    OccupancyPoint,
    ShiftRecord,
    StaffMember,
    TicketEvent,
    ZoneSpec,
)
from console.domain.ticket_summary import SUMMARY_VERSION
from console.domain.vocabulary import (
    AlertState,
    CounterAction,
    CounterState,
    ServiceType,
    TicketEventType,
    TicketStatus,
)
from storage import models as m
from storage.records import CameraSetup, CameraSpec


def branch_id(session: Session, code: str) -> int:
    """The surrogate key of branch ``code`` (cached on the session); ValueError names an unknown code."""
    cache: dict[str, int] = session.info.setdefault("branch_ids", {})
    if code not in cache:
        found = session.scalar(select(m.Branch.id).where(m.Branch.code == code))
        if found is None:
            raise ValueError(f"unknown branch code {code!r}")
        cache[code] = found
    return cache[code]


@dataclass(frozen=True)
class SaveBranchSetup:
    """Upsert a branch with its counters, staff, cameras and zones (idempotent; live counter state is kept)."""

    branch: BranchInfo
    counters: tuple[CounterStatus, ...] = ()
    staff: tuple[StaffMember, ...] = ()
    zones: tuple[ZoneSpec, ...] = ()
    cameras: tuple[CameraSpec, ...] = ()
    zones_camera_id: str | None = None  # the camera the zones belong to (None: branch-level zones)

    def apply(self, session: Session) -> None:
        b = self.branch
        row = session.scalar(select(m.Branch).where(m.Branch.code == b.code))
        if row is None:
            row = m.Branch(code=b.code)
            session.add(row)
        row.name, row.timezone, row.opens, row.closes = b.name, b.timezone, b.opens, b.closes
        row.lobby_capacity, row.is_demo, row.waiting_seats = b.lobby_capacity, b.is_demo, b.waiting_seats
        row.week_hours = [h.text() for h in b.week_hours] or None
        row.service_names = [[name, kind.value] for name, kind in b.service_names] or None
        session.flush()
        bid = row.id
        for c in self.counters:
            counter = session.scalar(select(m.Counter).where(m.Counter.branch_id == bid, m.Counter.counter_id == c.counter_id))
            if counter is None:
                session.add(m.Counter(branch_id=bid, counter_id=c.counter_id, name=c.name,
                                      service_types=[t.value for t in c.service_types], state=c.state.value,
                                      state_since=c.state_since, staff_id=c.staff_id, current_ticket_id=c.ticket_id,
                                      flexible=c.flexible))
            else:
                counter.name, counter.flexible = c.name, c.flexible
                counter.service_types = [t.value for t in c.service_types]
        for s in self.staff:
            person = session.scalar(select(m.Staff).where(m.Staff.branch_id == bid, m.Staff.employee_no == s.staff_id))
            if person is None:
                person = m.Staff(branch_id=bid, employee_no=s.staff_id)
                session.add(person)
            person.name, person.role, person.skills = s.name, s.role.value, [k.value for k in s.skills]
        camera_refs: dict[str, int] = {}
        for cam in self.cameras:
            row_cam = session.scalar(select(m.Camera).where(m.Camera.branch_id == bid, m.Camera.camera_id == cam.camera_id))
            if row_cam is None:
                row_cam = m.Camera(branch_id=bid, camera_id=cam.camera_id)
                session.add(row_cam)
            row_cam.name, row_cam.source, row_cam.kind = cam.name, cam.source, cam.kind
            row_cam.enabled, row_cam.model, row_cam.analysed_by = cam.enabled, cam.model, cam.analysed_by
            session.flush()
            camera_refs[cam.camera_id] = row_cam.id
        camera_ref = None
        if self.zones_camera_id is not None:
            camera_ref = camera_refs.get(self.zones_camera_id) or session.scalar(
                select(m.Camera.id).where(m.Camera.branch_id == bid, m.Camera.camera_id == self.zones_camera_id))
            if camera_ref is None:
                raise ValueError(f"zones refer to unknown camera {self.zones_camera_id!r}")
        for z in self.zones:
            zone = session.scalar(select(m.Zone).where(m.Zone.branch_id == bid, m.Zone.camera_ref == camera_ref,
                                                      m.Zone.name == z.name))
            if zone is None:
                zone = m.Zone(branch_id=bid, camera_ref=camera_ref, name=z.name)
                session.add(zone)
            zone.kind, zone.polygon = z.kind.value, [list(p) for p in z.polygon]
            zone.capacity, zone.in_lobby = z.capacity, z.in_lobby


@dataclass(frozen=True)
class SaveRoster:
    """Replace the branch's shifts that start on ``day`` (branch-local) with ``shifts``."""

    branch_code: str
    day: date
    shifts: tuple[ShiftRecord, ...]

    def apply(self, session: Session) -> None:
        bid = branch_id(session, self.branch_code)
        tz = ZoneInfo(session.scalar(select(m.Branch.timezone).where(m.Branch.id == bid)) or "UTC")
        start = datetime.combine(self.day, datetime.min.time(), tzinfo=tz)
        end = start + timedelta(days=1)
        staff = {no: ref for ref, no in session.execute(
            select(m.Staff.id, m.Staff.employee_no).where(m.Staff.branch_id == bid))}
        for s in self.shifts:
            if s.staff_id not in staff:
                raise ValueError(f"roster for {self.day}: unknown staff member {s.staff_id!r}")
        old = session.scalars(select(m.Shift).where(m.Shift.staff_ref.in_(staff.values()), m.Shift.start >= start,
                                                   m.Shift.start < end)).all()
        for shift in old:
            session.delete(shift)
        session.flush()
        for s in self.shifts:
            session.add(m.Shift(staff_ref=staff[s.staff_id], start=s.start, end=s.end, kind=s.kind.value,
                                counter_id=s.counter_id,
                                breaks=[m.ShiftBreak(start=b.start, end=b.end) for b in s.breaks]))


@dataclass(frozen=True)
class SaveRosterDays:
    """Replace the roster of several days at once (an import or a copied week): all days or none."""

    branch_code: str
    days: tuple[date, ...]
    shifts: tuple[ShiftRecord, ...]
    zone: str  # the branch's time zone, to sort records into its days

    def apply(self, session: Session) -> None:
        tz = ZoneInfo(self.zone)
        for day in self.days:
            mine = tuple(s for s in self.shifts if s.start.astimezone(tz).date() == day)
            SaveRoster(self.branch_code, day, mine).apply(session)


def _event_payload(e: TicketEvent) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    if e.appointment_id is not None:
        payload["appointment_id"] = e.appointment_id
    if e.due_at is not None:
        payload["due_at"] = e.due_at.astimezone(UTC).isoformat()
    return payload | {
        "number": e.number,
        "service_type": e.service_type.value if e.service_type else None,
        "priority": e.priority,
        "counter_id": e.counter_id,
        "staff_id": e.staff_id,
        "state": e.state.value if e.state else None,
    } | ({"score": e.score} if e.score is not None else {})


def _counter_for(session: Session, bid: int, counter_id: str | None, at: datetime) -> m.Counter | None:
    """The branch's counter (created if the feed knows it before the console's set-up does). The branch's counters
    are loaded once per session: a busy feed touches a counter with most events."""
    if counter_id is None:
        return None
    cache: dict[str, m.Counter] | None = session.info.get(("counters", bid))
    if cache is None:
        cache = {c.counter_id: c for c in session.scalars(select(m.Counter).where(m.Counter.branch_id == bid))}
        session.info[("counters", bid)] = cache
    counter = cache.get(counter_id)
    if counter is None:
        counter = m.Counter(branch_id=bid, counter_id=counter_id, name=counter_id, service_types=[],
                            state=CounterState.CLOSED.value, state_since=at)
        session.add(counter)
        cache[counter_id] = counter
    return counter


def branch_zone(session: Session, bid: int) -> ZoneInfo:
    """The branch's time zone, read once per session."""
    zones: dict[int, ZoneInfo] = session.info.setdefault("branch_zones", {})
    if bid not in zones:
        zones[bid] = ZoneInfo(session.scalar(select(m.Branch.timezone).where(m.Branch.id == bid)))
    return zones[bid]


def business_day(session: Session, bid: int, at: datetime) -> date:
    """The branch-local date of ``at``: with the ticket id, it names a ticket (numbers restart every day)."""
    return at.astimezone(branch_zone(session, bid)).date()


_OPEN_STATUSES = (TicketStatus.WAITING.value, TicketStatus.CALLED.value, TicketStatus.SERVING.value)


def _ticket_day(session: Session, bid: int, ticket_id: str, day: date) -> date:
    """The business day of the ticket a later event (called, finished…) of ``ticket_id`` on ``day`` belongs to:
    that day's ticket of the number if there is one; else an earlier day's ticket of the number still open (a
    ticket closed after midnight, as some ticketing systems do at the end of the day); else ``day`` (a ticket
    known from a later event before its "issued")."""
    found = session.execute(select(m.Ticket.business_day, m.Ticket.status).where(
        m.Ticket.branch_id == bid, m.Ticket.ticket_id == ticket_id, m.Ticket.business_day <= day)
        .order_by(m.Ticket.business_day.desc()).limit(1)).first()
    if found is not None and (found.business_day == day or found.status in _OPEN_STATUSES):
        return found.business_day
    return day


def apply_ticket_event(session: Session, bid: int, e: TicketEvent) -> bool:
    """Store one event and project it; False when the event_id was already stored (nothing changes)."""
    seen = session.scalar(select(m.TicketEventRow.id).where(m.TicketEventRow.branch_id == bid,
                                                            m.TicketEventRow.event_id == e.event_id))
    if seen is not None:
        return False
    payload = _event_payload(e)
    day = business_day(session, bid, e.at)
    if e.ticket_id is not None and e.type is not TicketEventType.ISSUED and e.type not in _APPOINTMENT_EVENTS:
        day = _ticket_day(session, bid, e.ticket_id, day)
    session.add(m.TicketEventRow(branch_id=bid, event_id=e.event_id, type=e.type.value, at=e.at, business_day=day,
                                 ticket_id=e.ticket_id, payload=payload, received_at=datetime.now(UTC)))
    kind = e.type
    if kind is TicketEventType.COUNTER_STATE:
        counter = _counter_for(session, bid, e.counter_id, e.at)
        if counter is not None and e.state is not None:
            session.add(m.CounterEventRow(branch_id=bid, counter_id=counter.counter_id, at=e.at, state=e.state.value,
                                          staff_id=e.staff_id))
            if counter.state_since is None or e.at >= counter.state_since:
                counter.state, counter.state_since = e.state.value, e.at
        return True
    if kind in (TicketEventType.STAFF_LOGIN, TicketEventType.STAFF_LOGOUT):
        counter = _counter_for(session, bid, e.counter_id, e.at)
        if counter is not None:
            if kind is TicketEventType.STAFF_LOGIN:
                counter.staff_id = e.staff_id
            elif counter.staff_id in (None, e.staff_id):
                counter.staff_id = None
        return True
    if e.appointment_id is not None and kind in _APPOINTMENT_EVENTS:
        _project_appointment(session, bid, e)
        return True
    if e.ticket_id is None:
        raise ValueError(f"event {e.event_id} of type {kind.value} has no ticket_id")
    _project_ticket(session, bid, day, e.ticket_id, (e.at, e.type.value, payload))
    return True


#: ``booked_at`` of an appointment whose booking has not arrived yet (its check-in or cancellation came first).
NOT_BOOKED = datetime(1970, 1, 1, tzinfo=UTC)

_APPOINTMENT_EVENTS = frozenset({TicketEventType.APPOINTMENT_BOOKED, TicketEventType.APPOINTMENT_CANCELLED,
                                 TicketEventType.CHECKED_IN})


def _project_appointment(session: Session, bid: int, e: TicketEvent) -> None:
    """Apply one appointment event; each kind sets its own fields, so any arrival order gives the same row. A
    check-in or cancellation that arrives before its booking creates the row with placeholder slot values that the
    booking then fills in."""
    row = session.scalar(select(m.Appointment).where(m.Appointment.branch_id == bid,
                                                     m.Appointment.appointment_id == e.appointment_id))
    if row is None:
        row = m.Appointment(branch_id=bid, appointment_id=e.appointment_id,
                            service_type=(e.service_type or ServiceType.CASH).value, due_at=e.due_at or e.at,
                            booked_at=NOT_BOOKED)
        session.add(row)
    kind = e.type
    if kind is TicketEventType.APPOINTMENT_BOOKED:
        if e.at >= row.booked_at:  # the newest booking of the id wins (a customer may move the slot)
            row.booked_at, row.due_at = e.at, e.due_at or row.due_at
            row.service_type = (e.service_type or ServiceType.CASH).value
    elif kind is TicketEventType.APPOINTMENT_CANCELLED:
        row.cancelled_at = e.at if row.cancelled_at is None else min(row.cancelled_at, e.at)
    else:
        if row.checked_in_at is None or e.at < row.checked_in_at:
            row.checked_in_at = e.at
            row.ticket_id = e.ticket_id or row.ticket_id


#: Order of a ticket's events that share a timestamp: its life runs issued → called → started → ended.
_LIFECYCLE_RANK = {TicketEventType.ISSUED.value: 0, TicketEventType.TRANSFERRED.value: 1,
                   TicketEventType.CALLED.value: 2, TicketEventType.STARTED.value: 3}


def _ticket_state(ticket_id: str, rows: list[tuple[datetime, str, dict[str, Any], float]]
                  ) -> tuple[dict[str, Any], set[str]]:
    """A ticket's columns rebuilt from all its events — (at, type, payload, order of arrival) — in time order, and
    the counters its events name. The one projection rule, for a single event and for a whole imported ticket."""
    rows = sorted(rows, key=lambda r: (r[0], _LIFECYCLE_RANK.get(r[1], 4), r[3]))
    t: dict[str, Any] = {"number": ticket_id, "service_type": None, "priority": False, "issued_at": None,
                         "called_at": None, "started_at": None, "finished_at": None,
                         "status": TicketStatus.WAITING.value, "counter_id": None, "staff_id": None, "transfers": 0,
                         "rating": None}
    counters: set[str] = set()
    for at, kind_text, p, _ in rows:
        kind = TicketEventType(kind_text)
        if p.get("counter_id"):
            counters.add(p["counter_id"])
        if kind is TicketEventType.ISSUED:
            t["issued_at"] = at
            t["service_type"] = p.get("service_type") or t["service_type"]
            t["priority"] = bool(p.get("priority"))
            t["number"] = p.get("number") or t["number"]
        elif kind is TicketEventType.CALLED:
            t["called_at"], t["status"] = at, TicketStatus.CALLED.value
            t["counter_id"], t["staff_id"] = p.get("counter_id"), p.get("staff_id")
        elif kind is TicketEventType.STARTED:
            t["started_at"], t["status"] = at, TicketStatus.SERVING.value
            t["counter_id"] = p.get("counter_id") or t["counter_id"]
            t["staff_id"] = p.get("staff_id") or t["staff_id"]
        elif kind in _FINAL_STATUS:
            t["finished_at"], t["status"] = at, _FINAL_STATUS[kind].value
            t["counter_id"] = p.get("counter_id") or t["counter_id"]
        elif kind is TicketEventType.RATED:
            t["rating"] = p.get("score")  # the newest rating counts (events in time order)
            continue  # a rating changes nothing else: not the counter, not the status
        elif kind is TicketEventType.TRANSFERRED:
            t["service_type"] = p.get("service_type") or t["service_type"]
            t["status"] = TicketStatus.WAITING.value
            t["called_at"] = t["started_at"] = t["finished_at"] = None
            t["counter_id"] = t["staff_id"] = None
            t["transfers"] += 1
    if t["issued_at"] is None:  # "issued" not received (yet): the ticket exists from its first event
        t["issued_at"] = rows[0][0]
    t["service_type"] = t["service_type"] or ServiceType.CASH.value
    return t, counters


def _touch_counters(session: Session, bid: int, day: date, ticket_id: str, ticket: dict[str, Any],
                    counters: set[str]) -> None:
    """The live board after a ticket changed: a counter serving it shows it, a counter that no longer does
    forgets it."""
    active = ticket["status"] in (TicketStatus.CALLED.value, TicketStatus.SERVING.value)
    for counter_id in counters:
        counter = _counter_for(session, bid, counter_id, ticket["issued_at"])
        if counter is None or business_day(session, bid, counter.state_since) > day:
            continue  # an earlier day's ticket of the same number leaves today's counter alone
        if active and ticket["counter_id"] == counter_id:
            counter.current_ticket_id = ticket_id
        elif counter.current_ticket_id == ticket_id:
            counter.current_ticket_id = None


def _project_ticket(session: Session, bid: int, day: date, ticket_id: str,
                    new: tuple[datetime, str, dict[str, Any]]) -> None:
    """Rebuild ticket ``ticket_id`` of business day ``day`` from all its events in time order — those stored plus
    ``new`` (at, type, payload), the one being added — so events that arrive out of order (a late "called" after
    its "finished") give the same ticket as events in order. A ticket has a handful of events; the same number on
    another day is another ticket, never touched."""
    t = m.TicketEventRow
    with session.no_autoflush:
        stored = session.execute(select(t.at, t.type, t.payload, t.id).where(
            t.branch_id == bid, t.business_day == day, t.ticket_id == ticket_id)).all()
        ticket = session.scalar(select(m.Ticket).where(m.Ticket.branch_id == bid, m.Ticket.business_day == day,
                                                       m.Ticket.ticket_id == ticket_id))
    events = [(r.at, r.type, r.payload, r.id) for r in stored] + [(*new, float("inf"))]
    state, counters = _ticket_state(ticket_id, events)
    if ticket is None:
        ticket = m.Ticket(branch_id=bid, business_day=day, ticket_id=ticket_id)
        session.add(ticket)
    for name, value in state.items():
        setattr(ticket, name, value)
    _forget_day_summaries(session, bid, {day, ticket.issued_at.astimezone(branch_zone(session, bid)).date()}
                          if ticket.issued_at is not None else {day})
    _touch_counters(session, bid, day, ticket_id, state, counters)


def _forget_day_summaries(session: Session, bid: int, days: set[date]) -> None:
    """Drop the stored summaries of ``days`` (a ticket of theirs is being written): the next period report
    summarises them again from their tickets (console/domain/ticket_summary.py)."""
    s = m.TicketDaySummary
    session.execute(delete(s).where(s.branch_id == bid, s.day.in_(sorted(days))))


_FINAL_STATUS = {TicketEventType.FINISHED: TicketStatus.SERVED, TicketEventType.NO_SHOW: TicketStatus.NO_SHOW,
                 TicketEventType.ABANDONED: TicketStatus.ABANDONED}


@dataclass
class StoreFeedEvents:
    """Events from the ticket feed, stored together; afterwards ``stored`` and ``duplicates`` say what happened
    (set again if the writer has to re-apply the task)."""

    branch_code: str
    events: tuple[TicketEvent, ...]
    stored: int = 0
    duplicates: int = 0

    def apply(self, session: Session) -> None:
        bid = branch_id(session, self.branch_code)
        self.stored = self.duplicates = 0
        for e in self.events:
            if apply_ticket_event(session, bid, e):
                self.stored += 1
            else:
                self.duplicates += 1
            session.flush()


#: Identifiers per ``IN (…)`` query: below every database's limit on bound parameters.
_IN_CHUNK = 500


def _chunks(items: list[Any], size: int = _IN_CHUNK) -> list[list[Any]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def _insert_many(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys). On SQLite each column's values go through that column type's own
    bind processor in one pass (``dialect_impl(dialect).bind_processor``: the conversion SQLAlchemy applies, e.g.
    times as "YYYY-MM-DD HH:MM:SS.ffffff" text that compares correctly with the bound times of queries) and the rows
    go to the driver's ``executemany`` as tuples: SQLAlchemy's handling of each row's parameters was more than half
    of a 100,000-row import (``benchmarks/ticket_import.py``). Elsewhere SQLAlchemy's executemany (on PostgreSQL
    its multi-row "insertmanyvalues" form, fast already)."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "sqlite":
        session.execute(table.insert(), rows)
        return
    compiled = table.insert().compile(dialect=dialect, column_keys=list(rows[0]))
    columns = []
    for key in compiled.positiontup or ():
        values = [r[key] for r in rows]
        process = table.c[key].type.dialect_impl(dialect).bind_processor(dialect)
        columns.append(list(map(process, values)) if process is not None else values)
    connection.exec_driver_sql(compiled.string, list(zip(*columns, strict=True)))


@dataclass
class StoreTicketLog:
    """Whole tickets from an imported ticket log (each group: one ticket's events, "issued" first), stored as
    ``StoreFeedEvents`` would store their events one by one, with the same outcome, in a few bulk statements.

    Why: an imported file brings thousands of tickets nobody has seen; looking each event up and rebuilding its
    ticket after every event took about 5 ms an event. A ticket that is new — none of its events stored, no ticket of
    its number on its business day, all its events on that day — is projected once from its own events
    (``_ticket_state``, the same rule) and inserted with the others; any other ticket (a re-import of part of it, a
    number already there, a ticket closed after midnight) takes the event-by-event path. Afterwards ``stored`` and
    ``duplicates`` count events, as for ``StoreFeedEvents``."""

    branch_code: str
    groups: tuple[tuple[TicketEvent, ...], ...]
    stored: int = 0
    duplicates: int = 0

    def apply(self, session: Session) -> None:
        bid = branch_id(session, self.branch_code)
        self.stored = self.duplicates = 0
        ev = m.TicketEventRow
        zone = branch_zone(session, bid)
        local_days = [[e.at.astimezone(zone).date() for e in g] for g in self.groups]  # as business_day
        days = {d for g in local_days for d in g}
        # a history nobody has stored yet (the usual first import) needs no look-up of its events and tickets
        stored_before = bool(days) and session.scalar(select(ev.id).where(
            ev.branch_id == bid, ev.business_day >= min(days), ev.business_day <= max(days)).limit(1)) is not None
        known: set[str] = set()
        for chunk in _chunks([e.event_id for g in self.groups for e in g]) if stored_before else ():
            known.update(session.scalars(select(ev.event_id).where(ev.branch_id == bid, ev.event_id.in_(chunk))))
        new: list[tuple[date, tuple[TicketEvent, ...]]] = []
        one_by_one: list[TicketEvent] = []
        for group, group_days in zip(self.groups, local_days, strict=True):
            fresh = [e for e in group if e.event_id not in known] if known else list(group)
            self.duplicates += len(group) - len(fresh)
            day = group_days[0]
            whole = (len(fresh) == len(group) and group[0].type is TicketEventType.ISSUED
                     and all(e.ticket_id == group[0].ticket_id for e in group)
                     and all(d == day for d in group_days))
            if whole:
                new.append((day, group))
            else:
                one_by_one.extend(fresh)
        by_day: dict[date, set[str]] = {}
        for day, group in new:
            by_day.setdefault(day, set()).add(group[0].ticket_id or "")
        taken: set[tuple[str, date]] = set()
        for day, numbers in by_day.items() if stored_before else ():  # (branch, day, number): the unique index
            for chunk in _chunks(sorted(numbers)):
                for table in (m.Ticket, ev):
                    taken.update((number, day) for number in session.scalars(select(table.ticket_id).where(
                        table.branch_id == bid, table.business_day == day, table.ticket_id.in_(chunk))))
        events: list[dict[str, Any]] = []
        tickets: list[dict[str, Any]] = []
        touched: list[tuple[date, str, dict[str, Any], set[str]]] = []
        now = datetime.now(UTC)
        for day, group in new:
            ticket_id = group[0].ticket_id or ""
            if (ticket_id, day) in taken:  # a ticket of this number on this day exists, or one in this batch
                one_by_one.extend(group)
                continue
            taken.add((ticket_id, day))
            payloads = [_event_payload(e) for e in group]
            events += [{"branch_id": bid, "event_id": e.event_id, "type": e.type.value, "at": e.at,
                        "business_day": day, "ticket_id": ticket_id, "payload": p, "received_at": now}
                       for e, p in zip(group, payloads, strict=True)]
            state, counters = _ticket_state(ticket_id, [(e.at, e.type.value, p, n)
                                                        for n, (e, p) in enumerate(zip(group, payloads, strict=True))])
            tickets.append({"branch_id": bid, "business_day": day, "ticket_id": ticket_id, **state})
            touched.append((day, ticket_id, state, counters))
        if events:
            _forget_day_summaries(session, bid, {t["business_day"] for t in tickets}
                                  | {t["issued_at"].astimezone(zone).date() for t in tickets})
            _insert_many(session, ev.__table__, events)
            _insert_many(session, m.Ticket.__table__, tickets)
            self.stored += len(events)
            for day, ticket_id, state, counters in touched:
                _touch_counters(session, bid, day, ticket_id, state, counters)
        seen_here: set[str] = set()
        for e in one_by_one:
            if e.event_id not in seen_here and apply_ticket_event(session, bid, e):
                self.stored += 1
            else:
                self.duplicates += 1
            seen_here.add(e.event_id)
            session.flush()


@dataclass(frozen=True)
class RecordOccupancy:
    """Insert occupancy samples; a sample already stored (same camera, zone and time) is skipped."""

    branch_code: str
    points: tuple[OccupancyPoint, ...]

    def apply(self, session: Session) -> None:
        if not self.points:
            return
        bid = branch_id(session, self.branch_code)
        rows = [{"branch_id": bid, "camera_id": p.camera_id or "", "zone": p.zone or "",
                 "at": p.at, "count": p.count} for p in self.points]
        _insert_ignoring_duplicates(session, m.OccupancySample.__table__, rows)
        _forget_camera_days(session, bid, {p.at for p in self.points})


def _forget_camera_days(session: Session, bid: int, moments: set[datetime]) -> None:
    """Drop the stored camera summaries of the days these samples fall on (console/domain/camera_day.py)."""
    zone = branch_zone(session, bid)
    days = sorted({at.astimezone(zone).date() for at in moments})
    c = m.CameraDaySummary
    session.execute(delete(c).where(c.branch_id == bid, c.day.in_(days)))


def _insert_ignoring_duplicates(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert rows; a row whose unique key is already stored is skipped (a retried write changes nothing)."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        session.execute(sqlite.insert(table).on_conflict_do_nothing(), rows)
    elif dialect == "postgresql":
        session.execute(postgresql.insert(table).on_conflict_do_nothing(), rows)
    else:
        for row in rows:
            with session.begin_nested():
                try:
                    session.execute(table.insert().values(**row))
                except IntegrityError:
                    pass


@dataclass(frozen=True)
class RecordLineCrossings:
    """Insert counting-line crossings per sample period; a period already stored is skipped."""

    branch_code: str
    crossings: tuple[LineCrossings, ...]

    def apply(self, session: Session) -> None:
        if not self.crossings:
            return
        bid = branch_id(session, self.branch_code)
        rows = [{"branch_id": bid, "camera_id": c.camera_id, "line": c.line, "at": c.at, "in_count": c.in_count,
                 "out_count": c.out_count} for c in self.crossings]
        _insert_ignoring_duplicates(session, m.LineCrossingSample.__table__, rows)
        _forget_camera_days(session, bid, {c.at for c in self.crossings})


@dataclass(frozen=True)
class RecordCameraHealth:
    """Store a camera's change of capture state; one already stored (same camera and time) is skipped."""

    branch_code: str
    event: CameraHealthEvent

    def apply(self, session: Session) -> None:
        e = self.event
        _insert_ignoring_duplicates(session, m.CameraHealth.__table__, [{
            "branch_id": branch_id(session, self.branch_code), "camera_id": e.camera_id, "at": e.at, "state": e.state,
            "message": e.message}])


@dataclass(frozen=True)
class SaveAlert:
    """Insert an alert (``alert_id`` None) or update its state, acknowledgement and resolution."""

    branch_code: str
    alert: AlertRecord
    stored_id: list[int] = field(default_factory=list)  # the row's id once applied (a list: the task is frozen)

    def apply(self, session: Session) -> None:
        self.stored_id.clear()
        a = self.alert
        bid = branch_id(session, self.branch_code)
        row = session.get(m.Alert, a.alert_id) if a.alert_id is not None else None
        if row is None:
            row = session.scalar(select(m.Alert).where(m.Alert.branch_id == bid, m.Alert.rule == a.rule,
                                                      m.Alert.subject == a.subject, m.Alert.raised_at == a.raised_at))
        if row is None:
            row = m.Alert(branch_id=bid, rule=a.rule, subject=a.subject, raised_at=a.raised_at)
            session.add(row)
        row.severity, row.state, row.message = a.severity.value, a.state.value, a.message
        row.acknowledged_at, row.acknowledged_by, row.note = a.acknowledged_at, a.acknowledged_by, a.note
        row.resolved_at = a.resolved_at
        row.value, row.threshold, row.detail, row.escalated = a.value, a.threshold, a.detail, a.escalated
        row.resolved_by = a.resolved_by
        session.flush()
        self.stored_id.append(row.id)


@dataclass
class SaveCounterCommand:
    """A manager's counter request with its audit entry, in one transaction. A change of service types is the
    console's own configuration and applies to the counter at once. ``before`` and ``after`` are the counter's
    state, staff and service types before the request and as requested; ``audit_at`` is the wall clock (UTC).
    Afterwards ``command_id`` is the stored request's number."""

    branch_code: str
    command: CounterCommand
    before: dict[str, Any]
    after: dict[str, Any]
    audit_at: datetime
    command_id: int | None = None

    def apply(self, session: Session) -> None:
        bid = branch_id(session, self.branch_code)
        c = self.command
        row = m.CounterCommandRow(branch_id=bid, counter_id=c.counter_id, action=c.action.value, staff_id=c.staff_id,
                                  service_types=[t.value for t in c.service_types], requested_at=c.at,
                                  requested_by=c.requested_by)
        session.add(row)
        if c.action is CounterAction.SET_SERVICE_TYPES:
            counter = _counter_for(session, bid, c.counter_id, c.at)
            if counter is not None:
                counter.service_types = [t.value for t in c.service_types]
        session.add(m.AuditEntry(at=self.audit_at, user=c.requested_by, action=f"counter.{c.action.value}",
                                 entity="counter", entity_id=f"{self.branch_code}/{c.counter_id}",
                                 before=self.before, after=self.after))
        session.flush()
        self.command_id = row.id


@dataclass(frozen=True)
class RecordAudit:
    user: str
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    at: datetime

    def apply(self, session: Session) -> None:
        session.add(m.AuditEntry(at=self.at, user=self.user, action=self.action, entity=self.entity,
                                 entity_id=self.entity_id, before=self.before, after=self.after))



@dataclass(frozen=True)
class SaveCamera:
    """Add or change a camera with its zones, counting lines, region of interest and calibration, with an audit
    entry of its values before and after (the source as stored: without its password, see console/security/camera_passwords.py).

    The camera's zones and lines are replaced by the given ones (what the zone editor shows is what is stored).
    """

    branch_code: str
    setup: CameraSetup
    user: str = "console"

    def apply(self, session: Session) -> None:
        bid = branch_id(session, self.branch_code)
        cam = self.setup.camera
        for zone in self.setup.zones:
            if len(zone.polygon) < 3:
                raise ValueError(f"zone {zone.name!r} of camera {cam.camera_id!r} needs at least 3 points")
        row = session.scalar(select(m.Camera).where(m.Camera.branch_id == bid, m.Camera.camera_id == cam.camera_id))
        before = _camera_values(session, row)
        if row is None:
            row = m.Camera(branch_id=bid, camera_id=cam.camera_id)
            session.add(row)
        row.name, row.source, row.kind, row.enabled, row.model = cam.name, cam.source, cam.kind, cam.enabled, cam.model
        row.analysed_by = cam.analysed_by
        row.roi = [list(p) for p in self.setup.roi] if self.setup.roi else None
        row.analysis_fps = self.setup.analysis_fps
        row.calibration = self.setup.calibration
        session.flush()
        session.execute(delete(m.Zone).where(m.Zone.camera_ref == row.id))
        session.execute(delete(m.CountingLine).where(m.CountingLine.camera_ref == row.id))
        for z in self.setup.zones:
            session.add(m.Zone(branch_id=bid, camera_ref=row.id, name=z.name, kind=z.kind.value,
                               polygon=[list(p) for p in z.polygon], capacity=z.capacity, in_lobby=z.in_lobby))
        for line in self.setup.lines:
            session.add(m.CountingLine(camera_ref=row.id, name=line.name, ax=line.a[0], ay=line.a[1],
                                       bx=line.b[0], by=line.b[1]))
        session.flush()
        session.add(m.AuditEntry(at=datetime.now(UTC), user=self.user,
                                 action="camera.add" if before is None else "camera.edit", entity="camera",
                                 entity_id=f"{self.branch_code}/{cam.camera_id}", before=before,
                                 after=_camera_values(session, row)))


def _camera_values(session: Session, row: m.Camera | None) -> dict[str, Any] | None:
    """A camera's audited values: settings, zones (name, kind, capacity, corner points) and counting lines."""
    if row is None:
        return None
    zones = session.scalars(select(m.Zone).where(m.Zone.camera_ref == row.id).order_by(m.Zone.name)).all()
    lines = session.scalars(select(m.CountingLine).where(m.CountingLine.camera_ref == row.id)
                            .order_by(m.CountingLine.name)).all()
    return {"name": row.name, "source": mask_credentials(row.source), "kind": row.kind, "enabled": row.enabled,
            "model": row.model, "analysed_by": row.analysed_by, "roi": row.roi, "analysis_fps": row.analysis_fps, "calibrated": row.calibration is not None,
            "zones": [{"name": z.name, "kind": z.kind, "capacity": z.capacity, "polygon": z.polygon} for z in zones],
            "lines": [{"name": ln.name, "a": [ln.ax, ln.ay], "b": [ln.bx, ln.by]} for ln in lines]}


@dataclass(frozen=True)
class DeleteCamera:
    """Remove a camera with its zones and lines (its occupancy samples stay: they are history), audited."""

    branch_code: str
    camera_id: str
    user: str = "console"

    def apply(self, session: Session) -> None:
        bid = branch_id(session, self.branch_code)
        row = session.scalar(select(m.Camera).where(m.Camera.branch_id == bid, m.Camera.camera_id == self.camera_id))
        before = _camera_values(session, row)
        session.execute(delete(m.Camera).where(m.Camera.branch_id == bid, m.Camera.camera_id == self.camera_id))
        if before is not None:
            session.add(m.AuditEntry(at=datetime.now(UTC), user=self.user, action="camera.remove", entity="camera",
                                     entity_id=f"{self.branch_code}/{self.camera_id}", before=before, after=None))


def _shift_row(s: ShiftRecord) -> str:
    """A roster record in one line for the audit trail (times in UTC)."""
    breaks = ",".join(f"{b.start.astimezone(UTC):%H:%M}-{b.end.astimezone(UTC):%H:%M}" for b in s.breaks)
    return (f"{s.staff_id} {s.kind.value} {s.start.astimezone(UTC).isoformat()}→{s.end.astimezone(UTC).isoformat()}"
            f" counter={s.counter_id or '-'} breaks={breaks or '-'}")


@dataclass(frozen=True)
class SaveRosterEdit:
    """The roster editor's save: replace the records of ``days`` and write one audit entry with the records before
    and after, in one transaction."""

    branch_code: str
    days: tuple[date, ...]
    shifts: tuple[ShiftRecord, ...]
    before: tuple[ShiftRecord, ...]
    zone: str
    user: str
    at: datetime
    action: str = "roster.edit"  # or roster.import, roster.copy_week

    def apply(self, session: Session) -> None:
        SaveRosterDays(self.branch_code, self.days, self.shifts, self.zone).apply(session)
        span = f"{min(self.days)}..{max(self.days)}" if self.days else "-"
        session.add(m.AuditEntry(at=self.at, user=self.user, action=self.action, entity="roster",
                                 entity_id=f"{self.branch_code}/{span}",
                                 before={"records": [_shift_row(s) for s in self.before]},
                                 after={"records": [_shift_row(s) for s in self.shifts]}))


def _member_values(row: m.Staff | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"name": row.name, "role": row.role, "skills": list(row.skills)}


@dataclass(frozen=True)
class SaveStaffMember:
    """Add a person to the staff directory or change one (keyed by employee number), with an audit entry."""

    branch_code: str
    member: StaffMember
    user: str
    at: datetime

    def apply(self, session: Session) -> None:
        bid = branch_id(session, self.branch_code)
        s = self.member
        person = session.scalar(select(m.Staff).where(m.Staff.branch_id == bid, m.Staff.employee_no == s.staff_id))
        before = _member_values(person)
        if person is None:
            person = m.Staff(branch_id=bid, employee_no=s.staff_id)
            session.add(person)
        person.name, person.role, person.skills = s.name, s.role.value, [k.value for k in s.skills]
        session.add(m.AuditEntry(at=self.at, user=self.user, action="staff.add" if before is None else "staff.edit",
                                 entity="staff", entity_id=f"{self.branch_code}/{s.staff_id}", before=before,
                                 after=_member_values(person)))


class CounterInUse(ValueError):
    """A counter that cannot be removed now; the message says why (serving, or named by open tickets)."""


@dataclass(frozen=True)
class RemoveCounter:
    """Remove a counter from a branch's set-up. Refused (``CounterInUse``) while it is open or serving or while
    tickets still waiting, called or served name it; its history (served tickets, state changes) keeps its id."""

    branch_code: str
    counter_id: str

    def apply(self, session: Session) -> None:
        bid = branch_id(session, self.branch_code)
        row = session.scalar(select(m.Counter).where(m.Counter.branch_id == bid,
                                                     m.Counter.counter_id == self.counter_id))
        if row is None:
            return
        if row.state != CounterState.CLOSED.value or row.current_ticket_id is not None:
            raise CounterInUse(f"counter {self.counter_id} is {row.state}"
                               + (f" with ticket {row.current_ticket_id}" if row.current_ticket_id else "")
                               + ": close it before removing it")
        open_tickets = session.scalars(select(m.Ticket.ticket_id).where(
            m.Ticket.branch_id == bid, m.Ticket.counter_id == self.counter_id,
            m.Ticket.status.in_(_OPEN_STATUSES)).limit(5)).all()
        if open_tickets:
            raise CounterInUse(f"counter {self.counter_id} is named by open tickets ({', '.join(open_tickets)}): "
                               "remove it when they are finished")
        session.delete(row)
        session.info.pop(("counters", bid), None)


class StaffInUse(ValueError):
    """A person with roster records cannot be removed from the directory (their history would go with them)."""


@dataclass(frozen=True)
class RemoveStaffMember:
    branch_code: str
    staff_id: str
    user: str
    at: datetime

    def apply(self, session: Session) -> None:
        bid = branch_id(session, self.branch_code)
        person = session.scalar(select(m.Staff).where(m.Staff.branch_id == bid,
                                                      m.Staff.employee_no == self.staff_id))
        if person is None:
            return
        records = session.scalar(select(func.count()).select_from(m.Shift).where(m.Shift.staff_ref == person.id))
        if records:
            raise StaffInUse(f"{self.staff_id} has {records} roster records and stays in the directory")
        session.add(m.AuditEntry(at=self.at, user=self.user, action="staff.remove", entity="staff",
                                 entity_id=f"{self.branch_code}/{self.staff_id}", before=_member_values(person),
                                 after=None))
        session.delete(person)


@dataclass(frozen=True)
class RecordCheckIn:
    """A manual check-in or check-out (a staff member without a counter login, e.g. the lobby manager): stored as a
    staff_login / staff_logout event without a counter, which attendance reads like a counter login, with an audit
    entry naming who recorded it."""

    branch_code: str
    staff_id: str
    at: datetime  # the branch clock
    check_out: bool
    user: str
    audit_at: datetime

    def apply(self, session: Session) -> None:
        import uuid

        bid = branch_id(session, self.branch_code)
        kind = TicketEventType.STAFF_LOGOUT if self.check_out else TicketEventType.STAFF_LOGIN
        apply_ticket_event(session, bid, TicketEvent(event_id=f"manual-{uuid.uuid4().hex}", type=kind, at=self.at,
                                                     staff_id=self.staff_id))
        session.add(m.AuditEntry(at=self.audit_at, user=self.user,
                                 action="attendance.check_out" if self.check_out else "attendance.check_in",
                                 entity="staff", entity_id=f"{self.branch_code}/{self.staff_id}", before=None,
                                 after={"at": self.at.astimezone(UTC).isoformat()}))


@dataclass(frozen=True)
class AcknowledgeAlert:
    """A person acknowledges an alert (with a note), or resolves it by hand; audited."""

    alert_id: int
    user: str
    note: str
    at: datetime  # wall clock, UTC
    resolve: bool = False

    def apply(self, session: Session) -> None:
        row = session.get(m.Alert, self.alert_id)
        if row is None:
            raise ValueError(f"alert {self.alert_id} does not exist")
        before = {"state": row.state, "acknowledged_by": row.acknowledged_by, "note": row.note}
        if row.state == AlertState.RESOLVED.value:
            raise ValueError(f"alert {self.alert_id} is already resolved")
        if self.resolve:
            row.state, row.resolved_at, row.resolved_by = AlertState.RESOLVED.value, self.at, self.user
        else:
            row.state = AlertState.ACKNOWLEDGED.value
        if row.acknowledged_at is None:
            row.acknowledged_at, row.acknowledged_by = self.at, self.user
        if self.note:
            row.note = self.note if not row.note else f"{row.note}\n{self.note}"
        session.add(m.AuditEntry(at=self.at, user=self.user, action="alert.resolve" if self.resolve else "alert.ack",
                                 entity="alert", entity_id=str(self.alert_id), before=before,
                                 after={"state": row.state, "acknowledged_by": row.acknowledged_by,
                                        "note": row.note}))


@dataclass(frozen=True)
class SaveAlertRules:
    """Replace a branch's alert rules (JSON forms of ``RuleSpec``); rules not listed are removed. Audited with the
    rules before and after."""

    branch_code: str
    rules: tuple[dict[str, Any], ...]
    user: str
    at: datetime

    def apply(self, session: Session) -> None:
        bid = branch_id(session, self.branch_code)
        rows = {r.rule_id: r for r in session.scalars(select(m.AlertRuleRow).where(m.AlertRuleRow.branch_id == bid))}
        before = [r.spec for r in rows.values()]
        wanted = {r["rule_id"]: r for r in self.rules}
        for rule_id, row in rows.items():
            if rule_id not in wanted:
                session.delete(row)
        for rule_id, spec in wanted.items():
            row = rows.get(rule_id)
            if row is None:
                row = m.AlertRuleRow(branch_id=bid, rule_id=rule_id)
                session.add(row)
            row.spec, row.updated_at, row.updated_by = spec, self.at, self.user
        session.add(m.AuditEntry(at=self.at, user=self.user, action="alert_rules.save", entity="alert_rule",
                                 entity_id=self.branch_code, before={"rules": before},
                                 after={"rules": list(self.rules)}))


@dataclass(frozen=True)
class RecordDelivery:
    """The state of one alert message to one channel (insert, or update by ``delivery_id``)."""

    alert_id: int
    channel: str
    target: str
    event: str
    state: str  # pending, sent, failed
    attempts: int
    last_error: str | None
    at: datetime
    delivery_id: int | None = None
    stored_id: list[int] = field(default_factory=list)

    def apply(self, session: Session) -> None:
        self.stored_id.clear()
        row = session.get(m.AlertDelivery, self.delivery_id) if self.delivery_id is not None else None
        if row is None:
            row = m.AlertDelivery(alert_id=self.alert_id, channel=self.channel, target=self.target, event=self.event)
            session.add(row)
        row.state, row.attempts, row.last_error, row.updated_at = self.state, self.attempts, self.last_error, self.at
        session.flush()
        self.stored_id.append(row.id)


#: A service lease not renewed for this long is stale: its service stopped without releasing it (a crash, a
#: power cut), and a new service may take it; windows no longer leave their feed and alerts to it.
LEASE_STALE_AFTER = timedelta(seconds=30)


class LeaseTaken(ValueError):
    """Another service runs this branch (its lease is fresh); the message names it."""


@dataclass(frozen=True)
class TakeServiceLease:
    """The headless service of a branch starts: take the lease, unless another service holds a fresh one."""

    branch_code: str
    holder: str
    at: datetime

    def apply(self, session: Session) -> None:
        bid = branch_id(session, self.branch_code)
        row = session.scalar(select(m.ServiceLease).where(m.ServiceLease.branch_id == bid))
        if row is not None and row.holder != self.holder and self.at - row.renewed_at < LEASE_STALE_AFTER:
            raise LeaseTaken(f"the service of branch {self.branch_code} already runs ({row.holder}, alive at "
                             f"{row.renewed_at:%H:%M:%S} UTC): stop it first")
        if row is None:
            row = m.ServiceLease(branch_id=bid)
            session.add(row)
        row.holder, row.started_at, row.renewed_at = self.holder, self.at, self.at


@dataclass(frozen=True)
class RenewServiceLease:
    """The service is alive (every few seconds); a lease taken over meanwhile is left to its new holder."""

    branch_code: str
    holder: str
    at: datetime
    release: bool = False  # the service stops: remove the lease

    def apply(self, session: Session) -> None:
        bid = branch_id(session, self.branch_code)
        row = session.scalar(select(m.ServiceLease).where(m.ServiceLease.branch_id == bid,
                                                          m.ServiceLease.holder == self.holder))
        if row is None:
            return
        if self.release:
            session.delete(row)
        else:
            row.renewed_at = self.at


@dataclass
class ReportIncident:
    """A person reports an incident (console/domain/incidents.py): its alert (rule ``incident.<type>``, the type's
    severity, raised now, the note as its detail's start), what the incident adds (drill, who reported it) and the
    steps of the type's emergency plan as they stand now, in one transaction; audited. Afterwards ``alert_id`` is the
    stored alert's number."""

    branch_code: str
    kind: str  # an IncidentType value
    severity: str  # an AlertSeverity value
    steps: tuple[str, ...]
    user: str
    note: str
    at: datetime  # wall clock, UTC
    drill: bool = False
    message: str = ""  # the plain line stored with the alert (logs, e-mail, webhooks)
    alert_id: int | None = None

    def apply(self, session: Session) -> None:
        bid = branch_id(session, self.branch_code)
        alert = m.Alert(branch_id=bid, rule=f"{'drill' if self.drill else 'incident'}.{self.kind}",
                        subject=self.kind, raised_at=self.at,
                        severity=self.severity, state=AlertState.RAISED.value, message=self.message,
                        detail=self.note[:200] or None, escalated=False)
        session.add(alert)
        session.flush()
        session.add(m.IncidentRow(alert_id=alert.id, drill=self.drill, raised_by=self.user))
        session.flush()
        for position, text in enumerate(self.steps):
            session.add(m.IncidentStepRow(alert_id=alert.id, position=position, text=text))
        session.add(m.AuditEntry(at=self.at, user=self.user, action="incident.report", entity="alert",
                                 entity_id=str(alert.id), before=None,
                                 after={"kind": self.kind, "drill": self.drill, "note": self.note,
                                        "steps": list(self.steps)}))
        self.alert_id = alert.id


@dataclass(frozen=True)
class TickIncidentStep:
    """A step of an incident's plan done (``done`` True, at ``at`` by ``user``) or undone; audited. The first step
    done acknowledges the incident (someone is acting on it: the banner stops asking, escalation stops). Refused once
    the incident is closed."""

    alert_id: int
    position: int
    done: bool
    user: str
    at: datetime  # wall clock, UTC

    def apply(self, session: Session) -> None:
        alert = session.get(m.Alert, self.alert_id)
        step = session.scalar(select(m.IncidentStepRow).where(m.IncidentStepRow.alert_id == self.alert_id,
                                                              m.IncidentStepRow.position == self.position))
        if alert is None or step is None:
            raise ValueError(f"incident {self.alert_id} has no step {self.position + 1}")
        if alert.state == AlertState.RESOLVED.value:
            raise ValueError(f"incident {self.alert_id} is closed")
        before = {"done_at": step.done_at.isoformat() if step.done_at else None, "done_by": step.done_by}
        step.done_at, step.done_by = (self.at, self.user) if self.done else (None, None)
        if self.done and alert.state == AlertState.RAISED.value:  # someone is acting on it: acknowledged
            alert.state, alert.acknowledged_at, alert.acknowledged_by = AlertState.ACKNOWLEDGED.value, self.at, \
                self.user
        session.add(m.AuditEntry(at=self.at, user=self.user, action="incident.step", entity="alert",
                                 entity_id=str(self.alert_id), before={"step": self.position + 1, **before},
                                 after={"step": self.position + 1, "done_at": self.at.isoformat() if self.done
                                        else None, "done_by": step.done_by}))


@dataclass(frozen=True)
class CloseIncident:
    """An incident closed with its summary: its alert resolved by ``user`` now, the summary kept; audited."""

    alert_id: int
    user: str
    summary: str
    at: datetime  # wall clock, UTC

    def apply(self, session: Session) -> None:
        alert = session.get(m.Alert, self.alert_id)
        incident = session.get(m.IncidentRow, self.alert_id)
        if alert is None or incident is None:
            raise ValueError(f"incident {self.alert_id} does not exist")
        if alert.state == AlertState.RESOLVED.value:
            raise ValueError(f"incident {self.alert_id} is already closed")
        before = {"state": alert.state}
        alert.state, alert.resolved_at, alert.resolved_by = AlertState.RESOLVED.value, self.at, self.user
        if alert.acknowledged_at is None:
            alert.acknowledged_at, alert.acknowledged_by = self.at, self.user
        incident.summary = self.summary
        session.add(m.AuditEntry(at=self.at, user=self.user, action="incident.close", entity="alert",
                                 entity_id=str(self.alert_id), before=before,
                                 after={"state": alert.state, "summary": self.summary}))


@dataclass(frozen=True)
class SaveEmergencyPlans:
    """Replace a branch's emergency plans (JSON forms: kind, steps, contacts, notify_roles); audited with the plans
    before and after."""

    branch_code: str
    plans: tuple[dict[str, Any], ...]
    user: str
    at: datetime

    def apply(self, session: Session) -> None:
        bid = branch_id(session, self.branch_code)
        rows = {r.kind: r for r in session.scalars(select(m.EmergencyPlanRow).where(m.EmergencyPlanRow.branch_id == bid))}
        before = [r.spec for r in rows.values()]
        for plan in self.plans:
            row = rows.get(plan["kind"])
            if row is None:
                row = m.EmergencyPlanRow(branch_id=bid, kind=plan["kind"])
                session.add(row)
            row.spec, row.updated_at, row.updated_by = plan, self.at, self.user
        session.add(m.AuditEntry(at=self.at, user=self.user, action="emergency_plans.save", entity="emergency_plan",
                                 entity_id=self.branch_code, before={"plans": before},
                                 after={"plans": list(self.plans)}))


@dataclass
class StoreDaySummaries:
    """Summaries of closed days (console/domain/ticket_summary.py) computed from their tickets by a period report.
    ``read_after_event_id``: the branch's newest feed event row when the tickets were read; a day with an event
    stored since then is skipped (its summary would miss it), as is a day another PC summarised meanwhile.
    Afterwards ``stored`` counts the summaries written."""

    branch_code: str
    summaries: dict[date, Any]  # day → TicketSummary
    read_after_event_id: int
    stored: int = 0

    def apply(self, session: Session) -> None:
        bid = branch_id(session, self.branch_code)
        self.stored = 0
        days = sorted(self.summaries)
        if not days:
            return
        s, e = m.TicketDaySummary, m.TicketEventRow
        skip = set(session.scalars(select(s.day).where(s.branch_id == bid, s.day.in_(days),
                                                       s.version == SUMMARY_VERSION)))
        # an event's business day and its ticket's issue day differ by at most a day (a ticket closed after
        # midnight): a day next to a changed one is skipped as well
        changed = set(session.scalars(select(e.business_day).where(
            e.branch_id == bid, e.id > self.read_after_event_id, e.business_day >= days[0] - timedelta(days=1),
            e.business_day <= days[-1] + timedelta(days=1)).distinct()))
        skip.update(d + timedelta(days=shift) for d in changed for shift in (-1, 0, 1))
        now = datetime.now(UTC)
        rows = []
        for day in days:
            if day in skip:
                continue
            summary = self.summaries[day]
            priority, ordinary = summary.waits_bytes()
            rows.append({"branch_id": bid, "day": day, "version": SUMMARY_VERSION, "figures": summary.to_json(),
                         "priority_waits": priority,
                         "ordinary_waits": ordinary, "built_at": now})
        if rows:  # a summary of another version is replaced
            session.execute(delete(s).where(s.branch_id == bid, s.day.in_([r["day"] for r in rows])))
            session.execute(s.__table__.insert(), rows)
        self.stored = len(rows)


@dataclass
class StoreCameraDays:
    """Camera summaries of closed days (console/domain/camera_day.py) computed by a period report.
    ``read_after``: the newest occupancy sample and line-crossing row ids when the samples were read; a day with a
    sample stored since then is skipped, as is a day summarised meanwhile. Afterwards ``stored`` counts them."""

    branch_code: str
    days: dict[date, Any]  # day → CameraDay
    read_after: tuple[int, int]
    stored: int = 0

    def apply(self, session: Session) -> None:
        bid = branch_id(session, self.branch_code)
        self.stored = 0
        if not self.days:
            return
        c, o, x = m.CameraDaySummary, m.OccupancySample, m.LineCrossingSample
        wanted = sorted(self.days)
        skip = set(session.scalars(select(c.day).where(c.branch_id == bid, c.day.in_(wanted))))
        zone = branch_zone(session, bid)
        late = [*session.scalars(select(o.at).where(o.branch_id == bid, o.id > self.read_after[0])),
                *session.scalars(select(x.at).where(x.branch_id == bid, x.id > self.read_after[1]))]
        skip.update(at.astimezone(zone).date() for at in late)
        now = datetime.now(UTC)
        rows = [{"branch_id": bid, "day": d, "peak": self.days[d].peak, "peak_at": self.days[d].peak_at,
                 "visitors": self.days[d].visitors, "exits": self.days[d].exits, "counted": self.days[d].counted,
                 "built_at": now} for d in wanted if d not in skip]
        if rows:
            session.execute(c.__table__.insert(), rows)
        self.stored = len(rows)
