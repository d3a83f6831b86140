"""Attendance: sessions from login/logout events, and each status on a hand-made day."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from console.domain.attendance import AttendanceStatus as A
from console.domain.attendance import attendance, sessions_from_events
from console.domain.records import ShiftRecord, TicketEvent
from console.domain.vocabulary import ShiftKind, TicketEventType

TZ = ZoneInfo("Asia/Shanghai")


def t(h: int, m: int = 0) -> datetime:
    return datetime(2026, 11, 16, h, m, tzinfo=TZ)


def login(n: int, who: str, at: datetime, counter: str = "1") -> TicketEvent:
    return TicketEvent(f"in{n}", TicketEventType.STAFF_LOGIN, at, counter_id=counter, staff_id=who)


def logout(n: int, who: str, at: datetime, counter: str = "1") -> TicketEvent:
    return TicketEvent(f"out{n}", TicketEventType.STAFF_LOGOUT, at, counter_id=counter, staff_id=who)


def test_sessions_pair_logins_with_logouts() -> None:
    events = [login(1, "A", t(9)), logout(1, "A", t(12)), login(2, "A", t(13)), login(3, "B", t(9)),
              login(4, "B", t(10), "2"), logout(2, "C", t(11))]
    sessions = sessions_from_events(events, until=t(15))
    assert [(s.staff_id, s.start.hour, s.end.hour, s.counter_id) for s in sessions] == [
        ("A", 9, 12, "1"), ("B", 9, 10, "1"), ("B", 10, 15, "2"), ("A", 13, 15, "1")]


def test_each_status() -> None:
    def shift(who: str, start: datetime, end: datetime, counter: str | None = "1", kind=ShiftKind.WORK):
        return ShiftRecord(who, start, end, kind=kind, counter_id=counter)

    roster = [shift("ok", t(9), t(17)), shift("late", t(9), t(17)), shift("early", t(9), t(17)),
              shift("both", t(9), t(17)), shift("gone", t(9), t(17)), shift("later", t(18), t(20)),
              shift("leave", t(0), t(23), counter=None, kind=ShiftKind.LEAVE), shift("office", t(9), t(17), None),
              shift("grace", t(9), t(17))]
    events = [login(1, "ok", t(8, 55)), logout(1, "ok", t(17, 5)),
              login(2, "late", t(9, 20)), logout(2, "late", t(17)),
              login(3, "early", t(9)), logout(3, "early", t(16, 30)),
              login(4, "both", t(9, 10)), logout(4, "both", t(16)),
              login(5, "grace", t(9, 4)), logout(5, "grace", t(16, 56))]
    rows = {r.shift.staff_id: r for r in attendance(roster, sessions_from_events(events, t(17, 30)), t(17, 30))}
    assert {k: r.status for k, r in rows.items()} == {
        "ok": A.ON_TIME, "late": A.LATE, "early": A.LEFT_EARLY, "both": A.LATE_AND_LEFT_EARLY, "gone": A.ABSENT,
        "later": A.UPCOMING, "leave": A.LEAVE, "office": A.NOT_CHECKED, "grace": A.ON_TIME}
    assert rows["late"].late_min == 20 and rows["early"].early_min == 30
    assert rows["ok"].minutes_at_counter == 8 * 60  # counted inside the record only
    assert rows["both"].minutes_at_counter == 6 * 60 + 50
    # during the day: not yet "left early", and an open session counts up to now
    midday = {r.shift.staff_id: r for r in attendance(roster, sessions_from_events(events[:1], t(12)), t(12))}
    assert midday["ok"].status is A.ON_TIME and midday["ok"].last_logout is None
    # a record still running without a login is not judged yet: absent only once it is over
    assert midday["ok"].minutes_at_counter == 3 * 60 and midday["gone"].status is A.NOT_IN_YET
    assert midday["late"].status is A.NOT_IN_YET  # logs in at 09:20: at 12:00 without those events, not in yet
