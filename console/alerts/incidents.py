"""Incidents and emergency plans as a branch stores them: plans to and from JSON, a branch's plans (its own, else
the defaults in its language), and the write task that reports an incident with its plan's steps. No Qt.

Decision: the steps are copied into the incident when it is reported, so a plan edited later never changes what an
incident's record says was to be done.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from console.domain.alert_routing import ROUTED_ROLES
from console.domain.incidents import (
    SEVERITY,
    Contact,
    EmergencyPlan,
    IncidentType,
    default_plans,
)
from console.domain.records import AlertRecord
from storage import repository
from storage.database import Database
from storage.tasks import ReportIncident


class PlanError(ValueError):
    """A plan that cannot be stored; the message names the plan and the field."""


def plan_to_dict(plan: EmergencyPlan) -> dict[str, Any]:
    return {"kind": plan.kind.value, "steps": list(plan.steps),
            "contacts": [{"name": c.name, "number": c.number} for c in plan.contacts],
            "notify_roles": list(plan.notify_roles)}


def plan_from_dict(data: dict[str, Any]) -> EmergencyPlan:
    """The plan of ``plan_to_dict``; PlanError naming what is wrong."""
    try:
        kind = IncidentType(data["kind"])
        steps = tuple(str(s).strip() for s in data.get("steps", ()) if str(s).strip())
        contacts = tuple(Contact(str(c["name"]).strip(), str(c["number"]).strip()) for c in data.get("contacts", ()))
        roles = tuple(str(r) for r in data.get("notify_roles", ()))
    except (KeyError, ValueError, TypeError) as exc:
        raise PlanError(f"emergency plan {data.get('kind', '?')!r}: {type(exc).__name__} {exc}") from None
    if not steps:
        raise PlanError(f"emergency plan {kind.value}: at least one step is needed")
    for c in contacts:
        if not c.name or not c.number:
            raise PlanError(f"emergency plan {kind.value}: a contact needs a name and a number")
    unknown = [r for r in roles if r not in ROUTED_ROLES]
    if unknown:
        raise PlanError(f"emergency plan {kind.value}: unknown role {unknown[0]!r} to tell "
                        f"(roles: {', '.join(ROUTED_ROLES)})")
    return EmergencyPlan(kind, steps, contacts, roles or ROUTED_ROLES)  # a plan stored before roles were: everyone


#: the crowding alert's plans kept with the incidents' (File → Emergency plans…), by level
CROWDING_PLANS = ("crowding_warning", "crowding_critical")


def crowding_plan(db: Database, code: str, critical: bool) -> list[str] | None:
    """The branch's own steps for a crowding alert of that level (None: it has none; the caller's defaults, or the
    steps of the settings file's ``[alerts] plan_warning``/``plan_critical`` kept from before plans were stored,
    stand in)."""
    kind = CROWDING_PLANS[1] if critical else CROWDING_PLANS[0]
    for data in repository.load_emergency_plans(db, code):
        if data.get("kind") == kind:
            steps = [str(s).strip() for s in data.get("steps", ()) if str(s).strip()]
            return steps or None
    return None


def crowding_plan_dict(critical: bool, steps: list[str]) -> dict[str, Any]:
    """The stored form of a crowding plan; PlanError without a step."""
    kind = CROWDING_PLANS[1] if critical else CROWDING_PLANS[0]
    steps = [s.strip() for s in steps if s.strip()]
    if not steps:
        raise PlanError(f"emergency plan {kind}: at least one step is needed")
    return {"kind": kind, "steps": steps}


def branch_plans(db: Database, code: str, language: str = "en") -> dict[IncidentType, EmergencyPlan]:
    """The branch's plan for every incident type: its own where it has one, else the default in ``language``."""
    plans = default_plans(language)
    for data in repository.load_emergency_plans(db, code):
        if data.get("kind") in CROWDING_PLANS:
            continue
        try:
            plan = plan_from_dict(data)
        except PlanError:
            continue  # a stored plan the console no longer reads: the default stands in
        plans[plan.kind] = plan
    return plans


def report_task(db: Database, code: str, kind: IncidentType, user: str, note: str, at: datetime, *,
                drill: bool = False, language: str = "en") -> ReportIncident:
    """The write task reporting an incident of ``kind`` with the steps of the branch's plan for it now."""
    plan = branch_plans(db, code, language)[kind]
    if kind is IncidentType.CROWDING:  # the crowding alert's critical checklist, as the branch keeps it
        steps = crowding_plan(db, code, critical=True)
        plan = EmergencyPlan(kind, tuple(steps), plan.contacts, plan.notify_roles) if steps else plan
    message = f"incident {kind.value}" + (" (drill)" if drill else "") + (f": {note}" if note else "")
    return ReportIncident(code, kind.value, SEVERITY[kind].value, plan.steps, user, note, at, drill=drill,
                          message=message)


def plan_roles(db: Database, code: str, kind: IncidentType) -> tuple[str, ...]:
    """The roles the branch's plan for ``kind`` tells at once when such an incident is reported."""
    return tuple(branch_plans(db, code)[kind].notify_roles)


def reported_record(task: ReportIncident) -> AlertRecord:
    """The alert of an incident just stored by ``task`` (its ``alert_id`` set), for delivery."""
    from console.domain.vocabulary import AlertSeverity, AlertState

    rule = f"{'drill' if task.drill else 'incident'}.{task.kind}"
    return AlertRecord(task.alert_id, rule, AlertSeverity(task.severity), AlertState.RAISED, task.kind, task.message,
                       task.at, detail=task.note[:200])
