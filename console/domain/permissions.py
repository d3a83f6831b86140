"""Who may do what: the console's four user roles and the one permission matrix every guard reads (the window's
controls, the command line and the HTTP API ask ``allowed``; a disabled control's tooltip comes from ``why_not``).

Decisions, from the users in the product brief:
- the **lobby manager** (大堂经理) runs the floor: sees everything live, changes counters, accepts staffing advice,
  acknowledges queue, staffing and crowding alerts, checks staff in; does not edit the roster, the rules, cameras,
  users or the database;
- the **security officer** (安保) sees cameras, occupancy and alerts and acknowledges crowding and camera alerts;
  nothing else changes in their hands;
- the **branch manager** (网点负责人) adds the roster, the staff directory, alert rules, imports and the audit trail;
- the **administrator** manages cameras, users, the API token and the database, and can do everything else too
  (a small branch often has one person doing both).

A branch opened from the regional view (a console on a shared database showing every branch) is **read-only**:
its window lets everyone see what their role may see, and only a role holding ``ACT_FROM_REGION`` (the
administrator) may change anything there — lobby managers, security officers and branch managers act at their own
branch's console, where the people and the floor are.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    LOBBY_MANAGER = "lobby_manager"
    SECURITY_OFFICER = "security_officer"
    BRANCH_MANAGER = "branch_manager"
    ADMINISTRATOR = "administrator"


class Permission(StrEnum):
    VIEW_CAMERAS = "view_cameras"
    VIEW_OCCUPANCY = "view_occupancy"
    VIEW_ALERTS = "view_alerts"
    VIEW_QUEUE = "view_queue"  # counters, queue, reports, staff on shift
    ACK_CROWDING_ALERTS = "ack_crowding_alerts"
    ACK_CAMERA_ALERTS = "ack_camera_alerts"
    ACK_QUEUE_ALERTS = "ack_queue_alerts"  # long wait, queue, service level, idle counter, staffing, logins
    CHANGE_COUNTERS = "change_counters"  # the board's actions and accepting staffing advice
    CHECK_IN_STAFF = "check_in_staff"
    EDIT_ROSTER = "edit_roster"  # roster, staff directory, roster import
    EDIT_RULES = "edit_rules"  # alert rules, thresholds, snoozing
    CONFIGURE_BRANCH = "configure_branch"  # the branch's set-up: hours, capacity, counters, business names
    IMPORT_DATA = "import_data"  # ticket and appointment imports
    EXPORT_REPORTS = "export_reports"
    VIEW_AUDIT = "view_audit"
    VIEW_STAFF_FIGURES = "view_staff_figures"  # each person's and counter's figures over a period
    MANAGE_CAMERAS = "manage_cameras"  # cameras, zones, lines, models
    MANAGE_USERS = "manage_users"
    MANAGE_DATABASE = "manage_database"  # database settings, retention, API token
    REPORT_INCIDENTS = "report_incidents"  # report an incident, tick its plan's steps, close it
    EDIT_PLANS = "edit_plans"  # the branch's emergency plans
    ACT_FROM_REGION = "act_from_region"  # change things in a branch opened (read-only for others) from the regional view


_VIEW = {Permission.VIEW_CAMERAS, Permission.VIEW_OCCUPANCY, Permission.VIEW_ALERTS, Permission.REPORT_INCIDENTS}
_LOBBY = _VIEW | {Permission.VIEW_QUEUE, Permission.ACK_CROWDING_ALERTS, Permission.ACK_CAMERA_ALERTS,
                  Permission.ACK_QUEUE_ALERTS, Permission.CHANGE_COUNTERS, Permission.CHECK_IN_STAFF,
                  Permission.EXPORT_REPORTS}
_BRANCH = _LOBBY | {Permission.EDIT_ROSTER, Permission.EDIT_RULES, Permission.IMPORT_DATA, Permission.VIEW_AUDIT,
                    Permission.CONFIGURE_BRANCH, Permission.EDIT_PLANS, Permission.VIEW_STAFF_FIGURES}

#: The matrix (the README prints it as a table).
MATRIX: dict[Role, frozenset[Permission]] = {
    Role.SECURITY_OFFICER: frozenset(_VIEW | {Permission.ACK_CROWDING_ALERTS, Permission.ACK_CAMERA_ALERTS}),
    Role.LOBBY_MANAGER: frozenset(_LOBBY),
    Role.BRANCH_MANAGER: frozenset(_BRANCH),
    Role.ADMINISTRATOR: frozenset(Permission),
}

#: Which permission acknowledging (or resolving) an alert of a rule kind needs.
ACK_PERMISSION = {
    "crowding": Permission.ACK_CROWDING_ALERTS,
    "camera_offline": Permission.ACK_CAMERA_ALERTS,
    "incident": Permission.REPORT_INCIDENTS,  # whoever may report an incident may act on one
    "drill": Permission.REPORT_INCIDENTS,
}


#: What a read-only window (a branch opened from the regional view) still allows to whoever's role has it.
READ_ONLY_KEEPS = frozenset({Permission.VIEW_CAMERAS, Permission.VIEW_OCCUPANCY, Permission.VIEW_ALERTS,
                             Permission.VIEW_QUEUE, Permission.EXPORT_REPORTS, Permission.VIEW_AUDIT,
                             Permission.VIEW_STAFF_FIGURES})


def allowed(role: Role | None, permission: Permission, read_only: bool = False) -> bool:
    """``role`` None is the demo branch without login: everything is allowed there (it is simulated).
    ``read_only``: the window shows a branch opened from the regional view (see the module notes)."""
    if role is None:
        return True
    if permission not in MATRIX[role]:
        return False
    return not read_only or permission in READ_ONLY_KEEPS or Permission.ACT_FROM_REGION in MATRIX[role]


def ack_permission(rule_kind: str) -> Permission:
    return ACK_PERMISSION.get(rule_kind.split(".")[0], Permission.ACK_QUEUE_ALERTS)


def roles_with(permission: Permission) -> list[Role]:
    return [r for r in Role if permission in MATRIX[r]]


def why_not(role: Role | None, permission: Permission) -> str | None:
    """None when allowed, else an English sentence naming the roles that may (the window translates its own)."""
    if allowed(role, permission):
        return None
    who = ", ".join(r.value.replace("_", " ") for r in roles_with(permission))
    return f"{permission.value.replace('_', ' ')} is for: {who}"
