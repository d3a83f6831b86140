"""The alert rules editor: a rule with its clear threshold on the wrong side, a negative time or no weekday is
refused in its dialog with the reason; a valid set is stored (audited) and used by the running engine at once."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from console.domain.alert_engine import Direction, RuleKind
from console.domain.vocabulary import AlertSeverity
from storage import repository
from tests.gui.dialogs import answer_dialog
from widgets.dialogs.alert_rules_editor import AlertRulesDialog, RuleDialog

pytestmark = pytest.mark.gui


def test_rules_editor_refuses_bad_rules_and_stores_good_ones(qtbot, qapp, isolated_data_dir) -> None:
    from console.app.main_window import MainWindow
    from console.domain.alert_engine import default_rules
    from tests.gui.test_alerts_window import start_demo

    context, env = start_demo(isolated_data_dir, default_rules())
    try:
        window = MainWindow(context)
        qtbot.addWidget(window)
        qtbot.waitUntil(lambda: context.controller.latest is not None, timeout=20_000)
        context.runner.pause()
        seen: dict = {}

        def fill(rule: RuleDialog) -> None:
            rule.name.setText("waiting-area")
            rule.kind.setCurrentIndex(rule.kind.findData("crowding"))
            rule.scope.setCurrentIndex(rule.scope.findData("waiting"))
            seen["zone words"] = rule.scope.currentText()  # the demo's zone code reads as its kind's words
            on, raise_box, clear_box = rule.levels[AlertSeverity.WARNING]
            on.setChecked(True)
            raise_box.setValue(70)
            clear_box.setValue(90)
            rule.accept()
            seen["wrong_side"] = rule.error.text()
            clear_box.setValue(65)
            rule.sustain.setValue(-10)
            rule.accept()
            seen["negative"] = rule.error.text()
            rule.sustain.setValue(30)
            for box in rule.weekdays:
                box.setChecked(False)
            rule.accept()
            seen["weekdays"] = rule.error.text()
            for box in rule.weekdays[:5]:
                box.setChecked(True)
            rule.active_from.setTime(rule.active_from.time().fromString("09:00", "HH:mm"))
            rule.active_to.setTime(rule.active_to.time().fromString("17:00", "HH:mm"))
            rule.accept()

        def editor(dialog: AlertRulesDialog) -> None:
            seen["rows"] = dialog.table.rowCount()
            answer_dialog(RuleDialog, fill, seen)
            dialog.buttons["add"].click()
            dialog.table.selectRow(next(i for i, r in enumerate(dialog.rules) if r.rule_id == "queue"))
            dialog.buttons["remove"].click()
            dialog.accept()

        answer_dialog(AlertRulesDialog, editor, seen)
        window.alerts.rules_button.click()
        assert "error" not in seen, seen
        assert seen["rows"] == len(default_rules())
        assert "clear threshold 90 must not be above its raise threshold 70" in seen["wrong_side"]
        assert "sustain time must not be negative" in seen["negative"]
        assert "at least one weekday" in seen["weekdays"]
        stored = {r["rule_id"]: r for r in repository.load_alert_rules(env.db, "DEMO")}
        assert "queue" not in stored and "waiting-area" in stored
        new = stored["waiting-area"]
        assert seen["zone words"] == "Waiting area"
        assert new["scope"] == "waiting" and new["levels"] == [{"severity": "warning", "raise": 70.0, "clear": 65.0}]
        assert new["weekdays"] == [0, 1, 2, 3, 4] and new["active_from"] == "09:00" and new["sustain_s"] == 30
        engine_rules = context.alerts.engine.rules
        assert "queue" not in engine_rules and engine_rules["waiting-area"].kind is RuleKind.CROWDING
        assert engine_rules["waiting-area"].active_to == time(17, 0, 59)
        assert engine_rules["service_level"].direction is Direction.BELOW
        audit = repository.load_audit(env.db, since=datetime(2000, 1, 1, tzinfo=UTC))
        assert audit[-1].action == "alert_rules.save" and len(audit[-1].after["rules"]) == len(default_rules())
    finally:
        context.stop()
        env.close()
