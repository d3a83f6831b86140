"""A branch's alert rules as stored (no Qt: the window's alert service and ``alerts check`` both read them)."""

from __future__ import annotations

import logging
from pathlib import Path

from console.domain.alert_engine import RuleError, RuleSpec, default_rules, rule_from_dict
from storage import repository
from storage.database import Database

log = logging.getLogger(__name__)


def load_rules(db: Database, code: str) -> list[RuleSpec]:
    """The branch's stored rules, or the defaults when none are stored; a stored rule that no longer validates is
    skipped with a log line (the others still work)."""
    stored = repository.load_alert_rules(db, code)
    if not stored:
        return default_rules()
    rules = []
    for data in stored:
        try:
            rules.append(rule_from_dict(data))
        except RuleError as exc:
            log.error("alert rule not loaded: %s", exc)
    return rules


ALERT_COLUMNS = ("alert_id", "raised_at", "severity", "rule", "subject", "value", "threshold", "detail", "state",
                 "escalated", "acknowledged_by", "acknowledged_at", "note", "resolved_at", "resolved_by")


def alert_rows(alerts, tz) -> list[list[object]]:
    def t(at):
        return at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S") if at is not None else ""

    return [[a.alert_id, t(a.raised_at), a.severity.value, a.rule, a.subject,
             "" if a.value is None else round(a.value, 2), "" if a.threshold is None else a.threshold, a.detail,
             a.state.value, "yes" if a.escalated else "", a.acknowledged_by or "", t(a.acknowledged_at),
             a.note or "", t(a.resolved_at), a.resolved_by or ""] for a in alerts]


def write_alerts(path: Path, alerts, tz) -> None:
    """CSV (UTF-8 with BOM) or .xlsx, written whole or not at all (ExportError names the problem)."""
    from console.reports.export import write_table

    write_table(path, "Alerts", ALERT_COLUMNS, alert_rows(alerts, tz))
