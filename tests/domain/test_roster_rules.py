"""Roster validation on hand-made rosters, and the demo roster passing it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from console.domain.records import BreakSpan, ShiftRecord, StaffMember
from console.domain.roster_rules import RosterProblemKind as K
from console.domain.roster_rules import RosterRules, check_roster
from console.domain.vocabulary import QUEUED_SERVICE_TYPES, ServiceType, ShiftKind, StaffRole
from console.sim.profile import demo_profile, demo_roster

TZ = ZoneInfo("Asia/Shanghai")
CASH, CORP = ServiceType.CASH, ServiceType.CORPORATE
STAFF = (StaffMember("E1", "Li", StaffRole.TELLER, (CASH,)), StaffMember("E2", "Liu", StaffRole.TELLER, (CORP,)))


def t(day: int, h: int, m: int = 0) -> datetime:
    return datetime(2026, 11, day, h, m, tzinfo=TZ)


def shift(sid: str, start: datetime, end: datetime, *breaks, kind=ShiftKind.WORK) -> ShiftRecord:
    return ShiftRecord(sid, start, end, kind=kind, breaks=tuple(BreakSpan(a, b) for a, b in breaks))


def kinds(problems) -> list[tuple]:
    return [(p.kind, p.staff_id, p.start.strftime("%d %H:%M"), p.end.strftime("%d %H:%M")) for p in problems]


def test_each_problem_is_found_and_named() -> None:
    roster = [
        shift("E1", t(16, 9), t(16, 17), (t(16, 12), t(16, 13))),
        shift("E1", t(16, 16), t(16, 18)),  # overlaps the first, and makes the duty 9 h... plus:
        shift("E1", t(16, 20), t(16, 22)),  # 2 h gap: same duty, 09:00-22:00 = 13 h (too long)
        shift("E1", t(17, 6), t(17, 12)),  # 8 h after 22:00: too little rest
        shift("E2", t(16, 9), t(16, 12), (t(16, 13), t(16, 14))),  # break outside the shift
        shift("E2", t(16, 10), t(16, 11), kind=ShiftKind.LEAVE),  # leave during a shift: overlap
        shift("E9", t(16, 9), t(16, 17)),  # not in the directory
    ]
    found = kinds(check_roster(roster, STAFF, RosterRules()))
    assert found == [
        (K.BREAK_OUTSIDE, "E2", "16 13:00", "16 14:00"),  # problems of single records, in the order given
        (K.UNKNOWN_STAFF, "E9", "16 09:00", "16 17:00"),
        (K.OVERLAP, "E1", "16 16:00", "16 17:00"),
        (K.TOO_LONG, "E1", "16 09:00", "16 22:00"),
        (K.TOO_LITTLE_REST, "E1", "16 22:00", "17 06:00"),
        (K.OVERLAP, "E2", "16 10:00", "16 11:00"),
    ]


def test_cover_gaps_are_joined_into_spans() -> None:
    roster = [shift("E1", t(16, 9), t(16, 17), (t(16, 12), t(16, 13))), shift("E2", t(16, 9), t(16, 15))]
    gaps = check_roster(roster, STAFF, opening=[(t(16, 9), t(16, 17))], needed=[CASH, CORP])
    assert [(p.service_type, p.start.strftime("%H:%M"), p.end.strftime("%H:%M")) for p in gaps] == [
        (CASH, "12:00", "13:00"),  # E1's lunch: nobody else does cash
        (CORP, "15:00", "17:00"),  # E2 leaves at 15:00
    ]


def test_the_demo_roster_is_valid() -> None:
    profile = demo_profile()
    for day in (date(2026, 11, 16), date(2026, 11, 17), date(2026, 11, 14)):
        roster = demo_roster(profile, day)
        opens = datetime.combine(day, profile.branch.opens, tzinfo=TZ)
        closes = datetime.combine(day, profile.branch.closes, tzinfo=TZ)
        problems = check_roster(roster, profile.staff, opening=[(opens, closes)], needed=QUEUED_SERVICE_TYPES)
        assert problems == [], (day, kinds(problems))
    week = [s for d in range(16, 21) for s in demo_roster(profile, date(2026, 11, d))]
    assert check_roster(week, profile.staff) == []  # rest between days is kept
    assert timedelta(hours=11) == RosterRules().min_rest
