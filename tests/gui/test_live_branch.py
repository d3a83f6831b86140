"""A configured (non-demo) branch: the window shows what the database holds, labelled live, not simulated."""

from __future__ import annotations

import http.client
import json
import time
from datetime import datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import pytest

from console.app.context import AppContext, SourceOptions
from console.app.i18n import Translations
from console.app.main_window import MainWindow
from console.domain.records import BranchInfo, CounterStatus, OccupancyPoint, StaffMember, TicketEvent
from console.domain.vocabulary import CounterState, ServiceType, StaffRole, TicketEventType
from storage.tasks import RecordOccupancy, SaveBranchSetup, StoreFeedEvents
from storage.writer import apply_now
from tests.camera.mjpeg_server import free_port
from tests.gui.conftest import make_env
from widgets.tables import cell_text

pytestmark = pytest.mark.gui

TZ = ZoneInfo("Asia/Shanghai")
TOKEN = "feed-token-for-the-test-0123"


def test_live_branch_from_the_database(qtbot, qapp, isolated_data_dir, db_url) -> None:
    """On a SQLite file and on PostgreSQL (``db_url``): the window of a real branch reads the database."""
    Translations().install("en")
    port = free_port()
    isolated_data_dir.mkdir(parents=True, exist_ok=True)
    (isolated_data_dir / "settings.toml").write_text(
        f'[api]\nenabled = true\nport = {port}\ntoken = "{TOKEN}"\n', encoding="utf-8")
    env = make_env(isolated_data_dir, db=db_url)
    now = datetime.now(TZ).replace(microsecond=0)
    midnight = now.replace(hour=0, minute=0, second=0)
    if now - midnight < timedelta(minutes=5):
        pytest.skip("the branch's day started less than 5 minutes ago: no room for today's events yet")
    branch = BranchInfo(code="BJ01", name="Beijing Xidan", timezone="Asia/Shanghai", opens=clock_time(9), closes=clock_time(17),
                        lobby_capacity=80)
    apply_now(env.db, SaveBranchSetup(
        branch=branch,
        counters=(CounterStatus("1", "Counter 1", (ServiceType.CASH,), CounterState.CLOSED, now - timedelta(hours=1)),),
        staff=(StaffMember("E7", "周婷", StaffRole.TELLER, (ServiceType.CASH,)),),
    ))
    t0 = max(now - timedelta(minutes=20), midnight)
    events = (
        TicketEvent("x1", TicketEventType.STAFF_LOGIN, t0, counter_id="1", staff_id="E7"),
        TicketEvent("x2", TicketEventType.COUNTER_STATE, t0, counter_id="1", staff_id="E7", state=CounterState.IDLE),
        TicketEvent("x3", TicketEventType.ISSUED, t0, ticket_id="T1", number="A001", service_type=ServiceType.CASH),
        TicketEvent("x4", TicketEventType.ISSUED, t0 + timedelta(seconds=30), ticket_id="T2", number="A002",
                    service_type=ServiceType.CASH),
        TicketEvent("x5", TicketEventType.CALLED, t0 + timedelta(seconds=60), ticket_id="T1", counter_id="1", staff_id="E7"),
        TicketEvent("x6", TicketEventType.STARTED, t0 + timedelta(seconds=90), ticket_id="T1", counter_id="1", staff_id="E7"),
        TicketEvent("x7", TicketEventType.COUNTER_STATE, t0 + timedelta(seconds=90), counter_id="1", staff_id="E7",
                    state=CounterState.SERVING),
    )
    apply_now(env.db, StoreFeedEvents("BJ01", events),
              RecordOccupancy("BJ01", (OccupancyPoint(now - timedelta(seconds=10), 17, camera_id="C1"),)))
    context = AppContext(env, SourceOptions())
    context.start()
    try:
        assert not context.simulated and context.branch_code == "BJ01"
        window = MainWindow(context)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: context.controller.latest is not None, timeout=10_000)
        assert "Beijing Xidan" in window.windowTitle() and "Simulated" not in window.windowTitle()
        assert "Live" in window.mode_label.text()
        board = window.counters
        assert cell_text(board.table, 0, board.COL_STATE) == "Serving"
        assert cell_text(board.table, 0, board.COL_STAFF) == "周婷"
        assert cell_text(board.table, 0, board.COL_TICKET) == "A001"
        assert window.queue.waiting_value.text() == "1"  # T2
        assert window.lobby.occupancy_value.text() == "17"
        assert window.reports.values["arrived"].text() == "2"
        # the ticketing system posts to the HTTP feed: the board follows within moments (no 2 s polling wait)
        assert context.ticket_api is not None and context.ticket_api.port == port
        done = t0 + timedelta(seconds=150)
        body = [{"event_id": "y1", "type": "finished", "ticket_id": "T1", "counter_id": "1", "at": done.isoformat()},
                {"event_id": "y2", "type": "called", "ticket_id": "T2", "counter_id": "1", "staff_id": "E7",
                 "at": (done + timedelta(seconds=5)).isoformat()}]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("POST", "/api/v1/events", body=json.dumps(body),
                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"})
        response = conn.getresponse()
        assert (response.status, json.loads(response.read())) == (200, {"stored": 2, "duplicates": 0})
        posted = time.monotonic()
        qtbot.waitUntil(lambda: cell_text(board.table, 0, board.COL_TICKET) == "A002", timeout=5_000)
        assert time.monotonic() - posted < 1.5  # poked, not left to the next 2 s poll
        assert window.queue.waiting_value.text() == "0"
        conn.close()
    finally:
        context.stop()
        env.close()
