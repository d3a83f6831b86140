"""Incidents as stored, on SQLite and PostgreSQL: reported with their plan's steps copied, an alert the Alerts panel
and the banner treat like any other, steps ticked with times and people, closed with a summary, each change audited;
a closed incident refuses further ticks; a branch's own plans replace the defaults; drills stay marked."""

from __future__ import annotations

from datetime import timedelta

import pytest

from console.alerts.incidents import PlanError, branch_plans, plan_from_dict, plan_to_dict, report_task
from console.domain.incidents import Contact, EmergencyPlan, IncidentType, default_plans, incident_type_of
from console.domain.vocabulary import AlertSeverity, AlertState
from storage import repository
from storage.tasks import CloseIncident, SaveEmergencyPlans, TickIncidentStep
from storage.writer import apply_now
from tests.storage.conftest import BRANCH, at


def test_an_incident_is_reported_ticked_and_closed(db) -> None:
    task = report_task(db, BRANCH.code, IncidentType.FIRE, "zhou.ting", "smoke from the self-service room",
                       at(10, 5), language="zh_CN")
    apply_now(db, task)
    (alert,) = repository.load_open_alerts(db, BRANCH.code)
    assert (alert.alert_id, alert.rule, alert.subject, alert.severity) == (task.alert_id, "incident.fire", "fire",
                                                                          AlertSeverity.CRITICAL)
    assert incident_type_of(alert.rule) is IncidentType.FIRE and alert.detail == "smoke from the self-service room"
    incident = repository.load_incident(db, task.alert_id)
    assert incident.steps[0].text == "拨打 119" and len(incident.steps) == len(default_plans("zh_CN")[
        IncidentType.FIRE].steps) and not incident.drill and incident.raised_by == "zhou.ting"
    apply_now(db, TickIncidentStep(task.alert_id, 0, True, "zhou.ting", at(10, 6)),
              TickIncidentStep(task.alert_id, 2, True, "wu.gang", at(10, 8)),
              TickIncidentStep(task.alert_id, 2, False, "wu.gang", at(10, 9)),
              TickIncidentStep(task.alert_id, 1, True, "wu.gang", at(10, 9)))
    ticked_incident = repository.load_incident(db, task.alert_id)
    assert ticked_incident.acknowledged_at == at(10, 6)  # the first step done acknowledged it
    (acked,) = repository.load_open_alerts(db, BRANCH.code)
    assert acked.state is AlertState.ACKNOWLEDGED and acked.acknowledged_by == "zhou.ting"
    ticked = ticked_incident.steps
    assert [(s.done_at, s.done_by) for s in ticked[:3]] == [(at(10, 6), "zhou.ting"), (at(10, 9), "wu.gang"),
                                                           (None, None)]
    apply_now(db, CloseIncident(task.alert_id, "wu.gang", "Small fire out; fire service checked", at(10, 30)))
    closed = repository.load_incident(db, task.alert_id)
    assert (closed.closed_at, closed.closed_by, closed.summary) == (at(10, 30), "wu.gang",
                                                                   "Small fire out; fire service checked")
    assert repository.load_open_alerts(db, BRANCH.code) == []
    assert closed.response_minutes() == (1.0, [1.0, 4.0, None, None, None, None], 25.0)
    (stored,) = repository.load_alerts(db, BRANCH.code, at(0))
    assert stored.state is AlertState.RESOLVED and stored.resolved_by == "wu.gang"
    with pytest.raises(ValueError, match="closed"):
        apply_now(db, TickIncidentStep(task.alert_id, 3, True, "wu.gang", at(10, 31)))
    actions = [e.action for e in repository.load_audit(db, since=at(0))]
    assert actions == ["incident.report", "incident.step", "incident.step", "incident.step", "incident.step",
                       "incident.close"]


def test_a_drill_and_a_branch_plan(db) -> None:
    own = EmergencyPlan(IncidentType.ROBBERY, ("Press the alarm", "Call 110"), (Contact("Security desk", "8001"),))
    apply_now(db, SaveEmergencyPlans(BRANCH.code, (plan_to_dict(own),), "wu.gang", at(9)))
    plans = branch_plans(db, BRANCH.code)
    assert plans[IncidentType.ROBBERY] == own and plans[IncidentType.FIRE] == default_plans()[IncidentType.FIRE]
    drill = report_task(db, BRANCH.code, IncidentType.ROBBERY, "wu.gang", "", at(9, 30), drill=True)
    apply_now(db, drill)
    found = repository.load_incidents(db, BRANCH.code, at(0), at(23))
    assert [(i.kind, i.drill, [s.text for s in i.steps]) for i in found] == [
        (IncidentType.ROBBERY, True, ["Press the alarm", "Call 110"])]
    # a plan edited later does not change what the incident's record says was to be done
    apply_now(db, SaveEmergencyPlans(BRANCH.code, (plan_to_dict(EmergencyPlan(IncidentType.ROBBERY, ("New",))),),
                                     "wu.gang", at(9, 40)))
    assert [s.text for s in repository.load_incident(db, drill.alert_id).steps] == ["Press the alarm", "Call 110"]
    assert repository.load_incidents(db, BRANCH.code, at(0) + timedelta(days=1)) == []


@pytest.mark.parametrize(("data", "reason"), [
    ({"kind": "flood", "steps": ["x"]}, "flood"),
    ({"kind": "fire", "steps": ["  "]}, "at least one step"),
    ({"kind": "fire", "steps": ["Call 119"], "contacts": [{"name": "", "number": "119"}]}, "name and a number"),
])
def test_a_plan_that_cannot_work_is_refused_with_its_reason(data: dict, reason: str) -> None:
    with pytest.raises(PlanError, match=reason):
        plan_from_dict(data)


def test_the_day_report_lists_incidents_and_drills_with_their_response_times(db) -> None:
    from console.app.report_service import INCIDENT_COLUMNS, report_sections

    drill = report_task(db, BRANCH.code, IncidentType.MEDICAL, "zhou.ting", "drill by the ATM", at(10, 0), drill=True)
    apply_now(db, drill)
    apply_now(db, TickIncidentStep(drill.alert_id, 0, True, "zhou.ting", at(10, 0, 45)),
              TickIncidentStep(drill.alert_id, 1, True, "wu.gang", at(10, 2)),
              CloseIncident(drill.alert_id, "wu.gang", "Drill done: AED reached in 2 min", at(10, 6, 30)))
    title, header, rows = report_sections(db, repository.load_branch(db, BRANCH.code), at(0).date())[-2]
    assert (title, tuple(header)) == ("Incidents and drills", INCIDENT_COLUMNS)
    (row,) = rows
    found = dict(zip(header, row, strict=True))
    assert found["reported_at"] == "10:00:00" and found["type"] == "medical" and found["drill"] == "yes"
    # minutes from the report: acknowledged at the first step (0:45), steps 1 and 2, closed at 6:30
    assert (found["acknowledged_after_min"], found["steps_done"], found["closed_after_min"]) == (0.8, "2/5", 6.5)
    assert found["step_minutes"] == "1: 0.8; 2: 2.0; 3: —; 4: —; 5: —"
    assert found["summary"] == "Drill done: AED reached in 2 min"


def test_drills_never_count_among_real_alerts(db) -> None:
    """A drill is listed as a drill (Alerts panel, incidents section) but not in the regional view's open-alert
    counts nor in the day report's real alerts; the real incident beside it is in both."""
    from console.app.report_service import report_sections

    drill = report_task(db, BRANCH.code, IncidentType.FIRE, "zhou.ting", "", at(10, 0), drill=True)
    real = report_task(db, BRANCH.code, IncidentType.MEDICAL, "zhou.ting", "", at(10, 5))
    apply_now(db, drill, real)
    assert {a.rule for a in repository.load_open_alerts(db, BRANCH.code)} == {"drill.fire", "incident.medical"}
    assert repository.open_alert_counts(db) == {BRANCH.code: {AlertSeverity.CRITICAL: 1}}
    sections = {title: (header, rows) for title, header, rows in
                report_sections(db, repository.load_branch(db, BRANCH.code), at(0).date())}
    header, rows = sections["Alerts"]
    assert [dict(zip(header, r, strict=True))["rule"] for r in rows] == ["incident.medical"]
    assert [r[2] for r in sections["Incidents and drills"][1]] == ["yes", ""]
