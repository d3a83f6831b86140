"""Ticket numbers restart every day: a ticket is (branch, business day, ticket id), on SQLite and PostgreSQL. A
second day whose numbers repeat the first day's leaves the first day as it was, and migration 0014 gives stored
tickets and their events the day of their issue."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import command

from console.domain.day_report import build_day_report
from console.domain.records import BranchInfo, TicketEvent
from console.domain.vocabulary import ServiceType, TicketEventType
from storage import models as m
from storage import repository
from storage.database import open_database
from storage.migrate import alembic_config, head_revision, upgrade_to
from storage.tasks import SaveBranchSetup, StoreFeedEvents
from storage.writer import apply_now

TZ = ZoneInfo("Asia/Shanghai")
BRANCH = BranchInfo("GZ01", "Guangzhou Tianhe", "Asia/Shanghai", clock_time(9), clock_time(17), 60)


def day_events(day: date, tickets: int, served: int) -> list[TicketEvent]:
    """``tickets`` tickets A001… issued from 09:00 a minute apart; the first ``served`` called and finished."""
    events = []
    for n in range(tickets):
        issued = datetime.combine(day, clock_time(9), tzinfo=TZ) + timedelta(minutes=n)
        tid = f"A{n + 1:03d}"
        events.append(TicketEvent(f"{day}:{tid}:i", TicketEventType.ISSUED, issued, ticket_id=tid,
                                  service_type=ServiceType.CASH, number=tid))
        if n < served:
            events.append(TicketEvent(f"{day}:{tid}:c", TicketEventType.CALLED, issued + timedelta(minutes=5),
                                      ticket_id=tid, counter_id="1"))
            events.append(TicketEvent(f"{day}:{tid}:f", TicketEventType.FINISHED, issued + timedelta(minutes=9),
                                      ticket_id=tid, counter_id="1"))
    return events


def day_tickets(db, day: date):
    start = datetime.combine(day, clock_time(0), tzinfo=TZ)
    return repository.load_tickets(db, BRANCH.code, start, start + timedelta(days=1))


def test_a_second_day_with_the_same_numbers_leaves_the_first_day_alone(db_url) -> None:
    db = open_database(db_url)
    try:
        apply_now(db, SaveBranchSetup(branch=BRANCH))
        monday, tuesday = date(2026, 11, 30), date(2026, 12, 1)
        apply_now(db, StoreFeedEvents(BRANCH.code, tuple(day_events(monday, 150, 120))))
        first = day_tickets(db, monday)
        apply_now(db, StoreFeedEvents(BRANCH.code, tuple(day_events(tuesday, 90, 30))))
        assert day_tickets(db, monday) == first and len(first) == 150
        assert len(day_tickets(db, tuesday)) == 90
        report = build_day_report(day_tickets(db, monday), monday, TZ)
        assert (report.arrived, report.served, report.waiting) == (150, 120, 30)
        # a late "finished" of a ticket still waiting from Monday, sent after midnight, closes Monday's ticket
        late = datetime.combine(tuesday, clock_time(0, 5), tzinfo=TZ)
        apply_now(db, StoreFeedEvents(BRANCH.code, (
            TicketEvent("late", TicketEventType.ABANDONED, late, ticket_id="A140"),
            TicketEvent("tue-late", TicketEventType.CALLED, late + timedelta(hours=10), ticket_id="A050",
                        counter_id="2"))))
        monday_after = {t.ticket_id: t for t in day_tickets(db, monday)}
        assert monday_after["A140"].finished_at == late and len(monday_after) == 150
        tuesday_after = {t.ticket_id: t for t in day_tickets(db, tuesday)}
        assert len(tuesday_after) == 90 and tuesday_after["A050"].called_at == late + timedelta(hours=10)
        assert monday_after["A050"].called_at.astimezone(TZ).date() == monday  # Monday's A050 is left alone
        # the same day sent again is recognised event by event: nothing changes
        apply_now(db, StoreFeedEvents(BRANCH.code, tuple(day_events(monday, 150, 120))))
        assert len(day_tickets(db, monday)) == 150 and repository.count_rows(db, "ticket") == 240
    finally:
        db.close()


def test_migration_gives_stored_tickets_the_day_of_their_issue(db_url) -> None:
    db = open_database(db_url)
    try:
        apply_now(db, SaveBranchSetup(branch=BRANCH))
        with db.engine.begin() as connection:
            command.downgrade(alembic_config(connection), "0013")
        issued = datetime(2026, 11, 30, 15, 50, tzinfo=UTC)  # 23:50 in Guangzhou: the local day is 30 November
        closed = issued + timedelta(minutes=20)  # after the local midnight
        with db.engine.begin() as connection:
            bid = connection.scalar(sa.text("SELECT id FROM branch WHERE code = :c"), {"c": BRANCH.code})
            ticket = sa.table("ticket", *(sa.column(c) for c in (
                "branch_id", "ticket_id", "number", "service_type", "priority", "status", "issued_at", "finished_at",
                "transfers")))
            event = sa.table("ticket_event", *(sa.column(c) for c in (
                "branch_id", "event_id", "type", "at", "ticket_id", "received_at")), sa.column("payload", sa.JSON))
            naive = issued.replace(tzinfo=None)
            connection.execute(ticket.insert().values(
                branch_id=bid, ticket_id="A001", number="A001", service_type="cash", priority=False,
                status="abandoned", issued_at=naive, finished_at=closed.replace(tzinfo=None), transfers=0))
            connection.execute(event.insert(), [
                {"branch_id": bid, "event_id": "i", "type": "issued", "at": naive, "ticket_id": "A001",
                 "payload": {"service_type": "cash"}, "received_at": naive},
                {"branch_id": bid, "event_id": "a", "type": "abandoned", "at": closed.replace(tzinfo=None),
                 "ticket_id": "A001", "payload": {}, "received_at": naive},
                {"branch_id": bid, "event_id": "s", "type": "counter_state", "at": closed.replace(tzinfo=None),
                 "ticket_id": None, "payload": {"counter_id": "1", "state": "open"}, "received_at": naive}])
        upgrade_to(db.engine, db_url, head_revision())
        with db.session() as s:
            assert s.execute(sa.select(m.Ticket.ticket_id, m.Ticket.business_day)).all() == [
                ("A001", date(2026, 11, 30))]
            days = dict(s.execute(sa.select(m.TicketEventRow.event_id, m.TicketEventRow.business_day)).all())
        assert days == {"i": date(2026, 11, 30), "a": date(2026, 11, 30), "s": date(2026, 12, 1)}
        # the next morning's A001 is another ticket
        apply_now(db, StoreFeedEvents(BRANCH.code, (TicketEvent(
            "next", TicketEventType.ISSUED, datetime(2026, 12, 1, 1, 0, tzinfo=UTC), ticket_id="A001",
            service_type=ServiceType.VIP),)))
        assert [t.status.value for t in day_tickets(db, date(2026, 11, 30))] == ["abandoned"]
        assert [t.service_type for t in day_tickets(db, date(2026, 12, 1))] == [ServiceType.VIP]
    finally:
        db.close()
