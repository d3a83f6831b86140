"""Who is where right now: the roster joined with the counters' logged-in staff.

Statuses (for the Staff panel and, later, attendance): ``at_counter`` (logged in at a counter), ``on_break``
(rostered break now), ``expected`` (on shift, not on a break, not logged in anywhere — late or doing back-office
work), ``on_leave``, ``off`` (no shift now). Plain functions over plain records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from console.domain.records import CounterStatus, ShiftRecord, StaffMember
from console.domain.vocabulary import ShiftKind


class Presence(StrEnum):
    AT_COUNTER = "at_counter"
    ON_BREAK = "on_break"
    EXPECTED = "expected"
    ON_LEAVE = "on_leave"
    OFF = "off"


@dataclass(frozen=True, slots=True)
class StaffPresence:
    staff: StaffMember
    presence: Presence
    counter_id: str | None  # where logged in (at_counter) or rostered (otherwise)
    shifts: tuple[ShiftRecord, ...]  # this person's roster entries of the day, in time order


def staff_presence(
    staff: Sequence[StaffMember], roster: Sequence[ShiftRecord], counters: Sequence[CounterStatus], at: datetime
) -> list[StaffPresence]:
    """Presence of every staff member at ``at``, in directory order."""
    logged_in = {c.staff_id: c.counter_id for c in counters if c.staff_id is not None}
    result: list[StaffPresence] = []
    for person in staff:
        shifts = tuple(sorted((s for s in roster if s.staff_id == person.staff_id), key=lambda s: s.start))
        current = next((s for s in shifts if s.start <= at < s.end), None)
        if person.staff_id in logged_in:
            presence, counter = Presence.AT_COUNTER, logged_in[person.staff_id]
        elif current is None:
            presence, counter = Presence.OFF, None
        elif current.kind is ShiftKind.LEAVE:
            presence, counter = Presence.ON_LEAVE, None
        elif any(b.start <= at < b.end for b in current.breaks):
            presence, counter = Presence.ON_BREAK, current.counter_id
        else:
            presence, counter = Presence.EXPECTED, current.counter_id
        result.append(StaffPresence(staff=person, presence=presence, counter_id=counter, shifts=shifts))
    return result
