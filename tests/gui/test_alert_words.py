"""Alerts in words: a crowding alert names the camera figures the lobby count rests on, with how sure each one is;
a queue's long-wait alert its longest wait and the tickets over the line — in English and Chinese. The camera
manager gives the crowding figures from the cameras online."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from camera.capture import CaptureStatus
from console.app.i18n import Translations
from console.domain.alert_measures import CameraFigure, crowding_detail
from console.domain.records import AlertRecord
from console.domain.vocabulary import AlertSeverity, AlertState
from widgets.alert_words import describe

pytestmark = pytest.mark.gui


def alert(detail: str, rule: str = "crowding.warning", subject: str = "lobby", value: float = 97.5,
          threshold: float = 80) -> AlertRecord:
    return AlertRecord(None, rule, AlertSeverity.WARNING, AlertState.RAISED, subject, "",
                       datetime(2026, 12, 2, 10, tzinfo=UTC), value=value, threshold=threshold, detail=detail)


def test_crowding_alert_words_give_each_camera_figure(qapp) -> None:
    detail = crowding_detail(39, 40, (CameraFigure("Entrance", 20, 2), CameraFigure("Hall", 14),
                                      CameraFigure("Side", 5, 1, stale=True)))
    translations = Translations()  # the one that installs Chinese must remove it
    translations.install("en")
    try:
        assert describe(alert(detail)) == (
            "Lobby crowded: 98% of capacity (39/40), threshold 80% — counted by: Entrance 20 ± 2, "
            "Hall 14 (uncalibrated, may count low), Side 5 ± 1 (calibration may be stale)")
        assert describe(alert("39/40")) == "Lobby crowded: 98% of capacity (39/40), threshold 80%"
        translations.install("zh_CN")
        chinese = describe(alert(detail))
        assert "Entrance 20 ± 2" in chinese and "未校准" in chinese and "counted by" not in chinese
    finally:
        translations.install("en")


def test_a_queue_long_wait_alert_gives_its_longest_wait_and_the_tickets_over_the_line(qapp) -> None:
    from console.domain.alert_measures import long_wait_detail

    waits = [("B007", 32.4), ("B011", 18.9), ("B014", 15.0), ("B020", 14.9), ("B021", 3.0)]
    detail = long_wait_detail(waits)
    translations = Translations()
    translations.install("en")
    try:
        words = describe(alert(detail, "long_wait", "non_cash", 32.4, 15))
        assert words == ("Non-cash queue: longest wait 32 min, threshold 15 min — waiting over 15 min: B007 32 min, "
                         "B011 18 min, B014 15 min")  # B020 has waited 14.9 min: not over
        many = long_wait_detail([(f"A{i:03d}", 60.0 - i) for i in range(20)])
        assert describe(alert(many, "long_wait", "cash", 60, 30)).endswith("A011 49 min and others")
        # an alert stored before long waits were grouped: one ticket, its service type in the detail
        assert describe(alert("cash", "long_wait", "A023", 16, 15)) == \
            "Ticket A023 (Cash) waiting 16 min, threshold 15 min"
        translations.install("zh_CN")
        chinese = describe(alert(detail, "long_wait", "non_cash", 32.4, 15))
        assert chinese.startswith("非现金") and "最长等候 32 分钟" in chinese and "B014 15 分钟" in chinese
    finally:
        translations.install("en")


def test_the_camera_manager_gives_the_figures_of_the_cameras_online() -> None:
    import numpy as np

    from camera.calibration import calibrate
    from console.app.camera_manager import CameraManager
    from storage.records import CameraSetup, CameraSpec
    from tests.camera.test_calibration import crowd_scenes

    scenes, truth = crowd_scenes(12, seed=3)
    model = calibrate(np.column_stack([truth, truth, truth]), scenes, truth, roi=None, scene_scale=1.0)
    setups = {"C1": CameraSetup(camera=CameraSpec("C1", "Entrance", "a.avi", "file"), calibration=model.to_json()),
              "C2": CameraSetup(camera=CameraSpec("C2", "Hall", "b.avi", "file")),
              "C3": CameraSetup(camera=CameraSpec("C3", "Side", "c.avi", "file"))}

    def snap(n: int, state: str, stale: bool = False):
        return SimpleNamespace(status=CaptureStatus(state), lobby_count=n, calibration_stale=stale)

    manager = SimpleNamespace(setups=setups, latest={"C1": snap(20, "online", stale=True), "C2": snap(14, "online"),
                                                     "C3": snap(0, "offline")})
    figures = CameraManager.lobby_figures(manager)
    assert figures == (CameraFigure("Entrance", 20, model.band_people(), stale=True), CameraFigure("Hall", 14))


def test_names_units_and_plurals(qapp) -> None:
    from widgets import labels

    translations = Translations()
    translations.install("en")
    labels.remember_staff_names([SimpleNamespace(staff_id="E1008", name="黄强")])
    labels.remember_counter_names([SimpleNamespace(counter_id="3", name="3号窗口")])
    try:
        assert describe(alert("3", "not_logged_in", "E1008", 12.4, 10)) == \
            "黄强 (E1008) not logged in at 3号窗口, 12 min after the shift start"
        assert describe(alert("", "not_logged_in", "E9999", 12, 10)).startswith("E9999 not logged in")
        assert describe(alert("vip 1", "staffing", "branch", 1, 1)) == \
            "Staffing: one counter short of what the queues need — VIP / priority 1"
        assert describe(alert("non_cash 2 · vip 1", "staffing", "branch", 3, 1)) == \
            "Staffing: 3 counters short of what the queues need — Non-cash 2, VIP / priority 1"
        assert describe(alert("", "staffing", "cash", 2, 1)) == "Cash: 2 counters short of what the queue needs"
        assert describe(alert("大厅 Hall", "camera_offline", "C1", 45, 60)) == "Camera 大厅 Hall offline for 45 s"
        assert describe(alert("大厅 Hall", "camera_offline", "C1", 725, 60)) == "Camera 大厅 Hall offline for 12 min"
        assert describe(alert("", "camera_offline", "C1", 3900, 60)) == "Camera C1 offline for 1 h 5 min"
        # a zone named by its kind's code (the demo's) reads as the kind; a name a branch typed stays as typed
        assert describe(alert("45/50", "crowding", "waiting", 90, 80)).startswith("Waiting area ")
        assert describe(alert("45/50", "crowding", "VIP 休息区", 90, 80)).startswith("VIP 休息区 ")
        translations.install("zh_CN")
        assert describe(alert("45/50", "crowding", "waiting", 90, 80)).startswith(labels.zone_name("waiting"))
        assert labels.zone_name("waiting") != "waiting"
        assert describe(alert("vip 1", "staffing", "branch", 1, 1)).endswith("贵宾 / 绿色通道 1")
        assert describe(alert("大厅 Hall", "camera_offline", "C1", 725, 60)) == "摄像头 大厅 Hall 已离线 12 分钟"
    finally:
        translations.install("en")
        labels.remember_staff_names([])
        labels.remember_counter_names([])


def test_the_alerts_panel_shows_the_selected_alert_in_full(qapp) -> None:
    from widgets.panels.alert_list import AlertList

    Translations().install("en")
    panel = AlertList()
    detail = crowding_detail(39, 40, (CameraFigure("Entrance", 20, 2), CameraFigure("Hall", 14)))
    escalated = AlertRecord(7, "crowding", AlertSeverity.WARNING, AlertState.RAISED, "lobby", "",
                            datetime(2026, 12, 2, 10, tzinfo=UTC), value=97.5, threshold=80, detail=detail,
                            escalated=True)
    panel.set_alerts([escalated])
    text = panel.detail.text()  # nothing selected: the newest alert
    assert text.startswith("Warning · ↑ escalated: not acknowledged in time, notified again — Lobby crowded: 98% of "
                           "capacity (39/40), threshold 80% — counted by: Entrance 20 ± 2, Hall 14 (uncalibrated")
    assert text.endswith("\nRaised 10:00:00 · not acknowledged yet") and panel.detail.wordWrap()
    panel.deleteLater()
