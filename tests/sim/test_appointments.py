"""The demo's appointments: plausible statuses, check-ins linked to their tickets, and the same appointments read
back from storage after the feed path stored them (in any order)."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from console.domain.appointments import AppointmentStatus, status_at
from console.domain.vocabulary import TicketEventType
from console.sources.demo_day import DemoDay, DemoRecorder
from storage import repository
from storage.database import open_database
from storage.tasks import StoreFeedEvents
from storage.writer import apply_now

DAY = date(2026, 11, 27)


def test_appointments_of_a_simulated_day(tmp_path: Path) -> None:
    demo = DemoDay(DAY, 4)
    tz = ZoneInfo(demo.profile.branch.timezone)
    db = open_database(f"sqlite:///{tmp_path / 'c.db'}")
    recorder = DemoRecorder(lambda task: apply_now(db, task))
    recorder.begin_day(demo)
    events = []
    for result in demo.run_to_end():
        recorder.record(demo, result)
        events.extend(result.events)
    appointments = demo.sim.appointments()
    tickets = {t.ticket_id: t for t in demo.sim.tickets()}
    end = datetime.combine(DAY, time(23, 0), tzinfo=tz)
    statuses = [status_at(a, end) for a in appointments]
    for kind in (AppointmentStatus.CHECKED_IN_EARLY, AppointmentStatus.CHECKED_IN_ON_TIME,
                 AppointmentStatus.CHECKED_IN_LATE, AppointmentStatus.MISSING, AppointmentStatus.CANCELLED):
        assert kind in statuses, kind
    opens = datetime.combine(DAY, demo.profile.branch.opens, tzinfo=tz)
    closes = datetime.combine(DAY, demo.profile.branch.closes, tzinfo=tz)
    for a in appointments:
        assert opens <= a.due_at < closes and a.booked_at < opens
        if a.checked_in_at is not None:
            t = tickets[a.ticket_id]
            assert t.issued_at == a.checked_in_at and t.service_type is a.service_type
    checked_in = [e for e in events if e.type is TicketEventType.CHECKED_IN]
    assert len(checked_in) == sum(1 for a in appointments if a.checked_in_at is not None)

    start = datetime.combine(DAY, time(0), tzinfo=tz)
    stored = repository.load_appointments(db, "DEMO", start, start + timedelta(days=1))
    assert stored == appointments

    # the same events in a shuffled order give the same appointments
    other = open_database(f"sqlite:///{tmp_path / 'shuffled.db'}")
    apply_now(other, demo.setup_task())
    mine = [e for e in events if e.appointment_id is not None]
    random.Random(1).shuffle(mine)
    apply_now(other, StoreFeedEvents("DEMO", tuple(mine)))
    assert repository.load_appointments(other, "DEMO", start, start + timedelta(days=1)) == appointments
    db.close()
    other.close()
