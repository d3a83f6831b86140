"""SQLAlchemy 2.0 typed models of the console's database (SQLite by default, PostgreSQL by URL).

Decisions:
- Times are stored as naive UTC (``UtcDateTime``) and come back aware in UTC; callers convert to the branch's zone.
- Enum values are stored as their plain strings (``"non_cash"``), readable in any SQL client and stable across
  versions; the vocabulary lives in ``console/domain/vocabulary.py``.
- ``occupancy_sample.camera_id`` and ``.zone`` use '' (not NULL) for "none", so the unique key that makes sample
  writes idempotent works the same on SQLite and PostgreSQL (NULLs are never equal in a unique constraint).
- The schema is created and changed only by the Alembic migrations in ``storage/migrations``; a test checks that
  these models and the migrated schema agree.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as naive UTC; returns aware UTC. Naive input is refused (its zone is unknown)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"refusing to store a naive datetime {value!r}: its time zone is unknown")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Branch(Base):
    __tablename__ = "branch"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(Time)
    lobby_capacity: Mapped[int] = mapped_column(Integer)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    waiting_seats: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: seven entries, Monday first: "HH:MM-HH:MM" or "closed"; NULL: ``opens``–``closes`` every day
    week_hours: Mapped[list[str] | None] = mapped_column(JSON)
    #: [[the ticketing system's business name, service type], ...] in the order the branch lists them
    service_names: Mapped[list[list[str]] | None] = mapped_column(JSON)


class Camera(Base):
    __tablename__ = "camera"
    __table_args__ = (UniqueConstraint("branch_id", "camera_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"))
    camera_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    model: Mapped[str | None] = mapped_column(String(200))
    roi: Mapped[list[list[float]] | None] = mapped_column(JSON)
    analysis_fps: Mapped[float] = mapped_column(Float, default=5.0, server_default="5.0")
    calibration: Mapped[str | None] = mapped_column(Text)
    analysed_by: Mapped[str] = mapped_column(String(16), default="console", server_default="console")


class CountingLine(Base):
    """A counting line on a camera's picture (pixels); "in" is the side where cross(B−A, P−A) > 0."""

    __tablename__ = "counting_line"
    __table_args__ = (UniqueConstraint("camera_ref", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    camera_ref: Mapped[int] = mapped_column(ForeignKey("camera.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    ax: Mapped[float] = mapped_column(Float)
    ay: Mapped[float] = mapped_column(Float)
    bx: Mapped[float] = mapped_column(Float)
    by: Mapped[float] = mapped_column(Float)


class Zone(Base):
    __tablename__ = "zone"
    __table_args__ = (UniqueConstraint("branch_id", "camera_ref", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"))
    camera_ref: Mapped[int | None] = mapped_column(ForeignKey("camera.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32))
    polygon: Mapped[list[list[float]]] = mapped_column(JSON)
    capacity: Mapped[int | None] = mapped_column(Integer)
    in_lobby: Mapped[bool] = mapped_column(Boolean, default=True)


class Counter(Base):
    __tablename__ = "counter"
    __table_args__ = (UniqueConstraint("branch_id", "counter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"))
    counter_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    service_types: Mapped[list[str]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16))
    state_since: Mapped[datetime] = mapped_column(UtcDateTime)
    staff_id: Mapped[str | None] = mapped_column(String(32))
    current_ticket_id: Mapped[str | None] = mapped_column(String(64))
    flexible: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Staff(Base):
    __tablename__ = "staff"
    __table_args__ = (UniqueConstraint("branch_id", "employee_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"))
    employee_no: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32))
    skills: Mapped[list[str]] = mapped_column(JSON)


class Shift(Base):
    __tablename__ = "shift"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_ref: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    start: Mapped[datetime] = mapped_column(UtcDateTime)
    end: Mapped[datetime] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(16))
    counter_id: Mapped[str | None] = mapped_column(String(32))
    breaks: Mapped[list[ShiftBreak]] = relationship(
        back_populates="shift", cascade="all, delete-orphan", order_by="ShiftBreak.start"
    )


class ShiftBreak(Base):
    __tablename__ = "shift_break"

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id", ondelete="CASCADE"), index=True)
    start: Mapped[datetime] = mapped_column(UtcDateTime)
    end: Mapped[datetime] = mapped_column(UtcDateTime)
    shift: Mapped[Shift] = relationship(back_populates="breaks")


class Ticket(Base):
    __tablename__ = "ticket"
    __table_args__ = (
        UniqueConstraint("branch_id", "business_day", "ticket_id"),
        Index("ix_ticket_branch_issued", "branch_id", "issued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"))
    #: the branch-local date of the ticket's events: ticketing systems restart their numbers every day
    business_day: Mapped[date] = mapped_column(Date)
    ticket_id: Mapped[str] = mapped_column(String(64))
    number: Mapped[str] = mapped_column(String(32))
    service_type: Mapped[str] = mapped_column(String(32))
    priority: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    called_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    counter_id: Mapped[str | None] = mapped_column(String(32))
    staff_id: Mapped[str | None] = mapped_column(String(32))
    transfers: Mapped[int] = mapped_column(Integer, default=0)
    #: the customer's score on the counter's rating device, 1–5 (the newest ``rated`` event), None when not rated
    rating: Mapped[int | None] = mapped_column(Integer)


class TicketEventRow(Base):
    """The ticket feed as received: the source of truth the ``ticket`` and ``counter`` projections derive from."""

    __tablename__ = "ticket_event"
    __table_args__ = (
        UniqueConstraint("branch_id", "event_id"),
        Index("ix_ticket_event_branch_at", "branch_id", "at"),
        Index("ix_ticket_event_branch_ticket", "branch_id", "business_day", "ticket_id"),
        Index("ix_ticket_event_branch_id", "branch_id", "id"),  # a branch's newest event, found without a scan
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(128))
    type: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    #: the business day of the event's ticket (the branch-local date of its issue), else the local date of ``at``
    business_day: Mapped[date] = mapped_column(Date)
    ticket_id: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CounterEventRow(Base):
    """History of counter states, for per-counter serving/idle time."""

    __tablename__ = "counter_event"
    __table_args__ = (Index("ix_counter_event_branch_at", "branch_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"))
    counter_id: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    state: Mapped[str] = mapped_column(String(16))
    staff_id: Mapped[str | None] = mapped_column(String(32))


class CounterCommandRow(Base):
    """A branch manager's request to a counter (open, pause, close, assign staff, service types). The ticketing
    system reads them from the HTTP API; the counter's reported state says when one was carried out."""

    __tablename__ = "counter_command"
    __table_args__ = (Index("ix_counter_command_branch_at", "branch_id", "requested_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"))
    counter_id: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(32))
    staff_id: Mapped[str | None] = mapped_column(String(32))
    service_types: Mapped[list[str]] = mapped_column(JSON)
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    requested_by: Mapped[str] = mapped_column(String(100))


class Appointment(Base):
    """An appointment projected from its feed events (booked, cancelled, checked in); each event sets its own
    fields, so the order they arrive in does not matter (a later booking of the same id moves the slot)."""

    __tablename__ = "appointment"
    __table_args__ = (
        UniqueConstraint("branch_id", "appointment_id"),
        Index("ix_appointment_branch_due", "branch_id", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"))
    appointment_id: Mapped[str] = mapped_column(String(64))
    service_type: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    booked_at: Mapped[datetime] = mapped_column(UtcDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ticket_id: Mapped[str | None] = mapped_column(String(64))


class OccupancySample(Base):
    __tablename__ = "occupancy_sample"
    __table_args__ = (
        UniqueConstraint("branch_id", "camera_id", "zone", "at"),
        Index("ix_occupancy_branch_zone_at", "branch_id", "zone", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"))
    camera_id: Mapped[str] = mapped_column(String(64), default="")
    zone: Mapped[str] = mapped_column(String(100), default="")
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    count: Mapped[int] = mapped_column(Integer)


class LineCrossingSample(Base):
    """People who crossed a counting line in one sample period (increments; a day's total is their sum)."""

    __tablename__ = "line_crossing"
    __table_args__ = (
        UniqueConstraint("branch_id", "camera_id", "line", "at"),
        Index("ix_line_crossing_branch_at", "branch_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"))
    camera_id: Mapped[str] = mapped_column(String(64))
    line: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    in_count: Mapped[int] = mapped_column(Integer)
    out_count: Mapped[int] = mapped_column(Integer)


class CameraHealth(Base):
    """A camera's capture state changes (online, offline, failed, ...), one row per change."""

    __tablename__ = "camera_health"
    __table_args__ = (Index("ix_camera_health_branch_at", "branch_id", "at"),
                      UniqueConstraint("branch_id", "camera_id", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"))
    camera_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    state: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text, default="")


class Alert(Base):
    __tablename__ = "alert"
    __table_args__ = (Index("ix_alert_branch_raised", "branch_id", "raised_at"),
                      Index("ix_alert_branch_state", "branch_id", "state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    value: Mapped[float | None] = mapped_column(Float)  # the worst figure while open
    threshold: Mapped[float | None] = mapped_column(Float)  # raise threshold of its level
    detail: Mapped[str | None] = mapped_column(String(200))
    escalated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    resolved_by: Mapped[str | None] = mapped_column(String(100))  # None: resolved when the condition cleared


class IncidentRow(Base):
    """What an incident adds to its alert (console/domain/incidents.py): drill or real, who reported it, the closing
    summary."""

    __tablename__ = "incident"

    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id", ondelete="CASCADE"), primary_key=True)
    drill: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    raised_by: Mapped[str] = mapped_column(String(100))
    summary: Mapped[str | None] = mapped_column(Text)


class IncidentStepRow(Base):
    """One step of an incident's emergency plan, as copied when it was reported, and when and by whom it was done."""

    __tablename__ = "incident_step"
    __table_args__ = (UniqueConstraint("alert_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("incident.alert_id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    done_by: Mapped[str | None] = mapped_column(String(100))


class EmergencyPlanRow(Base):
    """A branch's emergency plan for one incident type, as JSON (steps, contacts, roles told)."""

    __tablename__ = "emergency_plan"
    __table_args__ = (UniqueConstraint("branch_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(String(100))


class AlertRuleRow(Base):
    """A branch's alert rule (``console/domain/alert_engine.py``), as JSON."""

    __tablename__ = "alert_rule"
    __table_args__ = (UniqueConstraint("branch_id", "rule_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"))
    rule_id: Mapped[str] = mapped_column(String(64))
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(String(100))


class AlertDelivery(Base):
    """One alert message to one channel (webhook, e-mail): pending, sent or failed, with its attempts."""

    __tablename__ = "alert_delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(300))  # URL or address, credentials masked
    event: Mapped[str] = mapped_column(String(32))  # raised, escalated, resolved
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AuditEntry(Base):
    """Who changed what, when, with the values before and after (JSON)."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    user: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(128))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    prev_hash: Mapped[str | None] = mapped_column(String(64))  # see storage/audit.py
    hash: Mapped[str | None] = mapped_column(String(64))
    chain_seq: Mapped[int | None] = mapped_column(Integer, unique=True)  # place in the chain, given at commit


class ConsoleUser(Base):
    """A person who logs in to the console (not the staff directory): role and Argon2id password hash."""

    __tablename__ = "console_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


# --- privacy: alert snapshots and the statistics kept after raw data is purged (storage/retention.py) ---------


class AlertSnapshot(Base):
    """A still (heads blurred) a camera saw when an alert was raised: the JPEG's path, not the picture."""

    __tablename__ = "alert_snapshot"
    __table_args__ = (Index("ix_alert_snapshot_taken", "taken_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id", ondelete="CASCADE"), index=True)
    camera_id: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(Text)
    taken_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OccupancyStat(Base):
    """People per branch-local day, half-hour (``slot``: its local start) and place (zone '' = the lobby)."""

    __tablename__ = "occupancy_stat"
    __table_args__ = (UniqueConstraint("branch_id", "day", "zone", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    slot: Mapped[time] = mapped_column(Time)
    zone: Mapped[str] = mapped_column(String(100))
    samples: Mapped[int] = mapped_column(Integer)
    mean: Mapped[float] = mapped_column(Float)
    peak: Mapped[int] = mapped_column(Integer)
    peak_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CrossingStat(Base):
    """People who crossed a counting line per branch-local day and half-hour."""

    __tablename__ = "crossing_stat"
    __table_args__ = (UniqueConstraint("branch_id", "day", "camera_id", "line", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    slot: Mapped[time] = mapped_column(Time)
    camera_id: Mapped[str] = mapped_column(String(64))
    line: Mapped[str] = mapped_column(String(100))
    in_count: Mapped[int] = mapped_column(Integer)
    out_count: Mapped[int] = mapped_column(Integer)


class TicketDayStat(Base):
    """A day's tickets of one service type ('' = all types); see console/domain/day_stats.py. Seconds."""

    __tablename__ = "ticket_day_stat"
    __table_args__ = (UniqueConstraint("branch_id", "day", "service_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    service_type: Mapped[str] = mapped_column(String(32))
    issued: Mapped[int] = mapped_column(Integer)
    served: Mapped[int] = mapped_column(Integer)
    no_show: Mapped[int] = mapped_column(Integer)
    abandoned: Mapped[int] = mapped_column(Integer)
    open: Mapped[int] = mapped_column(Integer)
    called: Mapped[int] = mapped_column(Integer)
    avg_wait_s: Mapped[float | None] = mapped_column(Float)
    p90_wait_s: Mapped[float | None] = mapped_column(Float)
    max_wait_s: Mapped[float | None] = mapped_column(Float)
    within_target: Mapped[int] = mapped_column(Integer)
    target_wait_s: Mapped[float] = mapped_column(Float)
    handled: Mapped[int] = mapped_column(Integer)
    avg_handling_s: Mapped[float | None] = mapped_column(Float)
    max_handling_s: Mapped[float | None] = mapped_column(Float)
    cycles: Mapped[int] = mapped_column(Integer)
    cycle_sum_s: Mapped[float] = mapped_column(Float)


class TicketSlotStat(Base):
    """Tickets per issue day, half-hour and service type: issued, served, called and their waits (seconds)."""

    __tablename__ = "ticket_slot_stat"
    __table_args__ = (UniqueConstraint("branch_id", "day", "service_type", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    slot: Mapped[time] = mapped_column(Time)
    service_type: Mapped[str] = mapped_column(String(32))
    issued: Mapped[int] = mapped_column(Integer)
    served: Mapped[int] = mapped_column(Integer)
    called: Mapped[int] = mapped_column(Integer)
    wait_sum_s: Mapped[float] = mapped_column(Float)


class RetentionMark(Base):
    """How far a branch's raw data has been purged: every branch-local day before ``purged_before``."""

    __tablename__ = "retention_mark"

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"), unique=True)
    purged_before: Mapped[date] = mapped_column(Date)
    purged_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ServiceLease(Base):
    """The headless service (``main.py serve``) running a branch's ticket feed, alerts, deliveries, closing report
    and retention purge: who holds it and when it last said it is alive (renewed every few seconds). A window on
    the same branch that finds a fresh lease leaves those parts to the service."""

    __tablename__ = "service_lease"

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"), unique=True)
    holder: Mapped[str] = mapped_column(String(200))  # "host pid N"
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    renewed_at: Mapped[datetime] = mapped_column(UtcDateTime)


class TicketDaySummary(Base):
    """A closed day's tickets reduced to figures that add up (console/domain/ticket_summary.py), so a period report
    reads one row a day instead of every ticket. Dropped by the writer whenever a ticket of that day is written;
    kept when the day's raw tickets are purged (statistics, no ticket)."""

    __tablename__ = "ticket_day_summary"
    __table_args__ = (UniqueConstraint("branch_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer)  # ticket_summary.SUMMARY_VERSION when written
    figures: Mapped[str] = mapped_column(Text)  # TicketSummary.to_json()
    priority_waits: Mapped[bytes] = mapped_column(LargeBinary)  # seconds, 8-byte floats, ascending
    ordinary_waits: Mapped[bytes] = mapped_column(LargeBinary)
    built_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CameraDaySummary(Base):
    """A closed day's lobby peak and visitors (console/domain/camera_day.py), so a period report reads one row a day
    instead of its samples. Dropped by the writer when a sample of that day is stored; kept by the purge."""

    __tablename__ = "camera_day_summary"
    __table_args__ = (UniqueConstraint("branch_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    peak: Mapped[int | None] = mapped_column(Integer)
    peak_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    visitors: Mapped[int] = mapped_column(Integer)
    exits: Mapped[int] = mapped_column(Integer)
    counted: Mapped[bool] = mapped_column(Boolean)
    built_at: Mapped[datetime] = mapped_column(UtcDateTime)
