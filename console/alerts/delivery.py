"""Delivery of alerts to a chat robot webhook (WeCom 企业微信 / DingTalk 钉钉 robot JSON, or a generic JSON body) and
by e-mail (SMTP), on one background thread.

Each alert change (raised, escalated, resolved) becomes one message per configured channel. A message is tried at
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
    return (f"[{alert.severity.value.upper()}] {state} — branch {branch}: {alert.message}\n"
            f"raised {alert.raised_at.isoformat(timespec='seconds')}")


def webhook_body(fmt: str, event: str, alert: AlertRecord, branch: str) -> dict:
    if fmt in ("wecom", "dingtalk"):
        return {"msgtype": "text", "text": {"content": text_of(event, alert, branch)}}
    return {"event": event, "branch": branch, "alert": {
        "id": alert.alert_id, "rule": alert.rule, "severity": alert.severity.value, "subject": alert.subject,
        "value": alert.value, "threshold": alert.threshold, "state": alert.state.value, "message": alert.message,
        "raised_at": alert.raised_at.isoformat(), "resolved_at": alert.resolved_at.isoformat()
        if alert.resolved_at else None}}


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


def smtp_send(settings, message: EmailMessage, password: Callable[[], str] | None = None) -> None:
    """Send a prepared message through the configured SMTP server (STARTTLS and login when set); DeliveryError
    names the server and the reason, never the password. ``password``: reads it (``smtp_password``)."""
    message["From"] = settings.smtp_from or settings.smtp_user or "branch-console@localhost"
    message["To"] = ", ".join(settings.email_to)
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


def send_mail(settings, subject: str, text: str, password: Callable[[], str] | None = None) -> None:
    message = EmailMessage()
    message["Subject"] = subject
    message.set_content(text)
    smtp_send(settings, message, password)


@dataclass(order=True)
class _Job:
    due: float
    seq: int
    channel: str = field(compare=False)
    event: str = field(compare=False)
    alert: AlertRecord = field(compare=False)
    attempts: int = field(default=0, compare=False)
    delivery_id: int | None = field(default=None, compare=False)


class Notifier:
    """``submit(change, record)`` from any thread; ``start``/``stop`` once. ``store`` stores a task and waits;
    ``password`` reads the SMTP password (``smtp_password(secret store)``)."""

    def __init__(self, settings, store, branch: str = "", password: Callable[[], str] | None = None) -> None:
        self.settings = settings
        self._password = password
        self._store = store
        self.branch = branch
        self._heap: list[_Job] = []
        self._seq = itertools.count()
        self._cv = threading.Condition()
        self._stop = False
        self._thread = threading.Thread(target=self._run, name="alert-delivery", daemon=True)
        self.sent = 0
        self.failed = 0
        self.log: list[tuple[str, str, str]] = []  # (channel, event, "sent" | error) for tests and the status

    def channels(self) -> list[str]:
        found = []
        if self.settings.webhook_url:
            found.append("webhook")
        if self.settings.email_to and self.settings.smtp_host:
            found.append("email")
        return found

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        with self._cv:
            self._stop = True
            self._cv.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout_s)

    def submit(self, change: AlertChange, record: AlertRecord) -> None:
        event = change.kind.value
        with self._cv:
            for channel in self.channels():
                heapq.heappush(self._heap, _Job(time.monotonic(), next(self._seq), channel, event, record))
            self._cv.notify_all()

    def idle(self) -> bool:
        with self._cv:
            return not self._heap

    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._stop and (not self._heap or self._heap[0].due > time.monotonic()):
                    wait = None if not self._heap else max(0.0, self._heap[0].due - time.monotonic())
                    self._cv.wait(wait)
                if self._stop:
                    return
                job = heapq.heappop(self._heap)
            self._attempt(job)

    def _target(self, channel: str) -> str:
        return mask_url(self.settings.webhook_url) if channel == "webhook" else ", ".join(self.settings.email_to)

    def _attempt(self, job: _Job) -> None:
        job.attempts += 1
        error = None
        try:
            if job.channel == "webhook":
                post_webhook(self.settings.webhook_url,
                             webhook_body(self.settings.webhook_format, job.event, job.alert, self.branch),
                             self.settings.webhook_format)
            else:
                send_mail(self.settings, f"[{job.alert.severity.value.upper()}] {job.alert.message}",
                          text_of(job.event, job.alert, self.branch), self._password)
        except DeliveryError as exc:
            error = str(exc)
        except Exception as exc:  # never let a delivery bug kill the thread
            error = f"{type(exc).__name__}: {exc}"
        last = error is None or job.attempts > self.settings.retries
        state = "sent" if error is None else ("failed" if last else "pending")
        if job.alert.alert_id is not None:  # stored first: whoever sees the counters below finds the row
            task = RecordDelivery(job.alert.alert_id, job.channel, self._target(job.channel), job.event, state,
                                  job.attempts, error, datetime.now(UTC), delivery_id=job.delivery_id)
            try:
                self._store(task)
                job.delivery_id = task.stored_id[0] if task.stored_id else job.delivery_id
            except Exception as exc:
                log.error("delivery state not stored: %s", exc)
        self.log.append((job.channel, job.event, "sent" if error is None else error))
        if error is None:
            self.sent += 1
        elif last:
            self.failed += 1
            log.warning("alert %s delivery by %s failed after %d attempts: %s", job.alert.alert_id, job.channel,
                        job.attempts, error)
        if not last:
            job.due = time.monotonic() + self.settings.retry_after_s * 2 ** (job.attempts - 1)
            with self._cv:
                heapq.heappush(self._heap, job)
                self._cv.notify_all()
