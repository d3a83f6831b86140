"""The console's own HTTP endpoints for people (a branch manager's script, a regional dashboard), beside the ticket
feed on the same local server (console/feed/http_api.py), under ``/api/v1/console/``:

    GET  occupancy                       people in the lobby and each kind of zone now        view occupancy
    GET  queue                           waiting, longest wait, service level now             view queue
    GET  alerts                          today's alerts and any older open ones                view alerts
    POST alerts/{id}/acknowledge         {"note": "..."}                                       by the alert's kind
    POST alerts/{id}/resolve             {"note": "..."}                                       by the alert's kind
    POST counter-commands                {"counter_id", "action", "staff_id"?, "service_types"?} change counters
    GET  audit?since=ISO                 the audit trail                                       view audit
    POST api-token/rotate                a new ticket-feed token, shown once                   manage database

Decisions:
- People log in with their console user: HTTP Basic (``Authorization: Basic base64(user:password)``) on every
  request, checked by ``UserStore.authenticate`` — the same passwords, lockout and audit as the window — then
  ``console.security.access.require`` with the matrix, the same check as the window and the command line. The ticketing
  system's bearer token is not a person and opens none of these.
- Refusals: 401 for no login or a malformed header (saying what is wrong with it) and for a refused login — then one
  answer, the same status, ``WWW-Authenticate`` header and body bytes, whether the user is unknown, the password wrong
  or the user locked or disabled, so the API does not tell which user names exist (``UserStore.authenticate``; never
  the password); 403 naming the role and who may, 404 for an unknown alert, 422 for a bad body; the server listens
  on 127.0.0.1 unless the settings say otherwise, so a Basic password does not cross the network in clear text by
  default.
No Qt imports: the callables given in are plain functions over the running console's parts.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from typing import Any

from console.domain.incidents import is_drill
from console.domain.permissions import Permission, ack_permission
from console.domain.vocabulary import AlertState, CounterAction, ServiceType
from console.security.access import AccessDenied, Operator, require
from console.security.users import UserError

log = logging.getLogger(__name__)

PREFIX = "/api/v1/console/"

Reply = tuple[HTTPStatus, dict[str, Any]]


@dataclass
class ConsoleParts:
    """What the endpoints read and do, as plain callables (set by the context)."""

    authenticate: Callable[[str, str], Operator]
    view: Callable[[], Any]  # the latest BranchView, or None before the first
    alerts: Callable[[], list]  # today's AlertRecords and older open ones
    acknowledge: Callable[[int, str, str, bool], str | None]  # (alert id, user, note, resolve) → why not, or None
    request_counter: Callable[[Operator, str, CounterAction, str | None, tuple[ServiceType, ...]], str | None]
    audit: Callable[[datetime | None], list]  # AuditRecords since
    rotate_token: Callable[[str], str] | None = None  # (user) → the new token


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


class ConsoleApi:
    def __init__(self, parts: ConsoleParts) -> None:
        self.parts = parts

    def login(self, header: str | None) -> Operator:
        if not header or not header.startswith("Basic "):
            raise UserError("log in with your console user: header Authorization: Basic base64(user:password)")
        try:
            text = base64.b64decode(header[len("Basic "):].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise UserError("the Authorization header is not base64 of user:password") from None
        username, sep, password = text.partition(":")
        if not sep:
            raise UserError("the Authorization header is not base64 of user:password")
        return self.parts.authenticate(username, password)

    def handle(self, method: str, path: str, query: dict[str, list[str]], auth: str | None,
               body: bytes | None) -> Reply:
        """One request; never raises."""
        route = path[len(PREFIX):].strip("/")
        try:
            operator = self.login(auth)
        except UserError as exc:
            return HTTPStatus.UNAUTHORIZED, {"error": str(exc), "field": "Authorization"}
        try:
            return self._route(method, route, query, operator, body)
        except AccessDenied as exc:
            return HTTPStatus.FORBIDDEN, {"error": str(exc), "permission": exc.permission.value}
        except Exception as exc:  # a bug or the database: logged, one line for the client
            log.exception("console API %s %s failed", method, route)
            return HTTPStatus.INTERNAL_SERVER_ERROR, {"error": "the console could not answer this request (the "
                                                               f"reason, {type(exc).__name__}, is in its log)"}

    def _route(self, method: str, route: str, query: dict[str, list[str]], op: Operator, body: bytes | None) -> Reply:
        parts = route.split("/")
        if method == "GET" and route == "occupancy":
            require(op, Permission.VIEW_OCCUPANCY, "see lobby occupancy")
            return self._occupancy()
        if method == "GET" and route == "queue":
            require(op, Permission.VIEW_QUEUE, "see the queue")
            return self._queue()
        if method == "GET" and route == "alerts":
            require(op, Permission.VIEW_ALERTS, "see alerts")
            return HTTPStatus.OK, {"alerts": [self._alert_json(a) for a in self.parts.alerts()]}
        if method == "POST" and len(parts) == 3 and parts[0] == "alerts" and parts[2] in ("acknowledge", "resolve"):
            return self._acknowledge(op, parts[1], parts[2] == "resolve", body)
        if method == "POST" and route == "counter-commands":
            require(op, Permission.CHANGE_COUNTERS, "change counters")
            return self._counter_command(op, body)
        if method == "GET" and route == "audit":
            require(op, Permission.VIEW_AUDIT, "read the audit trail")
            return self._audit(query)
        if method == "POST" and route == "api-token/rotate":
            require(op, Permission.MANAGE_DATABASE, "rotate the API token")
            if self.parts.rotate_token is None:
                return HTTPStatus.NOT_FOUND, {"error": "the token cannot be rotated here"}
            return HTTPStatus.OK, {"token": self.parts.rotate_token(op.username)}
        return HTTPStatus.NOT_FOUND, {"error": f"no {method} endpoint {PREFIX}{route}"}

    # --- endpoints ----------------------------------------------------------------------------------------

    def _latest(self):
        view = self.parts.view()
        if view is None:
            raise LookupError("the console has no figures yet")
        return view

    def _occupancy(self) -> Reply:
        view = self._latest()
        return HTTPStatus.OK, {"at": _iso(view.snapshot.at), "lobby": view.lobby_count,
                               "capacity": view.snapshot.branch.lobby_capacity,
                               "zones": {k.value: n for k, n in view.zone_counts.items()}}

    def _queue(self) -> Reply:
        view = self._latest()
        return HTTPStatus.OK, {"at": _iso(view.snapshot.at), "waiting": view.waiting_total,
                               "longest_wait_s": round(view.longest_wait_s, 1),
                               "service_level_today": view.service_level_today,
                               "by_service_type": {q.service_type.value: q.waiting for q in view.queues}}

    @staticmethod
    def _alert_json(a) -> dict[str, Any]:
        return {"alert_id": a.alert_id, "rule": a.rule, "severity": a.severity.value, "state": a.state.value,
                "subject": a.subject, "message": a.message, "raised_at": _iso(a.raised_at),
                "acknowledged_by": a.acknowledged_by, "resolved_at": _iso(a.resolved_at), "note": a.note,
                "drill": is_drill(a.rule)}

    @staticmethod
    def _body(body: bytes | None) -> dict[str, Any]:
        try:
            data = json.loads((body or b"{}").decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"body is not a JSON object: {exc}") from None
        if not isinstance(data, dict):
            raise ValueError("body is not a JSON object")
        return data

    def _acknowledge(self, op: Operator, alert_id: str, resolve: bool, body: bytes | None) -> Reply:
        if not alert_id.isdigit():
            return HTTPStatus.NOT_FOUND, {"error": f"alert id must be a number, got {alert_id!r}"}
        alert = next((a for a in self.parts.alerts() if a.alert_id == int(alert_id)), None)
        if alert is None or alert.state is AlertState.RESOLVED:
            return HTTPStatus.NOT_FOUND, {"error": f"no open alert {alert_id}"}
        require(op, ack_permission(alert.rule), "resolve this alert" if resolve else "acknowledge this alert")
        try:
            note = str(self._body(body).get("note", ""))
        except ValueError as exc:
            return HTTPStatus.UNPROCESSABLE_ENTITY, {"error": str(exc), "field": "body"}
        problem = self.parts.acknowledge(alert.alert_id, op.username, note, resolve)
        if problem is not None:
            return HTTPStatus.SERVICE_UNAVAILABLE, {"error": f"not stored: {problem}"}
        return HTTPStatus.OK, {"alert_id": alert.alert_id, "state": "resolved" if resolve else "acknowledged",
                               "by": op.username}

    def _counter_command(self, op: Operator, body: bytes | None) -> Reply:
        try:
            data = self._body(body)
            counter_id = str(data["counter_id"])
            action = CounterAction(data["action"])
            types = tuple(ServiceType(t) for t in data.get("service_types") or ())
        except KeyError as exc:
            return HTTPStatus.UNPROCESSABLE_ENTITY, {"error": f"missing field {exc.args[0]}", "field": exc.args[0]}
        except ValueError as exc:
            return HTTPStatus.UNPROCESSABLE_ENTITY, {"error": str(exc), "field": "body"}
        staff = data.get("staff_id")
        problem = self.parts.request_counter(op, counter_id, action, str(staff) if staff else None, types)
        if problem is not None:
            return HTTPStatus.CONFLICT, {"error": problem}
        return HTTPStatus.OK, {"counter_id": counter_id, "action": action.value, "requested_by": op.username}

    def _audit(self, query: dict[str, list[str]]) -> Reply:
        text = (query.get("since") or [""])[-1]
        since = None
        if text:
            try:
                since = datetime.fromisoformat(text)
            except ValueError:
                return HTTPStatus.UNPROCESSABLE_ENTITY, {"error": f"since {text!r} is not an ISO 8601 time",
                                                         "field": "since"}
            since = since if since.tzinfo else since.replace(tzinfo=UTC)
        entries = self.parts.audit(since or datetime.now(UTC) - timedelta(days=1))
        return HTTPStatus.OK, {"entries": [{"at": _iso(e.at), "user": e.user, "action": e.action,
                                            "entity": e.entity, "entity_id": e.entity_id, "before": e.before,
                                            "after": e.after} for e in entries]}


def console_api_for(context) -> ConsoleApi:
    """The endpoints over a running console's parts (``console.app.context.AppContext``: its database, branch, latest
    view, alert service, counter desk and secret store), as plain callables."""
    from zoneinfo import ZoneInfo

    from console.security.access import authenticator
    from storage import repository

    db, code = context.env.db, context.branch_code
    assert code is not None
    branch = repository.load_branch(db, code)
    tz = ZoneInfo(branch.timezone) if branch is not None else UTC

    def alerts() -> list:
        midnight = datetime.now(tz).replace(hour=0, minute=0, second=0, microsecond=0)
        today = repository.load_alerts(db, code, midnight)
        seen = {a.alert_id for a in today}
        return today + [a for a in repository.load_open_alerts(db, code) if a.alert_id not in seen]

    def acknowledge(alert_id: int, user: str, note: str, resolve: bool) -> str | None:
        if context.alerts is None:
            return "the alert service is not running"
        return context.alerts.acknowledge(alert_id, user, note, resolve=resolve)

    def request_counter(operator: Operator, counter_id: str, action: CounterAction, staff_id: str | None,
                        types: tuple[ServiceType, ...]) -> str | None:
        view = context.controller.latest
        if view is None or context.desk is None:
            return "the console has no figures yet"
        result = context.desk.request(view.snapshot, counter_id, action, staff_id=staff_id, service_types=types,
                                      user=operator.username)
        if result.refusal is not None:
            r = result.refusal
            staff = f", staff {r.staff_id}" if r.staff_id else ""
            return f"refused: {r.problem.value} (counter {r.counter_id}{staff})"
        return f"not stored: {result.error}" if result.error else None

    def rotate(user: str) -> str:
        from console.feed.token import rotate_token

        return rotate_token(context.env.secrets, db, user).token

    return ConsoleApi(ConsoleParts(authenticate=authenticator(db), view=lambda: context.controller.latest,
                                   alerts=alerts, acknowledge=acknowledge, request_counter=request_counter,
                                   audit=lambda since: repository.load_audit(db, since), rotate_token=rotate))
