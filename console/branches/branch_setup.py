"""A real branch's set-up in the database: read back as a ``BranchPlan``, compared with a new plan, and applied in
one transaction with an audit entry (before and after) per thing changed. Shared by ``branch apply``, the set-up
wizard and File → Branch settings.

Decisions: a counter is known by its id — a new name for the same id is a rename and keeps its history; a counter
left out of the plan is removed, which is refused while it is open or serving or while open tickets name it
(``BranchSetupError`` says which); the demo branch's code cannot be taken by a real branch; an unchanged plan
writes nothing (no audit entries either). No Qt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from console.branches.branch_file import BranchPlan, CounterPlan
from console.domain.alert_engine import RuleKind, RuleSpec, default_rules, rule_from_dict, rule_to_dict
from console.domain.opening_hours import WEEKDAYS, DayHours
from console.domain.records import CounterStatus, StaffMember
from console.domain.vocabulary import AlertSeverity, CounterState
from storage import repository
from storage.database import Database
from storage.tasks import (
    CounterInUse,
    RecordAudit,
    RemoveCounter,
    RemoveStaffMember,
    SaveAlertRules,
    SaveBranchSetup,
    SaveStaffMember,
    StaffInUse,
)
from storage.writer import apply_now


class BranchSetupError(ValueError):
    """A plan that cannot be applied to the stored branch; the message says why. Nothing was changed."""


def stored_plan(db: Database, code: str) -> BranchPlan | None:
    """Branch ``code`` as stored, as a plan (its hours every day the same when none were stored per weekday)."""
    branch = repository.load_branch(db, code)
    if branch is None:
        return None
    hours = branch.week_hours or (DayHours(branch.opens, branch.closes),) * len(WEEKDAYS)
    counters = tuple(CounterPlan(c.counter_id, c.name, c.service_types, c.flexible)
                     for c in repository.load_counters(db, code))
    return BranchPlan(code=branch.code, name=branch.name, timezone=branch.timezone,
                      lobby_capacity=branch.lobby_capacity, waiting_seats=branch.waiting_seats, hours=hours,
                      service_names=branch.service_names, counters=counters)


def branch_values(plan: BranchPlan) -> dict[str, Any]:
    """The branch's own settings as plain values (audit entries, change lists)."""
    return {"name": plan.name, "timezone": plan.timezone, "lobby_capacity": plan.lobby_capacity,
            "waiting_seats": plan.waiting_seats,
            "hours": {day: hours.text() for day, hours in zip(WEEKDAYS, plan.hours, strict=True)},
            "service_names": {name: kind.value for name, kind in plan.service_names}}


def counter_values(counter: CounterPlan) -> dict[str, Any]:
    return {"name": counter.name, "service_types": [t.value for t in counter.service_types],
            "flexible": counter.flexible}


def _differences(before: dict[str, Any], after: dict[str, Any], prefix: str) -> list[str]:
    lines = []
    for key, new in after.items():
        old = before.get(key)
        if old == new:
            continue
        if isinstance(new, dict) and isinstance(old, dict):
            for sub in dict.fromkeys([*old, *new]):
                if old.get(sub) != new.get(sub):
                    lines.append(f"{prefix}{key}.{sub}: {_shown(old.get(sub))} -> {_shown(new.get(sub))}")
        else:
            lines.append(f"{prefix}{key}: {_shown(old)} -> {_shown(new)}")
    return lines


def _shown(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def describe_changes(before: BranchPlan | None, after: BranchPlan) -> list[str]:
    """What applying ``after`` over ``before`` (None: a new branch) changes, one line each, in English."""
    if before is None:
        lines = [f"branch {after.code} created: {after.name}, {after.timezone}, lobby capacity "
                 f"{after.lobby_capacity} people, {after.waiting_seats} waiting seats"]
        lines += [f"counter {c.counter_id} added: {c.name} ({', '.join(t.value for t in c.service_types)}"
                  f"{', flexible' if c.flexible else ''})" for c in after.counters]
        return lines
    lines = _differences(branch_values(before), branch_values(after), "branch.")
    old = {c.counter_id: c for c in before.counters}
    new = {c.counter_id: c for c in after.counters}
    for cid, counter in new.items():
        if cid not in old:
            lines.append(f"counter {cid} added: {counter.name} ({', '.join(t.value for t in counter.service_types)}"
                         f"{', flexible' if counter.flexible else ''})")
        else:
            lines += _differences(counter_values(old[cid]), counter_values(counter), f"counter {cid}.")
    lines += [f"counter {cid} removed: {old[cid].name}" for cid in old if cid not in new]
    return lines


def plan_tasks(db: Database, plan: BranchPlan, user: str, at: datetime) -> tuple[list[str], list[Any]]:
    """The changes ``plan`` makes to the stored branch (one line each) and the write tasks that make them, with
    their audit entries; nothing is written. ``BranchSetupError`` when it cannot be applied."""
    demo = [b.code for b in repository.list_branches(db) if b.is_demo]
    if plan.code in demo:
        raise BranchSetupError(f"branch code {plan.code} is the demo branch's; choose another code")
    before = stored_plan(db, plan.code)
    lines = describe_changes(before, plan)
    if not lines:
        return [], []
    counters = tuple(CounterStatus(c.counter_id, c.name, c.service_types, CounterState.CLOSED, at,
                                   flexible=c.flexible) for c in plan.counters)
    tasks: list[Any] = [SaveBranchSetup(branch=plan.branch_info(), counters=counters)]
    code = plan.code
    if before is None or branch_values(before) != branch_values(plan):
        tasks.append(RecordAudit(user, "branch.create" if before is None else "branch.change", "branch", code,
                                 None if before is None else branch_values(before), branch_values(plan), at))
    old = {c.counter_id: c for c in before.counters} if before is not None else {}
    for counter in plan.counters:
        previous = old.get(counter.counter_id)
        if previous is None or counter_values(previous) != counter_values(counter):
            tasks.append(RecordAudit(user, "counter.add" if previous is None else "counter.change", "counter",
                                     f"{code}/{counter.counter_id}",
                                     None if previous is None else counter_values(previous),
                                     counter_values(counter), at))
    for cid, counter in old.items():
        if cid not in {c.counter_id for c in plan.counters}:
            tasks.append(RemoveCounter(code, cid))
            tasks.append(RecordAudit(user, "counter.remove", "counter", f"{code}/{cid}", counter_values(counter),
                                     None, at))
    return lines, tasks


def apply_plan(db: Database, plan: BranchPlan, user: str, at: datetime | None = None) -> list[str]:
    """Create or update the branch of ``plan``; the changes made, one line each (empty: nothing to change).
    ``BranchSetupError`` when it cannot be applied; then nothing is written."""
    lines, tasks = plan_tasks(db, plan, user, at or datetime.now(UTC))
    _write(db, tasks)
    return lines


def _write(db: Database, tasks: Sequence[Any]) -> None:
    if not tasks:
        return
    try:
        apply_now(db, *tasks)
    except (CounterInUse, StaffInUse) as exc:
        raise BranchSetupError(f"{exc}; nothing was changed") from None


def _with_max_wait(rule: RuleSpec, max_wait_min: float) -> RuleSpec:
    levels = []
    for level in rule.levels:
        share = level.clear_at / level.raise_at if level.raise_at else 1.0  # the clear line keeps its distance
        if level.severity is AlertSeverity.CRITICAL:
            level = replace(level, raise_at=max_wait_min, clear_at=max_wait_min * share)
        elif level.raise_at >= max_wait_min:
            level = replace(level, raise_at=max_wait_min / 2, clear_at=max_wait_min / 2 * share)
        levels.append(level)
    return replace(rule, levels=tuple(levels))


def long_wait_rules(db: Database, code: str, max_wait_min: float) -> tuple[dict[str, Any], ...] | None:
    """The branch's alert rules (the defaults for a branch without stored rules) with the maximum wait (minutes)
    as the long-wait rule's critical level, or None when it already is. Decision: the maximum wait of the service
    standard is the wait at which a queue's long-wait alert turns critical (its clear line kept as far below in
    proportion); its warning stays where it is while
    below the maximum, else moves to half of it."""
    stored = repository.load_alert_rules(db, code)
    rules = [rule_from_dict(r) for r in stored] if stored else default_rules()
    wanted = [_with_max_wait(r, max_wait_min) if r.kind is RuleKind.LONG_WAIT and not r.scope else r for r in rules]
    return tuple(rule_to_dict(r) for r in wanted) if wanted != rules else None


def max_wait_of(db: Database, code: str) -> float | None:
    """The long-wait rule's critical level in minutes (the branch's maximum wait), if it has one."""
    stored = repository.load_alert_rules(db, code)
    rules = [rule_from_dict(r) for r in stored] if stored else default_rules()
    for rule in rules:
        if rule.kind is RuleKind.LONG_WAIT and not rule.scope:
            return next((lv.raise_at for lv in rule.levels if lv.severity is AlertSeverity.CRITICAL), None)
    return None


def store_setup(db: Database, plan: BranchPlan, staff: Sequence[StaffMember], max_wait_min: float, user: str,
                at: datetime | None = None) -> list[str]:
    """What the set-up wizard (and File → Branch settings) stores, in one transaction: the branch and its counters,
    the staff directory as ``staff`` gives it (a person the roster names is not removed: ``BranchSetupError``), and
    the maximum wait in the long-wait rule; each with its audit entry. The changes, one line each."""
    at = at or datetime.now(UTC)
    lines, tasks = plan_tasks(db, plan, user, at)
    known = {s.staff_id: s for s in repository.load_staff(db, plan.code)}
    for member in staff:
        if known.get(member.staff_id) != member:
            tasks.append(SaveStaffMember(plan.code, member, user, at))
            lines.append(f"staff {member.staff_id} {'added' if member.staff_id not in known else 'changed'}: "
                         f"{member.name}")
    for staff_id, member in known.items():
        if staff_id not in {m.staff_id for m in staff}:
            tasks.append(RemoveStaffMember(plan.code, staff_id, user, at))
            lines.append(f"staff {staff_id} removed: {member.name}")
    rules = long_wait_rules(db, plan.code, max_wait_min)
    if rules is not None:
        tasks.append(SaveAlertRules(plan.code, rules, user, at))
        lines.append(f"maximum wait: {max_wait_min:g} min")
    _write(db, tasks)
    return lines
