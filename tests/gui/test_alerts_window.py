"""Alerts in the window on the demo branch: the simulator's lunch peak crowds the lobby past the branch's crowding
rule, the banner appears, the manager acknowledges it with the emergency-plan checklist and a note, and the alert
is stored acknowledged with an audit entry; open alerts come back after a restart."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from console.app.application import make_application
from console.app.context import AppContext, SourceOptions
from console.app.i18n import Translations
from console.app.main_window import MainWindow
from console.domain.alert_engine import Level, RuleKind, RuleSpec, rule_to_dict
from console.domain.vocabulary import AlertSeverity, AlertState
from console.sources.demo_day import DemoDay
from storage import repository
from storage.tasks import SaveAlertRules
from storage.writer import apply_now
from tests.gui.conftest import make_env
from tests.gui.dialogs import answer_dialog
from widgets.dialogs.acknowledge_dialog import AcknowledgeDialog

pytestmark = pytest.mark.gui

#: The demo lobby (capacity 60) holds 10–20 people at the lunch peak: this branch's crowding rule is set low so
#: the peak crosses it (a branch edits its rules per zone in the rules editor; here they are stored directly).
LOW_CROWDING = RuleSpec("crowding", RuleKind.CROWDING, (Level(AlertSeverity.WARNING, 15, 12),
                                                         Level(AlertSeverity.CRITICAL, 60, 55)),
                        scope="lobby", sustain_s=60, clear_sustain_s=60, cooldown_s=300)


def start_demo(data_dir, rules) -> tuple[AppContext, object]:
    make_application()
    Translations().install("en")
    env = make_env(data_dir)
    demo = DemoDay(date(2026, 11, 27), 4)
    apply_now(env.db, demo.setup_task())
    apply_now(env.db, SaveAlertRules("DEMO", tuple(rule_to_dict(r) for r in rules), "tester", datetime.now(UTC)))
    context = AppContext(env, SourceOptions(force_demo=True, speed=600.0, seed=4, sim_date=date(2026, 11, 27),
                                            sim_start=time(11, 10)))
    context.start()
    return context, env


def crowding_alert_while_paused(qtbot, context: AppContext, env, window: MainWindow):
    """The stored crowding alert the banner shows, with the demo paused and its last state evaluated. At 600× the
    lobby can empty in the moment between the banner and the pause (60 s of clear sustain is 0.1 s): then the demo
    runs on to the next crowding alert."""
    for _ in range(5):
        qtbot.waitUntil(lambda: window.banner.alert is not None and window.banner.alert.rule == "crowding",
                        timeout=60_000)
        context.runner.pause()
        evaluated = context.alerts.evaluations
        qtbot.waitUntil(lambda: context.alerts.evaluations > evaluated, timeout=15_000)  # the paused state
        qtbot.wait(100)  # its update reaches the banner
        shown = window.banner.alert
        if shown is not None and shown.rule == "crowding":
            found = [a for a in repository.load_open_alerts(env.db, "DEMO") if a.alert_id == shown.alert_id]
            if found:
                return found[0]
        context.runner.resume()
    pytest.fail("no crowding alert stayed open while the demo was paused")


def test_crowding_banner_and_acknowledgement(qtbot, qapp, isolated_data_dir) -> None:
    context, env = start_demo(isolated_data_dir, [LOW_CROWDING])
    try:
        window = MainWindow(context)
        qtbot.addWidget(window)
        window.show()
        stored = crowding_alert_while_paused(qtbot, context, env, window)
        assert window.banner_bar.isVisible()
        assert "Lobby crowded" in window.banner.text.text() and "Warning" in window.banner.text.text()
        # the big lobby number takes the warning colour, and says so in words
        qtbot.waitUntil(lambda: window.lobby.occupancy_value.property("level") == "warning", timeout=10_000)
        assert window.lobby.crowding_label.text() == "Crowded: past the warning level"
        alert = window.banner.alert
        assert stored.value >= 15 and stored.threshold == 15
        # the lobby was at or above 15% (9 people) for the sustain time before the alert was raised
        samples = repository.load_occupancy(env.db, "DEMO", stored.raised_at.replace(minute=0, second=0),
                                            stored.raised_at)
        seen: dict = {}

        def answer(dialog: AcknowledgeDialog) -> None:
            seen["steps"] = [b.text() for b in dialog.steps]
            dialog.steps[0].setChecked(True)
            dialog.note.setPlainText("Zhou Ting at the entrance")
            dialog.accept()

        answer_dialog(AcknowledgeDialog, answer, seen)
        window.banner.button.click()
        assert "error" not in seen, seen
        assert seen["steps"] and "self-service" in seen["steps"][0]  # the warning level's plan
        after = next(a for a in repository.load_alerts(env.db, "DEMO", stored.raised_at) if a.alert_id == alert.alert_id)
        assert after.state is AlertState.ACKNOWLEDGED and after.acknowledged_by == context.desk.user
        assert after.note.startswith("✓ ") and after.note.endswith("Zhou Ting at the entrance")
        audit = repository.load_audit(env.db)
        assert audit[-1].action == "alert.ack" and audit[-1].entity_id == str(alert.alert_id)
        qtbot.waitUntil(lambda: window.banner.alert is None or window.banner.alert.alert_id != alert.alert_id,
                        timeout=10_000)
        row = next(i for i, a in enumerate(window.alerts.shown) if a.alert_id == alert.alert_id)
        assert window.alerts.table.item(row, window.alerts.COL_STATE).text() == "Acknowledged"
        assert samples, "occupancy was stored before the alert"
    finally:
        context.stop()
        env.close()

    # a restart: the open alert comes back, still acknowledged
    env2 = make_env(isolated_data_dir)
    try:
        from console.app.alert_service import AlertService

        service = AlertService(env2.db, "DEMO", lambda task: apply_now(env2.db, task), 10.0, 0.8)
        restored = service.engine.open.get(("crowding", "lobby"))
        # the demo was paused from before the acknowledgement until the stop: the lobby alert was still open
        (still_open,) = [a for a in repository.load_open_alerts(env2.db, "DEMO") if a.rule == "crowding"]
        assert restored is not None and restored.alert_id == still_open.alert_id and restored.acknowledged
    finally:
        env2.close()


def test_filters_and_export(qtbot, qapp, isolated_data_dir, tmp_path) -> None:
    context, env = start_demo(isolated_data_dir, [LOW_CROWDING])
    try:
        window = MainWindow(context)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: bool(window.alerts.alerts), timeout=60_000)
        context.runner.pause()
        panel = window.alerts
        total = len(panel.alerts)
        panel.rule_filter.setCurrentIndex(panel.rule_filter.findData("crowding"))
        assert all(a.rule == "crowding" for a in panel.shown) and panel.table.rowCount() == len(panel.shown)
        panel.rule_filter.setCurrentIndex(0)
        panel.severity_filter.setCurrentIndex(panel.severity_filter.findData("critical"))
        assert all(a.severity is AlertSeverity.CRITICAL for a in panel.shown)
        panel.severity_filter.setCurrentIndex(0)
        panel.state_filter.setCurrentIndex(panel.state_filter.findData("open"))
        assert all(a.state is not AlertState.RESOLVED for a in panel.shown)
        panel.state_filter.setCurrentIndex(0)
        assert len(panel.shown) == total
        out = tmp_path / "alerts.csv"
        assert window.alert_controller.export(str(out))
        lines = out.read_text(encoding="utf-8-sig").splitlines()
        assert lines[0].startswith("alert_id,raised_at,severity,rule,subject") and len(lines) == 1 + total
    finally:
        context.stop()
        env.close()


def test_a_delivery_that_fails_is_shown_and_the_alert_is_kept(qtbot, qapp, isolated_data_dir) -> None:
    from tests.camera.mjpeg_server import free_port

    isolated_data_dir.mkdir(parents=True, exist_ok=True)
    dead = f"http://127.0.0.1:{free_port()}/robot?key=k"  # nobody listens there
    (isolated_data_dir / "settings.toml").write_text(
        f'[alerts]\nwebhook_url = "{dead}"\nwebhook_format = "wecom"\nretries = 0\nsound = false\n',
        encoding="utf-8")
    context, env = start_demo(isolated_data_dir, [LOW_CROWDING])
    try:
        window = MainWindow(context)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: context.notifier is not None and context.notifier.failed >= 1, timeout=60_000)
        context.runner.pause()
        failed_id = next(iter(repository.load_deliveries(env.db, [a.alert_id for a in repository.load_alerts(
            env.db, "DEMO", datetime(2000, 1, 1, tzinfo=UTC))])))
        assert failed_id.state == "failed" and "does not answer" in failed_id.last_error and "key=k" not in \
            failed_id.target
        window.alert_controller.reload(context.controller.latest.snapshot.at.tzinfo)
        row = next(i for i, a in enumerate(window.alerts.shown) if a.alert_id == failed_id.alert_id)
        cell = window.alerts.table.item(row, window.alerts.COL_WHO)
        assert "not delivered" in cell.text() and "does not answer" in cell.toolTip()
        alert = next(a for a in window.alerts.shown if a.alert_id == failed_id.alert_id)
        assert alert.state is AlertState.RAISED  # the alert itself is stored and shown
    finally:
        context.stop()
        env.close()
