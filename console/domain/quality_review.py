"""The quarterly service-quality review's figures that are not the period report's: the period's alerts counted by
rule and level, and how the incidents and drills were handled.

Decisions:
- alerts count by rule kind (``long_wait``, ``crowding``… — the part of the rule before a ":" scope) and severity,
  drills left out (they are listed with the incidents, never among the real alerts, as in the day report); for
  each: how many were raised, how many were acknowledged, the median minutes to acknowledge them and how many were
  escalated (not acknowledged in time);
- incidents and drills apart: how many, closed, the median minutes from the report to its first response and to
  its closing.
Plain functions over plain records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

from console.domain.incidents import Incident, is_drill
from console.domain.records import AlertRecord


@dataclass(frozen=True, slots=True)
class RuleCount:
    rule: str  # the rule kind
    severity: str
    raised: int
    acknowledged: int
    median_ack_min: float | None
    escalated: int


def rule_kind(rule: str) -> str:
    return rule.split(":", 1)[0]


def alerts_by_rule(alerts: Sequence[AlertRecord]) -> list[RuleCount]:
    """Real alerts (drills left out) counted by rule kind and severity, in the order of rule kind then severity."""
    groups: dict[tuple[str, str], list[AlertRecord]] = {}
    for a in alerts:
        if is_drill(a.rule):
            continue
        groups.setdefault((rule_kind(a.rule), a.severity.value), []).append(a)
    rows = []
    for (rule, severity), found in sorted(groups.items()):
        acked = [(a.acknowledged_at - a.raised_at).total_seconds() / 60 for a in found
                 if a.acknowledged_at is not None]
        rows.append(RuleCount(rule, severity, len(found), len(acked), median(acked) if acked else None,
                              sum(a.escalated for a in found)))
    return rows


@dataclass(frozen=True, slots=True)
class IncidentCount:
    drill: bool
    reported: int
    closed: int
    median_response_min: float | None  # report → first acknowledgement
    median_close_min: float | None  # report → closing


def incidents_summary(incidents: Sequence[Incident]) -> list[IncidentCount]:
    """Real incidents, then drills (a row only for those that happened)."""
    rows = []
    for drill in (False, True):
        found = [i for i in incidents if i.drill is drill]
        if not found:
            continue
        answered = [m for m in (i.response_minutes()[0] for i in found) if m is not None]
        closed = [m for m in (i.response_minutes()[2] for i in found) if m is not None]
        rows.append(IncidentCount(drill, len(found), len(closed), median(answered) if answered else None,
                                  median(closed) if closed else None))
    return rows
