"""Reads: each function opens a short session and returns plain records (never ORM rows).

Datetimes come back aware in UTC; callers convert to the branch's time zone for display.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, table
from sqlalchemy.orm import selectinload

from console.domain.ids import natural_key
from console.domain.incidents import Incident, IncidentStep, IncidentType
from console.domain.opening_hours import parse_day_hours
from console.domain.records import (
    AlertRecord,
    AppointmentRecord,
    BranchInfo,
    BreakSpan,
    CameraHealthEvent,
    CounterCommand,
    CounterStatus,
    OccupancyPoint,
    ShiftRecord,
    StaffMember,
    TicketEvent,
    TicketRecord,
    ZoneSpec,
)
from console.domain.vocabulary import (
    AlertSeverity,
    AlertState,
    CounterAction,
    CounterState,
    ServiceType,
    ShiftKind,
    StaffRole,
    TicketEventType,
    TicketStatus,
    ZoneKind,
)
from console.domain.work_figures import CounterStateChange
from storage import models as m
from storage.database import Database
from storage.records import AuditRecord, CameraSetup, CameraSpec, LineRecord
from storage.tasks import NOT_BOOKED


def _branch_info(row: m.Branch, counters: list[str]) -> BranchInfo:
    return BranchInfo(code=row.code, name=row.name, timezone=row.timezone, opens=row.opens, closes=row.closes,
                      lobby_capacity=row.lobby_capacity, is_demo=row.is_demo, counters=tuple(counters),
                      waiting_seats=row.waiting_seats, week_hours=tuple(map(parse_day_hours, row.week_hours or ())),
                      service_names=tuple((name, ServiceType(kind)) for name, kind in row.service_names or ()))


def list_branches(db: Database) -> list[BranchInfo]:
    with db.session() as s:
        rows = s.scalars(select(m.Branch).order_by(m.Branch.code)).all()
        return [_branch_info(r, _counter_ids(s, r.id)) for r in rows]


def _counter_ids(s, bid: int) -> list[str]:
    return sorted(s.scalars(select(m.Counter.counter_id).where(m.Counter.branch_id == bid)).all(), key=natural_key)


def _bid(s, code: str) -> int | None:
    return s.scalar(select(m.Branch.id).where(m.Branch.code == code))


def load_branch(db: Database, code: str) -> BranchInfo | None:
    with db.session() as s:
        row = s.scalar(select(m.Branch).where(m.Branch.code == code))
        return None if row is None else _branch_info(row, _counter_ids(s, row.id))


def load_counters(db: Database, code: str) -> list[CounterStatus]:
    with db.session() as s:
        bid = _bid(s, code)
        if bid is None:
            return []
        rows = s.scalars(select(m.Counter).where(m.Counter.branch_id == bid)).all()
        tickets = {t.ticket_id: t for t in s.scalars(select(m.Ticket).where(  # the newest day's ticket of a number
            m.Ticket.branch_id == bid, m.Ticket.ticket_id.in_([r.current_ticket_id for r in rows if r.current_ticket_id]))
            .order_by(m.Ticket.business_day))}
        result = []
        for r in sorted(rows, key=lambda r: natural_key(r.counter_id)):
            ticket = tickets.get(r.current_ticket_id) if r.current_ticket_id else None
            since = None
            if ticket is not None:
                since = ticket.started_at if ticket.status == TicketStatus.SERVING.value else ticket.called_at
            result.append(CounterStatus(
                counter_id=r.counter_id, name=r.name, service_types=tuple(ServiceType(t) for t in r.service_types),
                state=CounterState(r.state), state_since=r.state_since, staff_id=r.staff_id,
                ticket_id=r.current_ticket_id, ticket_number=ticket.number if ticket is not None else None,
                ticket_since=since, flexible=r.flexible))
        return result


def load_counter_commands(db: Database, code: str, since: datetime | None = None,
                          after_id: int = 0) -> list[CounterCommand]:
    """The branch's counter requests made at or after ``since`` with a number above ``after_id``, oldest first."""
    with db.session() as s:
        bid = _bid(s, code)
        if bid is None:
            return []
        t = m.CounterCommandRow
        query = select(t).where(t.branch_id == bid, t.id > after_id)
        if since is not None:
            query = query.where(t.requested_at >= since)
        return [CounterCommand(counter_id=r.counter_id, action=CounterAction(r.action), at=r.requested_at,
                               requested_by=r.requested_by, staff_id=r.staff_id,
                               service_types=tuple(ServiceType(v) for v in r.service_types), command_id=r.id)
                for r in s.scalars(query.order_by(t.id))]


def load_audit(db: Database, since: datetime | None = None) -> list[AuditRecord]:
    """Audit entries at or after ``since`` (UTC), oldest first."""
    with db.session() as s:
        query = select(m.AuditEntry)
        if since is not None:
            query = query.where(m.AuditEntry.at >= since)
        return [AuditRecord(at=r.at, user=r.user, action=r.action, entity=r.entity, entity_id=r.entity_id,
                            before=r.before, after=r.after, entry_id=r.id)
                for r in s.scalars(query.order_by(m.AuditEntry.id))]


def load_audit_chain(db: Database) -> list[dict]:
    """Every audit entry with its hashed fields, ``prev_hash`` and ``hash``, in chain order (the order of commits;
    an entry that never joined the chain comes last, where ``verify`` names it)."""
    from storage.audit import fields

    with db.session() as s:
        order = (m.AuditEntry.chain_seq.is_(None), m.AuditEntry.chain_seq, m.AuditEntry.id)
        return [{**fields(r), "prev_hash": r.prev_hash, "hash": r.hash}
                for r in s.scalars(select(m.AuditEntry).order_by(*order))]


def newest_audit_entry(db: Database) -> dict | None:
    """The chain's newest entry (highest ``chain_seq``) as ``load_audit_chain`` gives entries, with its
    ``chain_seq``; None when empty."""
    from storage.audit import fields

    with db.session() as s:
        r = s.scalars(select(m.AuditEntry).where(m.AuditEntry.chain_seq.is_not(None))
                      .order_by(m.AuditEntry.chain_seq.desc()).limit(1)).first()
        return None if r is None else {**fields(r), "prev_hash": r.prev_hash, "hash": r.hash,
                                       "chain_seq": r.chain_seq}


def load_appointments(db: Database, code: str, start: datetime, end: datetime) -> list[AppointmentRecord]:
    """Appointments with a slot in [start, end), in slot order (bookings never received are left out)."""
    with db.session() as s:
        bid = _bid(s, code)
        if bid is None:
            return []
        t = m.Appointment
        rows = s.scalars(select(t).where(t.branch_id == bid, t.due_at >= start, t.due_at < end,
                                         t.booked_at > NOT_BOOKED)
                         .order_by(t.due_at, t.appointment_id))
        return [AppointmentRecord(appointment_id=r.appointment_id, service_type=ServiceType(r.service_type),
                                  due_at=r.due_at, booked_at=r.booked_at, checked_in_at=r.checked_in_at,
                                  cancelled_at=r.cancelled_at, ticket_id=r.ticket_id) for r in rows]


def load_staff(db: Database, code: str) -> list[StaffMember]:
    with db.session() as s:
        bid = _bid(s, code)
        rows = s.scalars(select(m.Staff).where(m.Staff.branch_id == bid)).all() if bid is not None else []
        return [StaffMember(staff_id=r.employee_no, name=r.name, role=StaffRole(r.role),
                            skills=tuple(ServiceType(k) for k in r.skills))
                for r in sorted(rows, key=lambda r: natural_key(r.employee_no))]


def _day_bounds(s, bid: int, day: date) -> tuple[datetime, datetime]:
    tz = ZoneInfo(s.scalar(select(m.Branch.timezone).where(m.Branch.id == bid)) or "UTC")
    start = datetime.combine(day, datetime.min.time(), tzinfo=tz)
    return start, start + timedelta(days=1)


def load_roster(db: Database, code: str, day: date) -> list[ShiftRecord]:
    """Shifts that start on ``day`` in the branch's time zone, in start order."""
    with db.session() as s:
        bid = _bid(s, code)
        if bid is None:
            return []
        start, end = _day_bounds(s, bid, day)
        rows = s.execute(
            select(m.Shift, m.Staff.employee_no).join(m.Staff, m.Shift.staff_ref == m.Staff.id)
            .where(m.Staff.branch_id == bid, m.Shift.start >= start, m.Shift.start < end)
            .options(selectinload(m.Shift.breaks)).order_by(m.Shift.start)
        ).all()
        return [ShiftRecord(staff_id=no, start=sh.start, end=sh.end, kind=ShiftKind(sh.kind), counter_id=sh.counter_id,
                            breaks=tuple(BreakSpan(b.start, b.end) for b in sh.breaks)) for sh, no in rows]


_SERVICE_TYPES = {t.value: t for t in ServiceType}
_STATUSES = {t.value: t for t in TicketStatus}


def _ticket_record(r) -> TicketRecord:
    """A ticket row — an ORM ``Ticket`` or a row of ``_TICKET_COLUMNS`` — as the record the domain reads."""
    return TicketRecord(ticket_id=r.ticket_id, number=r.number, service_type=_SERVICE_TYPES[r.service_type],
                        priority=r.priority, issued_at=r.issued_at, status=_STATUSES[r.status],
                        called_at=r.called_at, started_at=r.started_at, finished_at=r.finished_at,
                        counter_id=r.counter_id, staff_id=r.staff_id, transfers=r.transfers, rating=r.rating)


_TICKET_COLUMNS = (m.Ticket.ticket_id, m.Ticket.number, m.Ticket.service_type, m.Ticket.priority,
                   m.Ticket.issued_at, m.Ticket.status, m.Ticket.called_at, m.Ticket.started_at,
                   m.Ticket.finished_at, m.Ticket.counter_id, m.Ticket.staff_id, m.Ticket.transfers, m.Ticket.rating)


def load_tickets(db: Database, code: str, start: datetime, end: datetime) -> list[TicketRecord]:
    """Tickets issued in [start, end), by issue time. Read as plain rows, not ORM objects: a quarter of a busy
    branch is over 100,000 tickets (``benchmarks/report_speed.py``)."""
    with db.session() as s:
        bid = _bid(s, code)
        if bid is None:
            return []
        rows = s.execute(select(*_TICKET_COLUMNS).where(
            m.Ticket.branch_id == bid, m.Ticket.issued_at >= start, m.Ticket.issued_at < end)
            .order_by(m.Ticket.issued_at, m.Ticket.id))
        return [_ticket_record(r) for r in rows]


def load_appointment_tickets(db: Database, code: str, appointments: Sequence[AppointmentRecord],
                             zone: ZoneInfo) -> list[TicketRecord]:
    """The tickets issued for ``appointments`` at check-in (a ticket number on the day of the appointment's slot)."""
    wanted = {(a.due_at.astimezone(zone).date(), a.ticket_id) for a in appointments if a.ticket_id}
    if not wanted:
        return []
    found: list[TicketRecord] = []
    with db.session() as s:
        bid = _bid(s, code)
        if bid is None:
            return []
        days = sorted({day for day, _ in wanted})
        for i in range(0, len(days), 200):
            chunk = days[i:i + 200]
            rows = s.execute(select(*_TICKET_COLUMNS, m.Ticket.business_day).where(
                m.Ticket.branch_id == bid, m.Ticket.business_day.in_(chunk),
                m.Ticket.ticket_id.in_({tid for day, tid in wanted if day in chunk})))
            found += [_ticket_record(r) for r in rows if (r.business_day, r.ticket_id) in wanted]
    return found


def load_counter_changes(db: Database, code: str, start: datetime, end: datetime) -> list[CounterStateChange]:
    """The counter states reported in [start, end), and per counter the last one before ``start`` (the state the
    period starts in), in time order."""
    c = m.CounterEventRow
    with db.session() as s:
        bid = _bid(s, code)
        if bid is None:
            return []
        latest = (select(c.counter_id, func.max(c.at).label("at")).where(c.branch_id == bid, c.at < start)
                  .group_by(c.counter_id).subquery())
        before = s.execute(select(c.counter_id, c.at, c.state, c.staff_id, c.id).join(
            latest, (c.counter_id == latest.c.counter_id) & (c.at == latest.c.at)).where(c.branch_id == bid)).all()
        inside = s.execute(select(c.counter_id, c.at, c.state, c.staff_id, c.id).where(
            c.branch_id == bid, c.at >= start, c.at < end)).all()
    first_before = {}
    for r in sorted(before, key=lambda r: r.id):
        first_before[r.counter_id] = r  # the newest row of the counter's latest instant
    rows = sorted([*first_before.values(), *inside], key=lambda r: (r.at, r.id))
    return [CounterStateChange(r.counter_id, r.at, CounterState(r.state), r.staff_id) for r in rows]


def load_changed_tickets(db: Database, code: str, after_event_id: int) -> tuple[list[TicketRecord], int]:
    """Tickets with a feed event stored after event row ``after_event_id`` (any issue day), and the newest event
    row id: lets a reader that already holds the day's tickets fetch only what changed."""
    with db.session() as s:
        bid = _bid(s, code)
        if bid is None:
            return [], after_event_id
        e = m.TicketEventRow
        newest = s.scalar(select(func.max(e.id)).where(e.branch_id == bid)) or 0
        if newest <= after_event_id:
            return [], after_event_id
        changed = set(s.execute(select(e.business_day, e.ticket_id).where(
            e.branch_id == bid, e.id > after_event_id, e.id <= newest, e.ticket_id.is_not(None)).distinct()).all())
        if not changed:
            return [], newest
        rows = s.scalars(select(m.Ticket).where(m.Ticket.branch_id == bid,
                                                m.Ticket.business_day.in_({day for day, _ in changed}),
                                                m.Ticket.ticket_id.in_({tid for _, tid in changed})))
        return [_ticket_record(r) for r in rows if (r.business_day, r.ticket_id) in changed], newest


def last_event_received(db: Database, code: str) -> datetime | None:
    """When the branch's newest feed event was received (None: no event yet); found through the (branch, id) index."""
    with db.session() as s:
        bid = _bid(s, code)
        if bid is None:
            return None
        e = m.TicketEventRow
        return s.scalar(select(e.received_at).where(e.branch_id == bid).order_by(e.id.desc()).limit(1))


def newest_event_at(db: Database, code: str) -> datetime | None:
    """The newest instant of the branch's stored feed events (None: none): where a simulated day's clock stands."""
    with db.session() as s:
        bid = _bid(s, code)
        if bid is None:
            return None
        e = m.TicketEventRow
        found = s.scalar(select(func.max(e.at)).where(e.branch_id == bid))
        return found.replace(tzinfo=UTC) if found is not None and found.tzinfo is None else found


def newest_ticket_event_id(db: Database, code: str) -> int:
    with db.session() as s:
        bid = _bid(s, code)
        if bid is None:
            return 0
        return s.scalar(select(func.max(m.TicketEventRow.id)).where(m.TicketEventRow.branch_id == bid)) or 0


def load_ticket_events(db: Database, code: str, start: datetime, end: datetime,
                       types: Sequence[TicketEventType] | None = None) -> list[TicketEvent]:
    """Feed events with ``at`` in [start, end) (only of ``types`` when given), in the order they happened (then as
    stored)."""
    with db.session() as s:
        bid = _bid(s, code)
        if bid is None:
            return []
        query = select(m.TicketEventRow).where(m.TicketEventRow.branch_id == bid, m.TicketEventRow.at >= start,
                                               m.TicketEventRow.at < end)
        if types is not None:
            query = query.where(m.TicketEventRow.type.in_([t.value for t in types]))
        rows = s.scalars(query.order_by(m.TicketEventRow.at, m.TicketEventRow.id))
        result = []
        for r in rows:
            p = r.payload or {}
            result.append(TicketEvent(
                event_id=r.event_id, type=TicketEventType(r.type), at=r.at, ticket_id=r.ticket_id,
                number=p.get("number"), service_type=ServiceType(p["service_type"]) if p.get("service_type") else None,
                priority=bool(p.get("priority")), counter_id=p.get("counter_id"), staff_id=p.get("staff_id"),
                state=CounterState(p["state"]) if p.get("state") else None, appointment_id=p.get("appointment_id"),
                due_at=datetime.fromisoformat(p["due_at"]) if p.get("due_at") else None))
        return result


def load_occupancy(
    db: Database, code: str, start: datetime, end: datetime, zone: str | None = None, camera_id: str | None = None
) -> list[OccupancyPoint]:
    """Samples with ``at`` in [start, end) for one zone (None: the lobby total), optionally of one camera."""
    with db.session() as s:
        bid = _bid(s, code)
        if bid is None:
            return []
        q = select(m.OccupancySample).where(m.OccupancySample.branch_id == bid, m.OccupancySample.zone == (zone or ""),
                                            m.OccupancySample.at >= start, m.OccupancySample.at < end)
        if camera_id is not None:
            q = q.where(m.OccupancySample.camera_id == camera_id)
        rows = s.scalars(q.order_by(m.OccupancySample.at))
        return [OccupancyPoint(at=r.at, count=r.count, zone=r.zone or None, camera_id=r.camera_id or None) for r in rows]


def load_zones(db: Database, code: str) -> list[ZoneSpec]:
    with db.session() as s:
        bid = _bid(s, code)
        rows = s.scalars(select(m.Zone).where(m.Zone.branch_id == bid).order_by(m.Zone.id)).all() if bid else []
        return [ZoneSpec(name=r.name, kind=ZoneKind(r.kind), polygon=tuple((float(x), float(y)) for x, y in r.polygon),
                         capacity=r.capacity, in_lobby=r.in_lobby) for r in rows]


def _alert_record(r: m.Alert) -> AlertRecord:
    return AlertRecord(alert_id=r.id, rule=r.rule, severity=AlertSeverity(r.severity), state=AlertState(r.state),
                       subject=r.subject, message=r.message, raised_at=r.raised_at,
                       acknowledged_at=r.acknowledged_at, acknowledged_by=r.acknowledged_by, note=r.note,
                       resolved_at=r.resolved_at, value=r.value, threshold=r.threshold, detail=r.detail or "",
                       escalated=bool(r.escalated), resolved_by=r.resolved_by)


def load_alerts(db: Database, code: str, since: datetime, until: datetime | None = None) -> list[AlertRecord]:
    """Alerts raised at or after ``since`` (and at or before ``until``), oldest first."""
    with db.session() as s:
        bid = _bid(s, code)
        if bid is None:
            return []
        query = select(m.Alert).where(m.Alert.branch_id == bid, m.Alert.raised_at >= since)
        if until is not None:
            query = query.where(m.Alert.raised_at <= until)
        return [_alert_record(r) for r in s.scalars(query.order_by(m.Alert.raised_at, m.Alert.id))]


def load_open_alerts(db: Database, code: str) -> list[AlertRecord]:
    """Alerts not resolved yet, whenever raised (they survive a restart)."""
    with db.session() as s:
        bid = _bid(s, code)
        if bid is None:
            return []
        rows = s.scalars(select(m.Alert).where(m.Alert.branch_id == bid, m.Alert.state != AlertState.RESOLVED.value)
                         .order_by(m.Alert.raised_at, m.Alert.id))
        return [_alert_record(r) for r in rows]


def load_alert_rules(db: Database, code: str) -> list[dict]:
    """The branch's stored alert rules as JSON forms (empty: the branch uses the defaults)."""
    with db.session() as s:
        bid = _bid(s, code)
        if bid is None:
            return []
        return [dict(r.spec) for r in s.scalars(select(m.AlertRuleRow).where(m.AlertRuleRow.branch_id == bid)
                                                .order_by(m.AlertRuleRow.id))]


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    delivery_id: int
    alert_id: int
    channel: str
    target: str
    event: str
    state: str
    attempts: int
    last_error: str | None
    updated_at: datetime


def load_deliveries(db: Database, alert_ids: Sequence[int]) -> list[DeliveryRecord]:
    if not alert_ids:
        return []
    with db.session() as s:
        rows = s.scalars(select(m.AlertDelivery).where(m.AlertDelivery.alert_id.in_(list(alert_ids)))
                         .order_by(m.AlertDelivery.id))
        return [DeliveryRecord(r.id, r.alert_id, r.channel, r.target, r.event, r.state, r.attempts, r.last_error,
                               r.updated_at) for r in rows]


def load_line_totals(db: Database, code: str, since: datetime,
                     until: datetime | None = None) -> dict[tuple[str, str], tuple[int, int]]:
    """(in, out) crossings per (camera id, line name) stored with ``at`` in [since, until)."""
    with db.session() as s:
        bid = _bid(s, code)
        if bid is None:
            return {}
        t = m.LineCrossingSample
        q = (select(t.camera_id, t.line, func.sum(t.in_count), func.sum(t.out_count))
             .where(t.branch_id == bid, t.at >= since).group_by(t.camera_id, t.line))
        if until is not None:
            q = q.where(t.at < until)
        return {(cam, line): (int(i or 0), int(o or 0)) for cam, line, i, o in s.execute(q)}


def load_camera_health(db: Database, code: str, since: datetime,
                       until: datetime | None = None) -> list[CameraHealthEvent]:
    """Changes of the cameras' capture state with ``at`` in [since, until), oldest first."""
    with db.session() as s:
        bid = _bid(s, code)
        if bid is None:
            return []
        q = select(m.CameraHealth).where(m.CameraHealth.branch_id == bid, m.CameraHealth.at >= since)
        if until is not None:
            q = q.where(m.CameraHealth.at < until)
        rows = s.scalars(q.order_by(m.CameraHealth.at, m.CameraHealth.id))
        return [CameraHealthEvent(camera_id=r.camera_id, at=r.at, state=r.state, message=r.message) for r in rows]


def count_rows(db: Database, table_name: str) -> int:
    """Rows in a table of the console's schema (status displays, ``db info``, tests)."""
    if table_name not in m.Base.metadata.tables:
        raise ValueError(f"unknown table {table_name!r}")
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(table(table_name))) or 0)


def load_cameras(db: Database, code: str, *, include_simulated: bool = False) -> list[CameraSetup]:
    """The branch's cameras with their zones and lines, in id order."""
    with db.session() as s:
        bid = _bid(s, code)
        if bid is None:
            return []
        q = select(m.Camera).where(m.Camera.branch_id == bid)
        if not include_simulated:
            q = q.where(m.Camera.kind != "simulated")
        result = []
        for cam in sorted(s.scalars(q).all(), key=lambda c: natural_key(c.camera_id)):
            zones = s.scalars(select(m.Zone).where(m.Zone.camera_ref == cam.id).order_by(m.Zone.id)).all()
            lines = s.scalars(select(m.CountingLine).where(m.CountingLine.camera_ref == cam.id)
                              .order_by(m.CountingLine.id)).all()
            result.append(CameraSetup(
                camera=CameraSpec(camera_id=cam.camera_id, name=cam.name, source=cam.source, kind=cam.kind,
                                  enabled=cam.enabled, model=cam.model, analysed_by=cam.analysed_by),
                zones=tuple(ZoneSpec(name=z.name, kind=ZoneKind(z.kind),
                                     polygon=tuple((float(x), float(y)) for x, y in z.polygon),
                                     capacity=z.capacity, in_lobby=z.in_lobby) for z in zones),
                lines=tuple(LineRecord(name=ln.name, a=(ln.ax, ln.ay), b=(ln.bx, ln.by)) for ln in lines),
                roi=tuple((float(x), float(y)) for x, y in cam.roi) if cam.roi else None,
                analysis_fps=cam.analysis_fps,
                calibration=cam.calibration,
            ))
        return result


def latest_lobby_samples(db: Database, since: datetime,
                         until: datetime | None = None) -> dict[str, list[OccupancyPoint]]:
    """Per branch code, each camera's newest lobby-total sample (zone '') with ``at`` in [since, until] (``until``
    None: no upper bound), for every branch at once (the regional view, ``console/sources/regional.py``). A branch without
    such a sample is left out; samples not tied to a camera (camera id '') come back with ``camera_id`` None, as in
    ``load_occupancy``.

    Two queries whatever the number of branches. The newest sample per camera is picked with ``row_number()`` over
    the window's samples, not ``max(at)`` grouped by camera and joined back: SQLite (without ANALYZE statistics)
    answers the grouped form from the unique (branch_id, camera_id, zone, at) index, reading every sample the
    branch ever stored (390 ms for 50 branches with a day of 5-second samples), where this form reads only the
    window from the (branch_id, zone, at) index (4 ms). The branch ids are named for the same reason."""
    with db.session() as s:
        codes: dict[int, str] = {bid: code for bid, code in s.execute(select(m.Branch.id, m.Branch.code))}
        if not codes:
            return {}
        t = m.OccupancySample
        rank = func.row_number().over(partition_by=(t.branch_id, t.camera_id), order_by=t.at.desc()).label("rank")
        window = (select(t.branch_id, t.camera_id, t.at, t.count, rank)
                  .where(t.branch_id.in_(list(codes)), t.zone == "", t.at >= since))
        if until is not None:
            window = window.where(t.at <= until)
        w = window.subquery()
        rows = s.execute(select(w.c.branch_id, w.c.camera_id, w.c.at, w.c.count).where(w.c.rank == 1)
                         .order_by(w.c.branch_id, w.c.camera_id))
        result: dict[str, list[OccupancyPoint]] = {}
        for bid, camera_id, at, count in rows:
            result.setdefault(codes[bid], []).append(OccupancyPoint(at=at, count=count, zone=None,
                                                                     camera_id=camera_id or None))
        return result


def open_alert_counts(db: Database) -> dict[str, dict[AlertSeverity, int]]:
    """Per branch code, its alerts not resolved yet (raised or acknowledged, whenever raised) counted per severity,
    for every branch at once; branches without open alerts are left out. Drills (rule ``drill.<type>``) are not
    counted: a branch practising a fire evacuation is not a branch on fire. Two queries: the branch ids and the two
    open states are named so each branch's part is read from the (branch_id, state) index — SQLite otherwise scans
    every alert ever kept (9 ms rather than 2 ms for 50 branches with 300 alerts each)."""
    with db.session() as s:
        codes: dict[int, str] = {bid: code for bid, code in s.execute(select(m.Branch.id, m.Branch.code))}
        if not codes:
            return {}
        a = m.Alert
        rows = s.execute(select(a.branch_id, a.severity, func.count())
                         .where(a.branch_id.in_(list(codes)),
                                a.state.in_([AlertState.RAISED.value, AlertState.ACKNOWLEDGED.value]),
                                a.rule.not_like("drill.%"))
                         .group_by(a.branch_id, a.severity))
        result: dict[str, dict[AlertSeverity, int]] = {}
        for bid, severity, count in rows:
            result.setdefault(codes[bid], {})[AlertSeverity(severity)] = int(count)
        return result


def latest_camera_states(db: Database, code: str) -> list[CameraHealthEvent]:
    """Each camera's newest change of capture state (the figures of cameras counted by headless workers are read
    back with them: the console shows those cameras online, offline or failed as their workers report)."""
    with db.session() as s:
        bid = _bid(s, code)
        if bid is None:
            return []
        t = m.CameraHealth
        rank = func.row_number().over(partition_by=t.camera_id, order_by=(t.at.desc(), t.id.desc())).label("rank")
        w = select(t.camera_id, t.at, t.state, t.message, rank).where(t.branch_id == bid).subquery()
        rows = s.execute(select(w.c.camera_id, w.c.at, w.c.state, w.c.message).where(w.c.rank == 1)
                         .order_by(w.c.camera_id))
        return [CameraHealthEvent(camera_id, at, state, message or "") for camera_id, at, state, message in rows]


def live_service(db: Database, code: str, now: datetime) -> str | None:
    """Who runs branch ``code``'s headless service ("host pid N"), when its lease is fresh at ``now``; else None."""
    from storage.tasks import LEASE_STALE_AFTER

    with db.session() as s:
        bid = _bid(s, code)
        if bid is None:
            return None
        row = s.scalar(select(m.ServiceLease).where(m.ServiceLease.branch_id == bid))
        if row is None or now - row.renewed_at >= LEASE_STALE_AFTER:
            return None
        return row.holder


def _incident(alert: m.Alert, row: m.IncidentRow, steps: Sequence[m.IncidentStepRow]) -> Incident:
    return Incident(alert_id=alert.id, kind=IncidentType(alert.subject), raised_at=alert.raised_at,
                    raised_by=row.raised_by, note=alert.detail or "", drill=row.drill,
                    steps=tuple(IncidentStep(s.position, s.text, s.done_at, s.done_by)
                                for s in sorted(steps, key=lambda s: s.position)),
                    closed_at=alert.resolved_at, closed_by=alert.resolved_by, summary=row.summary or "",
                    acknowledged_at=alert.acknowledged_at)


def load_incident(db: Database, alert_id: int) -> Incident | None:
    """An incident with its steps (None: no such incident)."""
    with db.session() as s:
        alert, row = s.get(m.Alert, alert_id), s.get(m.IncidentRow, alert_id)
        if alert is None or row is None:
            return None
        steps = s.scalars(select(m.IncidentStepRow).where(m.IncidentStepRow.alert_id == alert_id)).all()
        return _incident(alert, row, steps)


def load_incidents(db: Database, code: str, since: datetime, until: datetime | None = None) -> list[Incident]:
    """The incidents reported at or after ``since`` (and at or before ``until``), oldest first, drills included."""
    with db.session() as s:
        bid = _bid(s, code)
        if bid is None:
            return []
        query = (select(m.Alert, m.IncidentRow).join(m.IncidentRow, m.IncidentRow.alert_id == m.Alert.id)
                 .where(m.Alert.branch_id == bid, m.Alert.raised_at >= since))
        if until is not None:
            query = query.where(m.Alert.raised_at <= until)
        pairs = s.execute(query.order_by(m.Alert.raised_at, m.Alert.id)).all()
        ids = [alert.id for alert, _ in pairs]
        steps: dict[int, list[m.IncidentStepRow]] = {}
        if ids:
            for step in s.scalars(select(m.IncidentStepRow).where(m.IncidentStepRow.alert_id.in_(ids))):
                steps.setdefault(step.alert_id, []).append(step)
        return [_incident(alert, row, steps.get(alert.id, [])) for alert, row in pairs]


def load_emergency_plans(db: Database, code: str) -> list[dict]:
    """The branch's stored emergency plans as JSON forms (empty: it uses the defaults)."""
    with db.session() as s:
        bid = _bid(s, code)
        if bid is None:
            return []
        return [r.spec for r in s.scalars(select(m.EmergencyPlanRow).where(m.EmergencyPlanRow.branch_id == bid)
                                          .order_by(m.EmergencyPlanRow.id))]
