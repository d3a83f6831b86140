"""The local HTTP API the branch's ticketing system posts its events to.

    POST /api/v1/events         one event object or a list (see console/feed/events.py); bearer token required
    GET  /api/v1/counter-commands?after=N
                                the branch manager's counter requests numbered above N, for the ticketing system
                                to carry out on its terminals (see console/staffing/counter_desk.py); bearer token required
    GET  /api/v1/openapi.json   the OpenAPI document (no token)

Decisions:
- Standard library server (``http.server.ThreadingHTTPServer``, a thread per connection, HTTP/1.1 keep-alive):
  the feed is a few hundred small requests a second at most, from one ticketing system on the same network, and
  no extra web framework has to be installed and kept secure on the branch PC.
- Listens on 127.0.0.1 unless the settings say otherwise ([api] host and port in settings.toml; the token is in
  the secret store, console/security/secret_store.py). ``set_token`` switches to a rotated token at once: from the next request
  on only the new one is accepted, without a restart.
- An answer of 200 means stored: the events go to the database writer and the request waits until they are
  committed (``DatabaseWriter.submit_and_wait``). A request with one invalid event stores nothing (422 naming the
  event's index and field). Resent events (same ``event_id``) are acknowledged as duplicates and change nothing.
- The token is compared in constant time and never logged; request lines are logged at DEBUG level only, with
  secret-looking query parameters (``?token=…``, a client's mistake) masked.
No Qt imports: the same server runs beside the window or headless.
"""

from __future__ import annotations

import hmac
import json
import logging
import socket
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, tzinfo
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from camera.credentials import mask_credentials
from console.domain.records import CounterCommand, TicketEvent
from console.domain.vocabulary import ServiceType
from console.feed.events import FeedError, openapi_document, parse_body

log = logging.getLogger(__name__)

EVENTS_PATH = "/api/v1/events"
OPENAPI_PATH = "/api/v1/openapi.json"
COMMANDS_PATH = "/api/v1/counter-commands"
CONSOLE_PREFIX = "/api/v1/console/"  # console/feed/people_api.py
#: Most counter requests returned by one GET (the client asks again with the last number it saw).
MAX_COMMANDS = 500
#: Largest request body accepted, bytes (1,000 events of about 300 bytes fit easily).
MAX_BODY_BYTES = 1024 * 1024

#: Stores events durably and returns (stored, duplicates); raises on failure (the message is shown to the client).
StoreEvents = Callable[[list[TicketEvent]], tuple[int, int]]

#: The counter requests numbered above the argument, oldest first.
LoadCommands = Callable[[int], list[CounterCommand]]


def command_to_json(c: CounterCommand) -> dict[str, object]:
    """A counter request as the API sends it (``requested_at`` in UTC)."""
    return {"command_id": c.command_id, "counter_id": c.counter_id, "action": c.action.value,
            "staff_id": c.staff_id, "service_types": [t.value for t in c.service_types],
            "requested_at": c.at.astimezone(UTC).isoformat(), "requested_by": c.requested_by}


class ApiError(Exception):
    """The API cannot start (address in use, bad address); the message names the address."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class TicketApi:
    def __init__(self, *, host: str, port: int, token: str, local_tz: tzinfo, store: StoreEvents,
                 version: str = "0", on_stored: Callable[[], None] | None = None,
                 commands: LoadCommands | None = None, console=None) -> None:
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
        #: the branch's business names → service types, accepted as ``service_type`` (replaced whole when the
        #: branch's settings change: one assignment, safe across threads)
        self.service_names: Mapping[str, ServiceType] = {}
        self._openapi = json.dumps(openapi_document(version)).encode("utf-8")
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
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

    def start(self) -> None:
        try:
            self._server = _Server((self.host, self.port), self._handler())
        except OSError as exc:
            raise ApiError(f"cannot listen on {self.host}:{self.port} for the ticket feed: "
                           f"{exc.strerror or exc}") from None
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="ticket-api", daemon=True)
        self._thread.start()
        log.info("ticket feed listening on %s%s", self.url, EVENTS_PATH)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    # --- request handling ------------------------------------------------------------------------------------

    def _authorised(self, header: str | None) -> bool:
        if not header or not header.startswith("Bearer "):
            return False
        return hmac.compare_digest(header[len("Bearer "):].strip().encode("utf-8"), self._token)

    def _post_events(self, handler: BaseHTTPRequestHandler) -> tuple[HTTPStatus, dict[str, object]]:
        if not self._authorised(handler.headers.get("Authorization")):
            return HTTPStatus.UNAUTHORIZED, {"error": "missing or wrong bearer token (header Authorization: "
                                                      "Bearer <token>)", "field": "Authorization"}
        content_type = (handler.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type != "application/json":
            return HTTPStatus.UNSUPPORTED_MEDIA_TYPE, {
                "error": f"Content-Type must be application/json, got {content_type or 'none'}",
                "field": "Content-Type"}
        length_text = handler.headers.get("Content-Length")
        try:
            length = int(length_text) if length_text is not None else -1
        except ValueError:
            length = -1
        if length < 0:
            return HTTPStatus.LENGTH_REQUIRED, {"error": "Content-Length is required", "field": "Content-Length"}
        if length > MAX_BODY_BYTES:
            return HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {
                "error": f"body of {length} bytes is over the limit of {MAX_BODY_BYTES}", "field": "body"}
        raw = handler.rfile.read(length)
        try:
            data = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            return HTTPStatus.BAD_REQUEST, {"error": "body is not UTF-8 text", "field": "body"}
        except json.JSONDecodeError as exc:
            return HTTPStatus.BAD_REQUEST, {"error": f"body is not valid JSON: {exc.msg} at line {exc.lineno} "
                                                     f"column {exc.colno}", "field": "body"}
        try:
            events = parse_body(data, self._local, self.service_names)
        except FeedError as exc:
            self.rejected += 1
            return HTTPStatus.UNPROCESSABLE_ENTITY, exc.to_json()
        try:
            stored, duplicates = self._store(events)
        except Exception as exc:
            log.error("ticket feed: %d events not stored: %s", len(events), exc)
            return HTTPStatus.SERVICE_UNAVAILABLE, {"error": f"not stored, send again: {exc}", "field": "body"}
        self.events_stored += stored
        self.duplicates += duplicates
        if self._on_stored is not None and stored:
            self._on_stored()
        return HTTPStatus.OK, {"stored": stored, "duplicates": duplicates}

    def _get_commands(self, handler: BaseHTTPRequestHandler) -> tuple[HTTPStatus, dict[str, object]]:
        if not self._authorised(handler.headers.get("Authorization")):
            return HTTPStatus.UNAUTHORIZED, {"error": "missing or wrong bearer token (header Authorization: "
                                                      "Bearer <token>)", "field": "Authorization"}
        query = parse_qs(urlsplit(handler.path).query)
        text = (query.get("after") or ["0"])[-1]
        if not text.isdigit():
            return HTTPStatus.UNPROCESSABLE_ENTITY, {"error": f"after must be a whole number >= 0, got {text!r}",
                                                     "field": "after"}
        if self._commands is None:
            return HTTPStatus.OK, {"commands": []}
        try:
            found = self._commands(int(text))[:MAX_COMMANDS]
        except Exception as exc:  # the database is unreachable: say so, the client asks again later
            log.error("counter requests could not be read: %s", exc)
            return HTTPStatus.SERVICE_UNAVAILABLE, {"error": f"the database could not be read: {exc}"}
        return HTTPStatus.OK, {"commands": [command_to_json(c) for c in found]}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "BranchLobbyConsole"

            def setup(self) -> None:
                super().setup()
                # headers and body go out in two writes: without TCP_NODELAY the second waits for the client's
                # delayed acknowledgement (about 40 ms on Linux) on every keep-alive request
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's name)
                log.debug("ticket feed %s: %s", self.client_address[0], mask_credentials(format % args))

            def _send(self, status: HTTPStatus, body: bytes, extra: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                for key, value in (extra or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def _json(self, status: HTTPStatus, data: dict[str, object]) -> None:
                extra = {"WWW-Authenticate": 'Bearer realm="ticket feed"'} if status == HTTPStatus.UNAUTHORIZED else None
                self._send(status, json.dumps(data, ensure_ascii=False).encode("utf-8"), extra)

            def _console(self, method: str) -> bool:
                """A request to the console's endpoints for people (console/feed/people_api.py), answered here."""
                url = urlsplit(self.path)
                if api._console is None or not url.path.startswith(CONSOLE_PREFIX):
                    return False
                body = None
                if method == "POST":
                    try:
                        length = int(self.headers.get("Content-Length") or 0)
                    except ValueError:
                        length = -1
                    if not 0 <= length <= MAX_BODY_BYTES:
                        self.close_connection = True
                        self._json(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": "Content-Length missing or too "
                                                                                  "large", "field": "body"})
                        return True
                    body = self.rfile.read(length)
                status, data = api._console.handle(method, url.path, parse_qs(url.query),
                                                   self.headers.get("Authorization"), body)
                extra = {"WWW-Authenticate": 'Basic realm="branch console"'} \
                    if status == HTTPStatus.UNAUTHORIZED else None
                self._send(status, json.dumps(data, ensure_ascii=False).encode("utf-8"), extra)
                return True

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                api.requests += 1
                if self._console("POST"):
                    return
                path = self.path.split("?")[0]
                if path != EVENTS_PATH:
                    self._drain()
                    self._json(HTTPStatus.NOT_FOUND if path != OPENAPI_PATH else HTTPStatus.METHOD_NOT_ALLOWED,
                               {"error": f"no POST endpoint {path}; events go to {EVENTS_PATH}"})
                    return
                status, data = api._post_events(self)
                if status in (HTTPStatus.REQUEST_ENTITY_TOO_LARGE, HTTPStatus.LENGTH_REQUIRED):
                    self.close_connection = True  # the unread body would be taken for the next request
                elif status in (HTTPStatus.UNAUTHORIZED, HTTPStatus.UNSUPPORTED_MEDIA_TYPE):
                    self._drain()
                self._json(status, data)

            def do_GET(self) -> None:  # noqa: N802
                api.requests += 1
                if self._console("GET"):
                    return
                path = self.path.split("?")[0]
                if path == OPENAPI_PATH:
                    self._send(HTTPStatus.OK, api._openapi)
                elif path == COMMANDS_PATH:
                    self._json(*api._get_commands(self))
                elif path == EVENTS_PATH:
                    self._json(HTTPStatus.METHOD_NOT_ALLOWED, {"error": f"{EVENTS_PATH} takes POST"})
                else:
                    self._json(HTTPStatus.NOT_FOUND, {"error": f"no endpoint {path}"})

            def _drain(self) -> None:
                """Read and discard a body we do not use, so keep-alive connections stay in step."""
                try:
                    length = int(self.headers.get("Content-Length") or 0)
                except ValueError:
                    length = 0
                if 0 < length <= MAX_BODY_BYTES:
                    self.rfile.read(length)
                elif length:
                    self.close_connection = True

        return Handler
