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
- ``appointment_id``: required for ``appointment_booked``, ``appointment_cancelled`` and ``checked_in``;
  1-64 characters. ``appointment_booked`` also needs ``due_at`` (the slot start, ISO 8601 like ``at``) and
  ``service_type``; ``checked_in`` may carry the ``ticket_id`` issued at check-in.
Unknown fields are rejected (a misspelt field would otherwise be silently ignored).

Events may arrive out of order: each ticket is rebuilt from its stored events in time order
(``storage.tasks._project_ticket``). No Qt imports.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any

from console.domain.records import TicketEvent
from console.domain.vocabulary import CounterState, ServiceType, TicketEventType, service_type_named

EVENT_TYPES = tuple(t.value for t in TicketEventType)
SERVICE_TYPES = tuple(s.value for s in ServiceType)
COUNTER_STATES = tuple(s.value for s in CounterState)

TICKET_TYPES = frozenset({TicketEventType.ISSUED, TicketEventType.CALLED, TicketEventType.STARTED,
                          TicketEventType.FINISHED, TicketEventType.NO_SHOW, TicketEventType.TRANSFERRED,
                          TicketEventType.ABANDONED})
NEEDS_COUNTER = frozenset({TicketEventType.CALLED, TicketEventType.STARTED, TicketEventType.COUNTER_STATE,
                           TicketEventType.STAFF_LOGIN, TicketEventType.STAFF_LOGOUT})
NEEDS_SERVICE_TYPE = frozenset({TicketEventType.ISSUED, TicketEventType.TRANSFERRED})
NEEDS_STAFF = frozenset({TicketEventType.STAFF_LOGIN, TicketEventType.STAFF_LOGOUT})
APPOINTMENT_TYPES = frozenset({TicketEventType.APPOINTMENT_BOOKED, TicketEventType.APPOINTMENT_CANCELLED,
                               TicketEventType.CHECKED_IN})

FIELDS = ("event_id", "type", "ticket_id", "number", "service_type", "priority", "counter_id", "staff_id", "state",
          "appointment_id", "due_at", "at")

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


def _text(obj: dict[str, Any], name: str, limit: int, required: bool) -> str | None:
    value = obj.get(name)
    if value is None:
        if required:
            raise FeedError(name, "is required")
        return None
    if not isinstance(value, str):
        raise FeedError(name, f"must be a string, got {type(value).__name__}")
    value = value.strip()
    if not value:
        raise FeedError(name, "must not be empty")
    if len(value) > limit:
        raise FeedError(name, f"must be at most {limit} characters, got {len(value)}")
    return value


def _choice(obj: dict[str, Any], name: str, allowed: tuple[str, ...], required: bool) -> str | None:
    value = _text(obj, name, 64, required)
    if value is not None and value not in allowed:
        raise FeedError(name, f"unknown value {value!r}; expected one of {', '.join(allowed)}")
    return value


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
        raise FeedError(name, f"{value!r} is not an ISO 8601 date and time (e.g. 2026-11-29T10:15:02+08:00)") from None
    if "T" not in text and " " not in text:
        raise FeedError(name, f"{value!r} has no time of day")
    return at if at.tzinfo is not None else at.replace(tzinfo=local)


def service_choices(names: Mapping[str, ServiceType] | None) -> str:
    """The accepted service types in words, for a refusal."""
    known = ", ".join(SERVICE_TYPES)
    return f"{known}, or one of the branch's business names ({', '.join(names)})" if names else known


def parse_event(obj: object, local: tzinfo, names: Mapping[str, ServiceType] | None = None) -> TicketEvent:
    """Validate one event object; ``FeedError`` names the field and the problem. ``service_type`` may be a console
    service type or one of the branch's business names (``names``)."""
    if not isinstance(obj, dict):
        raise FeedError("body", f"an event must be a JSON object, got {type(obj).__name__}")
    unknown = sorted(set(obj) - set(FIELDS))
    if unknown:
        raise FeedError(unknown[0] or "body", f"unknown field {unknown[0]!r} (known fields: {', '.join(FIELDS)})")
    event_id = _text(obj, "event_id", 128, True)
    kind = TicketEventType(_choice(obj, "type", EVENT_TYPES, True))
    if "at" not in obj or obj["at"] is None:
        raise FeedError("at", "is required")
    at = parse_time(obj["at"], "at", local)
    ticket_id = _text(obj, "ticket_id", 64, kind in TICKET_TYPES)
    needs_service = kind in NEEDS_SERVICE_TYPE or kind is TicketEventType.APPOINTMENT_BOOKED
    service_text = _text(obj, "service_type", 64, needs_service)
    service = None if service_text is None else service_type_named(service_text, names)
    if service_text is not None and service is None:
        raise FeedError("service_type", f"unknown value {service_text!r}; expected one of {service_choices(names)}")
    priority = obj.get("priority", False)
    if priority is None:
        priority = False
    if not isinstance(priority, bool):
        raise FeedError("priority", f"must be true or false, got {priority!r}")
    counter_id = _text(obj, "counter_id", 32, kind in NEEDS_COUNTER)
    staff_id = _text(obj, "staff_id", 32, kind in NEEDS_STAFF)
    state = _choice(obj, "state", COUNTER_STATES, kind is TicketEventType.COUNTER_STATE)
    number = _text(obj, "number", 32, False)
    appointment_id = _text(obj, "appointment_id", 64, kind in APPOINTMENT_TYPES)
    due_at = None
    if kind is TicketEventType.APPOINTMENT_BOOKED or obj.get("due_at") is not None:
        if obj.get("due_at") is None:
            raise FeedError("due_at", "is required for appointment_booked (the start of the booked slot)")
        due_at = parse_time(obj["due_at"], "due_at", local)
    return TicketEvent(
        event_id=event_id or "",
        type=kind,
        at=at,
        ticket_id=ticket_id,
        number=number,
        service_type=service,
        priority=priority,
        counter_id=counter_id,
        staff_id=staff_id,
        state=CounterState(state) if state and kind is TicketEventType.COUNTER_STATE else None,
        appointment_id=appointment_id,
        due_at=due_at,
    )


def parse_body(data: object, local: tzinfo, names: Mapping[str, ServiceType] | None = None) -> list[TicketEvent]:
    """One event object or a list of them; the first bad event raises (with its index) and none is accepted."""
    if isinstance(data, list):
        if not data:
            raise FeedError("body", "an empty list holds no events")
        if len(data) > MAX_BATCH:
            raise FeedError("body", f"at most {MAX_BATCH} events per request, got {len(data)}")
        events = []
        for i, item in enumerate(data):
            try:
                events.append(parse_event(item, local, names))
            except FeedError as exc:
                raise FeedError(exc.field, exc.problem, i) from None
        ids = [e.event_id for e in events]
        if len(set(ids)) != len(ids):
            dup = next(i for i, e in enumerate(ids) if ids.index(e) != i)
            raise FeedError("event_id", f"{ids[dup]!r} appears twice in this request", dup)
        return events
    return [parse_event(data, local, names)]


def event_to_json(event: TicketEvent) -> dict[str, object]:
    """The JSON form of an event (the inverse of ``parse_event``)."""
    data: dict[str, object] = {"event_id": event.event_id, "type": event.type.value, "at": event.at.isoformat()}
    optional = {"ticket_id": event.ticket_id, "number": event.number,
                "service_type": event.service_type.value if event.service_type else None,
                "counter_id": event.counter_id, "staff_id": event.staff_id,
                "state": event.state.value if event.state else None,
                "appointment_id": event.appointment_id,
                "due_at": event.due_at.isoformat() if event.due_at else None}
    data.update({k: v for k, v in optional.items() if v is not None})
    if event.priority:
        data["priority"] = True
    return data


def openapi_document(version: str) -> dict[str, object]:
    """The OpenAPI 3.0 description served at ``/api/v1/openapi.json``."""
    string = {"type": "string", "minLength": 1}
    event = {
        "type": "object",
        "additionalProperties": False,
        "required": ["event_id", "type", "at"],
        "properties": {
            "event_id": {**string, "maxLength": 128, "description": "Unique per event; resending is harmless."},
            "type": {"type": "string", "enum": list(EVENT_TYPES)},
            "ticket_id": {**string, "maxLength": 64, "description": "Required for ticket events."},
            "number": {**string, "maxLength": 32, "description": "Number printed on the ticket."},
            "service_type": {**string, "maxLength": 64,
                             "description": "Required for issued and transferred (the new type): one of "
                                            f"{', '.join(SERVICE_TYPES)}, or a business name of the ticketing "
                                            "system that the branch maps onto one (个人现金 → cash)."},
            "priority": {"type": "boolean", "default": False},
            "counter_id": {**string, "maxLength": 32,
                           "description": "Required for called, started, counter_state, staff_login/logout."},
            "staff_id": {**string, "maxLength": 32, "description": "Required for staff_login and staff_logout."},
            "state": {"type": "string", "enum": list(COUNTER_STATES), "description": "Required for counter_state."},
            "appointment_id": {**string, "maxLength": 64,
                               "description": "Required for appointment_booked, appointment_cancelled, checked_in."},
            "due_at": {"type": "string", "format": "date-time",
                       "description": "Start of the booked slot; required for appointment_booked."},
            "at": {"type": "string", "format": "date-time",
                   "description": "ISO 8601; without a UTC offset it is the branch's local time."},
        },
    }
    command = {
        "type": "object",
        "required": ["command_id", "counter_id", "action", "service_types", "requested_at", "requested_by"],
        "properties": {
            "command_id": {"type": "integer"},
            "counter_id": string,
            "action": {"type": "string", "enum": ["open", "pause", "close", "assign_staff", "set_service_types"]},
            "staff_id": {"type": "string", "nullable": True,
                         "description": "Who is to work at the counter (open of a closed counter, assign_staff)."},
            "service_types": {"type": "array", "items": {"type": "string", "enum": list(SERVICE_TYPES)},
                              "description": "For set_service_types: the counter's new types, preferred first."},
            "requested_at": {"type": "string", "format": "date-time"},
            "requested_by": string,
        },
    }
    error = {"type": "object", "required": ["error"],
             "properties": {"error": {"type": "string"}, "field": {"type": "string"}, "problem": {"type": "string"},
                            "index": {"type": "integer"}}}
    error_response = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Branch Lobby Console ticket feed", "version": version,
                 "description": "Events of the branch's ticketing (queue-calling) system. An answer of 200 means "
                                "the events are stored durably."},
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Event": event, "Error": error, "Command": command},
        },
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/events": {
                "post": {
                    "summary": "Store one event or a list of events (all or nothing)",
                    "operationId": "postEvents",
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {
                        "oneOf": [{"$ref": "#/components/schemas/Event"},
                                  {"type": "array", "minItems": 1, "maxItems": MAX_BATCH,
                                   "items": {"$ref": "#/components/schemas/Event"}}]}}}},
                    "responses": {
                        "200": {"description": "Stored (events already stored are acknowledged unchanged)",
                                "content": {"application/json": {"schema": {
                                    "type": "object", "required": ["stored", "duplicates"],
                                    "properties": {"stored": {"type": "integer"},
                                                   "duplicates": {"type": "integer"}}}}}},
                        "400": {"description": "The body is not JSON", **error_response},
                        "401": {"description": "Missing or wrong bearer token", **error_response},
                        "413": {"description": "The body is too large", **error_response},
                        "415": {"description": "The body is not application/json", **error_response},
                        "422": {"description": "An event is invalid; the field is named", **error_response},
                        "503": {"description": "The database could not store the events", **error_response},
                    },
                }
            },
            "/api/v1/counter-commands": {
                "get": {
                    "summary": "The branch manager's counter requests, for the ticketing system to carry out",
                    "description": "Open, pause or close a counter, put a staff member at it, change its service "
                                   "types. Poll with the last command_id seen; the terminals' counter_state and "
                                   "staff_login/logout events report the result.",
                    "operationId": "getCounterCommands",
                    "parameters": [{"name": "after", "in": "query", "required": False,
                                    "schema": {"type": "integer", "minimum": 0, "default": 0},
                                    "description": "Only requests numbered above this."}],
                    "responses": {
                        "200": {"description": "Requests, oldest first (at most 500)",
                                "content": {"application/json": {"schema": {
                                    "type": "object", "required": ["commands"],
                                    "properties": {"commands": {"type": "array",
                                                                "items": {"$ref": "#/components/schemas/Command"}}}}}}},
                        "401": {"description": "Missing or wrong bearer token", **error_response},
                        "422": {"description": "after is not a whole number", **error_response},
                        "503": {"description": "The database could not be read", **error_response},
                    },
                }
            },
            "/api/v1/openapi.json": {
                "get": {"summary": "This document", "operationId": "getOpenApi", "security": [],
                        "responses": {"200": {"description": "The OpenAPI document",
                                              "content": {"application/json": {"schema": {"type": "object"}}}}}}
            },
        },
    }
