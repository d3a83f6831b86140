"""The regional view on a shared database (SQLite file and PostgreSQL): every branch listed with figures checked
against plain SQL, following new camera figures live; a branch opened from it shows its panels from the database,
runs nothing of its own, and is read-only for a lobby manager while an administrator may act."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from console.app.i18n import Translations
from console.app.region_window import RegionWindow
from console.domain.permissions import Role
from console.domain.records import AlertRecord, OccupancyPoint
from console.domain.vocabulary import AlertSeverity, AlertState
from console.security.access import Operator
from console.sources.demo_day import DEMO_CAMERA_ID
from storage import models as m
from storage.tasks import RecordOccupancy, SaveAlert
from storage.writer import apply_now
from tests.gui.conftest import make_env
from tests.region_data import seed_branches

pytestmark = pytest.mark.gui

BRANCHES = [("SZ01", "Shenzhen Futian", 50), ("WH01", "Wuhan Jianghan", 30)]


def sql_figures(db, code: str) -> tuple[int, int]:
    """(people waiting for a counter, lobby occupancy) straight from the tables: tickets still waiting for a queued
    service, and the newest lobby-total sample of the branch's camera."""
    with db.session() as s:
        bid = s.scalar(sa.select(m.Branch.id).where(m.Branch.code == code))
        waiting = s.scalar(sa.select(sa.func.count()).select_from(m.Ticket).where(
            m.Ticket.branch_id == bid, m.Ticket.status == "waiting", m.Ticket.service_type != "self_service"))
        lobby = s.scalar(sa.select(m.OccupancySample.count).where(
            m.OccupancySample.branch_id == bid, m.OccupancySample.zone == "")
            .order_by(m.OccupancySample.at.desc()).limit(1))
    return waiting, lobby


def test_region_lists_every_branch_and_opens_them_read_only(qtbot, qapp, isolated_data_dir, db_url) -> None:
    Translations().install("en")
    env = make_env(isolated_data_dir, db=db_url)
    seed_branches(env.db, BRANCHES)
    apply_now(env.db, SaveAlert("WH01", AlertRecord(None, "crowding", AlertSeverity.CRITICAL, AlertState.RAISED,
                                                    "lobby", "crowding lobby: 31 (threshold 30)",
                                                    datetime.now(UTC), value=31, threshold=30)))
    manager = Operator("li.na", "Li Na", Role.LOBBY_MANAGER)
    window = RegionWindow(env, manager)
    qtbot.addWidget(window)
    window.start()
    window.show()
    table = window.table
    try:
        qtbot.waitUntil(lambda: table.table.rowCount() == 2, timeout=10_000)
        for row, (code, name, capacity) in enumerate(BRANCHES):
            waiting, lobby = sql_figures(env.db, code)
            assert table.text(row, table.COL_BRANCH) == f"{name} ({code})"
            assert table.text(row, table.COL_WAITING) == str(waiting)
            assert table.text(row, table.COL_OCCUPANCY).startswith(f"{lobby} / {capacity}")
        assert table.text(0, table.COL_ALERTS) == "0" and table.text(1, table.COL_ALERTS) == "1 (Critical)"
        # a worker stores a new figure: the view follows (change notice on PostgreSQL, the next read on SQLite)
        apply_now(env.db, RecordOccupancy("SZ01", (OccupancyPoint(datetime.now(UTC), 44, None, DEMO_CAMERA_ID),)))
        qtbot.waitUntil(lambda: table.text(0, table.COL_OCCUPANCY).startswith("44 / 50"), timeout=5_000)

        # a lobby manager opens a branch: its panels, read-only
        window.open_branch("WH01")
        branch = window.branch_windows["WH01"]
        context = branch.context
        assert context.viewer and context.ticket_api is None and context.retention is None
        assert context.cameras.workers == {}  # no analysis started for the branch's cameras
        qtbot.waitUntil(lambda: context.controller.latest is not None, timeout=10_000)
        qtbot.waitUntil(lambda: "[Read-only]" in branch.windowTitle(), timeout=5_000)
        assert not branch.counters.actions_enabled and "read-only" in branch.counters.why_disabled
        assert branch.queue.waiting_value.text() == str(sql_figures(env.db, "WH01")[0])
        qtbot.waitUntil(lambda: context.alerts.latest is not None and len(context.alerts.latest.open) == 1,
                        timeout=10_000)
        [alert] = context.alerts.latest.open
        assert (alert.rule_id, alert.subject) == ("crowding", "lobby")  # the stored alert, not a second one
        window.open_branch("WH01")  # opened once: raised, not duplicated
        assert len(window.branch_windows) == 1
        branch.close()
        qtbot.waitUntil(lambda: "WH01" not in window.branch_windows, timeout=5_000)
        assert context._stopped

        # an administrator may act from the regional view
        window.operator = Operator("admin", "Admin", Role.ADMINISTRATOR)
        window.open_branch("SZ01")
        branch = window.branch_windows["SZ01"]
        qtbot.waitUntil(lambda: "[From the regional view]" in branch.windowTitle(), timeout=10_000)
        assert branch.counters.actions_enabled
        with env.db.session() as s:  # nothing was evaluated or stored by the viewers
            assert s.scalar(sa.select(sa.func.count()).select_from(m.Alert)) == 1
    finally:
        window.close()
    # a security officer sees lobbies and alerts, not the queue
    guard = RegionWindow(env, Operator("wang.qiang", "Wang Qiang", Role.SECURITY_OFFICER))
    qtbot.addWidget(guard)
    try:
        assert all(guard.table.table.isColumnHidden(c) for c in (table.COL_WAITING, table.COL_LONGEST, table.COL_LEVEL))
        assert not guard.table.table.isColumnHidden(table.COL_OCCUPANCY) and "may not" in guard.table.hint.text()
    finally:
        guard.close()
        env.close()
