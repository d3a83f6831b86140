"""The ticketing system reads the manager's counter requests over real HTTP: token, paging by number, bad input."""

from __future__ import annotations

import http.client
import json
from datetime import UTC, datetime
from pathlib import Path

from console.domain.records import CounterCommand
from console.domain.vocabulary import CounterAction, ServiceType
from console.feed.http_api import TicketApi
from storage import repository
from storage.database import open_database
from storage.tasks import SaveBranchSetup, SaveCounterCommand
from storage.writer import apply_now
from tests.feed.test_ticket_api import TOKEN, TZ
from tests.storage.conftest import BRANCH, COUNTERS, STAFF


def get(port: int, path: str, token: str | None = TOKEN) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}"} if token else {})
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        conn.close()


def test_counter_commands_are_served_in_order_after_a_number(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'console.db'}")
    apply_now(db, SaveBranchSetup(branch=BRANCH, counters=COUNTERS, staff=STAFF))
    at = datetime(2026, 11, 27, 10, 0, tzinfo=TZ)
    requests = [CounterCommand("2", CounterAction.PAUSE, at, "wu"),
                CounterCommand("10", CounterAction.OPEN, at, "wu", staff_id="E1"),
                CounterCommand("1", CounterAction.SET_SERVICE_TYPES, at, "wu",
                               service_types=(ServiceType.NON_CASH, ServiceType.CASH))]
    for r in requests:
        apply_now(db, SaveCounterCommand("B1", r, {}, {}, datetime.now(UTC)))
    api = TicketApi(host="127.0.0.1", port=0, token=TOKEN, local_tz=TZ, store=lambda events: (0, 0),
                    commands=lambda after: repository.load_counter_commands(db, "B1", after_id=after))
    api.start()
    try:
        status, body = get(api.port, "/api/v1/counter-commands")
        assert status == 200
        got = body["commands"]
        assert [(c["counter_id"], c["action"], c["staff_id"]) for c in got] == [
            ("2", "pause", None), ("10", "open", "E1"), ("1", "set_service_types", None)]
        assert got[2]["service_types"] == ["non_cash", "cash"]
        assert got[0]["requested_at"] == "2026-11-27T02:00:00+00:00" and got[0]["requested_by"] == "wu"
        status, body = get(api.port, f"/api/v1/counter-commands?after={got[1]['command_id']}")
        assert status == 200 and [c["command_id"] for c in body["commands"]] == [got[2]["command_id"]]

        assert get(api.port, "/api/v1/counter-commands", token=None)[0] == 401
        assert get(api.port, "/api/v1/counter-commands", token="wrong")[0] == 401
        status, body = get(api.port, "/api/v1/counter-commands?after=-1")
        assert status == 422 and body["field"] == "after"
        status, body = get(api.port, "/api/v1/counter-commands?after=abc")
        assert status == 422 and "abc" in body["error"]
    finally:
        api.stop()
        db.close()
    document = api.app.openapi()
    path = document["paths"]["/api/v1/counter-commands"]["get"]
    assert path["parameters"][0]["name"] == "after"
    command_schema = document["components"]["schemas"]["Command"]
    assert set(command_schema["properties"]) == set(got[0])  # the document describes what is sent
