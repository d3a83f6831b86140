"""Cameras counted by headless workers, seen from the branch's console (SQLite file and PostgreSQL): the console
starts no analysis of its own for them, shows their stored figures as live tiles and lobby figures (sum over
cameras, waiting zones), follows new figures at once (change notices on PostgreSQL), and when a worker falls
silent shows its camera offline and raises the same camera alert as for a camera of its own."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time

import pytest

import console.app.camera_manager as camera_manager
from console.app.context import AppContext, SourceOptions
from console.app.i18n import Translations
from console.app.main_window import MainWindow
from console.domain.alert_engine import Level, default_rules
from console.domain.records import BranchInfo, CameraHealthEvent, LineCrossings, OccupancyPoint, ZoneSpec
from console.domain.vocabulary import AlertSeverity, ZoneKind
from storage.records import CameraSetup, CameraSpec, LineRecord
from storage.tasks import RecordCameraHealth, RecordLineCrossings, RecordOccupancy, SaveBranchSetup, SaveCamera
from storage.writer import apply_now
from tests.gui.conftest import make_env

pytestmark = pytest.mark.gui

BRANCH = BranchInfo("CD01", "Chengdu Chunxi", "Asia/Shanghai", clock_time(0), clock_time(23, 59), 40)
QUEUE = ZoneSpec("queue", ZoneKind.WAITING, ((0, 0), (100, 0), (100, 100), (0, 100)))


def worker_writes(db, camera_id: str, lobby: int, queue: int | None = None, state: str | None = None) -> None:
    """What a worker's spool writer commits for one sample period (and a change of state)."""
    at = datetime.now(UTC)  # one sample per camera and instant: two periods never share a time
    points = (OccupancyPoint(at, lobby, None, camera_id),) + (
        (OccupancyPoint(at, queue, "queue", camera_id),) if queue is not None else ())
    tasks: list = [RecordOccupancy(BRANCH.code, points)]
    if state is not None:
        tasks.append(RecordCameraHealth(BRANCH.code, CameraHealthEvent(camera_id, at, state)))
    apply_now(db, *tasks)


def test_workers_cameras_show_live_and_raise_camera_alerts(qtbot, qapp, isolated_data_dir, db_url,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(camera_manager, "REMOTE_GRACE_S", 0.0)
    Translations().install("en")
    isolated_data_dir.mkdir(parents=True, exist_ok=True)
    (isolated_data_dir / "settings.toml").write_text("[cameras]\noffline_after_s = 4\n", encoding="utf-8")
    env = make_env(isolated_data_dir, db=db_url)
    apply_now(env.db, SaveBranchSetup(branch=BRANCH),
              SaveCamera(BRANCH.code, CameraSetup(CameraSpec("W1", "Entrance", "rtsp://nvr/1", "rtsp",
                                                             analysed_by="worker"), zones=(QUEUE,),
                                                  lines=(LineRecord("door", (0, 50), (100, 50)),))),
              SaveCamera(BRANCH.code, CameraSetup(CameraSpec("W2", "Hall", "rtsp://nvr/2", "rtsp",
                                                             analysed_by="worker"))))
    worker_writes(env.db, "W1", 7, queue=3, state="online")
    worker_writes(env.db, "W2", 5, state="online")
    apply_now(env.db, RecordLineCrossings(BRANCH.code, (LineCrossings("W1", "door", datetime.now(UTC), 3, 1),)))
    context = AppContext(env, SourceOptions())
    context.start()
    try:
        rules = [replace(r, levels=(Level(AlertSeverity.WARNING, 1, 1),)) if r.rule_id == "camera_offline" else r
                 for r in default_rules()]
        assert context.alerts.save_rules(rules, "test") is None
        window = MainWindow(context)
        qtbot.addWidget(window)
        window.show()
        manager = context.cameras
        assert manager.workers == {}  # nothing analysed on this PC
        qtbot.waitUntil(lambda: window.lobby.occupancy_value.text() == "12", timeout=10_000)
        view = context.controller.latest
        assert view.cameras_live and view.zone_counts.get(ZoneKind.WAITING) == 3
        assert view.visitors_today == 3  # the worker's line crossings stored today
        tile = window.lobby.camera_tiles["W1"]
        assert "counted by a worker PC" in tile._status and "7 people" in tile._status
        # a worker commits a new period: shown at once (a change notice on PostgreSQL, the next poll on SQLite)
        worker_writes(env.db, "W1", 9, queue=4)
        worker_writes(env.db, "W2", 5)
        apply_now(env.db, RecordLineCrossings(BRANCH.code, (LineCrossings("W1", "door", datetime.now(UTC), 2, 0),)))
        qtbot.waitUntil(lambda: window.lobby.occupancy_value.text() == "14", timeout=15_000)
        qtbot.waitUntil(lambda: context.controller.latest.visitors_today == 3 + 2, timeout=15_000)
        # W2's worker falls silent: offline after offline_after_s, its count leaves the lobby, the alert is raised
        deadline = datetime.now(UTC) + timedelta(seconds=20)

        def w2_alert() -> bool:
            if datetime.now(UTC) < deadline:
                worker_writes(env.db, "W1", 9, queue=4)  # W1 goes on
            latest = context.alerts.latest
            return latest is not None and any(a.rule_id == "camera_offline" and a.subject == "W2" for a in latest.open)

        qtbot.waitUntil(w2_alert, timeout=20_000)
        assert manager.latest["W2"].status.state == "offline" and "no figures from its worker" in \
            manager.latest["W2"].status.message
        assert manager.latest["W1"].status.state == "online"
        assert window.lobby.occupancy_value.text() == "9"
        assert "Offline" in window.lobby.camera_tiles["W2"]._badge
    finally:
        context.stop()
        env.close()
