"""Appointment statuses at an instant and the day report's priority and appointment figures, checked against
hand-computed cases."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from console.domain.appointments import AppointmentStatus as S
from console.domain.appointments import count_statuses, status_at
from console.domain.day_report import build_day_report
from console.domain.records import AppointmentRecord, TicketRecord
from console.domain.vocabulary import ServiceType, TicketStatus

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 27)


def t(h: int, m: int = 0) -> datetime:
    return datetime(2026, 11, 27, h, m, tzinfo=TZ)


def appt(aid: str, due: datetime, checked: datetime | None = None, cancelled: datetime | None = None,
         ticket: str | None = None) -> AppointmentRecord:
    return AppointmentRecord(aid, ServiceType.CORPORATE, due, t(8) - timedelta(days=1), checked, cancelled, ticket)


@pytest.mark.parametrize("a, at, expected", [
    (appt("a", t(11)), t(10, 29), S.UPCOMING),
    (appt("a", t(11)), t(10, 30), S.DUE),
    (appt("a", t(11)), t(11, 10), S.DUE),
    (appt("a", t(11)), t(11, 11), S.LATE),
    (appt("a", t(11)), t(11, 30), S.LATE),
    (appt("a", t(11)), t(11, 31), S.MISSING),
    (appt("a", t(11), checked=t(10, 44)), t(12), S.CHECKED_IN_EARLY),
    (appt("a", t(11), checked=t(10, 45)), t(12), S.CHECKED_IN_ON_TIME),
    (appt("a", t(11), checked=t(11, 10)), t(12), S.CHECKED_IN_ON_TIME),
    (appt("a", t(11), checked=t(11, 11)), t(12), S.CHECKED_IN_LATE),
    (appt("a", t(11), checked=t(11, 20)), t(11, 15), S.LATE),  # the check-in is after the instant
    (appt("a", t(11), cancelled=t(9)), t(12), S.CANCELLED),
    (appt("a", t(11), cancelled=t(12)), t(11, 50), S.MISSING),  # cancelled only later
])
def test_status_at(a: AppointmentRecord, at: datetime, expected: S) -> None:
    assert status_at(a, at) is expected


def ticket(tid: str, issued: datetime, called: datetime | None, priority: bool = False,
           status: TicketStatus = TicketStatus.SERVED) -> TicketRecord:
    finished = called + timedelta(minutes=5) if called and status is TicketStatus.SERVED else None
    started = called + timedelta(minutes=1) if finished else None
    return TicketRecord(tid, tid, ServiceType.CORPORATE, priority, issued, status, called, started, finished, "1")


def test_report_separates_priority_and_appointments() -> None:
    tickets = [
        ticket("C1", t(10), t(10, 4), priority=True),  # wait 4
        ticket("C2", t(10), t(10, 12), priority=True),  # wait 12 (over the 10 min target)
        ticket("C3", t(10), t(10, 30)),  # ordinary, 30
        ticket("C4", t(10, 50), t(11, 3)),  # appointment due 11:00 checked in 10:50: called 11:03 (on time)
        ticket("C5", t(11, 20), t(11, 40)),  # appointment due 11:00, late check-in 11:20, called 11:40 (not)
        ticket("C6", t(11, 30), None, status=TicketStatus.WAITING),  # checked in, still waiting
    ]
    appointments = [
        appt("R1", t(11), checked=t(10, 50), ticket="C4"),
        appt("R2", t(11), checked=t(11, 20), ticket="C5"),
        appt("R3", t(11, 15), checked=t(11, 30), ticket="C6"),
        appt("R4", t(14)),  # missing at the end of the day
        appt("R5", t(15), cancelled=t(9)),
        appt("R6", t(16)),  # still upcoming at 15:00
        AppointmentRecord("X", ServiceType.VIP, t(10) + timedelta(days=1), t(8)),  # another day: left out
    ]
    report = build_day_report(tickets, DAY, TZ, 10.0, appointments)
    p, o = report.priority, report.ordinary
    assert (p.arrived, p.served, p.avg_wait_min, p.max_wait_min, p.service_level) == (2, 2, 8.0, 12.0, 0.5)
    assert (o.arrived, o.served, o.avg_wait_min, o.max_wait_min) == (4, 3, pytest.approx(21.0), 30.0)
    a = report.appointments
    assert (a.booked, a.cancelled, a.checked_in, a.early, a.on_time, a.late, a.missing) == (5, 1, 3, 0, 1, 2, 2)  # R3 checked in 15 min after its slot: late
    # waits after check-in: R1 13 min, R2 20 min; R3 not called
    assert a.avg_wait_after_check_in_min == pytest.approx(16.5) and a.max_wait_after_check_in_min == 20.0
    # R1 called 11:03 ≤ max(11:00, 10:50) + 5; R2 called 11:40 > max(11:00, 11:20) + 5
    assert a.called_on_time_share == 0.5
    at_three = build_day_report(tickets, DAY, TZ, 10.0, appointments, at=t(15)).appointments
    assert at_three.missing == 1  # R6 not yet due
    counts = count_statuses(appointments[:6], t(15))
    assert (counts.upcoming, counts.missing, counts.checked_in) == (1, 1, 3)
    assert report.to_json()["appointments"]["called_on_time_share"] == 0.5


def test_appointments_in_play() -> None:
    from console.domain.appointments import appointments_in_play

    tickets = [ticket("C1", t(10, 50), None, status=TicketStatus.WAITING), ticket("C2", t(10, 40), t(10, 55))]
    appointments = [
        appt("due", t(11, 15)), appt("late", t(10, 45)), appt("missing", t(10, 20)), appt("old", t(9, 50)),
        appt("waiting", t(11), checked=t(10, 50), ticket="C1"), appt("called", t(11), checked=t(10, 40), ticket="C2"),
        appt("later", t(12)), appt("cancelled", t(11), cancelled=t(9)),
    ]
    shown = appointments_in_play(appointments, tickets, t(11))
    assert [(n.appointment.appointment_id, n.status) for n in shown] == [
        ("missing", S.MISSING), ("late", S.LATE), ("waiting", S.CHECKED_IN_ON_TIME), ("due", S.DUE)]
    assert shown[2].ticket.ticket_id == "C1"
