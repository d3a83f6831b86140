"""Translatable names of the domain's values (service types, counter states, ticket statuses, zones, roles).

The vocabulary itself (``console/domain/vocabulary.py``) stays Qt-free; the words users read are here.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from console.domain.appointments import AppointmentStatus
from console.domain.incidents import IncidentType
from console.domain.presence import Presence, StaffPresence
from console.domain.vocabulary import (
    AlertSeverity,
    AlertState,
    CounterAction,
    CounterState,
    ServiceType,
    StaffRole,
    TicketStatus,
    ZoneKind,
)


def service_type(value: ServiceType) -> str:
    return {
        ServiceType.CASH: QCoreApplication.translate("labels", "Cash"),
        ServiceType.NON_CASH: QCoreApplication.translate("labels", "Non-cash"),
        ServiceType.CORPORATE: QCoreApplication.translate("labels", "Corporate"),
        ServiceType.VIP: QCoreApplication.translate("labels", "VIP / priority"),
        ServiceType.SELF_SERVICE: QCoreApplication.translate("labels", "Self-service"),
    }[value]


def counter_state(value: CounterState) -> str:
    return {
        CounterState.OPEN: QCoreApplication.translate("labels", "Calling"),
        CounterState.SERVING: QCoreApplication.translate("labels", "Serving"),
        CounterState.IDLE: QCoreApplication.translate("labels", "Idle"),
        CounterState.PAUSED: QCoreApplication.translate("labels", "Paused"),
        CounterState.CLOSED: QCoreApplication.translate("labels", "Closed"),
        CounterState.OFFLINE: QCoreApplication.translate("labels", "Offline"),
    }[value]


def counter_action(value: CounterAction) -> str:
    return {
        CounterAction.OPEN: QCoreApplication.translate("labels", "Open"),
        CounterAction.PAUSE: QCoreApplication.translate("labels", "Pause"),
        CounterAction.CLOSE: QCoreApplication.translate("labels", "Close"),
        CounterAction.ASSIGN_STAFF: QCoreApplication.translate("labels", "Change staff"),
        CounterAction.SET_SERVICE_TYPES: QCoreApplication.translate("labels", "Change service types"),
    }[value]


def appointment_status(value: AppointmentStatus) -> str:
    return {
        AppointmentStatus.UPCOMING: QCoreApplication.translate("labels", "Upcoming"),
        AppointmentStatus.DUE: QCoreApplication.translate("labels", "Due"),
        AppointmentStatus.LATE: QCoreApplication.translate("labels", "Late, not here yet"),
        AppointmentStatus.MISSING: QCoreApplication.translate("labels", "Missing"),
        AppointmentStatus.CHECKED_IN_EARLY: QCoreApplication.translate("labels", "Checked in early"),
        AppointmentStatus.CHECKED_IN_ON_TIME: QCoreApplication.translate("labels", "Checked in on time"),
        AppointmentStatus.CHECKED_IN_LATE: QCoreApplication.translate("labels", "Checked in late"),
        AppointmentStatus.CANCELLED: QCoreApplication.translate("labels", "Cancelled"),
    }[value]


def presence(row: StaffPresence) -> str:
    """Where a staff member is now ("at Counter 3", "on break", ...)."""
    if row.presence is Presence.AT_COUNTER:
        return QCoreApplication.translate("labels", "at %1").replace("%1", counter_name(row.counter_id or ""))
    if row.presence is Presence.ON_BREAK:
        return QCoreApplication.translate("labels", "on break")
    if row.presence is Presence.EXPECTED:
        return QCoreApplication.translate("labels", "on shift, not at a counter")
    if row.presence is Presence.ON_LEAVE:
        return QCoreApplication.translate("labels", "on leave")
    return QCoreApplication.translate("labels", "off duty")


def ticket_status(value: TicketStatus) -> str:
    return {
        TicketStatus.WAITING: QCoreApplication.translate("labels", "Waiting"),
        TicketStatus.CALLED: QCoreApplication.translate("labels", "Called"),
        TicketStatus.SERVING: QCoreApplication.translate("labels", "Being served"),
        TicketStatus.SERVED: QCoreApplication.translate("labels", "Served"),
        TicketStatus.NO_SHOW: QCoreApplication.translate("labels", "No-show"),
        TicketStatus.ABANDONED: QCoreApplication.translate("labels", "Abandoned"),
    }[value]


def zone_kind(value: ZoneKind) -> str:
    return {
        ZoneKind.ENTRANCE: QCoreApplication.translate("labels", "Entrance"),
        ZoneKind.WAITING: QCoreApplication.translate("labels", "Waiting area"),
        ZoneKind.COUNTER: QCoreApplication.translate("labels", "Counter area"),
        ZoneKind.SELF_SERVICE: QCoreApplication.translate("labels", "Self-service area"),
    }[value]


def zone_name(name: str) -> str:
    """A zone as users read it: the name a branch gave it, or — for a zone named by its kind's code, as the demo
    branch's are ("waiting", "counters", "self_service", "entrance") — that kind's translated words."""
    kind = {"counters": ZoneKind.COUNTER, "counter": ZoneKind.COUNTER, "waiting": ZoneKind.WAITING,
            "self_service": ZoneKind.SELF_SERVICE, "entrance": ZoneKind.ENTRANCE}.get(name)
    return zone_kind(kind) if kind is not None else name


def staff_role(value: StaffRole) -> str:
    return {
        StaffRole.TELLER: QCoreApplication.translate("labels", "Teller"),
        StaffRole.SENIOR_TELLER: QCoreApplication.translate("labels", "Senior teller"),
        StaffRole.CORPORATE_OFFICER: QCoreApplication.translate("labels", "Corporate officer"),
        StaffRole.VIP_MANAGER: QCoreApplication.translate("labels", "VIP relationship manager"),
        StaffRole.LOBBY_MANAGER: QCoreApplication.translate("labels", "Lobby manager"),
        StaffRole.BRANCH_MANAGER: QCoreApplication.translate("labels", "Branch manager"),
    }[value]


def alert_severity(value: AlertSeverity) -> str:
    return {
        AlertSeverity.INFO: QCoreApplication.translate("labels", "Info"),
        AlertSeverity.WARNING: QCoreApplication.translate("labels", "Warning"),
        AlertSeverity.CRITICAL: QCoreApplication.translate("labels", "Critical"),
    }[value]


def alert_state(value: AlertState) -> str:
    return {
        AlertState.RAISED: QCoreApplication.translate("labels", "Raised"),
        AlertState.ACKNOWLEDGED: QCoreApplication.translate("labels", "Acknowledged"),
        AlertState.RESOLVED: QCoreApplication.translate("labels", "Resolved"),
    }[value]


#: The counters' own names (1号窗口, 贵宾窗口) of the branch the window shows, by id: set by the window from each
#: view (one window shows one branch), read wherever a counter is named by its id alone (alerts, advice, reports).
COUNTER_NAMES: dict[str, str] = {}


def remember_counter_names(counters) -> None:
    """The branch's counters (``CounterStatus``) as they are now: their names are used from here on."""
    COUNTER_NAMES.clear()
    COUNTER_NAMES.update({c.counter_id: c.name for c in counters})


#: The staff directory's names by employee number, of the branch the window shows (set with the counters' names).
STAFF_NAMES: dict[str, str] = {}


def remember_staff_names(staff) -> None:
    """The branch's staff directory (``StaffMember``) as it is now."""
    STAFF_NAMES.clear()
    STAFF_NAMES.update({m.staff_id: m.name for m in staff})


def person(staff_id: str) -> str:
    """A person as users read them: "黄强 (E1008)" — the name, with the employee number in brackets that tells two
    people of the same name apart; the number alone for someone not in the directory."""
    name = STAFF_NAMES.get(staff_id)
    return f"{name} ({staff_id})" if name and name != staff_id else staff_id


def counter_name(counter_id: str, name: str | None = None) -> str:
    """A counter's display name: the name the branch gave it (``name``, else the one remembered for its id), or
    from its id ("Counter 3" / "3号窗口") when it has none of its own (the name is its id, or the default
    "Counter 3" the demo and counters first seen in the ticket feed carry)."""
    name = name if name is not None else COUNTER_NAMES.get(counter_id)
    if name and name.strip() and name not in (counter_id, f"Counter {counter_id}"):
        return name
    return QCoreApplication.translate("labels", "Counter %1").replace("%1", counter_id)


def minutes(seconds: float | None) -> str:
    """A duration in whole minutes for tables ("12 min" / "12 分钟"); an em dash for no value."""
    if seconds is None:
        return "—"
    return QCoreApplication.translate("labels", "%1 min").replace("%1", str(int(round(seconds / 60))))


def wait_duration(seconds: float) -> str:
    """A wait as minutes and seconds in words ("17 min 35 s"), never to be mistaken for a time of day."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return QCoreApplication.translate("labels", "%1 s").replace("%1", str(seconds))
    return (QCoreApplication.translate("labels", "%1 min %2 s")
            .replace("%1", str(seconds // 60)).replace("%2", str(seconds % 60)))


def mm_ss(seconds: float) -> str:
    """A running duration as m:ss (for "serving for 4:05")."""
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def user_role(value) -> str:
    """A console user's role (console.domain.permissions.Role)."""
    from console.domain.permissions import Role

    return {
        Role.LOBBY_MANAGER: QCoreApplication.translate("labels", "Lobby manager"),
        Role.SECURITY_OFFICER: QCoreApplication.translate("labels", "Security officer"),
        Role.BRANCH_MANAGER: QCoreApplication.translate("labels", "Branch manager"),
        Role.ADMINISTRATOR: QCoreApplication.translate("labels", "Administrator"),
    }[value]


def permission(value) -> str:
    """What a permission (console.domain.permissions.Permission) lets one do, as a verb phrase."""
    from console.domain.permissions import Permission as P

    return {
        P.VIEW_CAMERAS: QCoreApplication.translate("labels", "see the cameras"),
        P.VIEW_OCCUPANCY: QCoreApplication.translate("labels", "see lobby occupancy"),
        P.VIEW_ALERTS: QCoreApplication.translate("labels", "see alerts"),
        P.VIEW_QUEUE: QCoreApplication.translate("labels", "see counters, the queue, staff and reports"),
        P.ACK_CROWDING_ALERTS: QCoreApplication.translate("labels", "acknowledge crowding alerts"),
        P.ACK_CAMERA_ALERTS: QCoreApplication.translate("labels", "acknowledge camera alerts"),
        P.ACK_QUEUE_ALERTS: QCoreApplication.translate("labels", "acknowledge queue and staffing alerts"),
        P.CHANGE_COUNTERS: QCoreApplication.translate("labels", "change counters"),
        P.CHECK_IN_STAFF: QCoreApplication.translate("labels", "check staff in and out"),
        P.EDIT_ROSTER: QCoreApplication.translate("labels", "change the roster and the staff directory"),
        P.EDIT_RULES: QCoreApplication.translate("labels", "change alert rules and thresholds"),
        P.CONFIGURE_BRANCH: QCoreApplication.translate("labels", "change the branch's set-up"),
        P.REPORT_INCIDENTS: QCoreApplication.translate("labels", "report incidents"),
        P.EDIT_PLANS: QCoreApplication.translate("labels", "edit the emergency plans"),
        P.IMPORT_DATA: QCoreApplication.translate("labels", "import data"),
        P.EXPORT_REPORTS: QCoreApplication.translate("labels", "export reports"),
        P.VIEW_AUDIT: QCoreApplication.translate("labels", "read the audit trail"),
        P.VIEW_STAFF_FIGURES: QCoreApplication.translate("labels", "see each person's and counter's figures"),
        P.MANAGE_CAMERAS: QCoreApplication.translate("labels", "manage cameras"),
        P.MANAGE_USERS: QCoreApplication.translate("labels", "manage users"),
        P.MANAGE_DATABASE: QCoreApplication.translate("labels", "manage the database, privacy and the API token"),
        P.ACT_FROM_REGION: QCoreApplication.translate("labels", "change a branch opened from the regional view"),
    }[value]


def denied(role, value, read_only: bool = False) -> str | None:
    """Why a control is disabled for ``role`` (None when the role may use it): for tooltips and messages.
    ``read_only``: the window shows a branch opened from the regional view."""
    from console.domain.permissions import Permission, allowed, roles_with

    if allowed(role, value, read_only):
        return None
    if allowed(role, value):
        who = ", ".join(user_role(r) for r in roles_with(Permission.ACT_FROM_REGION))
        return (QCoreApplication.translate("labels", "This branch is open read-only from the regional view (changes "
                                           "here: %1); act at the branch's own console.").replace("%1", who))
    who = ", ".join(user_role(r) for r in roles_with(value))
    return (QCoreApplication.translate("labels", "A %1 may not %2 (allowed: %3).")
            .replace("%1", user_role(role).lower() if role is not None else "").replace("%2", permission(value))
            .replace("%3", who))


def incident_type(kind: IncidentType) -> str:
    """An incident type as users read it."""
    return {
        IncidentType.MEDICAL: QCoreApplication.translate("labels", "Medical emergency"),
        IncidentType.SUSPICIOUS: QCoreApplication.translate("labels", "Suspicious person or behaviour"),
        IncidentType.DISPUTE: QCoreApplication.translate("labels", "Dispute or disturbance"),
        IncidentType.ROBBERY: QCoreApplication.translate("labels", "Robbery or violence"),
        IncidentType.FIRE: QCoreApplication.translate("labels", "Fire or evacuation"),
        IncidentType.SYSTEM_OUTAGE: QCoreApplication.translate("labels", "System outage (ticketing, card systems)"),
        IncidentType.DEVICE_FAULT: QCoreApplication.translate("labels", "Self-service device fault"),
        IncidentType.OTHER: QCoreApplication.translate("labels", "Other incident"),
        IncidentType.CROWDING: QCoreApplication.translate("labels", "Crowded lobby (its crowding plan)"),
    }[kind]


def rule_name(kind: str) -> str:
    """An alert rule's kind as users read it."""
    return {
        "crowding": QCoreApplication.translate("AlertWords", "Crowding"),
        "long_wait": QCoreApplication.translate("AlertWords", "Long wait"),
        "queue": QCoreApplication.translate("AlertWords", "Queue per counter"),
        "service_level": QCoreApplication.translate("AlertWords", "Service level"),
        "idle_counter": QCoreApplication.translate("AlertWords", "Idle counter"),
        "staffing": QCoreApplication.translate("AlertWords", "Staffing shortfall"),
        "camera_offline": QCoreApplication.translate("AlertWords", "Camera offline"),
        "not_logged_in": QCoreApplication.translate("AlertWords", "Not logged in"),
        "priority_wait": QCoreApplication.translate("AlertWords", "Priority customer waiting"),
        "low_rating": QCoreApplication.translate("AlertWords", "Low customer rating"),
    }.get(kind, kind)
