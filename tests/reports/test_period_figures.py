"""A period report read from storage: closed days are summarised once and the summaries kept; a ticket written
later for such a day drops its summary; a summary computed before an event arrived is not stored; the purge keeps
the summaries, so a period over purged days stays exact. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time

import pytest
from sqlalchemy import func, select

from console.domain.period_report import build_period_report
from console.domain.records import TicketEvent
from console.domain.vocabulary import ServiceType, TicketEventType
from console.reports.period_figures import load_period_report
from storage import models as m
from storage import repository
from storage.database import open_database
from storage.retention import ApplyPurge, plan_purge
from storage.tasks import SaveBranchSetup, StoreCameraDays, StoreDaySummaries, StoreFeedEvents
from storage.writer import apply_now
from tests.storage.test_ticket_days import BRANCH, TZ, day_events

FIRST = date(2026, 11, 2)
TODAY = date(2026, 11, 12)


@pytest.fixture
def db(db_url):
    database = open_database(db_url)
    apply_now(database, SaveBranchSetup(branch=BRANCH, counters=(), staff=()))
    for n in range(11):  # 2 … 12 November, 10 + n tickets a day, the first 5 + n served
        apply_now(database, StoreFeedEvents(BRANCH.code, tuple(day_events(FIRST + timedelta(days=n), 10 + n, 5 + n))))
    yield database
    database.close()


def summarised_days(db) -> set[date]:
    with db.session() as s:
        return set(s.scalars(select(m.TicketDaySummary.day)))


def from_tickets(db, first: date, last: date):
    """The same period straight from every stored ticket."""
    start = datetime.combine(first, clock_time(0), tzinfo=TZ)
    tickets = repository.load_tickets(db, BRANCH.code, start, start + timedelta(days=(last - first).days + 1))
    return build_period_report(tickets, first, last, TZ, 10.0, group_by="week")


def report(db, first=FIRST, last=TODAY):
    """The report and the task storing its ticket summaries (None: nothing new); camera days are stored at once."""
    found, tasks = load_period_report(db, BRANCH.code, TZ, first, last, today=TODAY, target_wait_min=10.0,
                                      group_by="week")
    apply_now(db, *(t for t in tasks if isinstance(t, StoreCameraDays)))
    return found, next((t for t in tasks if isinstance(t, StoreDaySummaries)), None)


def test_closed_days_are_summarised_once_and_give_the_same_figures(db) -> None:
    first, store = report(db)
    assert first == from_tickets(db, FIRST, TODAY)
    assert store is not None and sorted(store.summaries) == [FIRST + timedelta(days=n) for n in range(10)]
    apply_now(db, store)
    assert store.stored == 10 and summarised_days(db) == set(store.summaries)  # today is never stored
    again, nothing_new = report(db)
    assert nothing_new is None and again == first


def test_a_late_ticket_drops_its_days_summary(db) -> None:
    apply_now(db, report(db)[1])
    late = datetime.combine(FIRST + timedelta(days=3), clock_time(16), tzinfo=TZ)
    apply_now(db, StoreFeedEvents(BRANCH.code, (
        TicketEvent("late:i", TicketEventType.ISSUED, late, ticket_id="Z001", service_type=ServiceType.VIP,
                    number="Z001"),)))
    assert FIRST + timedelta(days=3) not in summarised_days(db)
    figures, store = report(db)
    assert figures.figures.arrived == sum(10 + n for n in range(11)) + 1
    assert figures == from_tickets(db, FIRST, TODAY)
    assert store is not None and list(store.summaries) == [FIRST + timedelta(days=3)]


def test_a_summary_read_before_an_event_arrived_is_not_stored(db) -> None:
    _, store = report(db)
    day = FIRST + timedelta(days=5)
    apply_now(db, StoreFeedEvents(BRANCH.code, (TicketEvent(
        "late:c", TicketEventType.CALLED, datetime.combine(day, clock_time(15), tzinfo=TZ), ticket_id="A015",
        counter_id="1"),)))
    apply_now(db, store)
    assert summarised_days(db) == set(store.summaries) - {day - timedelta(days=1), day, day + timedelta(days=1)}
    assert report(db)[0] == from_tickets(db, FIRST, TODAY)


def test_the_purge_keeps_summaries_so_purged_days_stay_exact(db) -> None:
    whole = from_tickets(db, FIRST, TODAY)
    now = datetime.combine(TODAY, clock_time(20), tzinfo=TZ).astimezone(UTC)
    apply_now(db, ApplyPurge(plan_purge(db, 5, now=now), "admin"))  # 2 … 6 November purged
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(m.Ticket).where(
            m.Ticket.business_day < date(2026, 11, 7))) == 0
    assert summarised_days(db) == {FIRST + timedelta(days=n) for n in range(5)}
    after, store = report(db)
    assert after.purged_days == ()
    assert (after.figures.arrived, after.figures.p90_wait_min, after.figures.served) == (
        whole.figures.arrived, whole.figures.p90_wait_min, whole.figures.served)
    assert sorted(store.summaries) == [date(2026, 11, 7) + timedelta(days=n) for n in range(5)]


def test_each_counters_time_from_the_feeds_counter_states(db) -> None:
    """Counter states sent through the ticket feed give the counter's and the person's staffed time, idle share
    and pauses over the period (compare_periods with the work figures)."""
    from console.domain.vocabulary import CounterState
    from console.reports.period_figures import compare_periods

    day = FIRST + timedelta(days=2)

    def t(hh: int, mm: int = 0) -> datetime:
        return datetime.combine(day, clock_time(hh, mm), tzinfo=TZ)

    states = [(t(8, 50), CounterState.IDLE, "E1"), (t(9), CounterState.SERVING, "E1"),
              (t(12), CounterState.PAUSED, "E1"), (t(12, 30), CounterState.IDLE, "E1"),
              (t(17), CounterState.CLOSED, None)]
    apply_now(db, StoreFeedEvents(BRANCH.code, tuple(
        TicketEvent(f"cs{n}", TicketEventType.COUNTER_STATE, when, counter_id="1", staff_id=staff, state=state)
        for n, (when, state, staff) in enumerate(states))))
    comparison, _ = compare_periods(db, BRANCH.code, TZ, "range", FIRST, TODAY, today=TODAY, target_wait_min=10.0,
                                    at=datetime.combine(TODAY, clock_time(18), tzinfo=TZ), with_work=True)
    work = comparison.work
    assert work is not None and work.counter_states_reported
    counter = {w.key: w for w in work.counters}["1"]
    # idle 08:50–09:00 and 12:30–17:00, serving 09:00–12:00, paused 12:00–12:30
    assert counter.staffed_min == pytest.approx(490) and counter.idle_share == pytest.approx(280 / 490)
    assert (counter.pauses, counter.paused_min) == (1, pytest.approx(30))
    assert counter.served == sum(5 + n for n in range(11))  # every served ticket of the period at counter 1
    person = {w.key: w for w in work.people}["E1"]
    assert person.staffed_min == pytest.approx(490) and person.served == 0  # the tickets name no staff member


def test_a_summary_of_another_version_is_summarised_again(db) -> None:
    apply_now(db, report(db)[1])
    with db.session() as s:
        s.execute(m.TicketDaySummary.__table__.update().where(m.TicketDaySummary.day == FIRST).values(version=0))
    again, store = report(db)
    assert store is not None and list(store.summaries) == [FIRST] and again == from_tickets(db, FIRST, TODAY)
    apply_now(db, store)
    with db.session() as s:
        assert s.scalar(select(m.TicketDaySummary.version).where(m.TicketDaySummary.day == FIRST)) >= 1


def test_camera_days_are_kept_and_dropped_by_a_late_sample(db) -> None:
    from console.domain.records import OccupancyPoint
    from storage.tasks import RecordOccupancy

    day = FIRST + timedelta(days=1)
    noon = datetime.combine(day, clock_time(12), tzinfo=TZ)
    apply_now(db, RecordOccupancy(BRANCH.code, (OccupancyPoint(noon, 7, None, "c1"), OccupancyPoint(noon, 5, None, "c2"),
                                                OccupancyPoint(noon + timedelta(seconds=10), 9, None, "c1"))))
    found, _ = report(db)  # stores the camera days at once
    assert found.cameras[day].peak == 12 and found.cameras[day].peak_at == noon
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(m.CameraDaySummary)) == (TODAY - FIRST).days
    # a sample arriving late for that day drops its summary; the next report counts it
    apply_now(db, RecordOccupancy(BRANCH.code, (OccupancyPoint(noon + timedelta(hours=1), 30, None, "c1"),)))
    with db.session() as s:
        assert s.scalar(select(m.CameraDaySummary.day).where(m.CameraDaySummary.day == day)) is None
    assert report(db)[0].cameras[day].peak == 30
