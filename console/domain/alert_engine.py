"""The alert rules engine: rule definitions with hysteresis, sustain, cooldown, active hours and escalation, and the
state machine that turns measurements into raised, changed and resolved alerts. Pure Python over plain data; the
clock is the ``now`` passed in (a fake clock in tests, the branch clock live, a replayed clock in ``alerts check``).

A rule (``RuleSpec``) watches one kind of measurement (``RuleKind``) for a scope (the whole branch, or one zone,
service type, counter or camera) and has one or more **levels**, each a severity with a raise threshold and a clear
threshold. Direction "above" (most rules) raises when the value is ≥ the raise threshold and clears when it is
below the clear threshold; "below" (service level) the other way round. So the clear threshold must be on the
"safe" side of the raise threshold: ``check_rule`` refuses a rule where it is not.

State machine per (rule, subject), evaluated at each instant:
- a level is *due* when its raise condition has held continuously for ``sustain_s``; the alert's severity is the
  highest due level (raised, or *worsened* when it goes up);
- the alert steps down (or resolves, from its lowest level) when the value has been on the safe side of the
  current level's clear threshold for ``clear_sustain_s`` — between the two thresholds nothing changes
  (hysteresis);
- a subject that is no longer measured (a ticket called, a counter closed) resolves at once: it no longer exists;
- after resolving, the same rule and subject does not raise again for ``cooldown_s``;
- outside the rule's active hours and weekdays, or while the rule is snoozed, nothing new is raised (open alerts
  still resolve when their condition clears);
- an alert not acknowledged within ``escalate_after_s`` (when set) is *escalated* once: marked and notified again,
  to the people told next and louder. Escalation is a state of its own, apart from the level: the severity keeps
  following the measured value (escalating never raises it, so it can never fall back when the value stays), and
  the mark stays until the alert resolves — acknowledging it stops further escalation, it does not undo it.

One alert per thing a person acts on: an alert is not raised while another open alert already asks for the same
action (``covered``). A queue-per-counter alert for a service type is covered by that type's open long-wait alert
(both are answered by opening a counter for the type; the long wait is the more urgent word), and a zone's crowding
alert by the lobby's crowding alert at the same level or higher (the lobby's crowd is managed as one). The covered
condition keeps its sustain time: when the cover resolves and the condition still holds, it is raised then. An alert
already open when its cover is raised (or worsens to its level) is folded into the cover: resolved at once, without a
cooldown, its condition still tracked. Rules that can cover are evaluated first, and the lobby before its zones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from enum import StrEnum

from console.domain.vocabulary import AlertSeverity

SEVERITY_ORDER = (AlertSeverity.INFO, AlertSeverity.WARNING, AlertSeverity.CRITICAL)
ALL_WEEKDAYS = frozenset(range(7))


class RuleKind(StrEnum):
    """What a rule measures (units in the value of each ``Measurement``)."""

    CROWDING = "crowding"  # percent of the capacity of the lobby or a zone
    LONG_WAIT = "long_wait"  # minutes the longest-waiting ticket of a service type's queue has been waiting
    QUEUE = "queue"  # tickets waiting per open counter taking the service type
    SERVICE_LEVEL = "service_level"  # percent called within the target over the last 60 minutes
    IDLE_COUNTER = "idle_counter"  # minutes a counter has been idle while a type it takes has tickets waiting
    STAFFING = "staffing"  # counters short of those the staffing maths requires, over the service types short
    CAMERA_OFFLINE = "camera_offline"  # seconds a camera has been offline
    NOT_LOGGED_IN = "not_logged_in"  # minutes since a rostered shift started without a login
    PRIORITY_WAIT = "priority_wait"  # minutes the longest-waiting priority customer (VIP, elderly, disabled) waited
    LOW_RATING = "low_rating"  # the day's average customer rating (1–5) at a counter, once enough were rated


#: the subject of the whole lobby's crowding (zones are named by their zone names)
LOBBY = "lobby"
#: rule kinds whose open alerts can cover others' (evaluated first: ``AlertEngine.covered``)
COVERING_KINDS = frozenset({RuleKind.LONG_WAIT, RuleKind.CROWDING})


class ScopeKind(StrEnum):
    """What the subjects of a rule kind are, so what a rule of that kind can be limited to."""

    PLACE = "place"  # the lobby ("lobby") or a zone (its name)
    SERVICE_TYPE = "service_type"  # a service type's queue (its value, e.g. "non_cash")
    COUNTER = "counter"  # a counter (its id)
    CAMERA = "camera"  # a camera (its id)
    STAFF = "staff"  # a person (their employee number)


#: The subjects each rule kind measures (``console/domain/alert_measures.py``); None: one figure for the whole branch,
#: which cannot be narrowed. The rules editor offers exactly these scopes.
SCOPES: dict[RuleKind, ScopeKind | None] = {
    RuleKind.CROWDING: ScopeKind.PLACE,
    RuleKind.LONG_WAIT: ScopeKind.SERVICE_TYPE,
    RuleKind.QUEUE: ScopeKind.SERVICE_TYPE,
    RuleKind.SERVICE_LEVEL: None,
    RuleKind.IDLE_COUNTER: ScopeKind.COUNTER,
    RuleKind.STAFFING: None,  # one figure: the counters short over all service types
    RuleKind.CAMERA_OFFLINE: ScopeKind.CAMERA,
    RuleKind.NOT_LOGGED_IN: ScopeKind.STAFF,
    RuleKind.PRIORITY_WAIT: None,
    RuleKind.LOW_RATING: ScopeKind.COUNTER,
}
#: rule kinds whose figure is bad when low (the alert is raised at or below its threshold)
BELOW_KINDS = frozenset({RuleKind.SERVICE_LEVEL, RuleKind.LOW_RATING})


class Direction(StrEnum):
    ABOVE = "above"
    BELOW = "below"


@dataclass(frozen=True, slots=True)
class Level:
    severity: AlertSeverity
    raise_at: float
    clear_at: float


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """One rule. ``scope`` "" means every subject of the kind; otherwise the subject it is limited to (a zone name,
    a service type, a counter id, a camera id). Times in seconds; hours in the branch's local time."""

    rule_id: str
    kind: RuleKind
    levels: tuple[Level, ...]
    scope: str = ""
    direction: Direction = Direction.ABOVE
    sustain_s: float = 60.0
    clear_sustain_s: float = 60.0
    cooldown_s: float = 300.0
    active_from: time = time(0, 0)
    active_to: time = time(23, 59, 59)
    weekdays: frozenset[int] = ALL_WEEKDAYS  # Monday = 0
    escalate_after_s: float | None = None
    enabled: bool = True
    snoozed_until: datetime | None = None

    def is_active(self, at: datetime) -> bool:
        if not self.enabled or at.weekday() not in self.weekdays:
            return False
        if self.snoozed_until is not None and at < self.snoozed_until:
            return False
        clock = at.time().replace(tzinfo=None)
        if self.active_from <= self.active_to:
            return self.active_from <= clock <= self.active_to
        return clock >= self.active_from or clock <= self.active_to  # across midnight

    def breached(self, level: Level, value: float) -> bool:
        return value >= level.raise_at if self.direction is Direction.ABOVE else value <= level.raise_at

    def safe(self, level: Level, value: float) -> bool:
        return value < level.clear_at if self.direction is Direction.ABOVE else value > level.clear_at

    def applies_to(self, subject: str) -> bool:
        return not self.scope or self.scope == subject


class RuleError(ValueError):
    """A rule that cannot work; the message names the rule and the field."""


def check_rule(rule: RuleSpec) -> RuleSpec:
    """The rule itself, or RuleError naming what is wrong."""
    name = rule.rule_id or "(unnamed rule)"
    if not rule.rule_id.strip():
        raise RuleError("a rule needs a name")
    if not rule.levels:
        raise RuleError(f"{name}: at least one level (severity with raise and clear thresholds) is needed")
    for what, value in (("sustain", rule.sustain_s), ("clear sustain", rule.clear_sustain_s),
                        ("cooldown", rule.cooldown_s)):
        if value < 0:
            raise RuleError(f"{name}: {what} time must not be negative, got {value:g} s")
    if rule.scope and SCOPES[rule.kind] is None:
        raise RuleError(f"{name}: a {rule.kind.value} rule watches the whole branch and cannot be limited to "
                        f"{rule.scope!r}")
    if rule.escalate_after_s is not None and rule.escalate_after_s <= 0:
        raise RuleError(f"{name}: escalate after must be above 0 s, got {rule.escalate_after_s:g} s")
    if not rule.weekdays or not rule.weekdays <= ALL_WEEKDAYS:
        raise RuleError(f"{name}: choose at least one weekday")
    seen: set[AlertSeverity] = set()
    previous: Level | None = None
    for level in rule.levels:
        if level.severity in seen:
            raise RuleError(f"{name}: severity {level.severity.value} appears twice")
        seen.add(level.severity)
        if rule.direction is Direction.ABOVE and level.clear_at > level.raise_at:
            raise RuleError(f"{name}: {level.severity.value} clear threshold {level.clear_at:g} must not be above "
                            f"its raise threshold {level.raise_at:g} (the alert would never clear)")
        if rule.direction is Direction.BELOW and level.clear_at < level.raise_at:
            raise RuleError(f"{name}: {level.severity.value} clear threshold {level.clear_at:g} must not be below "
                            f"its raise threshold {level.raise_at:g} (the alert would never clear)")
        if previous is not None:
            if SEVERITY_ORDER.index(level.severity) <= SEVERITY_ORDER.index(previous.severity):
                raise RuleError(f"{name}: list the levels from the least to the most severe")
            worse = level.raise_at > previous.raise_at if rule.direction is Direction.ABOVE \
                else level.raise_at < previous.raise_at
            if not worse:
                raise RuleError(f"{name}: the {level.severity.value} raise threshold {level.raise_at:g} must be "
                                f"beyond the {previous.severity.value} one {previous.raise_at:g}")
        previous = level
    return rule


@dataclass(frozen=True, slots=True)
class Measurement:
    """One figure of one subject at one instant (units per ``RuleKind``)."""

    kind: RuleKind
    subject: str
    value: float
    detail: str = ""  # words for the message (the zone's capacity, the ticket number, ...)


@dataclass
class ActiveAlert:
    """An open alert as the engine tracks it; ``alert_id`` is the stored row once stored."""

    rule_id: str
    subject: str
    severity: AlertSeverity
    raised_at: datetime
    value: float  # latest
    peak: float  # worst while open
    threshold: float  # raise threshold of the current level
    detail: str = ""
    acknowledged: bool = False
    escalated: bool = False
    alert_id: int | None = None


class ChangeKind(StrEnum):
    RAISED = "raised"
    WORSENED = "worsened"  # the measured value reached a higher level: the severity went up
    ESCALATED = "escalated"  # not acknowledged in time: told again, to the people next in line
    DOWNGRADED = "downgraded"
    RESOLVED = "resolved"


@dataclass(frozen=True, slots=True)
class AlertChange:
    kind: ChangeKind
    alert: ActiveAlert  # a copy as it is after the change
    at: datetime


@dataclass
class _Track:
    pending: dict[AlertSeverity, datetime] = field(default_factory=dict)  # level → breached since
    safe_since: datetime | None = None


class AlertEngine:
    """Holds the rules, the open alerts and the per-subject timers."""

    def __init__(self, rules: Iterable[RuleSpec] = ()) -> None:
        self.rules: dict[str, RuleSpec] = {}
        self.open: dict[tuple[str, str], ActiveAlert] = {}
        self._tracks: dict[tuple[str, str], _Track] = {}
        self._cooldown: dict[tuple[str, str], datetime] = {}
        for rule in rules:
            self.set_rule(rule)

    def set_rule(self, rule: RuleSpec) -> None:
        self.rules[rule.rule_id] = check_rule(rule)

    def remove_rule(self, rule_id: str) -> None:
        self.rules.pop(rule_id, None)

    def restore(self, alerts: Iterable[ActiveAlert]) -> None:
        """Open alerts stored before a restart: they continue (and resolve when their condition clears)."""
        for a in alerts:
            self.open[(a.rule_id, a.subject)] = a

    def acknowledge(self, rule_id: str, subject: str) -> None:
        alert = self.open.get((rule_id, subject))
        if alert is not None:
            alert.acknowledged = True

    def resolve_by_hand(self, rule_id: str, subject: str, at: datetime) -> AlertChange | None:
        """Resolved by a person: closed now, and the cooldown starts."""
        key = (rule_id, subject)
        alert = self.open.pop(key, None)
        if alert is None:
            return None
        self._tracks.pop(key, None)
        rule = self.rules.get(rule_id)
        self._cooldown[key] = at + timedelta(seconds=rule.cooldown_s if rule else 0)
        return AlertChange(ChangeKind.RESOLVED, replace(alert), at)

    def evaluate(self, now: datetime, measurements: Sequence[Measurement]) -> list[AlertChange]:
        """Apply the measurements taken at ``now`` (every subject measured now, breached or not)."""
        changes: list[AlertChange] = []
        by_kind: dict[RuleKind, list[Measurement]] = {}
        for m in measurements:
            by_kind.setdefault(m.kind, []).append(m)
        for rule in sorted(self.rules.values(), key=lambda r: r.kind not in COVERING_KINDS):
            seen: set[str] = set()
            for m in sorted(by_kind.get(rule.kind, ()), key=lambda m: m.subject != LOBBY):
                if not rule.applies_to(m.subject):
                    continue
                seen.add(m.subject)
                stepped = self._step(rule, m, now)
                changes.extend(stepped)
                if rule.kind in COVERING_KINDS and any(c.kind in (ChangeKind.RAISED, ChangeKind.WORSENED)
                                                       for c in stepped):
                    changes.extend(self._fold(now))
                alert = self.open.get((rule.rule_id, m.subject))
                if alert is not None and (escalated := self._escalate(rule, alert, now)) is not None:
                    changes.append(escalated)
            for (rule_id, subject), alert in list(self.open.items()):
                if rule_id == rule.rule_id and subject not in seen:  # the subject is gone: resolved at once
                    changes.append(self._resolve(rule, (rule_id, subject), now))
            for key in [k for k in self._tracks if k[0] == rule.rule_id and k[1] not in seen]:
                del self._tracks[key]
        for (rule_id, _), alert in list(self.open.items()):
            if rule_id not in self.rules:  # the rule was removed
                changes.append(self._resolve(None, (rule_id, alert.subject), now))
        return changes

    # --- one subject -----------------------------------------------------------------------------------------

    def _step(self, rule: RuleSpec, m: Measurement, now: datetime) -> list[AlertChange]:
        key = (rule.rule_id, m.subject)
        track = self._tracks.setdefault(key, _Track())
        alert = self.open.get(key)
        active = rule.is_active(now)
        for level in rule.levels:
            if rule.breached(level, m.value) and active:
                track.pending.setdefault(level.severity, now)
            else:
                track.pending.pop(level.severity, None)
        due = [lv for lv in rule.levels if lv.severity in track.pending
               and (now - track.pending[lv.severity]).total_seconds() >= rule.sustain_s]
        top = due[-1] if due else None
        changes: list[AlertChange] = []
        if alert is None:
            cooling = self._cooldown.get(key)
            if top is not None and (cooling is None or now >= cooling) and not self.covered(rule, m.subject,
                                                                                           top.severity):
                alert = ActiveAlert(rule.rule_id, m.subject, top.severity, now, m.value, m.value, top.raise_at,
                                    m.detail)
                self.open[key] = alert
                track.safe_since = None
                changes.append(AlertChange(ChangeKind.RAISED, replace(alert), now))
            return changes
        alert.value = m.value
        alert.detail = m.detail or alert.detail
        worse = m.value > alert.peak if rule.direction is Direction.ABOVE else m.value < alert.peak
        if worse:
            alert.peak = m.value
        rank = SEVERITY_ORDER.index(alert.severity)
        if top is not None and SEVERITY_ORDER.index(top.severity) > rank:
            alert.severity, alert.threshold = top.severity, top.raise_at
            track.safe_since = None
            changes.append(AlertChange(ChangeKind.WORSENED, replace(alert), now))
            return changes
        current = next((lv for lv in rule.levels if lv.severity is alert.severity), rule.levels[0])
        if rule.safe(current, m.value):
            track.safe_since = track.safe_since or now
            if (now - track.safe_since).total_seconds() >= rule.clear_sustain_s:
                lower = [lv for lv in rule.levels
                         if SEVERITY_ORDER.index(lv.severity) < SEVERITY_ORDER.index(current.severity)
                         and not rule.safe(lv, m.value)]
                if lower:
                    alert.severity, alert.threshold = lower[-1].severity, lower[-1].raise_at
                    track.safe_since = None
                    changes.append(AlertChange(ChangeKind.DOWNGRADED, replace(alert), now))
                else:
                    changes.append(self._resolve(rule, key, now))
            return changes
        track.safe_since = None
        return changes

    def covered(self, rule: RuleSpec, subject: str, severity: AlertSeverity) -> bool:
        """Whether an open alert already asks for what an alert of ``rule`` on ``subject`` at ``severity`` would
        (see the module's docstring)."""
        if rule.kind is RuleKind.QUEUE:
            return any(self.rules.get(r) is not None and self.rules[r].kind is RuleKind.LONG_WAIT and s == subject
                       for r, s in self.open)
        if rule.kind is RuleKind.CROWDING and subject != LOBBY:
            return any(s == LOBBY and self.rules.get(r) is not None and self.rules[r].kind is RuleKind.CROWDING
                       and SEVERITY_ORDER.index(a.severity) >= SEVERITY_ORDER.index(severity)
                       for (r, s), a in self.open.items())
        return False

    def _fold(self, now: datetime) -> list[AlertChange]:
        """Resolve the open alerts an open cover now asks for (no cooldown: their condition may still hold)."""
        folded = []
        for key, alert in list(self.open.items()):
            rule = self.rules.get(key[0])
            if rule is not None and self.covered(rule, key[1], alert.severity):
                del self.open[key]
                folded.append(AlertChange(ChangeKind.RESOLVED, replace(alert), now))
        return folded

    def _escalate(self, rule: RuleSpec, alert: ActiveAlert, now: datetime) -> AlertChange | None:
        """Escalated once when not acknowledged within the rule's time (whatever the value does meanwhile)."""
        if (rule.escalate_after_s is None or alert.acknowledged or alert.escalated
                or (now - alert.raised_at).total_seconds() < rule.escalate_after_s):
            return None
        alert.escalated = True
        return AlertChange(ChangeKind.ESCALATED, replace(alert), now)

    def _resolve(self, rule: RuleSpec | None, key: tuple[str, str], now: datetime) -> AlertChange:
        alert = self.open.pop(key)
        self._tracks.pop(key, None)
        if rule is not None and rule.cooldown_s > 0:
            self._cooldown[key] = now + timedelta(seconds=rule.cooldown_s)
        return AlertChange(ChangeKind.RESOLVED, replace(alert), now)


def _lv(severity: AlertSeverity, raise_at: float, clear_at: float) -> Level:
    return Level(severity, raise_at, clear_at)


W, C, I = AlertSeverity.WARNING, AlertSeverity.CRITICAL, AlertSeverity.INFO


def default_rules() -> list[RuleSpec]:
    """The branch standards of the product brief, as a new branch gets them (all editable). Clear thresholds sit a
    little on the safe side of the raise thresholds so a figure hovering at the line does not flap. Rules whose
    figure is itself a duration (a ticket's wait, a counter's idle time, a camera's time offline, minutes without a
    login) have no extra sustain time: "waiting ≥ 15 min" is already sustained; the others wait 60 s."""
    return [
        RuleSpec("crowding", RuleKind.CROWDING, (_lv(W, 80, 75), _lv(C, 100, 95)), escalate_after_s=300),
        # one alert per queue, on its longest wait: it clears a little below the line (the next ticket in the queue
        # may be a minute short of it when the oldest is called) and may come back at once (no cooldown)
        RuleSpec("long_wait", RuleKind.LONG_WAIT, (_lv(W, 15, 12), _lv(C, 30, 25)), sustain_s=0, clear_sustain_s=0,
                 cooldown_s=0, escalate_after_s=600),
        RuleSpec("queue", RuleKind.QUEUE, (_lv(W, 5, 4),)),
        RuleSpec("service_level", RuleKind.SERVICE_LEVEL, (_lv(W, 80, 85),), direction=Direction.BELOW),
        RuleSpec("idle_counter", RuleKind.IDLE_COUNTER, (_lv(W, 10, 10),), sustain_s=0),
        RuleSpec("staffing", RuleKind.STAFFING, (_lv(W, 1, 1),), sustain_s=300),  # the need moves with each arrival
        RuleSpec("camera_offline", RuleKind.CAMERA_OFFLINE, (_lv(W, 60, 60),), sustain_s=0, escalate_after_s=600),
        RuleSpec("not_logged_in", RuleKind.NOT_LOGGED_IN, (_lv(I, 10, 10),), sustain_s=0),
        # a priority customer (VIP, elderly, disabled) is served first: waiting more than 5 minutes is worth a look
        RuleSpec("priority_wait", RuleKind.PRIORITY_WAIT, (_lv(W, 5, 4),), sustain_s=0, clear_sustain_s=0,
                 cooldown_s=0, escalate_after_s=300),
        # customers at a counter rate its service below 3.5 of 5 on the day (評价器): a word with the team is due
        RuleSpec("low_rating", RuleKind.LOW_RATING, (_lv(W, 3.5, 3.8),), direction=Direction.BELOW, sustain_s=0),
    ]


def rule_to_dict(rule: RuleSpec) -> dict:
    """A JSON-ready form of a rule (stored in the database, exported, edited)."""
    return {
        "rule_id": rule.rule_id, "kind": rule.kind.value, "scope": rule.scope, "direction": rule.direction.value,
        "levels": [{"severity": lv.severity.value, "raise": lv.raise_at, "clear": lv.clear_at} for lv in rule.levels],
        "sustain_s": rule.sustain_s, "clear_sustain_s": rule.clear_sustain_s, "cooldown_s": rule.cooldown_s,
        "active_from": rule.active_from.strftime("%H:%M"), "active_to": rule.active_to.strftime("%H:%M:%S"),
        "weekdays": sorted(rule.weekdays), "escalate_after_s": rule.escalate_after_s, "enabled": rule.enabled,
        "snoozed_until": rule.snoozed_until.isoformat() if rule.snoozed_until else None,
    }


def rule_from_dict(data: dict) -> RuleSpec:
    """The rule of ``rule_to_dict``; RuleError naming the field when something is missing or wrong."""
    name = str(data.get("rule_id", "?"))
    try:
        return check_rule(RuleSpec(
            rule_id=str(data["rule_id"]), kind=RuleKind(data["kind"]), scope=str(data.get("scope", "")),
            direction=Direction(data.get("direction", "above")),
            levels=tuple(Level(AlertSeverity(lv["severity"]), float(lv["raise"]), float(lv["clear"]))
                         for lv in data["levels"]),
            sustain_s=float(data.get("sustain_s", 60)), clear_sustain_s=float(data.get("clear_sustain_s", 60)),
            cooldown_s=float(data.get("cooldown_s", 300)),
            active_from=time.fromisoformat(data.get("active_from", "00:00")),
            active_to=time.fromisoformat(data.get("active_to", "23:59:59")),
            weekdays=frozenset(int(d) for d in data.get("weekdays", range(7))),
            escalate_after_s=None if data.get("escalate_after_s") is None else float(data["escalate_after_s"]),
            enabled=bool(data.get("enabled", True)),
            snoozed_until=datetime.fromisoformat(data["snoozed_until"]) if data.get("snoozed_until") else None,
        ))
    except RuleError:
        raise
    except (KeyError, ValueError, TypeError) as exc:
        raise RuleError(f"{name}: {type(exc).__name__} {exc}") from None
