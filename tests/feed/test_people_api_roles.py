"""The console's HTTP endpoints for people, on a running real-branch console: every endpoint for every role against
the permission matrix (200 or 403 naming who may), logins by HTTP Basic with the console's own users (401 with one
answer — status, headers and body bytes — for an unknown user, a wrong password and a locked user, so no user name
can be probed; never the password), and what a permitted call stores is audited under the caller's name."""

from __future__ import annotations

import base64
import http.client
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time

import pytest

from console.app.context import AppContext, SourceOptions
from console.domain.permissions import Permission, Role, ack_permission, allowed
from console.domain.records import AlertRecord, BranchInfo, CounterStatus, StaffMember, TicketEvent
from console.domain.vocabulary import (
    AlertSeverity,
    AlertState,
    CounterState,
    ServiceType,
    StaffRole,
    TicketEventType,
)
from console.security.users import LOGIN_REFUSED, UserStore
from storage import repository
from storage.tasks import SaveAlert, SaveBranchSetup, StoreFeedEvents
from storage.writer import apply_now
from tests.camera.mjpeg_server import free_port
from tests.feed.test_ticket_api import TZ
from tests.gui.conftest import make_env

pytestmark = pytest.mark.gui  # a running console (Qt objects, no window)

PASSWORD = "Counter2026pass"
TOKEN = "feed-token-for-the-roles-test-01"
KINDS = ("crowding.lobby", "camera_offline", "long_wait")


def user_of(role: Role) -> str:
    return role.value.replace("_", ".")


@pytest.fixture
def console(qapp, isolated_data_dir, db_url) -> Iterator[tuple[AppContext, int]]:
    """A running real-branch console on a SQLite file and on PostgreSQL (``db_url``)."""
    port = free_port()
    isolated_data_dir.mkdir(parents=True, exist_ok=True)
    (isolated_data_dir / "settings.toml").write_text(
        f'[api]\nenabled = true\nport = {port}\ntoken = "{TOKEN}"\n', encoding="utf-8")
    env = make_env(isolated_data_dir, db=db_url)
    now = datetime.now(TZ).replace(microsecond=0)
    apply_now(env.db, SaveBranchSetup(
        branch=BranchInfo("BJ01", "Beijing Xidan", "Asia/Shanghai", clock_time(0), clock_time(23, 59), 80),
        counters=(CounterStatus("1", "Counter 1", (ServiceType.CASH,), CounterState.CLOSED, now - timedelta(hours=1)),),
        staff=(StaffMember("E7", "周婷", StaffRole.TELLER, (ServiceType.CASH,)),)))
    apply_now(env.db, StoreFeedEvents("BJ01", (TicketEvent("x1", TicketEventType.STAFF_LOGIN, now - timedelta(minutes=5),
                                                           counter_id="1", staff_id="E7"),)))
    for role in Role:
        UserStore(env.db).add(user_of(role), role.value, role, PASSWORD, "setup")
    context = AppContext(env, SourceOptions())
    context.start()
    try:
        assert context.ticket_api is not None, context.api_error
        deadline = datetime.now() + timedelta(seconds=10)
        while context.controller.latest is None and datetime.now() < deadline:
            qapp.processEvents()
        yield context, context.ticket_api.port
    finally:
        context.stop()
        env.close()


def call(port: int, method: str, path: str, user: str | None, password: str = PASSWORD,
         body: dict | None = None) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    headers = {"Content-Type": "application/json"}
    if user is not None:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    data = json.dumps(body).encode() if body is not None else b"" if method == "POST" else None
    conn.request(method, "/api/v1/console/" + path, body=data, headers=headers)
    response = conn.getresponse()
    payload = json.loads(response.read() or b"{}")
    conn.close()
    return response.status, payload


def raw_call(port: int, path: str, user: str, password: str) -> tuple[int, dict[str, str], bytes]:
    """A GET with HTTP Basic: the status, the headers (but Date, which changes by the second) and the body's bytes."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    conn.request("GET", "/api/v1/console/" + path,
                 headers={"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders() if k.lower() != "date"}, body


def seed_alerts(context: AppContext) -> dict[str, int]:
    ids = {}
    for kind in KINDS:
        task = SaveAlert("BJ01", AlertRecord(None, kind, AlertSeverity.WARNING, AlertState.RAISED, "lobby", kind,
                                             datetime.now(UTC)))
        apply_now(context.env.db, task)
        ids[kind] = task.stored_id[0]
    return ids


def test_every_endpoint_for_every_role(console) -> None:
    context, port = console
    reads = {"occupancy": Permission.VIEW_OCCUPANCY, "queue": Permission.VIEW_QUEUE,
             "alerts": Permission.VIEW_ALERTS, "audit": Permission.VIEW_AUDIT}
    for role in Role:
        user = user_of(role)
        for path, permission in reads.items():
            status, body = call(port, "GET", path, user)
            if allowed(role, permission):
                assert status == 200, (role, path, body)
            else:
                assert status == 403 and body["permission"] == permission.value, (role, path, body)
                assert body["error"].startswith(f"{user} ({role.value.replace('_', ' ')}) may not")
        ids = seed_alerts(context)
        for kind, alert_id in ids.items():
            status, body = call(port, "POST", f"alerts/{alert_id}/acknowledge", user, body={"note": "seen"})
            assert status == (200 if allowed(role, ack_permission(kind)) else 403), (role, kind, body)
        status, body = call(port, "POST", "counter-commands", user,
                            body={"counter_id": "1", "action": "open", "staff_id": "E7"})
        if allowed(role, Permission.CHANGE_COUNTERS):
            assert status in (200, 409), (role, body)  # 409: a request of this kind is already pending
        else:
            assert status == 403, (role, body)
        status, body = call(port, "POST", "api-token/rotate", user)
        if allowed(role, Permission.MANAGE_DATABASE):
            assert status == 200 and len(body["token"]) >= 40
        else:
            assert status == 403 and "token" not in body


def test_what_a_caller_stores_is_theirs_and_logins_are_checked(console) -> None:
    context, port = console
    status, body = call(port, "GET", "alerts", None)
    assert status == 401 and "Authorization: Basic" in body["error"]
    # an unknown user and a wrong password: the same status, headers and bytes (nothing tells the name exists)
    unknown = raw_call(port, "alerts", "ghost", "Wrong9999wrong")
    wrong = raw_call(port, "alerts", "lobby.manager", "Wrong9999wrong")
    assert unknown == wrong
    assert unknown[0] == 401 and unknown[1]["www-authenticate"] == 'Basic realm="branch console"'
    assert json.loads(unknown[2]) == {"error": LOGIN_REFUSED, "field": "Authorization"}
    assert b"Wrong9999wrong" not in unknown[2] and b"ghost" not in unknown[2]
    # the lockout still applies: five wrong passwords, then the right one is refused with the same answer
    for _ in range(5):
        assert raw_call(port, "alerts", "security.officer", "Wrong9999wrong") == unknown
    assert raw_call(port, "alerts", "security.officer", PASSWORD) == unknown
    assert next(u for u in UserStore(context.env.db).users() if u.username == "security.officer").locked_until
    ids = seed_alerts(context)
    status, body = call(port, "POST", f"alerts/{ids['long_wait']}/acknowledge", "lobby.manager",
                        body={"note": "calling a second counter"})
    assert status == 200 and body["by"] == "lobby.manager"
    stored = {a.alert_id: a for a in repository.load_open_alerts(context.env.db, "BJ01")}
    assert stored[ids["long_wait"]].acknowledged_by == "lobby.manager"
    status, body = call(port, "POST", "counter-commands", "lobby.manager",
                        body={"counter_id": "1", "action": "open", "staff_id": "E7"})
    assert status == 200, body
    audit = repository.load_audit(context.env.db, datetime.now(UTC) - timedelta(minutes=5))
    assert any(e.action == "counter.open" and e.user == "lobby.manager" for e in audit)
    assert any(e.action == "alert.ack" and e.user == "lobby.manager" for e in audit)
    status, body = call(port, "POST", "counter-commands", "lobby.manager", body={"counter_id": "1"})
    assert status == 422 and body["field"] == "action"
    status, body = call(port, "POST", "alerts/999999/acknowledge", "lobby.manager", body={})
    assert status == 404
    # the ticketing system's token opens the feed, never the endpoints for people
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    conn.request("GET", "/api/v1/console/alerts", headers={"Authorization": f"Bearer {TOKEN}"})
    assert conn.getresponse().status == 401
    conn.close()
