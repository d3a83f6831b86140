"""The alert rules engine on a fake clock: raise after the sustain time, hysteresis between the raise and clear
thresholds, clear sustain, cooldown, escalation and downgrade between levels, active hours and weekdays, snooze,
subjects that disappear, escalation of unacknowledged alerts, restoring open alerts, and refused rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from console.domain.alert_engine import (
    ActiveAlert,
    AlertEngine,
    ChangeKind,
    Direction,
    Level,
    Measurement,
    RuleError,
    RuleKind,
    RuleSpec,
    check_rule,
    default_rules,
)
from console.domain.vocabulary import AlertSeverity

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 16, 10, 0, tzinfo=TZ)  # a Monday
W, C, I = AlertSeverity.WARNING, AlertSeverity.CRITICAL, AlertSeverity.INFO

CROWDING = RuleSpec("crowding", RuleKind.CROWDING, (Level(W, 80, 75), Level(C, 100, 95)), sustain_s=60,
                    clear_sustain_s=60, cooldown_s=300)


class Clock:
    """A fake clock stepping the engine with one subject's value."""

    def __init__(self, engine: AlertEngine, kind: RuleKind = RuleKind.CROWDING, subject: str = "lobby") -> None:
        self.engine, self.kind, self.subject, self.now = engine, kind, subject, T0

    def at(self, seconds: float, value: float | None) -> list[tuple[ChangeKind, AlertSeverity]]:
        self.now = T0 + timedelta(seconds=seconds)
        ms = [] if value is None else [Measurement(self.kind, self.subject, value)]
        return [(c.kind, c.alert.severity) for c in self.engine.evaluate(self.now, ms)]


def test_raises_only_after_the_sustain_time_and_not_for_a_blip() -> None:
    clock = Clock(AlertEngine([CROWDING]))
    assert clock.at(0, 85) == []
    assert clock.at(30, 70) == []  # fell back before 60 s: the timer restarts
    assert clock.at(40, 85) == []
    assert clock.at(99, 85) == []
    assert clock.at(100, 85) == [(ChangeKind.RAISED, W)]
    alert = clock.engine.open[("crowding", "lobby")]
    assert alert.raised_at == T0 + timedelta(seconds=100) and alert.threshold == 80
    assert clock.at(110, 90) == []  # still open, no new alert


def test_hysteresis_and_clear_sustain() -> None:
    clock = Clock(AlertEngine([CROWDING]))
    clock.at(0, 85)
    assert clock.at(60, 85) == [(ChangeKind.RAISED, W)]
    assert clock.at(70, 78) == []  # below the raise threshold, above the clear one: stays
    assert clock.at(200, 77) == []
    assert clock.at(210, 74) == []  # safe side, clear sustain starts
    assert clock.at(250, 76) == []  # back between: the clear timer restarts
    assert clock.at(260, 74) == []
    assert clock.at(319, 74) == []
    assert clock.at(320, 74) == [(ChangeKind.RESOLVED, W)]
    assert clock.engine.open == {}


def test_cooldown_keeps_the_same_alert_from_coming_back_at_once() -> None:
    clock = Clock(AlertEngine([CROWDING]))
    clock.at(0, 90)
    clock.at(60, 90)
    clock.at(70, 10)
    assert clock.at(130, 10) == [(ChangeKind.RESOLVED, W)]
    clock.at(140, 90)
    assert clock.at(200, 90) == []  # sustained, but cooling down until 130 + 300
    assert clock.at(429, 90) == []
    assert clock.at(430, 90) == [(ChangeKind.RAISED, W)]


def test_levels_escalate_and_step_down() -> None:
    clock = Clock(AlertEngine([CROWDING]))
    clock.at(0, 85)
    assert clock.at(60, 105) == [(ChangeKind.RAISED, W)]  # critical has been breached for 0 s only
    assert clock.at(120, 105) == [(ChangeKind.WORSENED, C)]
    assert clock.engine.open[("crowding", "lobby")].threshold == 100
    assert clock.engine.open[("crowding", "lobby")].peak == 105
    assert clock.at(130, 90) == []  # below 95: the critical level's clear timer runs
    assert clock.at(190, 90) == [(ChangeKind.DOWNGRADED, W)]
    assert clock.at(200, 60) == []
    assert clock.at(260, 60) == [(ChangeKind.RESOLVED, W)]


def test_a_critical_value_from_nothing_raises_critical_directly() -> None:
    clock = Clock(AlertEngine([CROWDING]))
    clock.at(0, 120)
    assert clock.at(60, 120) == [(ChangeKind.RAISED, C)]


def test_below_rules_for_the_service_level() -> None:
    rule = RuleSpec("sl", RuleKind.SERVICE_LEVEL, (Level(W, 80, 85),), direction=Direction.BELOW, sustain_s=60,
                    clear_sustain_s=60)
    clock = Clock(AlertEngine([rule]), RuleKind.SERVICE_LEVEL, "branch")
    clock.at(0, 79)
    assert clock.at(60, 75) == [(ChangeKind.RAISED, W)]
    clock.at(70, 83)  # between 80 and 85: stays
    assert clock.at(200, 83) == []
    clock.at(210, 90)
    assert clock.at(270, 90) == [(ChangeKind.RESOLVED, W)]


def test_active_hours_weekdays_and_snooze() -> None:
    office = replace(CROWDING, active_from=time(9), active_to=time(17), weekdays=frozenset({0, 1, 2, 3, 4}))
    clock = Clock(AlertEngine([office]))
    clock.now = T0
    evening = T0.replace(hour=18)
    ms = [Measurement(RuleKind.CROWDING, "lobby", 120)]
    assert clock.engine.evaluate(evening, ms) == []
    assert clock.engine.evaluate(evening + timedelta(minutes=5), ms) == []  # outside the hours: nothing raised
    saturday = T0 + timedelta(days=5)
    assert clock.engine.evaluate(saturday, ms) == [] and clock.engine.evaluate(saturday + timedelta(minutes=2), ms) == []
    snoozed = replace(CROWDING, snoozed_until=T0 + timedelta(minutes=10))
    engine = AlertEngine([snoozed])
    engine.evaluate(T0, ms)
    assert engine.evaluate(T0 + timedelta(minutes=5), ms) == []
    engine.evaluate(T0 + timedelta(minutes=10), ms)
    assert [c.kind for c in engine.evaluate(T0 + timedelta(minutes=11), ms)] == [ChangeKind.RAISED]


def test_a_subject_that_is_gone_resolves_at_once() -> None:
    rule = default_rules()[1]  # long wait
    engine = AlertEngine([rule])
    ticket = [Measurement(RuleKind.LONG_WAIT, "A023", 16.0)]
    assert [c.kind for c in engine.evaluate(T0, ticket)] == [ChangeKind.RAISED]  # sustain 0: the wait is the time
    changes = engine.evaluate(T0 + timedelta(seconds=5), [])  # A023 called
    assert [(c.kind, c.alert.subject) for c in changes] == [(ChangeKind.RESOLVED, "A023")]


def test_unacknowledged_alerts_escalate_once_and_acknowledged_ones_do_not() -> None:
    rule = replace(CROWDING, escalate_after_s=300)
    clock = Clock(AlertEngine([rule]))
    clock.at(0, 85)
    clock.at(60, 85)
    assert clock.at(359, 85) == []
    assert clock.at(360, 85) == [(ChangeKind.ESCALATED, W)]  # not acknowledged in 5 min: told again, same level
    assert clock.engine.open[("crowding", "lobby")].escalated
    assert clock.at(700, 85) == []  # only once
    other = Clock(AlertEngine([rule]))
    other.at(0, 85)
    other.at(60, 85)
    other.engine.acknowledge("crowding", "lobby")
    assert other.at(400, 85) == []


@pytest.mark.parametrize(("rule", "subject", "values"), [
    # a crowding alert escalated at +300 s while the lobby stays at 85 %: it used to go critical, then back down
    (replace(CROWDING, escalate_after_s=300), "lobby", [(0, 85), (60, 85), (360, 85), (425, 85), (500, 85)]),
    # a long wait escalated at 25 min (raised at 15, escalate after 10) and still waiting 25.5 min, 29 min
    (default_rules()[1], "non_cash", [(15 * 60, 15), (25 * 60, 25), (25.5 * 60, 25.5), (29 * 60, 29)]),
])
def test_escalation_never_changes_the_level_nor_falls_back(rule: RuleSpec, subject: str, values) -> None:
    """The level follows the value; escalation is a mark of its own that stays while the alert is open."""
    clock = Clock(AlertEngine([rule]), rule.kind, subject)
    seen = [(at, clock.at(at, value)) for at, value in values]
    kinds = [kind for _, changes in seen for kind, _ in changes]
    assert kinds == [ChangeKind.RAISED, ChangeKind.ESCALATED]
    alert = clock.engine.open[(rule.rule_id, subject)]
    assert alert.severity is W and alert.escalated
    # a value past the critical line makes it critical, after the rule's sustain time
    critical = rule.levels[-1].raise_at + 1
    first = clock.at(values[-1][0] + 60, critical)
    later = clock.at(values[-1][0] + 60 + rule.sustain_s, critical) if rule.sustain_s else []
    assert first + later == [(ChangeKind.WORSENED, C)]
    assert clock.engine.open[(rule.rule_id, subject)].escalated  # still marked


def test_restored_alerts_continue_and_resolve_by_hand_starts_the_cooldown() -> None:
    engine = AlertEngine([CROWDING])
    engine.restore([ActiveAlert("crowding", "lobby", W, T0 - timedelta(hours=1), 85, 90, 80, alert_id=7)])
    assert engine.evaluate(T0, [Measurement(RuleKind.CROWDING, "lobby", 85)]) == []
    change = engine.resolve_by_hand("crowding", "lobby", T0 + timedelta(seconds=10))
    assert change is not None and change.alert.alert_id == 7
    ms = [Measurement(RuleKind.CROWDING, "lobby", 85)]
    engine.evaluate(T0 + timedelta(seconds=20), ms)
    assert engine.evaluate(T0 + timedelta(seconds=200), ms) == []  # cooling down until +310 s
    assert [c.kind for c in engine.evaluate(T0 + timedelta(seconds=320), ms)] == [ChangeKind.RAISED]


def test_scope_limits_a_rule_to_one_subject() -> None:
    zone_rule = replace(CROWDING, rule_id="crowding.waiting", scope="Waiting area", sustain_s=0)
    engine = AlertEngine([zone_rule])
    changes = engine.evaluate(T0, [Measurement(RuleKind.CROWDING, "lobby", 120),
                                   Measurement(RuleKind.CROWDING, "Waiting area", 90)])
    assert [(c.alert.subject, c.alert.severity) for c in changes] == [("Waiting area", W)]


@pytest.mark.parametrize("rule, needle", [
    (replace(CROWDING, levels=(Level(W, 80, 85),)), "clear threshold 85 must not be above its raise threshold 80"),
    (RuleSpec("sl", RuleKind.SERVICE_LEVEL, (Level(W, 80, 70),), direction=Direction.BELOW),
     "clear threshold 70 must not be below its raise threshold 80"),
    (replace(CROWDING, sustain_s=-5), "sustain time must not be negative, got -5 s"),
    (replace(CROWDING, cooldown_s=-1), "cooldown time must not be negative"),
    (replace(CROWDING, levels=(Level(C, 100, 95), Level(W, 80, 75))), "from the least to the most severe"),
    (replace(CROWDING, levels=(Level(W, 100, 95), Level(C, 80, 75))), "critical raise threshold 80 must be beyond"),
    (replace(CROWDING, levels=()), "at least one level"),
    (replace(CROWDING, weekdays=frozenset()), "at least one weekday"),
    (replace(CROWDING, escalate_after_s=0), "escalate after must be above 0"),
])
def test_rules_that_cannot_work_are_refused_with_the_reason(rule: RuleSpec, needle: str) -> None:
    with pytest.raises(RuleError) as err:
        check_rule(rule)
    assert needle in str(err.value) and rule.rule_id in str(err.value)


def test_the_default_rules_are_valid_and_follow_the_brief() -> None:
    rules = {r.rule_id: r for r in default_rules()}
    for r in rules.values():
        check_rule(r)
    assert [(lv.severity, lv.raise_at) for lv in rules["crowding"].levels] == [(W, 80), (C, 100)]
    assert [(lv.severity, lv.raise_at) for lv in rules["long_wait"].levels] == [(W, 15), (C, 30)]
    assert rules["queue"].levels[0].raise_at == 5 and rules["service_level"].direction is Direction.BELOW
    assert rules["idle_counter"].levels[0].raise_at == 10 and rules["camera_offline"].levels[0].raise_at == 60
    assert rules["not_logged_in"].levels == (Level(I, 10, 10),)
    assert rules["crowding"].sustain_s == 60 and rules["queue"].sustain_s == 60 and rules["staffing"].sustain_s == 300


@pytest.mark.parametrize("rule", default_rules(), ids=lambda r: r.rule_id)
def test_every_default_rule_raises_after_its_sustain_clears_and_cools_down(rule: RuleSpec) -> None:
    """Each rule of the brief on a fake clock: a breach held shorter than the sustain time raises nothing, held
    for it raises; a safe value held for the clear sustain resolves; a new breach waits for the cooldown."""
    level = rule.levels[0]
    above = rule.direction is Direction.ABOVE
    breach = level.raise_at + 1 if above else level.raise_at - 1
    between = (level.raise_at + level.clear_at) / 2 if level.raise_at != level.clear_at else None
    safe = level.clear_at - 1 if above else level.clear_at + 1
    clock = Clock(AlertEngine([rule]), rule.kind, "subject")
    s = rule.sustain_s
    assert clock.at(0, breach) == ([(ChangeKind.RAISED, level.severity)] if s == 0 else [])
    if s > 0:
        assert clock.at(s - 1, breach) == []
        assert clock.at(s, breach) == [(ChangeKind.RAISED, level.severity)]
    t = s + 10
    if between is not None:
        assert clock.at(t, between) == []  # between the thresholds: stays raised
        assert clock.at(t + rule.clear_sustain_s + 5, between) == []
        t += rule.clear_sustain_s + 10
    assert clock.at(t, safe) == ([] if rule.clear_sustain_s > 0 else [(ChangeKind.RESOLVED, level.severity)])
    if rule.clear_sustain_s > 0:
        assert clock.at(t + rule.clear_sustain_s, safe) == [(ChangeKind.RESOLVED, level.severity)]
    resolved = t + rule.clear_sustain_s
    again = clock.at(resolved + 1, breach) + (clock.at(resolved + 1 + s, breach) if s else [])
    assert again == ([] if rule.cooldown_s > s else [(ChangeKind.RAISED, level.severity)])
    later = resolved + max(rule.cooldown_s, s) + 1
    clock.at(later, breach)
    clock.at(later + s, breach)
    assert (rule.rule_id, "subject") in clock.engine.open  # after the cooldown it raises again


def test_an_alert_is_not_raised_while_another_asks_for_the_same_action() -> None:
    """One alert per thing a person acts on: the cash queue's per-counter alert waits while the cash long wait is
    open and is folded into it when it comes second; a zone's crowding is covered by the lobby's at its level,
    not above it; when the cover resolves and the condition still holds, the covered alert is raised then."""
    wait = RuleSpec("long_wait", RuleKind.LONG_WAIT, (Level(W, 15, 12),), sustain_s=0, clear_sustain_s=0,
                    cooldown_s=0)
    queue = RuleSpec("queue", RuleKind.QUEUE, (Level(W, 6, 4),), sustain_s=60, clear_sustain_s=0, cooldown_s=0)
    engine = AlertEngine([queue, wait])  # the queue rule first: covers are evaluated first all the same

    def at(seconds: float, waited: float, per_counter: float) -> list[tuple[ChangeKind, str]]:
        ms = [Measurement(RuleKind.LONG_WAIT, "cash", waited), Measurement(RuleKind.QUEUE, "cash", per_counter),
              Measurement(RuleKind.QUEUE, "non_cash", 7)]
        return [(c.kind, f"{c.alert.rule_id} {c.alert.subject}")
                for c in engine.evaluate(T0 + timedelta(seconds=seconds), ms)]

    assert at(0, 5, 8) == []
    assert at(60, 5, 8) == [(ChangeKind.RAISED, "queue cash"), (ChangeKind.RAISED, "queue non_cash")]
    # the long wait comes second: the cash queue's alert is folded into it; the non-cash one stays
    assert at(70, 16, 8) == [(ChangeKind.RAISED, "long_wait cash"), (ChangeKind.RESOLVED, "queue cash")]
    assert sorted(engine.open) == [("long_wait", "cash"), ("queue", "non_cash")]
    assert at(200, 16, 8) == []  # covered: not raised again while the long wait is open
    # the long wait clears, the queue is still long: raised at once (its sustain ran all along, no cooldown)
    assert at(210, 10, 8) == [(ChangeKind.RESOLVED, "long_wait cash"), (ChangeKind.RAISED, "queue cash")]

    zones = AlertEngine([CROWDING])

    def crowd(seconds: float, lobby: float, zone: float) -> list[tuple[ChangeKind, str, AlertSeverity]]:
        ms = [Measurement(RuleKind.CROWDING, "waiting", zone), Measurement(RuleKind.CROWDING, "lobby", lobby)]
        return [(c.kind, c.alert.subject, c.alert.severity) for c in zones.evaluate(T0 + timedelta(seconds=seconds),
                                                                                     ms)]

    assert crowd(0, 85, 90) == []
    assert crowd(60, 85, 90) == [(ChangeKind.RAISED, "lobby", W)]  # the zone's warning is covered
    assert crowd(120, 85, 105) == []
    assert crowd(180, 85, 105) == [(ChangeKind.RAISED, "waiting", C)]  # critical: above the lobby's level

