"""The ticket feed against hostile input over real HTTP: every client error is a 4xx naming the field, never SQL or a
traceback in an answer, never a dropped connection or a half-stored request; slow clients hold no threads; a fuzz
of bodies and headers, with and without a storage outage."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import OperationalError

from console.feed.http_api import IDLE_TIMEOUT_S, MAX_OTHER_IN_FLIGHT, OPENAPI_PATH, READ_TIMEOUT_S
from storage import repository
from tests.feed.test_ticket_api import TOKEN, Feed, issued, running_feed


class Outage:
    """A switch for the database: while on, every store fails as a lost connection does (with its SQL)."""

    on = False


@pytest.fixture
def hostile(tmp_path) -> Iterator[tuple[Feed, Outage]]:
    outage = Outage()

    def check() -> None:
        if outage.on:
            raise OperationalError("INSERT INTO ticket_event (event_id, at) VALUES (?, ?)", ("e1", "secret"),
                                   Exception("server closed the connection unexpectedly"))

    with running_feed(f"sqlite:///{tmp_path / 'console.db'}", check) as feed:
        yield feed, outage


@pytest.mark.parametrize(("event", "field", "needle"), [
    (issued(1, at="0001-01-01T00:00:00+08:00"), "at", "outside the accepted window"),
    (issued(1, at="9999-12-31T23:59:59"), "at", "outside the accepted window"),
    (issued(1, at="2099-01-01T09:00:00+08:00"), "at", "outside the accepted window"),
    (issued(1, at="1900-01-01T09:00:00+08:00"), "at", "outside the accepted window"),
    (issued(1, at="2026-11-28T13:00:00+08:00"), "at", "outside the accepted window"),  # 25 h ahead
    (issued(1, ticket="A\x00"), "ticket_id", "control characters"),
    ({"event_id": "b", "type": "appointment_booked", "appointment_id": "R1", "service_type": "vip",
      "due_at": "2030-01-01T09:00:00", "at": "2026-11-27T09:00:00"}, "due_at", "outside the accepted window"),
])
def test_client_errors_are_4xx_naming_the_field(hostile, event: dict, field: str, needle: str) -> None:
    feed, _ = hostile
    status, body = feed.post(event)
    assert status == 422 and body["field"] == field and needle in body["error"], body
    assert feed.events_stored() == 0


def test_a_lone_surrogate_is_refused_naming_the_field(hostile) -> None:
    feed, _ = hostile
    raw = b'{"event_id": "e1", "type": "issued", "ticket_id": "\\ud800", "service_type": "cash", ' \
          b'"at": "2026-11-27T09:00:00+08:00"}'
    status, body = feed.post(raw)
    assert status == 422 and body["field"] == "ticket_id" and "Unicode" in body["error"], body
    assert feed.events_stored() == 0


def test_deep_nesting_and_huge_numbers_are_400_and_the_connection_stays(hostile) -> None:
    feed, _ = hostile
    status, body = feed.post(b"[" * 100_000 + b"]" * 100_000)
    assert status == 400 and body["field"] == "body" and "deeply" in body["error"], body
    status, body = feed.post(b'{"event_id": ' + b"9" * 5000 + b"}")
    assert status == 400 and body["field"] == "body" and "number" in body["error"], body
    # a body over the limit is refused from its Content-Length, before a byte of it is read; the head alone is sent,
    # since a client still sending when the server answers and closes meets a broken pipe (a race, not a refusal)
    with socket.create_connection(("127.0.0.1", feed.api.port), timeout=10) as raw:
        raw.sendall(b"POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    b"Authorization: Bearer " + TOKEN.encode() + b"\r\nContent-Length: 1048577\r\n\r\n")
        answer = b""
        while chunk := raw.recv(65536):
            answer += chunk
    head, _, payload = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413") and json.loads(payload)["field"] == "body", answer
    feed.conn.close()  # the connection the earlier answers came on, closed like any client's
    assert feed.post(issued(1)) == (200, {"stored": 1, "duplicates": 0})


def test_a_storage_outage_is_503_without_sql(hostile) -> None:
    feed, outage = hostile
    outage.on = True
    status, body = feed.post(issued(1))
    assert status == 503 and "send again" in body["error"]
    text = json.dumps(body)
    assert "INSERT" not in text and "secret" not in text and "Traceback" not in text
    outage.on = False
    assert feed.post(issued(1)) == (200, {"stored": 1, "duplicates": 0})


@pytest.mark.slow
def test_slow_clients_hold_no_threads_and_a_good_request_goes_through(hostile) -> None:
    """300 connections that send half a request: the server's threads stay few, a good request is answered at
    once, and the half requests are closed after the idle timeout."""
    feed, _ = hostile
    before = threading.active_count()
    slow = []
    for _ in range(300):
        s = socket.create_connection(("127.0.0.1", feed.api.port), timeout=5)
        s.sendall(b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Le")
        slow.append(s)
    time.sleep(0.5)
    during = threading.active_count()
    started = time.monotonic()
    assert feed.post(issued(1)) == (200, {"stored": 1, "duplicates": 0})
    answered = time.monotonic() - started
    assert during - before <= 64, during - before
    assert answered < 5.0, answered
    time.sleep(IDLE_TIMEOUT_S + 1.5)
    closed = 0
    for s in slow:
        s.settimeout(0.05)
        try:
            closed += s.recv(1) == b""
        except TimeoutError:
            pass
        except OSError:
            closed += 1
        s.close()
    assert closed == 300


@pytest.mark.slow
def test_bodies_that_stop_arriving_end_quietly_and_the_feed_goes_on(hostile, caplog) -> None:
    """40 clients with the token send headers and half their body, then nothing: a good request is answered
    meanwhile; after the read timeout each is ended (a 408 or closed), with one INFO line each and no error or
    traceback in the log. Clients without a token are answered 401 before their body is read."""
    feed, _ = hostile
    stalled = []
    for n in range(40):
        s = socket.create_connection(("127.0.0.1", feed.api.port), timeout=5)
        s.sendall(b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Authorization: Bearer " + TOKEN.encode() + b"\r\nContent-Length: 400\r\n\r\n" + b"[" * 200)
        stalled.append(s)
    anonymous = socket.create_connection(("127.0.0.1", feed.api.port), timeout=5)
    anonymous.sendall(b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 400\r\n\r\n[")
    assert anonymous.recv(200).startswith(b"HTTP/1.1 401")  # at once: its body is never waited for
    time.sleep(0.5)
    assert feed.post(issued(1)) == (200, {"stored": 1, "duplicates": 0})
    time.sleep(READ_TIMEOUT_S + 2.0)
    ended = 0
    for s in stalled:
        s.settimeout(1.0)
        try:
            answer = s.recv(200)
            ended += answer == b"" or answer.startswith(b"HTTP/1.1 408")
        except OSError:
            ended += 1
        s.close()
    anonymous.close()
    assert ended == 40
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL") or r.exc_info]
    feed.conn.close()  # idle past the server's idle timeout: a new connection
    feed.conn = http.client.HTTPConnection("127.0.0.1", feed.api.port, timeout=10)
    assert feed.post(issued(2)) == (200, {"stored": 1, "duplicates": 0})


def test_the_feed_has_places_of_its_own(hostile) -> None:
    """Other requests (the endpoints for people, the document) fill their own places, never the feed's."""
    feed, _ = hostile
    feed.api._in_flight["other"] = MAX_OTHER_IN_FLIGHT  # as if that many people's requests were stalled
    try:
        feed.conn.request("GET", OPENAPI_PATH)
        busy = feed.conn.getresponse()
        busy.read()
        assert busy.status == 503 and busy.getheader("Retry-After") == "1"
        assert feed.post(issued(1)) == (200, {"stored": 1, "duplicates": 0})
    finally:
        feed.api._in_flight["other"] = 0


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                           | st.text(max_size=20), lambda c: st.lists(c, max_size=3)
                           | st.dictionaries(st.text(max_size=8), c, max_size=3), max_leaves=6)
texts = st.text(max_size=12) | st.sampled_from(["A1", "\ud800", "\x00", "=HYPERLINK(1)", "", " "])
times = st.sampled_from(["2026-11-27T09:00:00+08:00", "0001-01-01T00:00:00", "9999-12-31T23:59:59Z",
                         "2026-11-27T09:30:00", "2026-11-27", "soon", "2026-02-30T09:00:00"]) | st.text(max_size=30)
events = st.fixed_dictionaries({}, optional={
    "event_id": texts | json_values, "type": st.sampled_from(["issued", "called", "counter_state", "x"]) | texts,
    "ticket_id": texts | json_values, "service_type": st.sampled_from(["cash", "vip", "other"]) | texts,
    "counter_id": texts, "staff_id": texts, "state": st.sampled_from(["open", "idle", "asleep"]) | texts,
    "priority": st.booleans() | json_values, "at": times | json_values, "due_at": times,
    "appointment_id": texts})
bodies = (events | st.lists(events, max_size=4) | json_values).map(
    lambda b: json.dumps(b, ensure_ascii=False).encode("utf-8", "surrogatepass")) | st.binary(max_size=64)
headers = st.fixed_dictionaries({}, optional={
    "Content-Type": st.sampled_from(["application/json", "application/json; charset=utf-8", "text/plain",
                                     "application/JSON", ""]),
    "Authorization": st.sampled_from([f"Bearer {TOKEN}", "Bearer", "Basic eDp5", "Bearer \u00e9", "x" * 300]),
    "X-Anything": st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40)})


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies, extra=headers, outage_on=st.booleans())
def test_fuzzed_bodies_and_headers(hostile, body: bytes, extra: dict, outage_on: bool) -> None:
    """Never a 5xx except 503 while storage is out, never a dropped connection, nothing half-stored, and the
    server goes on serving."""
    feed, outage = hostile
    outage.on = outage_on
    before = feed.events_stored()
    conn = http.client.HTTPConnection("127.0.0.1", feed.api.port, timeout=10)
    try:
        sent = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"}
        sent.update(extra)
        conn.request("POST", "/api/v1/events", body=body, headers=sent)
        response = conn.getresponse()  # a dropped connection raises here
        status, answer = response.status, json.loads(response.read())
    finally:
        conn.close()
        outage.on = False
    assert status < 500 or (status == 503 and outage_on), (status, answer)
    assert "Traceback" not in json.dumps(answer) and "INSERT" not in json.dumps(answer)
    after = feed.events_stored()
    if status == 200:
        parsed = json.loads(body)
        n = len(parsed) if isinstance(parsed, list) else 1
        assert answer["stored"] + answer["duplicates"] == n and after == before + answer["stored"]
    else:
        assert after == before and answer["error"]
    assert repository.count_rows(feed.db, "ticket_event") == after
    assert feed.post(issued(10_000 + after))[0] == 200  # still serving
