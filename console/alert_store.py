"""A branch's alert rules as stored (no Qt: the window's alert service and ``alerts check`` both read them)."""

from __future__ import annotations

import logging

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
