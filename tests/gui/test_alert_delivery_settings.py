"""Settings → Alert delivery, and what it changes: the routes per role are saved to settings.toml, a bad address
is refused naming the role and nothing saved changes, the SMTP password goes to the secret store (audited without
its value), a test message reaches a real robot on 127.0.0.1; the console sounds only for the role logged in, and
an incident reported elsewhere sounds once, for the roles its plan names."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget

from console.domain.alert_engine import ActiveAlert, AlertChange, ChangeKind, Level, RuleKind, RuleSpec
from console.domain.permissions import Role
from console.domain.vocabulary import AlertSeverity
from console.security.access import Operator
from console.settings import load_settings
from tests.alerts.test_alert_delivery import Robot, robot  # noqa: F401 (the chat robot fixture)
from tests.gui.dialogs import answer_dialog
from widgets.dialogs.settings_dialog import SettingsDialog

pytestmark = pytest.mark.gui


def refused(dialog: SettingsDialog) -> str:
    seen: dict = {}
    answer_dialog(QMessageBox, lambda box: (seen.update(text=box.text()), box.accept()), seen)
    dialog.accept()
    return seen.get("text", "")


def test_routes_are_saved_and_bad_addresses_refused(qtbot, demo_context, robot) -> None:  # noqa: F811
    env = demo_context.env
    dialog = SettingsDialog(env)
    qtbot.addWidget(dialog)
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == [
        "General", "Staffing", "Alert delivery", "Data and privacy"]
    group = dialog.delivery
    saved = env.data_dir / "settings.toml"
    before = saved.read_text(encoding="utf-8") if saved.exists() else None
    # the defaults: the security officer gets crowding and camera alerts, not long waits
    assert group.kind_boxes[("crowding", "security_officer")].isChecked()
    assert not group.kind_boxes[("long_wait", "security_officer")].isChecked()
    group.kind_boxes[("camera_offline", "security_officer")].setChecked(False)
    group.role_email["security_officer"].setText("guard")
    assert "Security officer: \"guard\" is not an e-mail address." in refused(dialog)
    group.role_email["security_officer"].setText("guard@branch.example")
    assert "the e-mail server is needed" in refused(dialog)
    assert (saved.read_text(encoding="utf-8") if saved.exists() else None) == before  # a refusal saves nothing
    group.smtp_host.setText("127.0.0.1")
    group.smtp_password.setText("mail-secret-9")
    group.lowest["branch_manager"].setCurrentIndex(2)  # critical only
    group.role_sound["lobby_manager"].setChecked(False)
    dialog.accept()
    assert dialog.result() == SettingsDialog.DialogCode.Accepted
    routes = load_settings(env.data_dir).alerts.route_table()
    assert routes["security_officer"].kinds == {"crowding"}
    assert routes["security_officer"].email_to == ("guard@branch.example",)
    assert routes["branch_manager"].lowest is AlertSeverity.CRITICAL and not routes["lobby_manager"].sound
    assert "mail-secret-9" not in (env.data_dir / "settings.toml").read_text(encoding="utf-8")
    from console.security.secret_store import SMTP_PASSWORD
    from storage import repository

    assert env.secrets.get(SMTP_PASSWORD) == "mail-secret-9"
    audit = [a for a in repository.load_audit(env.db, since=datetime(2000, 1, 1, tzinfo=UTC))
             if a.action == "secret.set"]
    assert audit and audit[-1].entity_id == SMTP_PASSWORD and audit[-1].after is None

    again = SettingsDialog(env)
    qtbot.addWidget(again)
    assert again.delivery.role_email["security_officer"].text() == "guard@branch.example"
    assert not again.delivery.kind_boxes[("camera_offline", "security_officer")].isChecked()
    again.delivery.smtp_host.setText("")
    again.delivery.role_webhook["lobby_manager"].setText(f"http://127.0.0.1:{robot.server_port}/lobby")
    again.delivery.role_email["security_officer"].setText("")
    again.delivery.test_button.click()
    qtbot.waitUntil(lambda: again.delivery.test_button.isEnabled(), timeout=15_000)
    assert again.delivery.test_result.text() == f"✓ sent to http://127.0.0.1:{robot.server_port}/lobby (lobby_manager)"
    assert Robot.bodies[0][0] == "/lobby"


def test_a_role_that_may_not_edit_rules_cannot_change_delivery(qtbot, demo_context) -> None:
    dialog = SettingsDialog(demo_context.env, role=Role.SECURITY_OFFICER)
    qtbot.addWidget(dialog)
    assert not dialog.delivery.isEnabled() and "Branch manager" in dialog.delivery.toolTip()
    assert dialog.language.isEnabled()


def test_the_console_signals_what_is_the_logged_in_role_s(qtbot, demo_context) -> None:
    """A security officer logged in: a long wait stays silent, a crowding alert sounds; an incident reported from
    another PC whose plan names only the branch manager stays silent, one naming security sounds once."""
    from console.alerts.incidents import branch_plans, plan_to_dict, report_task
    from console.app.alert_controller import AlertController
    from console.app.alert_service import AlertUpdate
    from console.domain.incidents import EmergencyPlan, IncidentType
    from storage.tasks import SaveEmergencyPlans
    from storage.writer import apply_now
    from widgets.panels.alert_list import AlertBanner, AlertList

    context = demo_context
    qtbot.waitUntil(lambda: context.controller.latest is not None, timeout=20_000)
    context.writer.flush(timeout_s=5.0)  # the demo branch is stored
    context.operator = Operator("guard", "Guard", Role.SECURITY_OFFICER)
    window = QWidget()
    qtbot.addWidget(window)
    controller = AlertController(None, AlertList(), AlertBanner(), context, window)
    controller.settings = controller.settings.__class__(sound=False, tray=False)  # silent machine, same routing
    at = datetime(2026, 11, 27, 3, 30, tzinfo=UTC)
    rules = {"long_wait.default": RuleSpec("long_wait.default", RuleKind.LONG_WAIT,
                                           (Level(AlertSeverity.WARNING, 15, 12),)),
             "crowding.default": RuleSpec("crowding.default", RuleKind.CROWDING,
                                          (Level(AlertSeverity.WARNING, 80, 75),))}
    wait = ActiveAlert("long_wait.default", "non_cash", AlertSeverity.WARNING, at, 17, 17, 15, alert_id=901)
    crowd = ActiveAlert("crowding.default", "lobby", AlertSeverity.WARNING, at, 84, 84, 80, alert_id=902)
    controller.on_update(AlertUpdate(at, (wait, crowd), (AlertChange(ChangeKind.RAISED, wait, at),
                                                         AlertChange(ChangeKind.RAISED, crowd, at)), rules))
    assert [(s.value, sound, tray) for s, _, sound, tray in controller.signalled] == [("warning", False, False),
                                                                                       ("warning", False, False)]
    controller.settings = controller.settings.__class__()  # sound and tray on for this PC
    controller.signalled.clear()
    controller.on_update(AlertUpdate(at, (wait, crowd), (AlertChange(ChangeKind.RAISED, wait, at),
                                                         AlertChange(ChangeKind.RAISED, crowd, at)), rules))
    assert [(sound, tray) for _, _, sound, tray in controller.signalled] == [(False, False), (True, True)]

    db = context.env.db
    medical = branch_plans(db, "DEMO")[IncidentType.MEDICAL]
    apply_now(db, SaveEmergencyPlans("DEMO", (plan_to_dict(EmergencyPlan(
        IncidentType.MEDICAL, medical.steps, medical.contacts, ("branch_manager",))),), "boss", at))
    incidents = []
    for kind in (IncidentType.MEDICAL, IncidentType.FIRE):
        task = report_task(db, "DEMO", kind, "other-pc", "", at)
        apply_now(db, task)
        incidents.append(ActiveAlert(f"incident.{kind.value}", kind.value, AlertSeverity.CRITICAL, at, 0, 0, 0,
                                     alert_id=task.alert_id))
    controller.signalled.clear()
    for _ in range(2):  # the second update shows the same incidents: no second sound
        controller.on_update(AlertUpdate(at, (wait, crowd, *incidents), (), rules))
    assert [(sound, tray) for _, _, sound, tray in controller.signalled] == [(False, False), (True, True)]
    assert "Fire" in controller.signalled[1][1]
