"""The review's alerts by rule and level (drills left out) and its incidents and drills, against counts made by
hand."""

from __future__ import annotations

from datetime import datetime, timedelta

from console.domain.incidents import Incident, IncidentStep, IncidentType
from console.domain.quality_review import alerts_by_rule, incidents_summary
from console.domain.records import AlertRecord
from console.domain.vocabulary import AlertSeverity, AlertState
from tests.domain.test_period_report import TZ

T0 = datetime(2026, 9, 1, 10, 0, tzinfo=TZ)


def alert(rule: str, severity: AlertSeverity, ack_min: float | None, escalated: bool = False) -> AlertRecord:
    return AlertRecord(None, rule, severity, AlertState.RESOLVED, "s", "m", T0,
                       acknowledged_at=None if ack_min is None else T0 + timedelta(minutes=ack_min),
                       escalated=escalated)


def test_alerts_by_rule_and_level_without_drills() -> None:
    rows = alerts_by_rule([alert("long_wait", AlertSeverity.WARNING, 2), alert("long_wait", AlertSeverity.WARNING, 6),
                           alert("long_wait", AlertSeverity.WARNING, None, escalated=True),
                           alert("crowding:waiting", AlertSeverity.CRITICAL, 1),
                           alert("drill.fire", AlertSeverity.CRITICAL, 1)])
    assert [(r.rule, r.severity, r.raised, r.acknowledged, r.median_ack_min, r.escalated) for r in rows] == [
        ("crowding", "critical", 1, 1, 1.0, 0), ("long_wait", "warning", 3, 2, 4.0, 1)]


def incident(drill: bool, step_min: float | None, close_min: float | None) -> Incident:
    steps = (IncidentStep(1, "call", None if step_min is None else T0 + timedelta(minutes=step_min), "u"),)
    return Incident(1, IncidentType.FIRE, T0, "u", "", drill, steps,
                    closed_at=None if close_min is None else T0 + timedelta(minutes=close_min), closed_by="u",
                    acknowledged_at=None if step_min is None else T0 + timedelta(minutes=step_min))


def test_incidents_then_drills() -> None:
    rows = incidents_summary([incident(True, 1, 10), incident(False, 2, None), incident(False, 4, 30),
                              incident(True, 3, 20)])
    assert [(r.drill, r.reported, r.closed, r.median_response_min, r.median_close_min) for r in rows] == [
        (False, 2, 1, 3.0, 30.0), (True, 2, 2, 2.0, 15.0)]
