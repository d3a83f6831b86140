"""An alert in words (``describe``): what, about whom or what, the worst figure and the threshold — the same
sentence in the banner, the Alerts panel and the acknowledge dialog."""

from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication

from console.domain.alert_measures import CameraFigure, camera_figures, staffing_shortfalls, waiting_tickets
from console.domain.incidents import incident_type_of, is_drill
from console.domain.records import AlertRecord
from console.domain.vocabulary import ServiceType
from widgets import labels


def _is_service(value: str) -> bool:
    return value in {t.value for t in ServiceType}


def _service(value: str) -> str:
    try:
        return labels.service_type(ServiceType(value))
    except ValueError:
        return value


def _figure(f: CameraFigure) -> str:
    """One camera's part of a crowding figure: "Entrance 20 ± 2", or what makes it unsure."""
    if not f.band:
        return QCoreApplication.translate("AlertWords", "%1 %2 (uncalibrated, may count low)").replace(
            "%1", f.name).replace("%2", str(f.count))
    words = QCoreApplication.translate("AlertWords", "%1 %2 ± %3").replace("%1", f.name).replace(
        "%2", str(f.count)).replace("%3", str(f.band))
    if f.stale:
        words += " " + QCoreApplication.translate("AlertWords", "(calibration may be stale)")
    return words


def _over(detail: str, threshold: float) -> str:
    """The tickets of a waiting detail over ``threshold`` minutes: "A012 32 min, A015 18 min" ("—" for none)."""
    named, more = waiting_tickets(detail)
    over = [(n, m) for n, m in named if m >= threshold]
    minutes = QCoreApplication.translate("AlertWords", "%1 min")
    listed = ", ".join(f"{n} {minutes.replace('%1', str(m))}" for n, m in over)
    if more and len(over) == len(named):  # the detail names the longest waits: those left out may be over too
        listed += " " + QCoreApplication.translate("AlertWords", "and others")
    return listed or "—"


def duration(seconds: float) -> str:
    """A time in the largest sensible unit: "45 s", "12 min", "1 h 5 min"."""
    if seconds < 60:
        return QCoreApplication.translate("AlertWords", "%1 s").replace("%1", f"{seconds:.0f}")
    minutes = int(seconds // 60)
    if minutes < 60:
        return QCoreApplication.translate("AlertWords", "%1 min").replace("%1", str(minutes))
    return QCoreApplication.translate("AlertWords", "%1 h %2 min").replace("%1", str(minutes // 60)).replace(
        "%2", str(minutes % 60))


def describe(alert: AlertRecord, kind: str | None = None) -> str:
    """An alert in words: what, about whom or what, the worst figure and the threshold."""
    incident = incident_type_of(alert.rule)
    if incident is not None:
        head = QCoreApplication.translate("AlertWords", "Drill") if is_drill(alert.rule) else \
            QCoreApplication.translate("AlertWords", "Incident")
        text = QCoreApplication.translate("AlertWords", "%1: %2").replace("%1", head).replace(
            "%2", labels.incident_type(incident))
        return f"{text} — {alert.detail}" if alert.detail else text
    kind = kind or alert.rule.split(".")[0]
    v = alert.value if alert.value is not None else 0.0
    t = alert.threshold if alert.threshold is not None else 0.0
    subject = alert.subject
    if kind == "crowding":
        where = QCoreApplication.translate("AlertWords", "Lobby") if subject == "lobby" else labels.zone_name(subject)
        ratio, figures = camera_figures(alert.detail or "?")
        text = QCoreApplication.translate(
            "AlertWords", "%1 crowded: %2% of capacity (%3), threshold %4%").replace("%1", where) \
            .replace("%2", f"{v:.0f}").replace("%3", ratio).replace("%4", f"{t:.0f}")
        if figures:
            text += " — " + QCoreApplication.translate("AlertWords", "counted by: %1").replace(
                "%1", ", ".join(_figure(f) for f in figures))
    elif kind == "priority_wait":
        text = QCoreApplication.translate(
            "AlertWords", "Priority customers: longest wait %1 min, threshold %2 min — waiting over %2 min: %3") \
            .replace("%1", f"{v:.0f}").replace("%2", f"{t:.0f}").replace("%3", _over(alert.detail, t))
    elif kind == "long_wait" and _is_service(subject):  # one alert per queue
        text = QCoreApplication.translate(
            "AlertWords", "%1 queue: longest wait %2 min, threshold %3 min — waiting over %3 min: %4") \
            .replace("%1", _service(subject)).replace("%2", f"{v:.0f}").replace("%3", f"{t:.0f}") \
            .replace("%4", _over(alert.detail, t))
    elif kind == "long_wait":  # stored before long waits were grouped per queue: one ticket
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
    elif kind == "low_rating":
        text = QCoreApplication.translate(
            "AlertWords", "%1: customers rate today's service %2 of 5 on average, below %3 (%4)") \
            .replace("%1", labels.counter_name(subject)).replace("%2", f"{v:.1f}").replace("%3", f"{t:g}") \
            .replace("%4", _rating_detail(alert.detail))
    elif kind == "staffing" and subject == "branch":
        short = round(v)
        types = ", ".join(f"{_service(t)} {n}" for t, n in staffing_shortfalls(alert.detail))
        text = (QCoreApplication.translate("AlertWords", "Staffing: one counter short of what the queues need")
                if short == 1 else
                QCoreApplication.translate("AlertWords", "Staffing: %1 counters short of what the queues need")
                .replace("%1", str(short)))
        if types:
            text += " — " + types
    elif kind == "staffing":  # stored before staffing was one alert for the branch: one service type
        short = round(v)
        text = (QCoreApplication.translate("AlertWords", "%1: one counter short of what the queue needs")
                if short == 1 else
                QCoreApplication.translate("AlertWords", "%1: %2 counters short of what the queue needs")) \
            .replace("%1", _service(subject)).replace("%2", str(short))
    elif kind == "camera_offline":
        text = QCoreApplication.translate("AlertWords", "Camera %1 offline for %2").replace(
            "%1", alert.detail or subject).replace("%2", duration(v))
    elif kind == "not_logged_in":
        where = labels.counter_name(alert.detail) if alert.detail else "?"
        text = QCoreApplication.translate(
            "AlertWords", "%1 not logged in at %2, %3 min after the shift start").replace(
            "%1", labels.person(subject)).replace("%2", where).replace("%3", f"{v:.0f}")
    else:
        text = alert.message
    return text


def _rating_detail(detail: str) -> str:
    """A low-rating alert's detail ("12 rated, 3 scored 1 or 2") in the interface language."""
    found = re.fullmatch(r"(\d+) rated, (\d+) scored 1 or 2", detail or "")
    if found is None:
        return detail or ""
    return QCoreApplication.translate("AlertWords", "%1 rated, %2 scored 1 or 2").replace("%1", found[1]) \
        .replace("%2", found[2])
