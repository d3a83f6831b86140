"""Every scope the rules editor offers works: for each rule kind that can be narrowed (``SCOPES``), a branch where
two of its subjects pass the line — a rule limited to one raises for that one only, a rule for all raises for both;
and the subjects measured are of the kind the editor offers (zone names, service types, counter ids, camera ids,
employee numbers). The service level is one figure for the branch: a rule narrowed for it is refused."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from console.domain.alert_engine import (
    SCOPES,
    AlertEngine,
    Level,
    RuleError,
    RuleKind,
    RuleSpec,
    ScopeKind,
    check_rule,
)
from console.domain.alert_measures import BranchState, CameraState, measure_all
from console.domain.records import CounterStatus, ShiftRecord, TicketRecord, ZoneSpec
from console.domain.vocabulary import AlertSeverity, CounterState, ServiceType, TicketStatus, ZoneKind

TZ = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 12, 2, 11, 0, tzinfo=TZ)
CASH, NON_CASH = ServiceType.CASH, ServiceType.NON_CASH


def ago(minutes: float) -> datetime:
    return AT - timedelta(minutes=minutes)


def busy_branch() -> BranchState:
    """Two of everything past the line: lobby and zone crowded, two queues long and slow, two counters idle while
    their queues wait and rated low, two cameras offline, two people on shift and not logged in."""
    tickets = tuple(TicketRecord(f"{t.value[0].upper()}{i:03d}", f"{t.value}{i}", t, False, ago(20 + i),
                                 TicketStatus.WAITING)
                    for t in (CASH, NON_CASH) for i in range(12))
    # served earlier and rated low at counters 1 and 2 (five ratings each: enough to be judged)
    tickets += tuple(TicketRecord(f"R{c}{i}", f"R{c}{i}", CASH, False, ago(120), TicketStatus.SERVED, ago(100),
                                  ago(99), ago(90), counter_id=c, staff_id=f"E{c}", rating=2)
                     for c in ("1", "2") for i in range(5))
    counters = (CounterStatus("1", "1号窗口", (CASH,), CounterState.IDLE, ago(20), "E1"),
                CounterStatus("2", "2号窗口", (NON_CASH,), CounterState.IDLE, ago(25), "E2"))
    zones = (ZoneSpec("Waiting area", ZoneKind.WAITING, ((0, 0), (1, 0), (1, 1)), capacity=10),)
    roster = (ShiftRecord("E7", ago(30), AT + timedelta(hours=4), counter_id="3"),
              ShiftRecord("E8", ago(40), AT + timedelta(hours=4), counter_id="4"))
    cameras = (CameraState("C1", False, ago(10)), CameraState("C2", False, ago(5)))
    return BranchState(at=AT, tickets=tickets, counters=counters, roster=roster, lobby_count=70, lobby_capacity=60,
                       zones=zones, zone_counts={"Waiting area": 15}, cameras=cameras)


def offered(kind: ScopeKind, state: BranchState) -> set[str]:
    """The subjects the rules editor offers for ``kind`` on this branch (console/app/alert_controller.py scopes)."""
    return {
        ScopeKind.PLACE: {"lobby"} | {z.name for z in state.zones},
        ScopeKind.SERVICE_TYPE: {t.value for c in state.counters for t in c.service_types},
        ScopeKind.COUNTER: {c.counter_id for c in state.counters},
        ScopeKind.CAMERA: {c.camera_id for c in state.cameras},
        ScopeKind.STAFF: {s.staff_id for s in state.roster},
    }[kind]


def raised(rule: RuleSpec, state: BranchState) -> set[str]:
    engine = AlertEngine([rule])
    return {c.alert.subject for c in engine.evaluate(state.at, measure_all(state))}


@pytest.mark.parametrize("kind", [k for k, scope in SCOPES.items() if scope is not None], ids=str)
def test_a_rule_limited_to_one_subject_raises_for_that_one_only(kind: RuleKind) -> None:
    state = busy_branch()
    subjects = {m.subject for m in measure_all(state) if m.kind is kind}
    assert len(subjects) >= 2, f"the busy branch does not exercise {kind}"
    assert subjects <= offered(SCOPES[kind], state)  # the editor offers what the rule measures
    # the line low enough for every subject of the busy branch to pass it at once
    everyone = RuleSpec(f"{kind}-all", kind, (Level(AlertSeverity.WARNING, 0.5, 0.4),), sustain_s=0)
    # a zone's crowding is covered by the lobby's at the same level (one crowd, one alert: AlertEngine.covered)
    assert raised(everyone, state) == ({"lobby"} if kind is RuleKind.CROWDING else subjects)
    for subject in sorted(subjects):
        limited = RuleSpec(f"{kind}-{subject}", kind, (Level(AlertSeverity.WARNING, 0.5, 0.4),), scope=subject,
                           sustain_s=0)
        assert raised(limited, state) == {subject}


def test_the_service_level_is_for_the_whole_branch_only() -> None:
    assert SCOPES[RuleKind.SERVICE_LEVEL] is None
    with pytest.raises(RuleError, match="whole branch"):
        check_rule(RuleSpec("sl-cash", RuleKind.SERVICE_LEVEL, (Level(AlertSeverity.WARNING, 80, 85),),
                            scope="cash"))
