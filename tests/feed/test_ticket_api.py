"""The ticket feed over real HTTP on 127.0.0.1 into a real SQLite file: storage before the answer, idempotency,
all-or-nothing batches, out-of-order events, authentication, and fuzzing that never gets a 5xx or a half-stored
request."""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.domain.vocabulary import ServiceType, TicketStatus
from console.feed.events import EVENT_TYPES, FIELDS, FeedWindow
from console.feed.http_api import TicketApi
from storage import repository
from storage.database import Database, open_database
from storage.tasks import SaveBranchSetup, StoreFeedEvents
from storage.writer import DatabaseWriter, apply_now
from tests.storage.conftest import BRANCH, COUNTERS, STAFF

TOKEN = "test-token-0123456789abcdef"
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 27, 12, tzinfo=TZ)  # the feed's clock: the events below are of this day


class Feed:
    def __init__(self, db: Database, writer: DatabaseWriter, api: TicketApi) -> None:
        self.db, self.writer, self.api = db, writer, api
        self.conn = http.client.HTTPConnection("127.0.0.1", api.port, timeout=10)

    def post(self, body: object | bytes, token: str | None = TOKEN,
             content_type: str = "application/json") -> tuple[int, dict]:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"Content-Type": content_type}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        self.conn.request("POST", "/api/v1/events", body=raw, headers=headers)
        response = self.conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")

    def events_stored(self) -> int:
        return repository.count_rows(self.db, "ticket_event")


@contextmanager
def running_feed(db_url: str, before_store: Callable[[], None] = lambda: None) -> Iterator[Feed]:
    """The feed over a real writer and database; ``before_store`` runs before each store (and may raise)."""
    db = open_database(db_url)
    apply_now(db, SaveBranchSetup(branch=BRANCH, counters=COUNTERS, staff=STAFF))
    writer = DatabaseWriter(db, commit_interval_s=1.0)
    writer.start()

    def store(events):
        before_store()
        task = StoreFeedEvents("B1", tuple(events))
        writer.submit_and_wait(task, timeout_s=10)
        return task.stored, task.duplicates

    api = TicketApi(host="127.0.0.1", port=0, token=TOKEN, local_tz=TZ, store=store, version="test",
                    window=FeedWindow(clock=lambda: NOW))
    api.start()
    feed = Feed(db, writer, api)
    try:
        yield feed
    finally:
        feed.conn.close()
        api.stop()
        writer.stop()
        db.close()


@pytest.fixture
def feed(db_url: str) -> Iterator[Feed]:
    """The feed on a SQLite file and on PostgreSQL (tests/conftest.py ``db_url``)."""
    with running_feed(db_url) as running:
        yield running


def tickets(feed: Feed) -> list:
    return repository.load_tickets(feed.db, "B1", datetime(2026, 11, 26, tzinfo=TZ), datetime(2026, 11, 28, tzinfo=TZ))


def issued(n: int, ticket: str = "A001", at: str = "2026-11-27T09:00:00+08:00", **extra) -> dict:
    return {"event_id": f"e{n}", "type": "issued", "ticket_id": ticket, "service_type": "cash", "at": at, **extra}


def test_events_are_stored_before_the_answer_and_resending_changes_nothing(feed: Feed) -> None:
    assert feed.post(issued(1)) == (200, {"stored": 1, "duplicates": 0})
    # stored already: another connection sees it without waiting for the writer's interval
    assert [(t.ticket_id, t.status) for t in tickets(feed)] == [("A001", TicketStatus.WAITING)]
    assert feed.post(issued(1)) == (200, {"stored": 0, "duplicates": 1})
    batch = [issued(1), {"event_id": "e2", "type": "called", "ticket_id": "A001", "counter_id": "1",
                         "staff_id": "E1", "at": "2026-11-27T09:04:00"}]  # no offset: branch local time
    assert feed.post(batch) == (200, {"stored": 1, "duplicates": 1})
    ticket = tickets(feed)[0]
    assert ticket.status is TicketStatus.CALLED and (ticket.called_at - ticket.issued_at).total_seconds() == 240
    assert feed.events_stored() == 2


def test_out_of_order_events_give_the_right_ticket(feed: Feed) -> None:
    finished = {"event_id": "f", "type": "finished", "ticket_id": "B7", "counter_id": "2",
                "at": "2026-11-27T09:20:00+08:00"}
    started = {"event_id": "s", "type": "started", "ticket_id": "B7", "counter_id": "2",
               "at": "2026-11-27T09:12:00+08:00"}
    called = {"event_id": "c", "type": "called", "ticket_id": "B7", "counter_id": "2",
              "at": "2026-11-27T09:10:00+08:00"}
    for event in (finished, started, called, issued(9, "B7", "2026-11-27T09:01:00+08:00",
                                                     service_type="non_cash")):
        assert feed.post(event)[0] == 200
    ticket = tickets(feed)[0]
    assert ticket.status is TicketStatus.SERVED and ticket.service_type is ServiceType.NON_CASH
    assert [ticket.issued_at.minute, ticket.called_at.minute, ticket.started_at.minute,
            ticket.finished_at.minute] == [1, 10, 12, 20]


def test_ratings_from_the_counter_device(feed: Feed) -> None:
    """A ``rated`` event gives its ticket the customer's score (the newest counts) and changes nothing else; a
    score out of 1–5, missing, or on another event type is refused naming ``score``."""
    called = {"event_id": "e2", "type": "called", "ticket_id": "A001", "counter_id": "3", "staff_id": "E1",
              "at": "2026-11-27T09:05:00+08:00"}
    finished = {"event_id": "e3", "type": "finished", "ticket_id": "A001", "counter_id": "3",
                "at": "2026-11-27T09:12:00+08:00"}
    rated = {"event_id": "r1", "type": "rated", "ticket_id": "A001", "counter_id": "3", "staff_id": "E1",
             "score": 2, "at": "2026-11-27T09:12:30+08:00"}
    again = {**rated, "event_id": "r2", "score": 5, "at": "2026-11-27T09:13:00+08:00"}
    assert feed.post([issued(1), called, finished, again, rated]) == (200, {"stored": 5, "duplicates": 0})
    (ticket,) = tickets(feed)
    assert (ticket.rating, ticket.status.value, ticket.counter_id) == (5, "served", "3")  # the newest rating
    for bad, needle in (({"score": 0}, "from 1 to 5"), ({"score": "4"}, "from 1 to 5"), ({"score": None}, "required"),
                        ({"score": 4.0}, "from 1 to 5")):
        status, body = feed.post({**rated, "event_id": "r9", **bad})
        assert status == 422 and body["field"] == "score" and needle in body["error"], body
    status, body = feed.post({**issued(7, ticket="A007"), "score": 3})
    assert status == 422 and body["field"] == "score" and "only for rated" in body["error"]


def test_a_batch_with_one_bad_event_stores_nothing_and_names_it(feed: Feed) -> None:
    batch = [issued(1), issued(2, "A002"), {"event_id": "e3", "type": "called", "ticket_id": "A001",
                                             "at": "2026-11-27T09:05:00+08:00"}]
    status, body = feed.post(batch)
    assert status == 422 and body["index"] == 2 and body["field"] == "counter_id"
    assert "required" in body["error"]
    assert feed.events_stored() == 0


@pytest.mark.parametrize(("event", "field", "needle"), [
    ({"event_id": "x", "type": "teleported", "at": "2026-11-27T09:00:00Z"}, "type", "unknown value 'teleported'"),
    ({"event_id": "x", "type": "issued", "ticket_id": "A1", "service_type": "cash", "at": "yesterday"}, "at",
     "not an ISO 8601"),
    ({"event_id": "x", "type": "issued", "ticket_id": "A1", "at": "2026-11-27T09:00:00Z"}, "service_type",
     "required"),
    ({"event_id": "x", "type": "counter_state", "counter_id": "1", "state": "asleep", "at": "2026-11-27T09:00Z"},
     "state", "unknown value"),
    ({"event_id": "x", "type": "issued", "ticket_id": "A1", "service_type": "cash", "at": "2026-11-27T09:00Z",
      "priorty": True}, "priorty", "unknown field"),
    ({"event_id": "", "type": "issued", "at": "2026-11-27T09:00Z"}, "event_id", "must not be empty"),
    ({"event_id": "x", "type": "issued", "ticket_id": "A1", "service_type": "cash", "at": "2026-11-27T09:00Z",
      "priority": "yes"}, "priority", "true or false"),
    ({"event_id": "x", "type": "appointment_booked", "appointment_id": "R1", "service_type": "vip",
      "at": "2026-11-26T09:00Z"}, "due_at", "required"),
    ({"event_id": "x", "type": "appointment_booked", "appointment_id": "R1", "service_type": "vip",
      "due_at": "tomorrow at ten", "at": "2026-11-26T09:00Z"}, "due_at", "not an ISO 8601"),
    ({"event_id": "x", "type": "checked_in", "ticket_id": "V001", "at": "2026-11-27T09:00Z"}, "appointment_id",
     "required"),
])
def test_invalid_events_name_the_field(feed: Feed, event: dict, field: str, needle: str) -> None:
    status, body = feed.post(event)
    assert status == 422 and body["field"] == field and needle in body["error"], body
    assert feed.events_stored() == 0


def test_appointments_over_the_feed(feed: Feed) -> None:
    booked = {"event_id": "b1", "type": "appointment_booked", "appointment_id": "R1", "service_type": "corporate",
              "due_at": "2026-11-27T10:30:00", "at": "2026-11-25T16:00:00+08:00"}
    checked = {"event_id": "c1", "type": "checked_in", "appointment_id": "R1", "ticket_id": "C007",
               "at": "2026-11-27T10:21:00+08:00"}
    assert feed.post([checked, booked]) == (200, {"stored": 2, "duplicates": 0})  # check-in first: order is free
    got = repository.load_appointments(feed.db, "B1", datetime(2026, 11, 27, tzinfo=TZ),
                                       datetime(2026, 11, 28, tzinfo=TZ))
    assert len(got) == 1 and got[0].due_at == datetime(2026, 11, 27, 10, 30, tzinfo=TZ)  # local time
    assert got[0].ticket_id == "C007" and got[0].checked_in_at == datetime(2026, 11, 27, 10, 21, tzinfo=TZ)
    cancelled = {"event_id": "x1", "type": "appointment_cancelled", "appointment_id": "R2",
                 "at": "2026-11-26T12:00:00+08:00"}
    assert feed.post(cancelled)[0] == 200  # a cancellation of a booking not (yet) received is kept, not shown
    assert len(repository.load_appointments(feed.db, "B1", datetime(2026, 11, 26, tzinfo=TZ),
                                            datetime(2026, 11, 28, tzinfo=TZ))) == 1


def test_authentication_and_malformed_requests(feed: Feed) -> None:
    assert feed.post(issued(1), token=None)[0] == 401
    status, body = feed.post(issued(1), token="wrong-token-wrong-token")
    assert status == 401 and TOKEN not in json.dumps(body)
    status, body = feed.post(b'{"event_id": "e1", "type": ', content_type="application/json")
    assert status == 400 and "not valid JSON" in body["error"]
    assert feed.post(issued(1), content_type="text/plain")[0] == 415
    assert feed.post(b"\xff\xfe", content_type="application/json")[0] == 400
    assert feed.post([])[0] == 422
    assert feed.post([issued(1), issued(1)])[1]["field"] == "event_id"  # the same id twice in one request
    assert feed.events_stored() == 0
    assert feed.post(issued(1)) == (200, {"stored": 1, "duplicates": 0})  # the connection is still usable


def test_openapi_document_is_served_and_matches_the_validator(feed: Feed) -> None:
    feed.conn.request("GET", "/api/v1/openapi.json")
    response = feed.conn.getresponse()
    doc = json.loads(response.read())
    assert response.status == 200 and doc == json.loads(json.dumps(feed.api.app.openapi()))
    assert doc["info"]["version"] == "test" and doc["paths"]["/api/v1/events"]["post"]["requestBody"]
    schema = doc["components"]["schemas"]["Event"]
    assert set(schema["properties"]) == set(FIELDS)
    kinds = doc["components"]["schemas"][schema["properties"]["type"]["$ref"].rsplit("/", 1)[1]]
    assert kinds["enum"] == list(EVENT_TYPES)
    feed.conn.request("GET", "/nothing")
    response = feed.conn.getresponse()
    response.read()
    assert response.status == 404


def test_storage_failure_answers_503_and_nothing_is_acknowledged(feed: Feed) -> None:
    feed.writer.stop()
    status, body = feed.post(issued(1))
    assert status == 503 and "not stored" in body["error"]


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                           | st.text(max_size=20), lambda c: st.lists(c, max_size=3)
                           | st.dictionaries(st.text(max_size=8), c, max_size=3), max_leaves=6)
field_values = {
    "event_id": st.text(max_size=5) | json_values,
    "type": st.sampled_from(EVENT_TYPES) | json_values,
    "ticket_id": st.sampled_from(["A1", "A2", ""]) | json_values,
    "service_type": st.sampled_from(["cash", "vip", "other"]) | json_values,
    "counter_id": st.sampled_from(["1", "2", "99"]) | json_values,
    "staff_id": st.sampled_from(["E1", "E9"]) | json_values,
    "state": st.sampled_from(["open", "idle", "asleep"]) | json_values,
    "priority": st.booleans() | json_values,
    "number": st.text(max_size=4) | json_values,
    "at": st.sampled_from(["2026-11-27T09:00:00+08:00", "2026-11-27T09:30:00", "2026-11-27", "soon"]) | json_values,
}
events = st.fixed_dictionaries({}, optional=field_values)
bodies = events | st.lists(events, max_size=4) | json_values


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies)
def test_fuzzed_bodies_never_fail_the_server_or_store_half(feed: Feed, body: object) -> None:
    before = feed.events_stored()
    status, answer = feed.post(body)
    assert status in (200, 400, 422), (status, answer)
    if status == 200:
        n = len(body) if isinstance(body, list) else 1
        assert answer["stored"] + answer["duplicates"] == n
        assert feed.events_stored() == before + answer["stored"]
    else:
        assert answer["field"] and answer["error"]
        assert feed.events_stored() == before


