"""The ticketing system's events as JSON: validation into ``TicketEvent``s, and the OpenAPI document of the feed.

One event is a JSON object::

    {"event_id": "Q-20261129-000123", "type": "called", "ticket_id": "A023", "service_type": "cash",
     "priority": false, "counter_id": "3", "staff_id": "E1002", "at": "2026-11-29T10:15:02+08:00"}

Rules (each violation is reported with the field's name and what is wrong; nothing of a request with one bad event
is stored):
- ``event_id`` (required): 1-128 characters, unique per event; an event_id already stored is acknowledged again and
  changes nothing (the ticketing system may resend after a timeout).
- ``type`` (required): one of ``EVENT_TYPES``.
- ``at`` (required): ISO 8601 date and time; with a UTC offset, or without one meaning the branch's local time.
- ``ticket_id``: required for ticket events (issued … abandoned); 1-64 characters.
- ``service_type``: required for ``issued`` and ``transferred`` (the new type); one of the service types, or a
  business name of the ticketing system that the branch maps onto one (个人现金 → cash); an unmapped name is refused.
- ``priority``: true/false, default false (appointment, elderly, disabled: 绿色通道).
- ``counter_id``: required for ``called``, ``started``, ``counter_state``, ``staff_login``, ``staff_logout``.
- ``staff_id``: required for ``staff_login`` and ``staff_logout``.
- ``state``: required for ``counter_state``; one of the counter states.
- ``number``: optional display number printed on the ticket (defaults to ticket_id).
- ``score``: required for ``rated`` and refused elsewhere: the customer's score on the counter's rating device
  (评价器), a whole number from 1 (poor) to 5 (excellent); ``rated`` names the ticket (``ticket_id``) and may name
  the ``counter_id`` and ``staff_id`` that served it. The newest rating of a ticket counts.
- ``appointment_id``: required for ``appointment_booked``, ``appointment_cancelled`` and ``checked_in``;
  1-64 characters. ``appointment_booked`` also needs ``due_at`` (the slot start, ISO 8601 like ``at``) and
  ``service_type``; ``checked_in`` may carry the ``ticket_id`` issued at check-in.
Unknown fields are rejected (a misspelt field would otherwise be silently ignored). Text fields must be valid
Unicode without control characters; ``at`` must fall within the feed's window (``FeedWindow``: by default at most
400 days old and at most a day ahead; ``due_at`` up to a year ahead), so a clock or typing error is refused with the
field named instead of being stored as a day in year 1 or 9999.

The one schema: ``Event`` (pydantic) checks each field's type, length and choices, and is what the OpenAPI document
of the feed is generated from (console/feed/http_api.py); ``parse_event`` adds the rules that depend on the event's
type, the branch (its time zone and business names) and the window.

Events may arrive out of order: each ticket is rebuilt from its stored events in time order
(``storage.tasks._project_ticket``). No Qt imports.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StringConstraints, ValidationError

from console.domain.records import TicketEvent
from console.domain.vocabulary import CounterState, ServiceType, TicketEventType, service_type_named

EVENT_TYPES = tuple(t.value for t in TicketEventType)
SERVICE_TYPES = tuple(s.value for s in ServiceType)
COUNTER_STATES = tuple(s.value for s in CounterState)

TICKET_TYPES = frozenset({TicketEventType.ISSUED, TicketEventType.CALLED, TicketEventType.STARTED,
                          TicketEventType.FINISHED, TicketEventType.NO_SHOW, TicketEventType.TRANSFERRED,
                          TicketEventType.ABANDONED, TicketEventType.RATED})
NEEDS_COUNTER = frozenset({TicketEventType.CALLED, TicketEventType.STARTED, TicketEventType.COUNTER_STATE,
                           TicketEventType.STAFF_LOGIN, TicketEventType.STAFF_LOGOUT})
NEEDS_SERVICE_TYPE = frozenset({TicketEventType.ISSUED, TicketEventType.TRANSFERRED})
NEEDS_STAFF = frozenset({TicketEventType.STAFF_LOGIN, TicketEventType.STAFF_LOGOUT})
APPOINTMENT_TYPES = frozenset({TicketEventType.APPOINTMENT_BOOKED, TicketEventType.APPOINTMENT_CANCELLED,
                               TicketEventType.CHECKED_IN})

FIELDS = ("event_id", "type", "ticket_id", "number", "service_type", "priority", "counter_id", "staff_id", "state",
          "appointment_id", "due_at", "score", "at")
#: A customer's rating: 1 (poor) to 5 (excellent).
SCORES = (1, 5)

#: Most events one request may carry.
MAX_BATCH = 1000


class FeedError(Exception):
    """An event that cannot be accepted: ``field`` names the field (or "body"), ``index`` the event in a batch."""

    def __init__(self, field: str, problem: str, index: int | None = None) -> None:
        super().__init__(field, problem, index)
        self.field = field
        self.problem = problem
        self.index = index

    def __str__(self) -> str:
        where = f"event {self.index}: " if self.index is not None else ""
        return f"{where}{self.field}: {self.problem}"

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"error": str(self), "field": self.field, "problem": self.problem}
        if self.index is not None:
            data["index"] = self.index
        return data


def plain_text(value: str) -> str:
    """Text a database stores and a screen shows as sent: valid Unicode (no lone surrogate such as ``"\\ud800"``)
    and no control characters (NUL, escape…)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(f"is not valid Unicode text (a lone surrogate at character {exc.start + 1})") from None
    bad = next((i for i, ch in enumerate(value) if unicodedata.category(ch) == "Cc"), None)
    if bad is not None:
        raise ValueError(f"must not contain control characters (U+{ord(value[bad]):04X} at character {bad + 1})")
    return value


def iso_time_text(value: str) -> str:
    """An ISO 8601 date and time with a time of day (the zone is applied later: see ``parse_time``)."""
    try:
        parse_time(value, "", UTC)
    except FeedError as exc:
        raise ValueError(exc.problem) from None
    return value


def _text(limit: int) -> Any:
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=limit),
                     AfterValidator(plain_text)]


Time = Annotated[str, AfterValidator(plain_text), AfterValidator(iso_time_text),
                 Field(json_schema_extra={"format": "date-time"})]


class Event(BaseModel):
    """One event of the branch's ticketing system (the fields' rules by event type: this module's docstring)."""

    model_config = ConfigDict(extra="forbid", title="Event")

    event_id: _text(128) = Field(description="Unique per event; resending is harmless.")
    type: TicketEventType
    at: Time = Field(description="ISO 8601; without a UTC offset it is the branch's local time. At most "
                                 "oldest_event_days old and future_event_hours ahead (settings [api]).")
    ticket_id: _text(64) | None = Field(None, description="Required for ticket events.")
    number: _text(32) | None = Field(None, description="Number printed on the ticket.")
    service_type: _text(64) | None = Field(
        None, description="Required for issued and transferred (the new type): one of "
                          f"{', '.join(SERVICE_TYPES)}, or a business name of the ticketing system that the branch "
                          "maps onto one (个人现金 → cash).")
    priority: StrictBool | None = Field(False, description="Appointment, elderly, disabled (绿色通道).")
    counter_id: _text(32) | None = Field(None, description="Required for called, started, counter_state, "
                                                            "staff_login and staff_logout.")
    staff_id: _text(32) | None = Field(None, description="Required for staff_login and staff_logout.")
    state: CounterState | None = Field(None, description="Required for counter_state.")
    appointment_id: _text(64) | None = Field(None, description="Required for appointment_booked, "
                                                                "appointment_cancelled and checked_in.")
    due_at: Time | None = Field(None, description="Start of the booked slot; required for appointment_booked.")
    score: Annotated[int, Field(strict=True, ge=SCORES[0], le=SCORES[1])] | None = Field(
        None, description="Required for rated, and only there: the customer's score on the counter's rating device "
                          "(评价器), 1 (poor) to 5 (excellent).")


def _shown(value: object, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def feed_error(error: dict[str, Any]) -> FeedError:
    """The first problem pydantic found, in the feed's words with the field named."""
    loc = [part for part in error.get("loc", ()) if isinstance(part, str)]
    field = loc[0] if loc else "body"
    kind, value, ctx = error.get("type", ""), error.get("input"), error.get("ctx") or {}
    if kind == "missing":
        problem = "is required"
    elif kind == "extra_forbidden":
        problem = f"unknown field {field!r} (known fields: {', '.join(FIELDS)})"
    elif kind == "model_type":
        return FeedError("body", f"an event must be a JSON object, got {type(value).__name__}")
    elif kind == "string_type":
        problem = f"must be a string, got {type(value).__name__}"
    elif kind == "string_unicode":
        problem = "is not valid Unicode text (a lone surrogate such as \\ud800)"
    elif kind == "string_too_short":
        problem = "must not be empty"
    elif kind == "string_too_long":
        problem = f"must be at most {ctx.get('max_length')} characters, got {len(value)}"
    elif kind == "enum":
        allowed = {"type": EVENT_TYPES, "state": COUNTER_STATES}.get(field, ())
        problem = f"unknown value {_shown(value)}; expected one of {', '.join(allowed)}"
    elif kind == "bool_type":
        problem = f"must be true or false, got {_shown(value)}"
    elif kind in ("int_type", "greater_than_equal", "less_than_equal", "int_from_float"):
        problem = f"must be a whole number from {SCORES[0]} to {SCORES[1]}, got {_shown(value)}"
    elif kind == "value_error":
        problem = str(ctx.get("error", error.get("msg", "")))
    else:
        problem = str(error.get("msg", kind))
    return FeedError(field, problem)


@dataclass(frozen=True)
class FeedWindow:
    """The times an event may carry, around the moment it arrives: a ticketing system resends what is hours old,
    not what is years old, and books appointments ahead but does not issue tickets tomorrow. Days and hours;
    ``clock``: the present (the branch's own clock in tests)."""

    oldest_days: float = 400.0
    ahead_hours: float = 24.0
    booking_ahead_days: float = 366.0
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    def limits(self) -> tuple[datetime, datetime, datetime]:
        """(earliest, latest, latest for a booking) at this moment; a long import takes them once."""
        now = self.clock()
        return (now - timedelta(days=self.oldest_days), now + timedelta(hours=self.ahead_hours),
                now + timedelta(days=self.booking_ahead_days))

    def check(self, at: datetime, name: str, *, booking: bool = False,
              limits: tuple[datetime, datetime, datetime] | None = None) -> None:
        """FeedError naming ``name`` when ``at`` is outside the window (``limits``: taken earlier, else now)."""
        earliest, latest, latest_booking = limits or self.limits()
        if booking:
            latest = latest_booking
        try:
            inside = earliest <= at <= latest
        except OverflowError:
            inside = False
        if not inside:
            raise FeedError(name, f"{at.isoformat()} is outside the accepted window {earliest:%Y-%m-%d %H:%M} to "
                                  f"{latest:%Y-%m-%d %H:%M} UTC (settings [api] oldest_event_days, "
                                  "future_event_hours)")


def parse_time(value: object, name: str, local: tzinfo) -> datetime:
    """An ISO 8601 date-time; without a UTC offset it is in ``local`` (the branch's time zone)."""
    if not isinstance(value, str):
        raise FeedError(name, f"must be an ISO 8601 date and time string, got {type(value).__name__}")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise FeedError(name, f"{_shown(value)} is not an ISO 8601 date and time (e.g. 2026-11-29T10:15:02+08:00)"
                        ) from None
    if "T" not in text and " " not in text:
        raise FeedError(name, f"{_shown(value)} has no time of day")
    return at if at.tzinfo is not None else at.replace(tzinfo=local)


def service_choices(names: Mapping[str, ServiceType] | None) -> str:
    """The accepted service types in words, for a refusal."""
    known = ", ".join(SERVICE_TYPES)
    return f"{known}, or one of the branch's business names ({', '.join(names)})" if names else known


def parse_event(obj: object, local: tzinfo, names: Mapping[str, ServiceType] | None = None,
                window: FeedWindow | None = None) -> TicketEvent:
    """Validate one event object; ``FeedError`` names the field and the problem. ``service_type`` may be a console
    service type or one of the branch's business names (``names``); ``window``: the times accepted (None: any,
    for events the console makes itself)."""
    try:
        event = Event.model_validate(obj)
    except ValidationError as exc:
        raise feed_error(exc.errors()[0]) from None
    kind = event.type
    at = parse_time(event.at, "at", local)
    if window is not None:
        window.check(at, "at")
    for name, needed in (("ticket_id", kind in TICKET_TYPES), ("counter_id", kind in NEEDS_COUNTER),
                         ("staff_id", kind in NEEDS_STAFF), ("state", kind is TicketEventType.COUNTER_STATE),
                         ("appointment_id", kind in APPOINTMENT_TYPES)):
        if needed and getattr(event, name) is None:
            raise FeedError(name, "is required")
    needs_service = kind in NEEDS_SERVICE_TYPE or kind is TicketEventType.APPOINTMENT_BOOKED
    if needs_service and event.service_type is None:
        raise FeedError("service_type", "is required")
    service = None if event.service_type is None else service_type_named(event.service_type, names)
    if event.service_type is not None and service is None:
        raise FeedError("service_type", f"unknown value {_shown(event.service_type)}; expected one of "
                                        f"{service_choices(names)}")
    if kind is TicketEventType.RATED and event.score is None:
        raise FeedError("score", f"is required for rated (a whole number from {SCORES[0]} to {SCORES[1]})")
    if kind is not TicketEventType.RATED and event.score is not None:
        raise FeedError("score", f"is only for rated events, not {kind.value}")
    due_at = None
    if kind is TicketEventType.APPOINTMENT_BOOKED or event.due_at is not None:
        if event.due_at is None:
            raise FeedError("due_at", "is required for appointment_booked (the start of the booked slot)")
        due_at = parse_time(event.due_at, "due_at", local)
        if window is not None:
            window.check(due_at, "due_at", booking=True)
    return TicketEvent(
        event_id=event.event_id,
        type=kind,
        at=at,
        ticket_id=event.ticket_id,
        number=event.number,
        service_type=service,
        priority=bool(event.priority),
        counter_id=event.counter_id,
        staff_id=event.staff_id,
        state=event.state if kind is TicketEventType.COUNTER_STATE else None,
        appointment_id=event.appointment_id,
        due_at=due_at,
        score=event.score,
    )


def parse_body(data: object, local: tzinfo, names: Mapping[str, ServiceType] | None = None,
               window: FeedWindow | None = None) -> list[TicketEvent]:
    """One event object or a list of them; the first bad event raises (with its index) and none is accepted."""
    if isinstance(data, list):
        if not data:
            raise FeedError("body", "an empty list holds no events")
        if len(data) > MAX_BATCH:
            raise FeedError("body", f"at most {MAX_BATCH} events per request, got {len(data)}")
        events = []
        for i, item in enumerate(data):
            try:
                events.append(parse_event(item, local, names, window))
            except FeedError as exc:
                raise FeedError(exc.field, exc.problem, i) from None
        ids = [e.event_id for e in events]
        if len(set(ids)) != len(ids):
            dup = next(i for i, e in enumerate(ids) if ids.index(e) != i)
            raise FeedError("event_id", f"{ids[dup]!r} appears twice in this request", dup)
        return events
    return [parse_event(data, local, names, window)]


def event_to_json(event: TicketEvent) -> dict[str, object]:
    """The JSON form of an event (the inverse of ``parse_event``)."""
    data: dict[str, object] = {"event_id": event.event_id, "type": event.type.value, "at": event.at.isoformat()}
    optional = {"ticket_id": event.ticket_id, "number": event.number,
                "service_type": event.service_type.value if event.service_type else None,
                "counter_id": event.counter_id, "staff_id": event.staff_id,
                "state": event.state.value if event.state else None,
                "appointment_id": event.appointment_id,
                "due_at": event.due_at.isoformat() if event.due_at else None, "score": event.score}
    data.update({k: v for k, v in optional.items() if v is not None})
    if event.priority:
        data["priority"] = True
    return data
