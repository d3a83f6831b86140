"""The rules editor offers, for each kind of rule, exactly the subjects it measures, by name, and stores the
subject's id; a branch-wide figure cannot be narrowed; the rules table shows scopes by name."""

from __future__ import annotations

from datetime import datetime

import pytest

from console.app.i18n import Translations
from console.domain.alert_engine import SCOPES, Level, RuleKind, RuleSpec, ScopeKind
from console.domain.vocabulary import AlertSeverity
from widgets.dialogs.alert_rules_editor import AlertRulesDialog, RuleDialog

pytestmark = pytest.mark.gui

OPTIONS = {
    ScopeKind.PLACE: [("lobby", "Lobby"), ("Waiting area", "Waiting area")],
    ScopeKind.SERVICE_TYPE: [("cash", "Cash"), ("non_cash", "Non-cash")],
    ScopeKind.COUNTER: [("1", "1号窗口"), ("2", "贵宾窗口")],
    ScopeKind.CAMERA: [("C1", "大厅 Hall")],
    ScopeKind.STAFF: [("E1008", "黄强 (E1008)")],
}


def test_each_kind_offers_its_own_subjects_and_stores_the_id(qapp) -> None:
    Translations().install("en")
    dialog = RuleDialog(None, OPTIONS, set())
    for kind, scope_kind in SCOPES.items():
        dialog.kind.setCurrentIndex(dialog.kind.findData(kind.value))
        shown = [(dialog.scope.itemData(i), dialog.scope.itemText(i)) for i in range(dialog.scope.count())]
        if scope_kind is None:
            assert shown == [("", "the whole branch")] and not dialog.scope.isEnabled()
            continue
        assert dialog.scope.isEnabled() and shown == [("", "all"), *OPTIONS[scope_kind]]
        value, _ = OPTIONS[scope_kind][-1]
        dialog.scope.setCurrentIndex(dialog.scope.findData(value))
        assert dialog.build().scope == value
    dialog.deleteLater()


def test_a_stored_scope_is_kept_and_shown_by_name(qapp) -> None:
    Translations().install("en")
    rule = RuleSpec("vip-counter", RuleKind.IDLE_COUNTER, (Level(AlertSeverity.WARNING, 10, 10),), scope="2")
    dialog = RuleDialog(rule, OPTIONS, set())
    assert dialog.scope.currentText() == "贵宾窗口" and dialog.build().scope == "2"
    gone = RuleSpec("old-camera", RuleKind.CAMERA_OFFLINE, (Level(AlertSeverity.WARNING, 60, 60),), scope="C9")
    kept = RuleDialog(gone, OPTIONS, set())
    assert kept.build().scope == "C9"  # a camera removed since: the rule keeps its scope until changed
    table = AlertRulesDialog([rule, gone], OPTIONS, lambda rules: None, lambda: datetime(2026, 12, 2, 10))
    assert table.table.item(0, 2).text() == "贵宾窗口" and table.table.item(1, 2).text() == "C9"
    for d in (dialog, kept, table):
        d.deleteLater()
