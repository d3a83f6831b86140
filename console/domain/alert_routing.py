"""Who gets which alert, and how: the routing of alerts to the three roles that act on them.

Decisions (the product brief's users):
- Routing is **per rule kind** (crowding, long wait, …), not per rule id: rules are the branch's and live in the
  database, delivery is the PC's and lives in settings.toml, and a branch adding a second long-wait rule expects it
  to reach the same people as the first.
- Each of the **lobby manager**, the **security officer** and the **branch manager** has a route: the rule kinds that
  are theirs, the lowest level that reaches them, whether this PC sounds and shows a tray message while someone of
  that role is logged in, and their own chat robot (WeCom / DingTalk / generic JSON) and e-mail addresses (the
  security team's group, the branch manager's phone).
- The defaults follow who acts: the lobby manager gets every queue, staffing and crowding alert from "info" up; the
  security officer gets crowding and camera alerts from "warning" up; the branch manager gets what a staffing
  decision or head office will ask about (service level, staffing, crowding, long waits, priority customers) from
  "warning" up.
- An **incident** (reported by a person) goes at once to the roles its emergency plan names, whatever the kinds
  above say: the plan is the branch's decision of who must know. A drill goes the same way, marked as a drill.
- The **administrator** and the demo branch (nobody logged in) see and hear every alert on the console; an
  administrator has no remote channel of their own.
- The branch-wide chat robot and e-mail list in the settings (``[alerts] webhook_url``, ``email_to``) still get every
  alert, as before routes existed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from console.domain.alert_engine import RuleKind
from console.domain.vocabulary import AlertSeverity

#: the roles alerts are routed to, in the order the settings show them
ROUTED_ROLES = ("lobby_manager", "security_officer", "branch_manager")
LEVELS = (AlertSeverity.INFO, AlertSeverity.WARNING, AlertSeverity.CRITICAL)
WEBHOOK_FORMATS = ("generic", "wecom", "dingtalk")


class RouteError(ValueError):
    """A route in the settings is not usable; the message names the role and the key."""


@dataclass(frozen=True)
class RoleRoute:
    """What reaches one role. ``kinds``: rule kinds (``RuleKind`` values); ``lowest``: the lowest level that reaches
    them; ``sound``/``tray``: this PC signals while someone of the role is logged in; ``webhook_url`` with
    ``webhook_format`` and ``email_to``: the role's own channels (empty: none)."""

    role: str
    kinds: frozenset[str]
    lowest: AlertSeverity = AlertSeverity.WARNING
    sound: bool = True
    tray: bool = True
    webhook_url: str = ""
    webhook_format: str = "wecom"
    email_to: tuple[str, ...] = ()

    def wants(self, kind: str, severity: AlertSeverity) -> bool:
        return kind in self.kinds and LEVELS.index(severity) >= LEVELS.index(self.lowest)

    def remote(self) -> bool:
        """Whether the role has a channel of its own beyond this PC."""
        return bool(self.webhook_url or self.email_to)


_QUEUE_KINDS = {RuleKind.LONG_WAIT, RuleKind.QUEUE, RuleKind.SERVICE_LEVEL, RuleKind.IDLE_COUNTER,
                RuleKind.STAFFING, RuleKind.NOT_LOGGED_IN, RuleKind.PRIORITY_WAIT, RuleKind.LOW_RATING}

DEFAULT_ROUTES: dict[str, RoleRoute] = {
    "lobby_manager": RoleRoute("lobby_manager", frozenset(k.value for k in _QUEUE_KINDS | {RuleKind.CROWDING}),
                               AlertSeverity.INFO),
    "security_officer": RoleRoute("security_officer",
                                  frozenset({RuleKind.CROWDING.value, RuleKind.CAMERA_OFFLINE.value})),
    "branch_manager": RoleRoute("branch_manager", frozenset(k.value for k in (
        RuleKind.SERVICE_LEVEL, RuleKind.STAFFING, RuleKind.CROWDING, RuleKind.LONG_WAIT, RuleKind.PRIORITY_WAIT,
        RuleKind.LOW_RATING))),
}


@dataclass(frozen=True)
class Routes:
    """The routes of the three roles (``by_role``), defaults where the settings say nothing."""

    by_role: Mapping[str, RoleRoute] = field(default_factory=lambda: dict(DEFAULT_ROUTES))

    def __getitem__(self, role: str) -> RoleRoute:
        return self.by_role[role]

    def roles_for(self, kind: str, severity: AlertSeverity) -> tuple[str, ...]:
        """The roles a rule alert of this kind and level goes to."""
        return tuple(r for r in ROUTED_ROLES if self.by_role[r].wants(kind, severity))

    def signals_here(self, role: str | None, kind: str | None, severity: AlertSeverity,
                     incident_roles: Iterable[str] | None = None) -> tuple[bool, bool]:
        """(sound, tray) on this PC for an alert while ``role`` is logged in (None: nobody, the demo branch).
        ``kind``: the rule kind (None for an incident, then ``incident_roles``: the roles its plan names)."""
        if role is None or role not in self.by_role:
            return True, True  # the demo branch and the administrator hear everything
        route = self.by_role[role]
        if kind is None:
            mine = role in set(incident_roles or ())
        else:
            mine = route.wants(kind, severity)
        return mine and route.sound, mine and route.tray


def route_from_dict(role: str, data: Mapping[str, object], where: str) -> RoleRoute:
    """A role's route from its settings table (``[alerts.routes.ROLE]``); missing keys keep the role's defaults.
    RouteError names the key and what is wrong."""
    if role not in DEFAULT_ROUTES:
        raise RouteError(f"{where}: unknown role {role!r} (known: {', '.join(ROUTED_ROLES)})")
    base = DEFAULT_ROUTES[role]
    known = {"kinds", "lowest", "sound", "tray", "webhook_url", "webhook_format", "email_to"}
    for key in data:
        if key not in known:
            raise RouteError(f"{where}.{key}: unknown key (known: {', '.join(sorted(known))})")
    values: dict[str, object] = {}
    if "kinds" in data:
        kinds = data["kinds"]
        if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
            raise RouteError(f"{where}.kinds must be a list of rule kinds")
        unknown = [k for k in kinds if k not in {r.value for r in RuleKind}]
        if unknown:
            raise RouteError(f"{where}.kinds: unknown rule kind {unknown[0]!r} "
                             f"(known: {', '.join(r.value for r in RuleKind)})")
        values["kinds"] = frozenset(kinds)
    if "lowest" in data:
        if data["lowest"] not in {s.value for s in LEVELS}:
            raise RouteError(f"{where}.lowest must be one of info, warning, critical, got {data['lowest']!r}")
        values["lowest"] = AlertSeverity(data["lowest"])
    for key in ("sound", "tray"):
        if key in data:
            if not isinstance(data[key], bool):
                raise RouteError(f"{where}.{key} must be true or false")
            values[key] = data[key]
    if "webhook_url" in data:
        url = data["webhook_url"]
        if not isinstance(url, str) or (url and not url.startswith(("http://", "https://"))):
            raise RouteError(f"{where}.webhook_url must start with http:// or https://")
        values["webhook_url"] = url.strip()
    if "webhook_format" in data:
        if data["webhook_format"] not in WEBHOOK_FORMATS:
            raise RouteError(f"{where}.webhook_format must be one of {', '.join(WEBHOOK_FORMATS)}, "
                             f"got {data['webhook_format']!r}")
        values["webhook_format"] = data["webhook_format"]
    if "email_to" in data:
        emails = data["email_to"]
        if not isinstance(emails, list) or not all(isinstance(e, str) for e in emails):
            raise RouteError(f"{where}.email_to must be a list of e-mail addresses")
        bad = [e for e in emails if not valid_email(e)]
        if bad:
            raise RouteError(f"{where}.email_to: {bad[0]!r} is not an e-mail address")
        values["email_to"] = tuple(e.strip() for e in emails)
    return replace(base, **values)


def route_to_dict(route: RoleRoute) -> dict[str, object]:
    """The settings table of a route (every key written, so the file says what is in force)."""
    return {"kinds": sorted(route.kinds), "lowest": route.lowest.value, "sound": route.sound, "tray": route.tray,
            "webhook_url": route.webhook_url, "webhook_format": route.webhook_format,
            "email_to": list(route.email_to)}


def routes_from_dict(data: Mapping[str, object], where: str) -> Routes:
    """All routes from the ``[alerts.routes]`` table (roles not named keep their defaults)."""
    by_role = dict(DEFAULT_ROUTES)
    for role, table in data.items():
        if not isinstance(table, Mapping):
            raise RouteError(f"{where}.{role} must be a table")
        by_role[role] = route_from_dict(role, table, f"{where}.{role}")
    return Routes(by_role)


def routes_to_dict(routes: Routes) -> dict[str, dict[str, object]]:
    return {role: route_to_dict(routes[role]) for role in ROUTED_ROLES}


def valid_email(text: str) -> bool:
    """A plausible address: one @, something before it, a dot in the domain, no spaces."""
    text = text.strip()
    local, at, domain = text.partition("@")
    return bool(at and local and "." in domain.strip(".") and " " not in text and "@" not in domain)
