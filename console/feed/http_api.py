"""The local HTTP API the branch's ticketing system posts its events to.

    POST /api/v1/events         one event object or a list (see console/feed/events.py); bearer token required
    GET  /api/v1/counter-commands?after=N
                                the branch manager's counter requests numbered above N, for the ticketing system
                                to carry out on its terminals (see console/staffing/counter_desk.py); bearer token required
    GET  /api/v1/openapi.json   the OpenAPI document, generated from the request and answer models (no token)
    /api/v1/console/...         the endpoints for people (console/feed/people_api.py)

Decisions:
- FastAPI on Hypercorn, in a thread of its own with its own asyncio loop. FastAPI because the request and answer
  bodies are pydantic models (``console.feed.events.Event``, the answers below) and the OpenAPI document is
  generated from them, so the document and the validation cannot drift apart. Hypercorn rather than uvicorn
  because it closes a connection that has not finished its request headers within ``IDLE_TIMEOUT_S`` (a slow
  client that sends half a request holds a socket for seconds, never a thread) and has a read timeout for a body
  that stops arriving; uvicorn has neither. Slow or many clients cost no threads: the event loop holds them all;
  storing runs in a pool of at most ``STORE_THREADS`` threads, and more than ``MAX_IN_FLIGHT`` requests at once
  are answered 503 with Retry-After.
- Limits: request headers ``MAX_HEADER_BYTES``, body ``MAX_BODY_BYTES`` (413), JSON nesting and numbers as the
  ``json`` module allows (a 400 naming the body, never a dropped connection), at most ``MAX_BATCH`` events.
- Listens on 127.0.0.1 unless the settings say otherwise ([api] host and port in settings.toml; the token is in
  the secret store, console/security/secret_store.py). ``set_token`` switches to a rotated token at once.
- An answer of 200 means stored: the events go to the database writer and the request waits until they are
  committed (``DatabaseWriter.submit_and_wait``). A client error is a 4xx naming the field (422 for an event:
  its index and field; times outside the feed's window, text that is not valid Unicode). 503 means the database
  could not store the events and they should be sent again; no answer carries SQL, parameters or a traceback
  (the log has the reason).
- The token is compared in constant time and never logged; request lines are not logged (the access log is off).
  The token (or, for the endpoints for people, an Authorization header) is checked before a body is read: a client
  without one is answered 401 at once and holds nothing. A body that stops arriving ends its request with one INFO
  line in the log (no traceback) and, if the client still listens, a 408.
No Qt imports: the same server runs beside the window or headless.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
import socket
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, tzinfo
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from console.domain.records import CounterCommand, TicketEvent
from console.domain.vocabulary import CounterAction, ServiceType
from console.feed.events import MAX_BATCH, Event, FeedError, FeedWindow, parse_body

log = logging.getLogger(__name__)

EVENTS_PATH = "/api/v1/events"
OPENAPI_PATH = "/api/v1/openapi.json"
COMMANDS_PATH = "/api/v1/counter-commands"
CONSOLE_PREFIX = "/api/v1/console/"  # console/feed/people_api.py
#: Most counter requests returned by one GET (the client asks again with the last number it saw).
MAX_COMMANDS = 500
#: Largest request body accepted, bytes (1,000 events of about 300 bytes fit easily).
MAX_BODY_BYTES = 1024 * 1024
#: Largest request line and headers, bytes.
MAX_HEADER_BYTES = 16 * 1024
#: A connection that sends nothing (or not the rest of its request headers) for this long is closed, seconds.
IDLE_TIMEOUT_S = 5
#: A body that stops arriving for this long ends its connection, seconds.
READ_TIMEOUT_S = 10
#: Requests handled at once; more are answered 503 with Retry-After. The ticketing system's endpoints (events,
#: counter requests) and everything else (the endpoints for people, the document) count apart, so people's
#: requests whose bodies stall until ``READ_TIMEOUT_S`` never hold the places the feed needs.
MAX_IN_FLIGHT = 64
MAX_OTHER_IN_FLIGHT = 16
#: Threads that wait for the database writer (each request's store waits for its commit).
STORE_THREADS = 16

#: Stores events durably and returns (stored, duplicates); raises on failure (logged, never shown to the client).
StoreEvents = Callable[[list[TicketEvent]], tuple[int, int]]

#: The counter requests numbered above the argument, oldest first.
LoadCommands = Callable[[int], list[CounterCommand]]


class Stored(BaseModel):
    """Events stored by this request, and events already stored before (acknowledged, unchanged)."""

    stored: int
    duplicates: int


class Problem(BaseModel):
    """Why a request was refused: ``field`` names the field (or header, or "body"), ``index`` the event in a list."""

    error: str
    field: str | None = None
    problem: str | None = None
    index: int | None = None


class Command(BaseModel):
    """A counter request for the ticketing system to carry out on its terminals."""

    command_id: int
    counter_id: str
    action: CounterAction
    staff_id: str | None = Field(None, description="Who is to work at the counter (open of a closed counter, "
                                                   "assign_staff).")
    service_types: list[ServiceType] = Field(description="For set_service_types: the counter's new types, "
                                                         "preferred first.")
    requested_at: str = Field(json_schema_extra={"format": "date-time"})
    requested_by: str


class Commands(BaseModel):
    commands: list[Command]


def command_to_json(c: CounterCommand) -> dict[str, object]:
    """A counter request as the API sends it (``requested_at`` in UTC)."""
    return {"command_id": c.command_id, "counter_id": c.counter_id, "action": c.action.value,
            "staff_id": c.staff_id, "service_types": [t.value for t in c.service_types],
            "requested_at": c.at.astimezone(UTC).isoformat(), "requested_by": c.requested_by}


class ApiError(Exception):
    """The API cannot start (address in use, bad address); the message names the address."""


def _answer(status: int, data: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(data, status_code=status, headers=headers)


def _refusal(status: int, error: str, field: str | None = None, headers: dict[str, str] | None = None
             ) -> JSONResponse:
    data: dict[str, Any] = {"error": error}
    if field is not None:
        data["field"] = field
    return _answer(status, data, headers)


UNAUTHORISED = {"WWW-Authenticate": 'Bearer realm="ticket feed"'}
#: A refusal sent before the request's body was read: the server closes the connection after it (the unread body
#: cannot be skipped), and says so, so that a client opens a new connection for its next request.
UNREAD_BODY = {"Connection": "close"}


class MalformedBody(FeedError):
    """The body is not UTF-8 JSON the parser can read (answered 400)."""

    def __init__(self, problem: str) -> None:
        super().__init__("body", problem)


def read_json(raw: bytes) -> Any:
    """The JSON of a request body; ``FeedError`` on "body" for text that is not UTF-8 or not JSON, nesting deeper
    than the parser allows or a number with more digits than Python converts (4,300)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedBody("is not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedBody(f"is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise MalformedBody("nests lists or objects too deeply") from None
    except ValueError as exc:  # a number of more than 4,300 digits
        raise MalformedBody(f"holds a number that cannot be read: {str(exc).split(';')[0]}") from None


class TicketApi:
    def __init__(self, *, host: str, port: int, token: str, local_tz: tzinfo, store: StoreEvents,
                 version: str = "0", on_stored: Callable[[], None] | None = None,
                 commands: LoadCommands | None = None, console=None, window: FeedWindow | None = None) -> None:
        if not token:
            raise ApiError("the ticket feed needs a token (python main.py api token rotate)")
        self.host = host
        self.port = port
        self._token = token.encode("utf-8")
        self._local = local_tz
        self._store = store
        self._on_stored = on_stored
        self._commands = commands
        self._console = console  # console.feed.people_api.ConsoleApi: the endpoints for people (their own login)
        self.window = window or FeedWindow()
        #: the branch's business names → service types, accepted as ``service_type`` (replaced whole when the
        #: branch's settings change: one assignment, safe across threads)
        self.service_names: Mapping[str, ServiceType] = {}
        self.app = self._make_app(version)
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._shutdown: asyncio.Event | None = None
        self._in_flight = {"feed": 0, "other": 0}
        self.requests = 0
        self.events_stored = 0
        self.duplicates = 0
        self.rejected = 0

    def set_token(self, token: str) -> None:
        """Accept ``token`` from now on, and no longer the old one (a rotation; thread-safe: one assignment)."""
        if not token:
            raise ValueError("the ticket feed's token cannot be empty")
        self._token = token.encode("utf-8")
        log.info("ticket feed: the API token was replaced; the old one is refused from now on")

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # --- the server thread -----------------------------------------------------------------------------------

    def start(self) -> None:
        """Listen (an address in use or not available raises ``ApiError`` here, naming it) and serve in a thread."""
        from hypercorn.config import Config

        try:
            family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
            sock = socket.socket(family, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.port))
            sock.listen(128)
        except OSError as exc:
            raise ApiError(f"cannot listen on {self.host}:{self.port} for the ticket feed: "
                           f"{exc.strerror or exc}") from None
        self._socket = sock
        self.port = sock.getsockname()[1]
        config = Config()
        config.bind = [f"fd://{os.dup(sock.fileno())}"]  # the server closes its copy; ``stop`` closes this one
        config.keep_alive_timeout = IDLE_TIMEOUT_S
        config.read_timeout = READ_TIMEOUT_S
        config.h11_max_incomplete_size = MAX_HEADER_BYTES
        config.graceful_timeout = 2
        config.accesslog = None
        config.errorlog = logging.getLogger("console.feed.server")
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(config, ready), name="ticket-api", daemon=True)
        self._thread.start()
        ready.wait(10)
        log.info("ticket feed listening on %s%s", self.url, EVENTS_PATH)

    def _serve(self, config, ready: threading.Event) -> None:
        from hypercorn.asyncio import serve

        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        self._shutdown = asyncio.Event()

        async def main() -> None:
            import anyio.to_thread

            anyio.to_thread.current_default_thread_limiter().total_tokens = STORE_THREADS
            ready.set()
            await serve(self.app, config, shutdown_trigger=self._shutdown.wait)  # type: ignore[arg-type]

        try:
            loop.run_until_complete(main())
        except Exception:  # the server could not run at all: the log says why, the console goes on without it
            log.exception("ticket feed server stopped")
        finally:
            ready.set()
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()

    def stop(self) -> None:
        loop, shutdown = self._loop, self._shutdown
        if loop is not None and shutdown is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(shutdown.set)
            except RuntimeError:  # the loop has just closed
                pass
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        self._loop = self._shutdown = None

    # --- the application -------------------------------------------------------------------------------------

    def _authorised(self, header: str | None) -> bool:
        if not header or not header.startswith("Bearer "):
            return False
        return hmac.compare_digest(header[len("Bearer "):].strip().encode("utf-8", "replace"), self._token)

    def _make_app(self, version: str) -> FastAPI:
        app = FastAPI(title="Branch Lobby Console ticket feed", version=version, openapi_url=OPENAPI_PATH,
                      docs_url=None, redoc_url=None,
                      description="Events of the branch's ticketing (queue-calling) system. An answer of 200 means "
                                  "the events are stored durably.")
        api = self
        refused = {401: {"model": Problem, "description": "Missing or wrong bearer token"}}

        @app.middleware("http")
        async def bounded(request: Request, call_next):
            """At most ``MAX_IN_FLIGHT`` requests at once, bodies at most ``MAX_BODY_BYTES``; unexpected failures
            answered without their details."""
            api.requests += 1
            length = request.headers.get("content-length")
            if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
                return _refusal(413, f"the body is over the limit of {MAX_BODY_BYTES} bytes (Content-Length "
                                     f"{length[:20]})", "body", {"Connection": "close"})
            if length is None and "chunked" in request.headers.get("transfer-encoding", "").lower():
                return _refusal(411, "Content-Length is required (no chunked bodies)", "Content-Length",
                                {"Connection": "close"})
            pool = "feed" if request.url.path in (EVENTS_PATH, COMMANDS_PATH) else "other"
            if api._in_flight[pool] >= (MAX_IN_FLIGHT if pool == "feed" else MAX_OTHER_IN_FLIGHT):
                return _refusal(503, "the console is busy, send again shortly", None, {"Retry-After": "1"})
            api._in_flight[pool] += 1
            try:
                return await call_next(request)
            except ClientDisconnect:
                log.info("ticket feed: %s %s: the body stopped arriving (read timeout %d s or the client left)",
                         request.method, request.url.path, READ_TIMEOUT_S)
                return _refusal(408, f"the body did not arrive within {READ_TIMEOUT_S} s", "body",
                                {"Connection": "close"})
            except Exception:
                log.exception("ticket feed: %s %s failed", request.method, request.url.path)
                return _refusal(500, "the console could not answer this request (see its log)")
            finally:
                api._in_flight[pool] -= 1

        @app.exception_handler(StarletteHTTPException)
        async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
            if exc.status_code == 404:
                return _refusal(404, f"no endpoint {request.url.path}")
            if exc.status_code == 405:
                return _refusal(405, f"{request.url.path} does not take {request.method}")
            return _refusal(exc.status_code, str(exc.detail))

        @app.exception_handler(RequestValidationError)
        async def bad_parameter(request: Request, exc: RequestValidationError) -> JSONResponse:
            first = exc.errors()[0] if exc.errors() else {}
            field = str(first.get("loc", ("", "request"))[-1])
            shown = repr(first.get("input"))[:40]
            return _refusal(422, f"{field} {shown}: {first.get('msg', 'invalid')}", field)

        @app.post(EVENTS_PATH, summary="Store one event or a list of events (all or nothing)",
                  operation_id="postEvents", response_model=Stored,
                  responses={**refused,
                             400: {"model": Problem, "description": "The body is not UTF-8 JSON"},
                             411: {"model": Problem, "description": "No Content-Length"},
                             413: {"model": Problem, "description": "The body is too large"},
                             415: {"model": Problem, "description": "The body is not application/json"},
                             422: {"model": Problem, "description": "An event is invalid; its index and field "
                                                                    "are named"},
                             503: {"model": Problem, "description": "The database could not store the events: "
                                                                    "send them again"}},
                  openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {
                      "oneOf": [{"$ref": "#/components/schemas/Event"},
                                {"type": "array", "minItems": 1, "maxItems": MAX_BATCH,
                                 "items": {"$ref": "#/components/schemas/Event"}}]}}}}})
        async def post_events(request: Request) -> JSONResponse:
            if not api._authorised(request.headers.get("authorization")):
                return _refusal(401, "missing or wrong bearer token (header Authorization: Bearer <token>)",
                                "Authorization", UNAUTHORISED | UNREAD_BODY)
            content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
            if content_type != "application/json":
                return _refusal(415, f"Content-Type must be application/json, got {content_type[:60] or 'none'}",
                                "Content-Type", UNREAD_BODY)
            if request.headers.get("content-length") is None:
                return _refusal(411, "Content-Length is required", "Content-Length", {"Connection": "close"})
            raw = await request.body()
            try:
                events = parse_body(read_json(raw), api._local, api.service_names, api.window)
            except FeedError as exc:
                api.rejected += 1
                return _answer(400 if isinstance(exc, MalformedBody) else 422, exc.to_json())
            try:
                stored, duplicates = await run_in_threadpool(api._store, events)
            except Exception as exc:  # the database: the reason is logged, the client is told to send again
                log.error("ticket feed: %d events not stored: %s", len(events), str(exc).splitlines()[0][:300])
                return _refusal(503, "not stored, send again (the database could not store the events)", "body",
                                {"Retry-After": "5"})
            api.events_stored += stored
            api.duplicates += duplicates
            if api._on_stored is not None and stored:
                api._on_stored()
            return _answer(200, {"stored": stored, "duplicates": duplicates})

        @app.get(COMMANDS_PATH, summary="The branch manager's counter requests, for the ticketing system to carry "
                                        "out", operation_id="getCounterCommands", response_model=Commands,
                 description="Open, pause or close a counter, put a staff member at it, change its service types. "
                             "Poll with the last command_id seen; the terminals' counter_state and staff_login/"
                             "logout events report the result. At most 500 requests, oldest first.",
                 responses={**refused, 503: {"model": Problem, "description": "The database could not be read"}})
        async def get_commands(request: Request,
                               after: int = Query(0, ge=0, le=2**62, description="Only requests numbered above "
                                                                                 "this.")) -> JSONResponse:
            if not api._authorised(request.headers.get("authorization")):
                return _refusal(401, "missing or wrong bearer token (header Authorization: Bearer <token>)",
                                "Authorization", UNAUTHORISED)
            if api._commands is None:
                return _answer(200, {"commands": []})
            try:
                found = (await run_in_threadpool(api._commands, after))[:MAX_COMMANDS]
            except Exception as exc:  # the database is unreachable: the client asks again later
                log.error("counter requests could not be read: %s", str(exc).splitlines()[0][:300])
                return _refusal(503, "the database could not be read, ask again shortly", None,
                                {"Retry-After": "5"})
            return _answer(200, {"commands": [command_to_json(c) for c in found]})

        @app.api_route(CONSOLE_PREFIX + "{route:path}", methods=["GET", "POST"], include_in_schema=False)
        async def console(request: Request, route: str) -> JSONResponse:
            if api._console is None:
                return _refusal(404, f"no endpoint {request.url.path}")
            authorization = request.headers.get("authorization")
            # without a login the answer (401) comes before any body is read: such a client holds nothing
            body = await request.body() if request.method == "POST" and authorization else None
            query: dict[str, list[str]] = {}
            for key, value in request.query_params.multi_items():
                query.setdefault(key, []).append(value)
            status, data = await run_in_threadpool(api._console.handle, request.method, request.url.path, query,
                                                   authorization, body)
            extra = {"WWW-Authenticate": 'Basic realm="branch console"'} if status == HTTPStatus.UNAUTHORIZED \
                else {}
            if request.method == "POST" and body is None:
                extra |= UNREAD_BODY
            return _answer(int(status), data, extra)

        def openapi() -> dict[str, Any]:
            """FastAPI's document, with the event model the events endpoint reads itself (see ``post_events``)."""
            if app.openapi_schema is None:
                from fastapi.openapi.utils import get_openapi

                doc = get_openapi(title=app.title, version=app.version, description=app.description,
                                  routes=app.routes)
                schemas = doc.setdefault("components", {}).setdefault("schemas", {})
                schemas["Event"] = Event.model_json_schema(ref_template="#/components/schemas/{model}")
                for name, schema in schemas["Event"].pop("$defs", {}).items():
                    schemas.setdefault(name, schema)
                doc["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
                doc["security"] = [{"bearer": []}]
                doc["paths"][OPENAPI_PATH] = {"get": {"summary": "This document", "operationId": "getOpenApi",
                                                      "security": [], "responses": {"200": {
                                                          "description": "The OpenAPI document"}}}}
                app.openapi_schema = doc
            return app.openapi_schema

        app.openapi = openapi  # type: ignore[method-assign]
        return app
