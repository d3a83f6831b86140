"""Appointments (预约) and priority tickets (绿色通道): who is due, early, late or missing, and whether they are
really served first.

Definitions (minutes are wall-clock minutes of the branch):
- an appointment is *booked* for a slot starting at ``due_at``; it may be *cancelled*; the customer *checks in*
  at the branch (usually by taking a ticket with the booking code), which links the appointment to that ticket;
- at time t, an appointment that is not cancelled and not checked in is *upcoming* before ``due_at − DUE_SOON``,
  *due* from then until ``due_at + GRACE``, *late* until ``due_at + MISSING_AFTER`` and *missing* after that;
- a check-in is *early* before ``due_at − EARLY``, *on time* until ``due_at + GRACE`` and *late* after;
- the branch's promise to a customer with an appointment: called within ``CALL_TARGET`` of the later of the slot
  start and the check-in. *Wait after check-in* = called_at − checked_in_at (in minutes);
- priority tickets (the ``priority`` flag: elderly, disabled, appointment customers if the ticketing system marks
  them) are reported beside ordinary tickets with the day report's wait definitions.

Plain functions over plain records; no Qt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum

from console.domain.records import AppointmentRecord, TicketRecord

#: An appointment counts as due this long before its slot.
DUE_SOON = timedelta(minutes=30)
#: A check-in this long before the slot counts as early.
EARLY = timedelta(minutes=15)
#: A customer arriving up to this long after the slot start is on time.
GRACE = timedelta(minutes=10)
#: An appointment not checked in this long after its slot start is missing (a no-show).
MISSING_AFTER = timedelta(minutes=30)
#: An appointment customer is to be called within this time of max(slot start, check-in).
CALL_TARGET = timedelta(minutes=5)


class AppointmentStatus(StrEnum):
    UPCOMING = "upcoming"
    DUE = "due"
    LATE = "late"  # not here yet, after the grace time
    MISSING = "missing"
    CHECKED_IN_EARLY = "checked_in_early"
    CHECKED_IN_ON_TIME = "checked_in_on_time"
    CHECKED_IN_LATE = "checked_in_late"
    CANCELLED = "cancelled"


def status_at(a: AppointmentRecord, at: datetime) -> AppointmentStatus:
    """Where an appointment stands at ``at`` (see the module docstring); events after ``at`` are not seen."""
    checked = a.checked_in_at is not None and a.checked_in_at <= at
    if a.cancelled_at is not None and a.cancelled_at <= at and not checked:
        return AppointmentStatus.CANCELLED
    if checked:
        assert a.checked_in_at is not None
        if a.checked_in_at < a.due_at - EARLY:
            return AppointmentStatus.CHECKED_IN_EARLY
        if a.checked_in_at <= a.due_at + GRACE:
            return AppointmentStatus.CHECKED_IN_ON_TIME
        return AppointmentStatus.CHECKED_IN_LATE
    if at < a.due_at - DUE_SOON:
        return AppointmentStatus.UPCOMING
    if at <= a.due_at + GRACE:
        return AppointmentStatus.DUE
    if at <= a.due_at + MISSING_AFTER:
        return AppointmentStatus.LATE
    return AppointmentStatus.MISSING


def day_appointments(appointments: Sequence[AppointmentRecord], day: date, tz: tzinfo) -> list[AppointmentRecord]:
    """Appointments whose slot is on ``day`` (local), in slot order."""
    return sorted((a for a in appointments if a.due_at.astimezone(tz).date() == day),
                  key=lambda a: (a.due_at, a.appointment_id))


@dataclass(frozen=True, slots=True)
class AppointmentCounts:
    """How the day's appointments stand at one instant."""

    booked: int  # not cancelled
    cancelled: int
    upcoming: int
    due: int
    late: int
    missing: int
    early: int  # checked in early
    on_time: int  # checked in on time
    checked_in_late: int

    @property
    def checked_in(self) -> int:
        return self.early + self.on_time + self.checked_in_late


def count_statuses(appointments: Sequence[AppointmentRecord], at: datetime) -> AppointmentCounts:
    n = {s: 0 for s in AppointmentStatus}
    for a in appointments:
        n[status_at(a, at)] += 1
    return AppointmentCounts(
        booked=len(appointments) - n[AppointmentStatus.CANCELLED], cancelled=n[AppointmentStatus.CANCELLED],
        upcoming=n[AppointmentStatus.UPCOMING], due=n[AppointmentStatus.DUE], late=n[AppointmentStatus.LATE],
        missing=n[AppointmentStatus.MISSING], early=n[AppointmentStatus.CHECKED_IN_EARLY],
        on_time=n[AppointmentStatus.CHECKED_IN_ON_TIME], checked_in_late=n[AppointmentStatus.CHECKED_IN_LATE])


def wait_after_check_in_s(a: AppointmentRecord, ticket: TicketRecord | None) -> float | None:
    """called_at − checked_in_at in seconds (0 when called before checking in), None when not called."""
    if a.checked_in_at is None or ticket is None or ticket.called_at is None:
        return None
    return max(0.0, (ticket.called_at - a.checked_in_at).total_seconds())


def called_on_time(a: AppointmentRecord, ticket: TicketRecord | None) -> bool | None:
    """Whether the appointment customer was called within ``CALL_TARGET`` of max(slot, check-in); None when the
    customer was not called (not checked in, or still waiting)."""
    if a.checked_in_at is None or ticket is None or ticket.called_at is None:
        return None
    return ticket.called_at <= max(a.due_at, a.checked_in_at) + CALL_TARGET


@dataclass(frozen=True, slots=True)
class AppointmentNow:
    """An appointment the lobby manager should see now, with its status and ticket (once checked in)."""

    appointment: AppointmentRecord
    status: AppointmentStatus
    ticket: TicketRecord | None


#: Missing appointments stay on the list this long after their slot start.
SHOW_MISSING_FOR = timedelta(minutes=60)


def appointments_in_play(appointments: Sequence[AppointmentRecord], tickets: Sequence[TicketRecord],
                         at: datetime) -> list[AppointmentNow]:
    """The appointments to act on at ``at``, in slot order: due, late (not here yet), checked in and not called
    yet, and missing ones for an hour after their slot."""
    by_id = {t.ticket_id: t for t in tickets}
    result = []
    for a in appointments:
        status = status_at(a, at)
        ticket = by_id.get(a.ticket_id) if a.ticket_id else None
        if status in (AppointmentStatus.DUE, AppointmentStatus.LATE):
            pass
        elif status is AppointmentStatus.MISSING:
            if at - a.due_at > SHOW_MISSING_FOR:
                continue
        elif status in (AppointmentStatus.CHECKED_IN_EARLY, AppointmentStatus.CHECKED_IN_ON_TIME,
                        AppointmentStatus.CHECKED_IN_LATE):
            if ticket is None or (ticket.called_at is not None and ticket.called_at <= at) or ticket.status.is_final:
                continue
        else:
            continue
        result.append(AppointmentNow(a, status, ticket))
    return sorted(result, key=lambda n: (n.appointment.due_at, n.appointment.appointment_id))
