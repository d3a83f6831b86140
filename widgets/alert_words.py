"""An alert in words (``describe``): what, about whom or what, the worst figure and the threshold — the same
sentence in the banner, the Alerts panel and the acknowledge dialog."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from console.domain.records import AlertRecord
from console.domain.vocabulary import ServiceType
from widgets import labels


def _service(value: str) -> str:
    try:
        return labels.service_type(ServiceType(value))
    except ValueError:
        return value


def describe(alert: AlertRecord, kind: str | None = None) -> str:
    """An alert in words: what, about whom or what, the worst figure and the threshold."""
    kind = kind or alert.rule.split(".")[0]
    v = alert.value if alert.value is not None else 0.0
    t = alert.threshold if alert.threshold is not None else 0.0
    subject = alert.subject
    if kind == "crowding":
        where = QCoreApplication.translate("AlertWords", "Lobby") if subject == "lobby" else subject
        text = QCoreApplication.translate(
            "AlertWords", "%1 crowded: %2% of capacity (%3), threshold %4%").replace("%1", where) \
            .replace("%2", f"{v:.0f}").replace("%3", alert.detail or "?").replace("%4", f"{t:.0f}")
    elif kind == "long_wait":
        text = QCoreApplication.translate(
            "AlertWords", "Ticket %1 (%2) waiting %3 min, threshold %4 min").replace("%1", subject) \
            .replace("%2", _service(alert.detail) if alert.detail else "?").replace("%3", f"{v:.0f}") \
            .replace("%4", f"{t:.0f}")
    elif kind == "queue":
        text = QCoreApplication.translate(
            "AlertWords", "%1: %2 tickets waiting per open counter, threshold %3").replace("%1", _service(subject)) \
            .replace("%2", f"{v:.1f}").replace("%3", f"{t:g}")
    elif kind == "service_level":
        text = QCoreApplication.translate(
            "AlertWords", "Service level %1% over the last hour, below %2%").replace("%1", f"{v:.0f}") \
            .replace("%2", f"{t:.0f}")
    elif kind == "idle_counter":
        text = QCoreApplication.translate(
            "AlertWords", "%1 idle %2 min while customers wait").replace("%1", labels.counter_name(subject)) \
            .replace("%2", f"{v:.0f}")
    elif kind == "staffing":
        text = QCoreApplication.translate(
            "AlertWords", "%1: %2 counters short of what the queue needs").replace("%1", _service(subject)) \
            .replace("%2", f"{v:.0f}")
    elif kind == "camera_offline":
        text = QCoreApplication.translate(
            "AlertWords", "Camera %1 offline for %2 s").replace("%1", subject).replace("%2", f"{v:.0f}")
    elif kind == "not_logged_in":
        text = QCoreApplication.translate(
            "AlertWords", "%1 not logged in %2 min after the shift start").replace("%1", subject).replace("%2", f"{v:.0f}")
    else:
        text = alert.message
    return text
