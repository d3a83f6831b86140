"""``StoreTicketLog`` (an imported ticket log stored in bulk) leaves the database exactly as storing the same events
one by one with ``StoreFeedEvents`` does: the same events, tickets and counter board, on each backend."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from console.feed.csv_import import parse_log
from storage import models as m
from storage.database import Database, open_database
from storage.tasks import SaveBranchSetup, StoreFeedEvents, StoreTicketLog
from storage.writer import apply_now
from tests.storage.conftest import BRANCH, COUNTERS, STAFF, TZ

HEADER = "ticket_id,service_type,priority,issued_at,called_at,started_at,finished_at,counter_id,staff_id,outcome"
LOG = [
    HEADER,
    "A001,cash,0,2026-11-26T09:00:00,2026-11-26T09:04:00,2026-11-26T09:05:00,2026-11-26T09:10:00,1,E1,served",
    "A001,cash,1,2026-11-27T09:00:00,2026-11-27T09:02:00,2026-11-27T09:03:00,2026-11-27T09:20:00,2,E2,served",
    "A002,non_cash,,2026-11-27T09:01:00,2026-11-27T09:12:00,,2026-11-27T09:15:00,2,E2,no_show",
    "B001,non_cash,yes,2026-11-27T09:02:00,,,2026-11-27T09:30:00,,,abandoned",
    "B002,non_cash,0,2026-11-27T09:05:00,2026-11-27T09:06:00,,2026-11-27T09:08:00,2,E2,transferred",
    "V001,vip,1,2026-11-27T01:03:00Z,2026-11-27T01:05:00Z,2026-11-27T01:06:00Z,2026-11-27T01:20:00Z,10,E9,served",
    "A003,cash,false,2026-11-27T09:40:00,,,,,,waiting",
    # closed after midnight: its last events fall on the next business day
    "A004,cash,0,2026-11-27T23:50:00,2026-11-27T23:55:00,2026-11-27T23:56:00,2026-11-28T00:10:00,1,E1,served",
    "A005,cash,0,2026-11-28T09:00:00,2026-11-28T09:01:00,2026-11-28T09:02:00,2026-11-28T09:09:00,7,E1,served",
]


def snapshot(db: Database) -> dict[str, list[tuple]]:
    """Everything an import changes, without surrogate keys and arrival times."""
    e, t, c = m.TicketEventRow, m.Ticket, m.Counter
    queries = {
        "events": select(e.event_id, e.type, e.at, e.business_day, e.ticket_id, e.payload),
        "tickets": select(t.business_day, t.ticket_id, t.number, t.service_type, t.priority, t.status, t.issued_at,
                          t.called_at, t.started_at, t.finished_at, t.counter_id, t.staff_id, t.transfers),
        "counters": select(c.counter_id, c.name, c.state, c.current_ticket_id, c.staff_id),
    }
    with db.session() as s:
        return {name: sorted((tuple(r) for r in s.execute(query)), key=repr) for name, query in queries.items()}


def raw(db: Database) -> list[tuple]:
    """The SQLite file's own text of every time and payload, as queries see it."""
    with db.engine.connect() as connection:
        events = connection.exec_driver_sql("select event_id, at, business_day, payload from ticket_event").all()
        tickets = connection.exec_driver_sql("select ticket_id, business_day, issued_at, called_at, started_at, "
                                             "finished_at from ticket").all()
    return sorted(map(tuple, events)) + sorted(map(tuple, tickets), key=repr)


def test_bulk_store_equals_one_by_one(db: Database, tmp_path: Path) -> None:
    groups = parse_log("\r\n".join(LOG), TZ).groups
    assert len(groups) == len(LOG) - 1
    reference = open_database(f"sqlite:///{tmp_path / 'reference.db'}")
    apply_now(reference, SaveBranchSetup(branch=BRANCH, counters=COUNTERS, staff=STAFF))
    # A002 of the 27th is already known from the live feed (its "called"), so it takes the event-by-event path
    live = StoreFeedEvents(BRANCH.code, (groups[2][1],))
    apply_now(db, live)
    apply_now(reference, StoreFeedEvents(BRANCH.code, (groups[2][1],)))

    first, second = StoreTicketLog(BRANCH.code, tuple(groups[:4])), StoreTicketLog(BRANCH.code, tuple(groups[4:]))
    apply_now(db, first)
    apply_now(db, second)
    one_by_one = StoreFeedEvents(BRANCH.code, tuple(e for g in groups for e in g))
    apply_now(reference, one_by_one)
    events = sum(len(g) for g in groups)
    assert (first.stored + second.stored, first.duplicates + second.duplicates) == (events - 1, 1)
    assert (one_by_one.stored, one_by_one.duplicates) == (events - 1, 1)
    got, expected = snapshot(db), snapshot(reference)
    assert got == expected
    if db.is_sqlite:  # stored as the same text too (queries compare times as text on SQLite)
        assert raw(db) == raw(reference)
    assert len(got["tickets"]) == len(groups)  # A001 on two days is two tickets
    assert ("2026-11-27", "A004") in {(str(t[0]), t[1]) for t in got["tickets"]}  # closed after midnight
    assert ("7", "7", "closed", None, None) in got["counters"]  # a counter only the log knows is created

    again = StoreTicketLog(BRANCH.code, tuple(groups))
    apply_now(db, again)
    assert (again.stored, again.duplicates) == (0, events)
    assert snapshot(db) == expected
    reference.close()


def test_a_partly_stored_ticket_gets_only_its_missing_events(db: Database) -> None:
    groups = parse_log("\r\n".join(LOG[:3]), TZ).groups
    apply_now(db, StoreFeedEvents(BRANCH.code, groups[1][:2]))  # issued and called arrived live
    task = StoreTicketLog(BRANCH.code, tuple(groups))
    apply_now(db, task)
    assert (task.stored, task.duplicates) == (len(groups[0]) + len(groups[1]) - 2, 2)
    tickets = snapshot(db)["tickets"]
    assert [(str(t[0]), t[1], t[5], t[10]) for t in tickets] == [("2026-11-26", "A001", "served", "1"),
                                                                  ("2026-11-27", "A001", "served", "2")]
