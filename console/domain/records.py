"""Plain, frozen records that cross layers and threads: simulator → controllers, storage → widgets and CLI.

Every datetime here is timezone-aware. Storage keeps UTC; the simulator and the GUI work in the branch's local
time zone; comparisons between aware datetimes are correct whatever zone each carries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from console.domain.opening_hours import DayHours
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
    service_type_named,
)


def _require_aware(name: str, value: datetime | None) -> None:
    if value is not None and value.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value!r}")


@dataclass(frozen=True, slots=True)
class TicketRecord:
    """One ticket as the queue system knows it at some moment.

    ``ticket_id`` is unique per branch (the demo prefixes the business date: ``20261128-A023``); ``number`` is what
    the customer holds and the board shows (``A023``).
    """

    ticket_id: str
    number: str
    service_type: ServiceType
    priority: bool
    issued_at: datetime
    status: TicketStatus
    called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    counter_id: str | None = None
    staff_id: str | None = None
    transfers: int = 0
    rating: int | None = None  # the customer's score, 1–5, when the counter's rating device sent one

    def __post_init__(self) -> None:
        for name in ("issued_at", "called_at", "started_at", "finished_at"):
            _require_aware(name, getattr(self, name))


@dataclass(frozen=True, slots=True)
class TicketEvent:
    """One event of the ticketing feed (HTTP API, CSV import or the demo simulator).

    ``state`` is set only for ``counter_state`` events; ``service_type`` of a ``transferred`` event is the new type.
    Appointment events carry ``appointment_id``; ``appointment_booked`` also ``due_at`` (the slot start) and
    ``service_type``; ``checked_in`` may name the ticket issued at check-in in ``ticket_id``.
    """

    event_id: str
    type: TicketEventType
    at: datetime
    ticket_id: str | None = None
    number: str | None = None
    service_type: ServiceType | None = None
    priority: bool = False
    counter_id: str | None = None
    staff_id: str | None = None
    state: CounterState | None = None
    appointment_id: str | None = None
    due_at: datetime | None = None
    score: int | None = None  # ``rated``: the customer's rating, 1 (poor) to 5 (excellent)

    def __post_init__(self) -> None:
        _require_aware("at", self.at)
        _require_aware("due_at", self.due_at)


@dataclass(frozen=True, slots=True)
class AppointmentRecord:
    """A booked appointment (预约) for a slot starting at ``due_at``; see ``console/domain/appointments.py``."""

    appointment_id: str
    service_type: ServiceType
    due_at: datetime
    booked_at: datetime
    checked_in_at: datetime | None = None
    cancelled_at: datetime | None = None
    ticket_id: str | None = None  # the ticket issued at check-in

    def __post_init__(self) -> None:
        for name in ("due_at", "booked_at", "checked_in_at", "cancelled_at"):
            _require_aware(name, getattr(self, name))


@dataclass(frozen=True, slots=True)
class CounterStatus:
    """A counter (窗口) right now: what it takes, who is at it, what it serves and since when."""

    counter_id: str
    name: str
    service_types: tuple[ServiceType, ...]
    state: CounterState
    state_since: datetime
    staff_id: str | None = None
    ticket_id: str | None = None
    ticket_number: str | None = None
    ticket_since: datetime | None = None  # when the current ticket was called (open) or started (serving)
    flexible: bool = False  # a flexible counter (弹性窗口), opened or re-assigned at peaks


@dataclass(frozen=True, slots=True)
class CounterCommand:
    """A branch manager's request to a counter: open, pause or close it, put a staff member at it, or change the
    service types it takes. ``at`` is the branch's clock (the simulated clock on the demo branch);
    ``requested_by`` is the console user."""

    counter_id: str
    action: CounterAction
    at: datetime
    requested_by: str
    staff_id: str | None = None  # open (of a closed counter) and assign_staff
    service_types: tuple[ServiceType, ...] = ()  # set_service_types
    command_id: int | None = None  # the stored command's number, once stored

    def __post_init__(self) -> None:
        _require_aware("at", self.at)


@dataclass(frozen=True, slots=True)
class StaffMember:
    """A person on the branch's staff directory; ``staff_id`` is the employee number."""

    staff_id: str
    name: str
    role: StaffRole
    skills: tuple[ServiceType, ...]


@dataclass(frozen=True, slots=True)
class BreakSpan:
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class ShiftRecord:
    """One roster entry for one person: a working shift with its breaks, or a span of leave."""

    staff_id: str
    start: datetime
    end: datetime
    kind: ShiftKind = ShiftKind.WORK
    counter_id: str | None = None
    breaks: tuple[BreakSpan, ...] = ()

    def __post_init__(self) -> None:
        _require_aware("start", self.start)
        _require_aware("end", self.end)
        if self.end <= self.start:
            raise ValueError(f"shift of {self.staff_id} ends ({self.end}) before it starts ({self.start})")


@dataclass(frozen=True, slots=True)
class ZoneSpec:
    """A zone polygon in a camera's image coordinates (pixels, y down), with an optional capacity in people."""

    name: str
    kind: ZoneKind
    polygon: tuple[tuple[float, float], ...]
    capacity: int | None = None
    in_lobby: bool = True


@dataclass(frozen=True, slots=True)
class OccupancyPoint:
    """People counted at one instant: ``zone`` is a zone name, or ``None`` for the whole lobby."""

    at: datetime
    count: int
    zone: str | None = None
    camera_id: str | None = None


@dataclass(frozen=True, slots=True)
class LineCrossings:
    """Crossings of one counting line during the sample period ending at ``at`` (UTC): increments, not totals."""

    camera_id: str
    line: str
    at: datetime
    in_count: int
    out_count: int


@dataclass(frozen=True, slots=True)
class CameraHealthEvent:
    """A camera's capture state changed at ``at`` (UTC): "online", "offline" (no frame for the configured time),
    "connecting", "ended" (a recording finished) or "failed" (cannot be opened, or its analysis cannot start).
    ``message`` is for people and never holds credentials."""

    camera_id: str
    at: datetime
    state: str
    message: str = ""


@dataclass(frozen=True, slots=True)
class AlertRecord:
    alert_id: int | None
    rule: str
    severity: AlertSeverity
    state: AlertState
    subject: str
    message: str
    raised_at: datetime
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    note: str | None = None
    resolved_at: datetime | None = None
    value: float | None = None  # the worst figure while the alert lasted (units of its rule), for display
    threshold: float | None = None  # the raise threshold of its level
    detail: str = ""  # words for the message: capacity, service type, counter
    escalated: bool = False  # not acknowledged in time, notified again
    resolved_by: str | None = None  # who resolved it by hand (None: the condition cleared)


@dataclass(frozen=True, slots=True)
class BranchInfo:
    """A branch (网点): name, IANA time zone, opening hours, lobby capacity and waiting-area seats in people.

    ``opens``/``closes`` are the hours of an ordinary working day (the first weekday the branch opens);
    ``week_hours`` holds the seven weekdays, Monday first (empty: ``opens``–``closes`` every day).
    ``service_names`` maps the ticketing system's business names (个人现金, 对公业务…) onto service types.
    """

    code: str
    name: str
    timezone: str
    opens: time
    closes: time
    lobby_capacity: int
    is_demo: bool = False
    counters: tuple[str, ...] = field(default=())
    waiting_seats: int = 0
    week_hours: tuple[DayHours, ...] = ()
    service_names: tuple[tuple[str, ServiceType], ...] = ()

    def weekday_hours(self, day: date) -> DayHours:
        """The hours of ``day``'s weekday (public holidays and working weekends: see ``console/staffing/calendar_cn``)."""
        if not self.week_hours:
            return DayHours(self.opens, self.closes)
        return self.week_hours[day.weekday()]

    def service_type_of(self, name: str) -> ServiceType | None:
        """The console's service type for a ticketing system's business name or a service type's own value."""
        return service_type_named(name, dict(self.service_names))
