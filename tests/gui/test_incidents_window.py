"""An incident walked through in the window: F9 reports it (type, note), its plan opens at once, steps are ticked
with their times and who ticked them, the banner and the Alerts panel show it, and it is closed with a summary
(refused without one). A drill is reported the same way and marked as a drill in the banner and the list."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from console.domain.alert_engine import default_rules
from console.domain.incidents import IncidentType, default_plans
from storage import repository
from tests.gui.dialogs import answer_dialog
from widgets.dialogs.incident_dialogs import IncidentDialog, ReportIncidentDialog

pytestmark = pytest.mark.gui


def test_an_incident_and_a_drill_from_the_toolbar(qtbot, qapp, isolated_data_dir) -> None:
    from console.app.main_window import MainWindow
    from tests.gui.test_alerts_window import start_demo

    context, env = start_demo(isolated_data_dir, default_rules())
    try:
        window = MainWindow(context)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: context.controller.latest is not None, timeout=20_000)
        context.runner.pause()
        seen: dict = {}

        def report(kind: IncidentType, note: str, drill: bool):
            def fill(dialog: ReportIncidentDialog) -> None:
                row = next(i for i in range(dialog.types.count())
                           if dialog.types.item(i).data(Qt.ItemDataRole.UserRole) == kind.value)
                dialog.types.setCurrentRow(row)
                dialog.note_edit.setText(note)
                dialog.drill_box.setChecked(drill)
                seen["types"] = [dialog.types.item(i).text() for i in range(dialog.types.count())]
                dialog.accept()
            return fill

        def work(dialog: IncidentDialog) -> None:
            seen["title"] = dialog.windowTitle()
            dialog.step_boxes[0].click()
            dialog.step_boxes[2].click()
            seen["times"] = [label.text() for label in dialog.step_times]
            dialog.close_incident()  # no summary yet: refused
            seen["refused"] = dialog.error.text()
            dialog.summary.setPlainText("Customer recovered; ambulance not needed")
            dialog.close_incident()
            seen["closed"] = dialog.header.text()
            seen["enabled"] = [box.isEnabled() for box in dialog.step_boxes]
            dialog.reject()

        answer_dialog(ReportIncidentDialog, report(IncidentType.MEDICAL, "by the ATM", False), seen)
        answer_dialog(IncidentDialog, work, seen)
        QTest.keyClick(window, Qt.Key.Key_F9)  # the shortcut, from wherever the focus is
        assert "error" not in seen, seen
        assert seen["types"][:3] == ["Medical emergency", "Suspicious person or behaviour", "Dispute or disturbance"]
        assert seen["title"] == "Incident: Medical emergency"
        assert seen["times"][0].startswith("done ") and seen["times"][0].endswith(f" by {context.desk.user}")
        assert seen["times"][1] == "" and seen["times"][2].startswith("done ")
        assert seen["refused"].startswith("Write a summary before closing")
        assert "Closed " in seen["closed"] and not any(seen["enabled"])
        (incident,) = repository.load_incidents(env.db, "DEMO", context.controller.latest.snapshot.at.replace(
            hour=0, minute=0))
        plan = default_plans()[IncidentType.MEDICAL]
        assert [s.text for s in incident.steps] == list(plan.steps)
        assert [s.done_at is not None for s in incident.steps] == [True, False, True, False, False]
        assert incident.summary == "Customer recovered; ambulance not needed" and incident.note == "by the ATM"
        # its one-page record: the steps with when and by whom, the closing, the response times
        record = window.incidents.record_html(incident.alert_id)
        done_at = incident.steps[0].done_at.astimezone(window.incidents._tz()).strftime("%Y-%m-%d %H:%M:%S")
        assert "Incident record — Demo branch (DEMO)" in record and "Customer recovered" in record
        assert f"<td>{done_at}</td><td>{context.desk.user}</td>" in record and "by the ATM" in record
        pdf = isolated_data_dir / "incident.pdf"
        assert window.incidents.export_record(incident.alert_id, pdf) is None
        assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 1000

        # a drill: raised the same way, marked as a drill in the banner and the Alerts panel
        def drill_through(dialog: IncidentDialog) -> None:
            seen["drill"] = dialog.windowTitle()
            for box in dialog.step_boxes:  # every step of the fire plan, in order
                box.click()
            dialog.summary.setPlainText("Evacuated in 4 min; exits clear")
            dialog.close_incident()
            dialog.reject()

        answer_dialog(ReportIncidentDialog, report(IncidentType.FIRE, "", True), seen)
        answer_dialog(IncidentDialog, drill_through, seen)
        window.report_incident_action.trigger()
        assert "error" not in seen, seen
        assert seen["drill"] == "Drill: Fire or evacuation"
        # the day report lists the drill, marked, with its response times; it is not among the real alerts
        from console.app.report_service import report_sections

        day = incident.raised_at.astimezone(window.incidents._tz()).date()
        sections = {t: (h, r) for t, h, r in report_sections(env.db, repository.load_branch(env.db, "DEMO"), day)}
        header, rows = sections["Incidents and drills"]
        drilled = dict(zip(header, rows[-1], strict=True))
        steps = len(default_plans()[IncidentType.FIRE].steps)
        assert drilled["type"] == "fire" and drilled["drill"] == "yes" and drilled["steps_done"] == f"{steps}/{steps}"
        assert drilled["closed_after_min"] != "" and drilled["summary"] == "Evacuated in 4 min; exits clear"
        assert "drill.fire" not in [dict(zip(sections["Alerts"][0], r, strict=True))["rule"]
                                    for r in sections["Alerts"][1]]
        context.alerts._run_soon()
        qtbot.waitUntil(lambda: any(window.alerts.table.item(r, window.alerts.COL_WHAT).text()
                                    == "Drill: Fire or evacuation" for r in range(window.alerts.table.rowCount())),
                        timeout=10_000)
        texts = [window.alerts.table.item(r, window.alerts.COL_WHAT).text() for r in range(window.alerts.table.rowCount())]
        assert "Drill: Fire or evacuation" in texts and "Incident: Medical emergency — by the ATM" in texts
        # a drill left open is in the banner, marked
        from datetime import UTC, datetime

        from console.alerts.incidents import report_task
        from storage.writer import apply_now

        apply_now(env.db, report_task(env.db, "DEMO", IncidentType.SUSPICIOUS, "tester", "", datetime.now(UTC),
                                      drill=True))
        context.alerts._run_soon()
        qtbot.waitUntil(lambda: window.banner.alert is not None and window.banner.alert.rule == "drill.suspicious",
                        timeout=10_000)
        assert "Drill: Suspicious person or behaviour" in window.banner.text.text()
    finally:
        context.stop()
        env.close()


def test_the_emergency_plans_are_edited_stored_and_used(qtbot, qapp, isolated_data_dir) -> None:
    """File → Emergency plans…: a plan without a step is refused with the reason; the edited robbery plan and the
    crowding warning checklist are stored (audited), a robbery reported then copies the new steps, and a crowding
    alert's acknowledge dialog shows the new checklist."""
    from console.app.main_window import MainWindow
    from console.domain.records import AlertRecord
    from console.domain.vocabulary import AlertSeverity, AlertState
    from tests.gui.test_alerts_window import start_demo
    from widgets.dialogs.emergency_plans_dialog import EmergencyPlansDialog

    context, env = start_demo(isolated_data_dir, default_rules())
    try:
        window = MainWindow(context)
        qtbot.addWidget(window)
        qtbot.waitUntil(lambda: context.controller.latest is not None, timeout=20_000)
        context.runner.pause()
        seen: dict = {}

        def pick(dialog, kind: str) -> None:
            row = next(i for i in range(dialog.kinds.count())
                       if dialog.kinds.item(i).data(Qt.ItemDataRole.UserRole) == kind)
            dialog.kinds.setCurrentRow(row)

        def edit(dialog: EmergencyPlansDialog) -> None:
            seen["kinds"] = [dialog.kinds.item(i).text() for i in range(dialog.kinds.count())]
            pick(dialog, "robbery")
            dialog.steps.setPlainText("")
            dialog.accept()
            seen["refused"] = dialog.error.text()
            dialog.steps.setPlainText("Press the silent alarm\nCall 110 when safe")
            dialog.contacts.setPlainText("110\nSecurity desk 8001")
            pick(dialog, "crowding_warning")
            dialog.steps.setPlainText("Open counter 3\nGuide customers to the machines")
            dialog.accept()

        answer_dialog(EmergencyPlansDialog, edit, seen)
        window.plans_action.trigger()
        assert "error" not in seen, seen
        assert seen["kinds"][0] == "Medical emergency" and seen["kinds"][-2:] == ["Crowding — warning level",
                                                                                "Crowding — critical level"]
        assert seen["refused"] == "Robbery or violence: at least one step is needed."
        audit = repository.load_audit(env.db, since=context.controller.latest.snapshot.at.replace(year=2000))
        assert audit[-1].action == "emergency_plans.save"
        from console.alerts.incidents import branch_plans
        from console.domain.incidents import Contact

        robbery = branch_plans(env.db, "DEMO")[IncidentType.ROBBERY]
        assert robbery.contacts == (Contact("110", "110"), Contact("Security desk", "8001"))

        answer_dialog(ReportIncidentDialog, lambda d: (d.types.setCurrentRow(3), d.accept()), seen)
        answer_dialog(IncidentDialog, lambda d: (seen.update(steps=[b.text() for b in d.step_boxes]), d.reject()), seen)
        window.incidents.report()
        assert seen["steps"] == ["1. Press the silent alarm", "2. Call 110 when safe"]
        crowding = AlertRecord(1, "crowding", AlertSeverity.WARNING, AlertState.RAISED, "lobby", "",
                               context.controller.latest.snapshot.at)
        assert window.alert_controller.plan_for(crowding) == ["Open counter 3", "Guide customers to the machines"]
        critical = AlertRecord(2, "crowding", AlertSeverity.CRITICAL, AlertState.RAISED, "lobby", "",
                               context.controller.latest.snapshot.at)
        # a crowding drill: a crowded lobby reported by hand runs the crowding alert's critical checklist
        from datetime import UTC, datetime

        from console.alerts.incidents import report_task
        from storage.writer import apply_now

        drill = report_task(env.db, "DEMO", IncidentType.CROWDING, "tester", "", datetime.now(UTC), drill=True)
        apply_now(env.db, drill)
        drilled = repository.load_incident(env.db, drill.alert_id)
        assert drilled.drill and [s.text for s in drilled.steps] == window.alert_controller.plan_for(critical)
    finally:
        context.stop()
        env.close()
