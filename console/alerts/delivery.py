"""Delivery of alerts to a chat robot webhook (WeCom 企业微信 / DingTalk 钉钉 robot JSON, or a generic JSON body) and
by e-mail (SMTP), on one background thread.

Each alert change (raised, escalated, resolved) becomes one message per target: the branch-wide robot and e-mail list
get every alert; each role's own robot and addresses get what its route sends it (console/domain/alert_routing.py:
the rule kinds and lowest level that are the role's; an incident or drill goes to the roles its emergency plan
names). Two targets with the same address get one message. A message is tried at
once and, when the server does not answer or refuses, again after ``retry_after_s``, doubling, up to ``retries``
more times; its state (pending → sent or failed, attempts, the last error) is stored as an ``alert_delivery`` row,
so the window can show a failed delivery. Delivery never blocks the rules engine or the window, and a failure never
loses the alert itself: the alert is stored before it is handed here. Credentials are never logged.
"""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import smtplib
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from urllib.parse import urlsplit

from console.domain.alert_engine import AlertChange
from console.domain.alert_routing import Routes
from console.domain.incidents import is_drill
from console.domain.records import AlertRecord
from storage.tasks import RecordDelivery

log = logging.getLogger(__name__)

TIMEOUT_S = 10.0


def mask_url(url: str) -> str:
    """The URL without user info and with the query (robot keys) hidden."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return f"{parts.scheme}://{host}{parts.path}" + ("?…" if parts.query else "")


def text_of(event: str, alert: AlertRecord, branch: str) -> str:
    state = {"raised": "RAISED", "escalated": "ESCALATED", "resolved": "RESOLVED"}.get(event, event.upper())
    drill = "[DRILL] " if is_drill(alert.rule) else ""
    return (f"{drill}[{alert.severity.value.upper()}] {state} — branch {branch}: {alert.message}\n"
            f"raised {alert.raised_at.isoformat(timespec='seconds')}")


def webhook_body(fmt: str, event: str, alert: AlertRecord, branch: str) -> dict:
    if fmt in ("wecom", "dingtalk"):
        return {"msgtype": "text", "text": {"content": text_of(event, alert, branch)}}
    return {"event": event, "branch": branch, "alert": {
        "id": alert.alert_id, "rule": alert.rule, "severity": alert.severity.value, "subject": alert.subject,
        "value": alert.value, "threshold": alert.threshold, "state": alert.state.value, "message": alert.message,
        "raised_at": alert.raised_at.isoformat(), "resolved_at": alert.resolved_at.isoformat()
        if alert.resolved_at else None, "drill": is_drill(alert.rule)}}


class DeliveryError(Exception):
    pass


def post_webhook(url: str, body: dict, fmt: str) -> None:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            answer = response.read(65536)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code} from {mask_url(url)}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"{mask_url(url)} does not answer ({reason})") from None
    if fmt in ("wecom", "dingtalk"):
        try:
            code = json.loads(answer.decode("utf-8")).get("errcode", 0)
        except (ValueError, AttributeError):
            code = 0
        if code:
            raise DeliveryError(f"{mask_url(url)} refused the message (errcode {code})")


def smtp_password(store) -> Callable[[], str]:
    """Reads the SMTP password from the secret store (console/security/secret_store.py) when a message is sent, so a changed
    password is used at once and the password is never held in the settings."""
    from console.security.secret_store import SMTP_PASSWORD, SecretError

    def read() -> str:
        try:
            return store.get(SMTP_PASSWORD) or ""
        except SecretError as exc:
            raise DeliveryError(f"the SMTP password cannot be read: {exc}") from None

    return read


def smtp_send(settings, message: EmailMessage, password: Callable[[], str] | None = None,
              to: tuple[str, ...] | None = None) -> None:
    """Send a prepared message through the configured SMTP server (STARTTLS and login when set); DeliveryError
    names the server and the reason, never the password. ``password``: reads it (``smtp_password``); ``to``: the
    addresses (default: the branch-wide ``email_to``)."""
    message["From"] = settings.smtp_from or settings.smtp_user or "branch-console@localhost"
    message["To"] = ", ".join(settings.email_to if to is None else to)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_S) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, password() if password is not None else "")
            refused = smtp.send_message(message)
    except smtplib.SMTPException as exc:
        raise DeliveryError(f"SMTP server {settings.smtp_host}:{settings.smtp_port} refused: "
                            f"{type(exc).__name__} {getattr(exc, 'smtp_code', '')}".rstrip()) from None
    except OSError as exc:
        raise DeliveryError(f"SMTP server {settings.smtp_host}:{settings.smtp_port} does not answer "
                            f"({exc.strerror or exc})") from None
    if refused:
        raise DeliveryError(f"recipients refused: {', '.join(refused)}")


def send_mail(settings, subject: str, text: str, password: Callable[[], str] | None = None,
              to: tuple[str, ...] | None = None) -> None:
    message = EmailMessage()
    message["Subject"] = subject
    message.set_content(text)
    smtp_send(settings, message, password, to)


@dataclass(frozen=True)
class Target:
    """Where one message goes: ``channel`` "webhook" (``address`` the URL, ``fmt`` its body) or "email"
    (``emails``); ``roles``: whose target it is (empty: the branch-wide one)."""

    channel: str
    address: str = ""
    fmt: str = "generic"
    emails: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()

    def shown(self) -> str:
        """The target as stored and shown: the masked URL or the addresses, with the roles it serves."""
        where = mask_url(self.address) if self.channel == "webhook" else ", ".join(self.emails)
        return where + (f" ({', '.join(self.roles)})" if self.roles else "")


def targets_of(settings, routes: Routes, roles: tuple[str, ...]) -> list[Target]:
    """The branch-wide targets and those of ``roles``, one per address (a robot two roles share gets one message,
    naming both roles)."""
    found: dict[tuple, Target] = {}

    def add(target: Target, role: str | None) -> None:
        key = (target.channel, target.address, target.emails)
        known = found.get(key)
        if known is None:
            found[key] = target
        elif role is not None and known.roles:
            found[key] = Target(known.channel, known.address, known.fmt, known.emails, (*known.roles, role))

    if settings.webhook_url:
        add(Target("webhook", settings.webhook_url, settings.webhook_format), None)
    if settings.email_to and settings.smtp_host:
        add(Target("email", emails=tuple(settings.email_to)), None)
    for role in roles:
        route = routes.by_role.get(role)
        if route is None:
            continue
        if route.webhook_url:
            add(Target("webhook", route.webhook_url, route.webhook_format, roles=(role,)), role)
        if route.email_to and settings.smtp_host:
            add(Target("email", emails=tuple(sorted(route.email_to)), roles=(role,)), role)
    return list(found.values())


def send_to(target: Target, event: str, alert: AlertRecord, branch: str, settings,
            password: Callable[[], str] | None, subject: str | None = None) -> None:
    """One message about ``alert`` to ``target`` (a chat robot or e-mail addresses), tried once; DeliveryError
    says why it did not go. ``subject``: the e-mail's (default: level and message, a drill marked)."""
    if target.channel == "webhook":
        post_webhook(target.address, webhook_body(target.fmt, event, alert, branch), target.fmt)
        return
    if subject is None:
        drill = "[DRILL] " if is_drill(alert.rule) else ""
        subject = f"{drill}[{alert.severity.value.upper()}] {alert.message}"
    send_mail(settings, subject, text_of(event, alert, branch), password, target.emails)


def configured(settings) -> bool:
    """Whether anything is to be delivered off this PC (a notifier is worth starting)."""
    routes = settings.route_table()
    return bool(settings.webhook_url or (settings.email_to and settings.smtp_host)
                or any(routes[r].webhook_url or (routes[r].email_to and settings.smtp_host)
                       for r in routes.by_role))


@dataclass(order=True)
class _Job:
    due: float
    seq: int
    target: Target = field(compare=False)
    event: str = field(compare=False)
    alert: AlertRecord = field(compare=False)
    attempts: int = field(default=0, compare=False)
    delivery_id: int | None = field(default=None, compare=False)


class Notifier:
    """``submit(change, record, kind)`` and ``submit_incident(record, roles)`` from any thread; ``start``/``stop``
    once. ``store`` stores a task and waits; ``password`` reads the SMTP password (``smtp_password(secret
    store)``)."""

    def __init__(self, settings, store, branch: str = "", password: Callable[[], str] | None = None) -> None:
        self.settings = settings
        self.routes = settings.route_table()
        self._password = password
        self._store = store
        self.branch = branch
        self._heap: list[_Job] = []
        self._seq = itertools.count()
        self._cv = threading.Condition()
        self._stop = False
        self._sending = False
        self._thread = threading.Thread(target=self._run, name="alert-delivery", daemon=True)
        self.sent = 0
        self.failed = 0
        #: (channel, event, "sent" | error, target as shown) of each attempt, for the command line and tests
        self.log: list[tuple[str, str, str, str]] = []

    def targets(self, kind: str | None, severity, roles: tuple[str, ...] | None = None) -> list[Target]:
        """Where an alert of rule ``kind`` and ``severity`` goes; ``roles`` given (an incident's plan): those."""
        if roles is None:
            roles = self.routes.roles_for(kind, severity) if kind is not None else ()
        return targets_of(self.settings, self.routes, roles)

    def start(self) -> None:
        self._thread.start()

    def update(self, settings) -> None:
        """New settings for the messages queued from now on (those waiting to be retried keep their target)."""
        with self._cv:
            self.settings = settings
            self.routes = settings.route_table()

    def stop(self, timeout_s: float = 5.0) -> None:
        with self._cv:
            self._stop = True
            self._cv.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout_s)

    def submit(self, change: AlertChange, record: AlertRecord, kind: str | None = None) -> None:
        """A rule alert's change; ``kind``: its rule's kind (default: the rule id's first part)."""
        self._queue(change.kind.value, record, self.targets(kind or record.rule.split(".")[0], record.severity))

    def submit_incident(self, record: AlertRecord, roles: tuple[str, ...]) -> list[Target]:
        """An incident (or drill) just reported, to the branch-wide targets and those of ``roles`` (its plan's);
        returns the targets."""
        targets = self.targets(None, record.severity, tuple(roles))
        self._queue("raised", record, targets)
        return targets

    def _queue(self, event: str, record: AlertRecord, targets: list[Target]) -> None:
        with self._cv:
            for target in targets:
                heapq.heappush(self._heap, _Job(time.monotonic(), next(self._seq), target, event, record))
            self._cv.notify_all()

    def idle(self) -> bool:
        with self._cv:
            return not self._heap and not self._sending

    def drain(self, timeout_s: float) -> bool:
        """Wait until every queued message was sent or given up (True), or ``timeout_s`` passed (False)."""
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            if self.idle():
                return True
            time.sleep(0.05)
        return self.idle()

    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._stop and (not self._heap or self._heap[0].due > time.monotonic()):
                    wait = None if not self._heap else max(0.0, self._heap[0].due - time.monotonic())
                    self._cv.wait(wait)
                if self._stop:
                    return
                job = heapq.heappop(self._heap)
                self._sending = True
            try:
                self._attempt(job)
            finally:
                self._sending = False

    def _attempt(self, job: _Job) -> None:
        job.attempts += 1
        error = None
        try:
            send_to(job.target, job.event, job.alert, self.branch, self.settings, self._password)
        except DeliveryError as exc:
            error = str(exc)
        except Exception as exc:  # never let a delivery bug kill the thread
            error = f"{type(exc).__name__}: {exc}"
        last = error is None or job.attempts > self.settings.retries
        state = "sent" if error is None else ("failed" if last else "pending")
        if job.alert.alert_id is not None:  # stored first: whoever sees the counters below finds the row
            task = RecordDelivery(job.alert.alert_id, job.target.channel, job.target.shown(), job.event, state,
                                  job.attempts, error, datetime.now(UTC), delivery_id=job.delivery_id)
            try:
                self._store(task)
                job.delivery_id = task.stored_id[0] if task.stored_id else job.delivery_id
            except Exception as exc:
                log.error("delivery state not stored: %s", exc)
        self.log.append((job.target.channel, job.event, "sent" if error is None else error, job.target.shown()))
        if error is None:
            self.sent += 1
        elif last:
            self.failed += 1
            log.warning("alert %s delivery by %s failed after %d attempts: %s", job.alert.alert_id, job.target.channel,
                        job.attempts, error)
        if not last:
            job.due = time.monotonic() + self.settings.retry_after_s * 2 ** (job.attempts - 1)
            with self._cv:
                heapq.heappush(self._heap, job)
                self._cv.notify_all()


def send_test(settings, password: str | None, at: datetime,
              stored_password: Callable[[], str] | None = None) -> list[tuple[str, str]]:
    """One test message to every target of ``settings`` (the branch-wide ones and every role's), each tried once;
    ``password``: the SMTP password typed (None: ``stored_password`` reads the stored one). Returns (target as
    shown, "sent" or why not) per target. Nothing is stored."""
    from console.domain.alert_routing import ROUTED_ROLES
    from console.domain.vocabulary import AlertSeverity, AlertState

    record = AlertRecord(None, "test", AlertSeverity.INFO, AlertState.RAISED, "test",
                         "Test message from the Branch Lobby Console: alert delivery works.", at)
    read = (lambda: password) if password is not None else stored_password
    results = []
    for target in targets_of(settings, settings.route_table(), ROUTED_ROLES):
        try:
            send_to(target, "test", record, "", settings, read, subject=f"[TEST] {record.message}")
        except DeliveryError as exc:
            results.append((target.shown(), str(exc)))
        except Exception as exc:  # a broken server must not leave the dialog waiting
            results.append((target.shown(), f"{type(exc).__name__}: {exc}"))
        else:
            results.append((target.shown(), "sent"))
    return results
