"""The branch's vocabulary: service types, counter states, ticket lifecycle, zones and roles.

Plain string enums so that values stored in the database, sent over the ticket API and written to CSV are the
same readable words (``"non_cash"``, ``"paused"``). No Qt here: storage, the simulator and the CLI share it.
User-visible labels for these values live in ``widgets/labels.py`` (translatable), never here.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class ServiceType(StrEnum):
    """Kinds of business a ticket is for and a counter (窗口) can take."""

    CASH = "cash"  # 现金业务: deposits, withdrawals, exchange
    NON_CASH = "non_cash"  # 非现金业务: transfers, cards, account changes
    CORPORATE = "corporate"  # 对公业务
    VIP = "vip"  # 贵宾 / 绿色通道 (priority lane)
    SELF_SERVICE = "self_service"  # 自助服务 assisted at smart counters


#: Service types a customer takes a ticket for at the ticket machine (self-service has no counter queue of its own
#: in the demo, but a real ticketing system may still send it).
QUEUED_SERVICE_TYPES: tuple[ServiceType, ...] = (
    ServiceType.CASH,
    ServiceType.NON_CASH,
    ServiceType.CORPORATE,
    ServiceType.VIP,
)


class CounterState(StrEnum):
    """State of a counter as the ticketing system and the console see it.

    open: staffed, has called a ticket and waits for the customer to arrive;
    serving: a ticket is being served; idle: staffed and open but nothing to serve;
    paused: staffed position temporarily not calling (break, errand); closed: not staffed;
    offline: the counter's terminal does not answer.
    """

    OPEN = "open"
    SERVING = "serving"
    IDLE = "idle"
    PAUSED = "paused"
    CLOSED = "closed"
    OFFLINE = "offline"


class CounterAction(StrEnum):
    """What the branch manager can ask of a counter from the board (see ``console/domain/counter_actions.py``)."""

    OPEN = "open"
    PAUSE = "pause"
    CLOSE = "close"
    ASSIGN_STAFF = "assign_staff"
    SET_SERVICE_TYPES = "set_service_types"


class TicketStatus(StrEnum):
    """Where a ticket is in its lifecycle. ``served``, ``no_show`` and ``abandoned`` are final.

    A transfer moves a ticket back to ``waiting`` under another service type; it is an event, not a final status.
    """

    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    SERVED = "served"
    NO_SHOW = "no_show"
    ABANDONED = "abandoned"

    @property
    def is_final(self) -> bool:
        return self in (TicketStatus.SERVED, TicketStatus.NO_SHOW, TicketStatus.ABANDONED)


class TicketEventType(StrEnum):
    """Event types of the ticketing-system feed (the same words as the HTTP API)."""

    ISSUED = "issued"
    CALLED = "called"
    STARTED = "started"
    FINISHED = "finished"
    NO_SHOW = "no_show"
    TRANSFERRED = "transferred"
    ABANDONED = "abandoned"
    COUNTER_STATE = "counter_state"
    STAFF_LOGIN = "staff_login"
    STAFF_LOGOUT = "staff_logout"
    APPOINTMENT_BOOKED = "appointment_booked"
    APPOINTMENT_CANCELLED = "appointment_cancelled"
    CHECKED_IN = "checked_in"
    RATED = "rated"  # the customer's score on the counter's rating device (评价器), 1–5


class ZoneKind(StrEnum):
    """What a camera zone stands for. Lobby occupancy is the sum of the zones that form the lobby."""

    ENTRANCE = "entrance"
    WAITING = "waiting"
    COUNTER = "counter"
    SELF_SERVICE = "self_service"


class StaffRole(StrEnum):
    """A staff member's job at the branch (not a console user role)."""

    TELLER = "teller"
    SENIOR_TELLER = "senior_teller"
    CORPORATE_OFFICER = "corporate_officer"
    VIP_MANAGER = "vip_manager"
    LOBBY_MANAGER = "lobby_manager"
    BRANCH_MANAGER = "branch_manager"


class ShiftKind(StrEnum):
    """A roster entry: a working shift, or leave (the person is away the whole span)."""

    WORK = "work"
    LEAVE = "leave"


class AlertSeverity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class AlertState(StrEnum):
    RAISED = "raised"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


def service_type_named(value: str, names: Mapping[str, ServiceType] | None = None) -> ServiceType | None:
    """The service type ``value`` stands for: one of the branch's business names (``names``: 个人现金 → cash…), or a
    service type's own value; None when it is neither."""
    if names and value in names:
        return names[value]
    try:
        return ServiceType(value)
    except ValueError:
        return None
