"""Alert delivery against real servers on 127.0.0.1: a chat-robot webhook (HTTP) and an SMTP server (aiosmtpd).
Deliveries that succeed, a server that answers 500, a port nobody listens on, an SMTP server that refuses the
recipient: retried, stored as sent or failed with the reason, and the alert row itself is never touched."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from console.alerts.delivery import Notifier, mask_url
from console.domain.alert_engine import ActiveAlert, AlertChange, ChangeKind
from console.domain.records import AlertRecord, BranchInfo
from console.domain.vocabulary import AlertSeverity, AlertState
from console.settings import AlertSettings
from storage import repository
from storage.database import open_database
from storage.tasks import SaveAlert, SaveBranchSetup
from storage.writer import apply_now
from tests.camera.mjpeg_server import free_port

RAISED = datetime(2026, 11, 27, 3, 30, tzinfo=UTC)


class Robot(BaseHTTPRequestHandler):
    bodies: list = []
    status = 200

    def do_POST(self) -> None:  # noqa: N802 (http.server API)
        length = int(self.headers["Content-Length"])
        type(self).bodies.append((self.path, json.loads(self.rfile.read(length).decode("utf-8"))))
        self.send_response(type(self).status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"errcode": 0, "errmsg": "ok"}')

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def robot():
    Robot.bodies = []
    Robot.status = 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), Robot)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


class Mailbox:
    def __init__(self, refuse: bool = False) -> None:
        self.messages: list = []
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd API)
        if self.refuse:
            return "550 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        self.messages.append(envelope.content.decode("utf-8", "replace"))
        return "250 Message accepted"


@pytest.fixture
def smtp_server():
    """Start a local SMTP server with a ``Mailbox``: ``start(refuse)`` → (box, port); stopped after the test."""
    started = []

    def start(refuse: bool = False) -> tuple[Mailbox, int]:
        box, port = Mailbox(refuse), free_port()
        controller = Controller(box, hostname="127.0.0.1", port=port)
        controller.start()
        started.append(controller)
        return box, port

    yield start
    for controller in started:
        controller.stop()


@pytest.fixture
def stored_alert(tmp_path: Path):
    db = open_database(f"sqlite:///{tmp_path / 'console.db'}")
    from datetime import time as clock

    apply_now(db, SaveBranchSetup(branch=BranchInfo("SH01", "Shanghai", "Asia/Shanghai", clock(9), clock(17), 60)))
    record = AlertRecord(None, "crowding", AlertSeverity.CRITICAL, AlertState.RAISED, "lobby",
                         "crowding lobby: 104 (threshold 100)", RAISED, value=104.0, threshold=100.0, detail="62/60")
    task = SaveAlert("SH01", record)
    apply_now(db, task)
    yield db, replace(record, alert_id=task.stored_id[0])
    db.close()


def change_of(record: AlertRecord) -> AlertChange:
    active = ActiveAlert(record.rule, record.subject, record.severity, record.raised_at, 104, 104, 100,
                         alert_id=record.alert_id)
    return AlertChange(ChangeKind.RAISED, active, record.raised_at)


def wait_for(predicate, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("timed out")


def notifier_for(db, settings: AlertSettings) -> Notifier:
    notifier = Notifier(settings, lambda task: apply_now(db, task), "SH01")
    notifier.start()
    return notifier


@pytest.mark.parametrize("fmt", ["wecom", "dingtalk", "generic"])
def test_webhook_delivery_in_each_format(robot, stored_alert, fmt: str) -> None:
    db, record = stored_alert
    url = f"http://127.0.0.1:{robot.server_port}/cgi-bin/webhook/send?key=secret-robot-key"
    notifier = notifier_for(db, AlertSettings(webhook_url=url, webhook_format=fmt))
    try:
        notifier.submit(change_of(record), record)
        wait_for(lambda: notifier.sent == 1)
    finally:
        notifier.stop()
    (path, body), = Robot.bodies
    assert path == "/cgi-bin/webhook/send?key=secret-robot-key"
    if fmt == "generic":
        assert body["event"] == "raised" and body["branch"] == "SH01"
        assert body["alert"]["id"] == record.alert_id and body["alert"]["severity"] == "critical"
        assert body["alert"]["value"] == 104.0 and body["alert"]["threshold"] == 100.0
    else:
        assert body["msgtype"] == "text" and "[CRITICAL] RAISED" in body["text"]["content"]
        assert "crowding lobby: 104" in body["text"]["content"]
    (delivery,) = repository.load_deliveries(db, [record.alert_id])
    assert (delivery.channel, delivery.state, delivery.attempts, delivery.last_error) == ("webhook", "sent", 1, None)
    assert "secret-robot-key" not in delivery.target and delivery.target == mask_url(url)


def test_a_failing_webhook_is_retried_then_shown_failed_and_the_alert_is_kept(robot, stored_alert) -> None:
    db, record = stored_alert
    Robot.status = 500
    url = f"http://127.0.0.1:{robot.server_port}/hook"
    notifier = notifier_for(db, AlertSettings(webhook_url=url, retries=2, retry_after_s=0.1))
    began = time.monotonic()
    try:
        notifier.submit(change_of(record), record)
        wait_for(lambda: notifier.failed == 1)
    finally:
        notifier.stop()
    assert len(Robot.bodies) == 3  # the first try and two retries
    assert time.monotonic() - began >= 0.1 + 0.2  # 0.1 s, then doubled
    (delivery,) = repository.load_deliveries(db, [record.alert_id])
    assert (delivery.state, delivery.attempts) == ("failed", 3) and "HTTP 500" in delivery.last_error
    (alert,) = repository.load_alerts(db, "SH01", RAISED)
    assert alert.state is AlertState.RAISED and alert.value == 104.0  # the alert itself is untouched


def test_a_webhook_that_does_not_answer(stored_alert) -> None:
    db, record = stored_alert
    url = f"http://127.0.0.1:{free_port()}/hook"  # nobody listens there
    notifier = notifier_for(db, AlertSettings(webhook_url=url, retries=1, retry_after_s=0.05))
    try:
        notifier.submit(change_of(record), record)
        wait_for(lambda: notifier.failed == 1)
    finally:
        notifier.stop()
    (delivery,) = repository.load_deliveries(db, [record.alert_id])
    assert delivery.state == "failed" and "does not answer" in delivery.last_error


def test_e_mail_to_a_local_smtp_server(stored_alert, smtp_server) -> None:
    db, record = stored_alert
    box, port = smtp_server()
    notifier = notifier_for(db, AlertSettings(smtp_host="127.0.0.1", smtp_port=port, smtp_from="console@branch",
                                              email_to=["manager@branch", "security@branch"]))
    try:
        notifier.submit(change_of(record), record)
        wait_for(lambda: notifier.sent == 1)
    finally:
        notifier.stop()
    (message,) = box.messages
    assert "Subject: [CRITICAL] crowding lobby: 104 (threshold 100)" in message
    assert "To: manager@branch, security@branch" in message and "RAISED" in message
    (delivery,) = repository.load_deliveries(db, [record.alert_id])
    assert (delivery.channel, delivery.state) == ("email", "sent")


def test_an_smtp_server_that_refuses(stored_alert, smtp_server) -> None:
    db, record = stored_alert
    box, port = smtp_server(refuse=True)
    notifier = notifier_for(db, AlertSettings(smtp_host="127.0.0.1", smtp_port=port, email_to=["nobody@branch"],
                                              retries=1, retry_after_s=0.05))
    try:
        notifier.submit(change_of(record), record)
        wait_for(lambda: notifier.failed == 1)
    finally:
        notifier.stop()
    assert box.messages == []
    (delivery,) = repository.load_deliveries(db, [record.alert_id])
    assert delivery.state == "failed" and delivery.attempts == 2
    assert "refused" in delivery.last_error and str(port) in delivery.last_error


def test_one_alert_run_catches_up_for_at_most_a_second() -> None:
    """Views arriving faster than evaluations (the demo fast-forwarding at start) must not keep one run of the alert
    job going past its interval: it evaluates the newest views for at most CATCH_UP_S and leaves the rest for the
    next run."""
    import time
    from types import SimpleNamespace

    from console.app.alert_service import CATCH_UP_S, EVERY_S, AlertService

    calls: list[float] = []
    service = SimpleNamespace(_busy=False, _again=False, _queued=False)

    def evaluate() -> str:
        calls.append(time.monotonic())
        service._again = True  # a newer view arrived meanwhile, every time
        time.sleep(0.05)
        return "update"

    service._evaluate = evaluate
    started = time.monotonic()
    assert AlertService.run(service) == "update"
    elapsed = time.monotonic() - started
    assert CATCH_UP_S <= elapsed < CATCH_UP_S + 0.3 < EVERY_S and len(calls) > 5
    assert service._again and not service._busy  # what is left waits for the next run


def test_each_role_s_robot_gets_its_own_alerts_and_the_incidents_its_plan_names(robot, stored_alert) -> None:
    """Routes: the lobby manager's robot gets a long wait, the security officer's does not; both get a critical
    crowding alert; a drill reported for the security officer reaches only their robot, marked as a drill."""
    db, record = stored_alert
    base = f"http://127.0.0.1:{robot.server_port}"
    alerts = AlertSettings(routes={"lobby_manager": {"webhook_url": f"{base}/lobby", "webhook_format": "generic"},
                                   "security_officer": {"webhook_url": f"{base}/security",
                                                        "webhook_format": "wecom"}})
    notifier = notifier_for(db, alerts)
    long_wait = replace(record, rule="long_wait.default", subject="non_cash", severity=AlertSeverity.WARNING)
    drill = replace(record, rule="drill.medical", subject="medical", message="incident medical (drill)")
    try:
        notifier.submit(change_of(long_wait), long_wait, "long_wait")
        wait_for(lambda: notifier.sent == 1)
        notifier.submit(change_of(record), record, "crowding")
        wait_for(lambda: notifier.sent == 3)
        notifier.submit_incident(drill, ("security_officer",))
        wait_for(lambda: notifier.sent == 4)
    finally:
        notifier.stop()
    paths = [path for path, _ in Robot.bodies]
    assert paths[0] == "/lobby" and sorted(paths[1:3]) == ["/lobby", "/security"] and paths[3] == "/security"
    assert Robot.bodies[0][1]["alert"]["subject"] == "non_cash" and Robot.bodies[0][1]["alert"]["drill"] is False
    assert Robot.bodies[3][1]["text"]["content"].startswith("[DRILL] [CRITICAL] RAISED")
    targets = {d.target for d in repository.load_deliveries(db, [record.alert_id])}
    assert targets == {f"{base}/lobby (lobby_manager)", f"{base}/security (security_officer)"}


def test_a_test_message_reaches_every_robot_and_address_and_says_which_failed(robot, smtp_server) -> None:
    from console.alerts.delivery import send_test

    box, port = smtp_server()
    base = f"http://127.0.0.1:{robot.server_port}"
    nobody = f"http://127.0.0.1:{free_port()}/hook"
    alerts = AlertSettings(webhook_url=f"{base}/all", smtp_host="127.0.0.1", smtp_port=port,
                           routes={"branch_manager": {"email_to": ["boss@branch.example"]},
                                   "security_officer": {"webhook_url": nobody}})
    results = dict(send_test(alerts, None, RAISED))
    assert len(results) == 3
    assert results[f"{base}/all"] == "sent" and results["boss@branch.example (branch_manager)"] == "sent"
    assert "does not answer" in results[f"{nobody} (security_officer)"]
    assert "Test message from the Branch Lobby Console" in box.messages[0]
    assert "To: boss@branch.example" in box.messages[0]
