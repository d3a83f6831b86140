"""Write tasks on a real SQLite file: ticket projections, idempotency, order tolerance, roster, occupancy."""

from __future__ import annotations

import shutil
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.domain.records import BreakSpan, CameraHealthEvent, LineCrossings, OccupancyPoint, ShiftRecord, TicketEvent
from console.domain.vocabulary import CounterState, ServiceType, TicketEventType, TicketStatus
from storage import repository
from storage.database import open_database
from storage.tasks import (
    RecordCameraHealth,
    RecordLineCrossings,
    RecordOccupancy,
    SaveBranchSetup,
    SaveRoster,
    StoreFeedEvents,
)
from storage.writer import apply_now
from tests.storage.conftest import BRANCH, COUNTERS, STAFF, at

E = TicketEventType


def ev(n: int, kind: TicketEventType, t, ticket: str | None = "T1", **kw) -> TicketEvent:
    return TicketEvent(event_id=f"e{n}", type=kind, at=t, ticket_id=ticket, **kw)


LIFECYCLE = (
    ev(1, E.STAFF_LOGIN, at(8, 50), None, counter_id="2", staff_id="E2"),
    ev(2, E.COUNTER_STATE, at(8, 50), None, counter_id="2", staff_id="E2", state=CounterState.IDLE),
    ev(3, E.ISSUED, at(9, 0), number="B001", service_type=ServiceType.NON_CASH),
    ev(4, E.CALLED, at(9, 5), counter_id="2", staff_id="E2"),
    ev(5, E.COUNTER_STATE, at(9, 5), None, counter_id="2", staff_id="E2", state=CounterState.OPEN),
    ev(6, E.STARTED, at(9, 6), counter_id="2", staff_id="E2"),
    ev(7, E.COUNTER_STATE, at(9, 6), None, counter_id="2", staff_id="E2", state=CounterState.SERVING),
    ev(8, E.TRANSFERRED, at(9, 12), service_type=ServiceType.CASH, counter_id="2"),
    ev(9, E.COUNTER_STATE, at(9, 12), None, counter_id="2", staff_id="E2", state=CounterState.IDLE),
    ev(10, E.CALLED, at(9, 20), counter_id="1", staff_id="E1"),
    ev(11, E.STARTED, at(9, 21), counter_id="1", staff_id="E1"),
    ev(12, E.FINISHED, at(9, 25), counter_id="1", staff_id="E1"),
)


def tickets(db):
    return repository.load_tickets(db, "B1", at(0), at(23, 59))


def test_ticket_lifecycle_with_transfer(db) -> None:
    apply_now(db, StoreFeedEvents("B1", LIFECYCLE[:7]))
    [t] = tickets(db)
    assert (t.status, t.counter_id, t.number, t.service_type) == (TicketStatus.SERVING, "2", "B001", ServiceType.NON_CASH)
    board = {c.counter_id: c for c in repository.load_counters(db, "B1")}
    assert board["2"].state is CounterState.SERVING and board["2"].staff_id == "E2"
    assert board["2"].ticket_number == "B001" and board["2"].ticket_since == at(9, 6)
    apply_now(db, StoreFeedEvents("B1", LIFECYCLE[7:]))
    [t] = tickets(db)
    assert t.status is TicketStatus.SERVED and t.service_type is ServiceType.CASH and t.transfers == 1
    assert t.issued_at == at(9, 0) and t.called_at == at(9, 20) and t.finished_at == at(9, 25)
    assert t.counter_id == "1" and t.staff_id == "E1"
    board = {c.counter_id: c for c in repository.load_counters(db, "B1")}
    assert board["2"].ticket_id is None and board["2"].state is CounterState.IDLE
    assert [c.counter_id for c in repository.load_counters(db, "B1")] == ["1", "2", "10"]
    assert len(repository.load_ticket_events(db, "B1", at(0), at(23))) == len(LIFECYCLE)
    assert repository.count_rows(db, "counter_event") == 4


def test_repeated_events_change_nothing(db) -> None:
    apply_now(db, StoreFeedEvents("B1", LIFECYCLE))
    first = tickets(db), repository.load_counters(db, "B1"), repository.count_rows(db, "ticket_event")
    apply_now(db, StoreFeedEvents("B1", LIFECYCLE), StoreFeedEvents("B1", LIFECYCLE[3:6]))
    assert (tickets(db), repository.load_counters(db, "B1"), repository.count_rows(db, "ticket_event")) == first


def test_older_counter_state_does_not_overwrite_a_newer_one(db) -> None:
    newer = ev(1, E.COUNTER_STATE, at(10), None, counter_id="1", state=CounterState.PAUSED)
    older = ev(2, E.COUNTER_STATE, at(9), None, counter_id="1", state=CounterState.SERVING)
    apply_now(db, StoreFeedEvents("B1", (newer, older)))
    c = next(c for c in repository.load_counters(db, "B1") if c.counter_id == "1")
    assert c.state is CounterState.PAUSED and c.state_since == at(10)
    assert repository.count_rows(db, "counter_event") == 2  # history keeps both


def test_event_for_unknown_ticket_creates_it(db) -> None:
    apply_now(db, StoreFeedEvents("B1", (ev(1, E.CALLED, at(9, 30), "X9", counter_id="1", staff_id="E1"),)))
    [t] = tickets(db)
    assert t.ticket_id == "X9" and t.status is TicketStatus.CALLED and t.issued_at == at(9, 30)


def test_unknown_branch_is_named(db) -> None:
    with pytest.raises(ValueError, match="'NOPE'"):
        apply_now(db, StoreFeedEvents("NOPE", LIFECYCLE[:1]))


def test_branch_setup_is_idempotent_and_keeps_live_state(db) -> None:
    apply_now(db, StoreFeedEvents("B1", LIFECYCLE[:2]))
    apply_now(db, SaveBranchSetup(branch=BRANCH, counters=COUNTERS, staff=STAFF))
    assert repository.count_rows(db, "counter") == 3 and repository.count_rows(db, "staff") == 2
    c = next(c for c in repository.load_counters(db, "B1") if c.counter_id == "2")
    assert c.state is CounterState.IDLE and c.staff_id == "E2"
    assert [b.code for b in repository.list_branches(db)] == ["B1"]
    assert repository.load_branch(db, "B1").counters == ("1", "2", "10")
    assert [s.name for s in repository.load_staff(db, "B1")] == ["李伟", "王芳"]


def test_roster_replaces_one_day_only(db) -> None:
    day1 = (ShiftRecord("E1", at(8, 45), at(17, 30), counter_id="1", breaks=(BreakSpan(at(12), at(13)),)),)
    day2 = (ShiftRecord("E2", at(8, 45, day=28), at(17, 30, day=28), counter_id="2"),)
    apply_now(db, SaveRoster("B1", date(2026, 11, 27), day1), SaveRoster("B1", date(2026, 11, 28), day2))
    replacement = (ShiftRecord("E2", at(9), at(12), counter_id="2"),)
    apply_now(db, SaveRoster("B1", date(2026, 11, 27), replacement))
    assert repository.load_roster(db, "B1", date(2026, 11, 27)) == list(replacement)
    assert repository.load_roster(db, "B1", date(2026, 11, 28)) == list(day2)
    assert repository.count_rows(db, "shift_break") == 0  # the replaced shift's break went with it
    with pytest.raises(ValueError, match="'E99'"):
        apply_now(db, SaveRoster("B1", date(2026, 11, 27), (ShiftRecord("E99", at(9), at(10)),)))
    assert repository.load_roster(db, "B1", date(2026, 11, 27)) == list(replacement)  # nothing lost


def test_occupancy_duplicates_are_ignored(db) -> None:
    points = tuple(OccupancyPoint(at(9) + timedelta(seconds=30 * i), i, zone=z, camera_id="C1")
                   for i in range(10) for z in (None, "waiting"))
    apply_now(db, RecordOccupancy("B1", points))
    apply_now(db, RecordOccupancy("B1", points[:5]))
    lobby = repository.load_occupancy(db, "B1", at(8), at(10))
    assert [p.count for p in lobby] == list(range(10)) and all(p.zone is None for p in lobby)
    assert len(repository.load_occupancy(db, "B1", at(8), at(10), zone="waiting")) == 10
    assert repository.count_rows(db, "occupancy_sample") == 20


def test_line_crossings_sum_per_line_and_duplicates_are_ignored(db) -> None:
    rows = tuple(LineCrossings(cam, line, at(9, m), m % 3, m % 2) for m in range(12)
                 for cam, line in (("C1", "door"), ("C2", "door"), ("C1", "side")))
    apply_now(db, RecordLineCrossings("B1", rows))
    apply_now(db, RecordLineCrossings("B1", rows[:7]))  # a retried write
    totals = repository.load_line_totals(db, "B1", at(9, 2), at(9, 10))  # minutes 2..9
    expected_in = sum(m % 3 for m in range(2, 10))
    expected_out = sum(m % 2 for m in range(2, 10))
    assert totals == {("C1", "door"): (expected_in, expected_out), ("C2", "door"): (expected_in, expected_out),
                      ("C1", "side"): (expected_in, expected_out)}
    assert repository.count_rows(db, "line_crossing") == 36


def test_camera_health_is_kept_in_order(db) -> None:
    events = [CameraHealthEvent("C1", at(9, m), state) for m, state in enumerate(["online", "offline", "online"])]
    apply_now(db, *(RecordCameraHealth("B1", e) for e in events))
    assert repository.load_camera_health(db, "B1", at(9, 1)) == events[1:]
    assert repository.load_camera_health(db, "B1", at(8), at(9, 1)) == events[:1]


def set_up_copy(factory: pytest.TempPathFactory, name: str):
    """A fresh database holding the branch's setup: a copy of one migrated and set up once per session (migrating a
    new file for each of the property tests' examples was most of their time)."""
    template = factory.getbasetemp() / "tasks-template.db"
    if not template.exists():
        database = open_database(f"sqlite:///{template}")
        apply_now(database, SaveBranchSetup(branch=BRANCH, counters=COUNTERS, staff=STAFF))
        database.close()
    path = factory.mktemp(name) / f"{name}.db"
    shutil.copyfile(template, path)
    return open_database(f"sqlite:///{path}")


lifecycle_events = st.lists(st.sampled_from(LIFECYCLE), min_size=1, max_size=30)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations([e for e in LIFECYCLE if e.ticket_id is not None]))
def test_ticket_events_in_any_order_give_the_same_ticket(tmp_path_factory, order) -> None:
    """The ticket feed may deliver a ticket's events out of order: the ticket comes out the same."""
    results = []
    for batch in (order, sorted(order, key=lambda e: e.at)):
        database = set_up_copy(tmp_path_factory, "order")
        try:
            for e in batch:
                apply_now(database, StoreFeedEvents("B1", (e,)))
            results.append(tickets(database))
        finally:
            database.close()
    assert results[0] == results[1]
    ticket = results[1][0]
    assert (ticket.status, ticket.service_type, ticket.counter_id, ticket.transfers) == (
        TicketStatus.SERVED, ServiceType.CASH, "1", 1)
    assert ticket.called_at == at(9, 20) and ticket.issued_at == at(9, 0) and ticket.number == "B001"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=lifecycle_events)
def test_duplicates_never_change_the_projection(tmp_path_factory, events) -> None:
    """Applying a sequence with repeats equals applying its first occurrences once, in the same order."""
    seen, unique = set(), []
    for e in events:
        if e.event_id not in seen:
            seen.add(e.event_id)
            unique.append(e)
    results = []
    for batch in (tuple(events), tuple(unique)):
        database = set_up_copy(tmp_path_factory, "prop")
        try:
            for e in batch:
                apply_now(database, StoreFeedEvents("B1", (e,)))
            results.append((tickets(database), repository.load_counters(database, "B1")))
        finally:
            database.close()
    assert results[0] == results[1]


def test_camera_setup_round_trip_and_replacement(db) -> None:
    from console.domain.records import ZoneSpec
    from console.domain.vocabulary import ZoneKind
    from storage.records import CameraSetup, CameraSpec, LineRecord
    from storage.tasks import DeleteCamera, SaveCamera

    waiting = ZoneSpec("waiting", ZoneKind.WAITING, ((0, 0), (100, 0), (100, 80)), capacity=20)
    setup = CameraSetup(camera=CameraSpec("C1", "Lobby", "rtsp://u:p@10.0.0.5/stream", "rtsp", model="yolox"),
                        zones=(waiting,), lines=(LineRecord("door", (0, 50), (200, 50)),),
                        roi=((0, 0), (300, 0), (300, 200)), analysis_fps=4.0, calibration='{"x": 1}')
    apply_now(db, SaveCamera("B1", setup))
    assert repository.load_cameras(db, "B1") == [setup]
    changed = CameraSetup(camera=setup.camera, zones=(), lines=(LineRecord("exit", (1, 1), (2, 2)),))
    apply_now(db, SaveCamera("B1", changed))
    assert repository.load_cameras(db, "B1") == [changed]
    with pytest.raises(ValueError, match="'bad'"):
        apply_now(db, SaveCamera("B1", CameraSetup(camera=setup.camera,
                                                   zones=(ZoneSpec("bad", ZoneKind.WAITING, ((0, 0), (1, 1))),))))
    assert repository.load_cameras(db, "B1") == [changed]  # nothing lost
    apply_now(db, DeleteCamera("B1", "C1", user="wang"))
    assert repository.load_cameras(db, "B1") == [] and repository.count_rows(db, "counting_line") == 0
    # every change audited with the values before and after; never the source's password
    audit = [e for e in repository.load_audit(db) if e.entity == "camera"]
    assert [e.action for e in audit] == ["camera.add", "camera.edit", "camera.remove"]
    added, edited, removed = audit
    assert added.before is None and added.after["source"] == "rtsp://***:***@10.0.0.5/stream"
    assert added.after["zones"] == [{"name": "waiting", "kind": "waiting", "capacity": 20,
                                     "polygon": [[0, 0], [100, 0], [100, 80]]}]
    assert added.after["lines"] == [{"name": "door", "a": [0, 50], "b": [200, 50]}] and added.after["calibrated"]
    assert edited.before == added.after and edited.after["zones"] == [] and not edited.after["calibrated"]
    assert removed.user == "wang" and removed.before == edited.after and removed.after is None
    assert all("u:p@" not in str(e.before) + str(e.after) for e in audit)


def test_counter_command_is_stored_with_its_audit_entry(db) -> None:
    from datetime import UTC, datetime

    from console.domain.records import CounterCommand
    from console.domain.vocabulary import CounterAction
    from storage.tasks import SaveCounterCommand

    apply_now(db, SaveBranchSetup(branch=BRANCH, counters=COUNTERS, staff=STAFF))
    before = {"state": "idle", "staff_id": "E2", "service_types": ["non_cash"]}
    types = CounterCommand("2", CounterAction.SET_SERVICE_TYPES, at(10), "manager",
                           service_types=(ServiceType.CASH, ServiceType.CORPORATE))
    pause = CounterCommand("2", CounterAction.PAUSE, at(10, 5), "manager")
    wall = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
    first = SaveCounterCommand("B1", types, before, {**before, "service_types": ["cash", "corporate"]}, wall)
    apply_now(db, first)
    apply_now(db, SaveCounterCommand("B1", pause, before, {**before, "state": "paused"}, wall))
    assert first.command_id is not None

    counter = next(c for c in repository.load_counters(db, "B1") if c.counter_id == "2")
    assert counter.service_types == (ServiceType.CASH, ServiceType.CORPORATE)  # applied at once
    assert counter.state is CounterState.CLOSED  # the state follows what the ticketing system reports, not the request
    stored = repository.load_counter_commands(db, "B1")
    assert [(c.action, c.service_types, c.at) for c in stored] == [
        (CounterAction.SET_SERVICE_TYPES, (ServiceType.CASH, ServiceType.CORPORATE), at(10)),
        (CounterAction.PAUSE, (), at(10, 5))]
    assert repository.load_counter_commands(db, "B1", after_id=stored[0].command_id) == stored[1:]
    assert repository.load_counter_commands(db, "B1", since=at(10, 1)) == stored[1:]

    audit = repository.load_audit(db)
    assert [(a.action, a.user, a.entity_id, a.at) for a in audit] == [
        ("counter.set_service_types", "manager", "B1/2", wall), ("counter.pause", "manager", "B1/2", wall)]
    assert audit[0].before == before and audit[0].after["service_types"] == ["cash", "corporate"]
