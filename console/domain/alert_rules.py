"""First alert rules: long waits and lobby crowding, as pure functions over a branch's current state.

A rule returns the conditions breached now; ``AlertTracker`` turns conditions appearing and disappearing into
raised and resolved alerts (one alert per rule and subject while the condition lasts). Thresholds, in minutes and
shares of the lobby capacity, follow the branch standards in the product brief: a wait of 15 minutes warns, 30
minutes (the common maximum-wait standard) is critical; occupancy at 80% of capacity warns, 100% is critical.
The scheduled rules engine with hysteresis, sustain times and editable thresholds replaces these defaults later.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from console.domain.queue_metrics import is_waiting
from console.domain.records import AlertRecord, TicketRecord
from console.domain.vocabulary import AlertSeverity, AlertState, ServiceType

LONG_WAIT_WARNING_MIN = 15.0
LONG_WAIT_CRITICAL_MIN = 30.0
CROWDING_WARNING_SHARE = 0.8
CROWDING_CRITICAL_SHARE = 1.0


@dataclass(frozen=True, slots=True)
class Condition:
    """A breached rule: ``subject`` identifies what it is about (a service type, "lobby"); ``value`` the figure."""

    rule: str
    subject: str
    severity: AlertSeverity
    value: float
    threshold: float


def long_wait_conditions(tickets: Iterable[TicketRecord], at: datetime) -> list[Condition]:
    """One condition per service type whose longest current wait reaches the warning threshold (minutes)."""
    longest: dict[ServiceType, float] = {}
    for t in tickets:
        if is_waiting(t, at):
            minutes = (at - t.issued_at).total_seconds() / 60
            longest[t.service_type] = max(longest.get(t.service_type, 0.0), minutes)
    result = []
    for service_type, minutes in sorted(longest.items()):
        if minutes >= LONG_WAIT_CRITICAL_MIN:
            result.append(Condition("long_wait", service_type.value, AlertSeverity.CRITICAL, minutes, LONG_WAIT_CRITICAL_MIN))
        elif minutes >= LONG_WAIT_WARNING_MIN:
            result.append(Condition("long_wait", service_type.value, AlertSeverity.WARNING, minutes, LONG_WAIT_WARNING_MIN))
    return result


def crowding_conditions(occupancy: int, capacity: int) -> list[Condition]:
    """Lobby crowding against the configured capacity (people)."""
    if capacity <= 0:
        return []
    share = occupancy / capacity
    if share >= CROWDING_CRITICAL_SHARE:
        return [Condition("crowding", "lobby", AlertSeverity.CRITICAL, occupancy, capacity * CROWDING_CRITICAL_SHARE)]
    if share >= CROWDING_WARNING_SHARE:
        return [Condition("crowding", "lobby", AlertSeverity.WARNING, occupancy, capacity * CROWDING_WARNING_SHARE)]
    return []


@dataclass
class TrackedAlert:
    rule: str
    subject: str
    severity: AlertSeverity
    raised_at: datetime
    peak: float
    state: AlertState = AlertState.RAISED
    resolved_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AlertChange:
    alert: TrackedAlert
    kind: str  # "raised", "escalated" (severity went up), "resolved"


@dataclass
class AlertTracker:
    """Keeps the open alerts; ``update`` returns what changed. A new day calls ``reset``."""

    open: dict[tuple[str, str], TrackedAlert] = field(default_factory=dict)
    history: list[TrackedAlert] = field(default_factory=list)

    def reset(self) -> None:
        self.open.clear()
        self.history.clear()

    def update(self, conditions: Sequence[Condition], at: datetime) -> list[AlertChange]:
        changes: list[AlertChange] = []
        seen = set()
        for c in conditions:
            key = (c.rule, c.subject)
            seen.add(key)
            alert = self.open.get(key)
            if alert is None:
                alert = TrackedAlert(rule=c.rule, subject=c.subject, severity=c.severity, raised_at=at, peak=c.value)
                self.open[key] = alert
                self.history.append(alert)
                changes.append(AlertChange(alert, "raised"))
            else:
                alert.peak = max(alert.peak, c.value)
                if _rank(c.severity) > _rank(alert.severity):
                    alert.severity = c.severity
                    changes.append(AlertChange(alert, "escalated"))
        for key in [k for k in self.open if k not in seen]:
            alert = self.open.pop(key)
            alert.state = AlertState.RESOLVED
            alert.resolved_at = at
            changes.append(AlertChange(alert, "resolved"))
        return changes


def to_record(alert: TrackedAlert) -> AlertRecord:
    """A frozen copy of a tracked alert, safe to hand to another thread and to storage."""
    return AlertRecord(
        alert_id=None,
        rule=alert.rule,
        severity=alert.severity,
        state=alert.state,
        subject=alert.subject,
        message=f"{alert.rule} {alert.subject}: {alert.peak:g}",
        raised_at=alert.raised_at,
        resolved_at=alert.resolved_at,
        value=alert.peak,
    )


@dataclass
class BranchMonitor:
    """Evaluates the rules on a branch's state at regular instants (the source's thread, never the GUI's)."""

    tracker: AlertTracker = field(default_factory=AlertTracker)

    def evaluate(
        self, at: datetime, tickets: Sequence[TicketRecord], lobby_occupancy: int, lobby_capacity: int
    ) -> list[AlertRecord]:
        """Update the alerts for the state at ``at``; returns the alerts that changed (as records)."""
        conditions = long_wait_conditions(tickets, at) + crowding_conditions(lobby_occupancy, lobby_capacity)
        return [to_record(change.alert) for change in self.tracker.update(conditions, at)]

    def records(self) -> tuple[AlertRecord, ...]:
        """Every alert of the day so far, newest first."""
        return tuple(to_record(a) for a in reversed(self.tracker.history))

    def reset(self) -> None:
        self.tracker.reset()


def _rank(severity: AlertSeverity) -> int:
    return [AlertSeverity.INFO, AlertSeverity.WARNING, AlertSeverity.CRITICAL].index(severity)
