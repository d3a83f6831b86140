"""The main window on the demo branch shows exactly the simulator's own state, and storage agrees with it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from console.app.application import ConsoleApp
from console.app.i18n import Translations
from console.app.main_window import MainWindow
from console.domain.vocabulary import QUEUED_SERVICE_TYPES, TicketStatus, ZoneKind
from storage import repository
from widgets.labels import counter_state, service_type
from widgets.panels.counter_board import CounterBoard
from widgets.panels.queue_panel import QueuePanel
from widgets.tables import cell_text

pytestmark = pytest.mark.gui


def run_for(qtbot, context, sim_minutes: float) -> None:
    controller = context.controller
    qtbot.waitUntil(lambda: controller.latest is not None, timeout=20_000)
    start = controller.latest.snapshot.at
    qtbot.waitUntil(
        lambda: controller.latest.snapshot.at >= start + timedelta(minutes=sim_minutes), timeout=60_000
    )


def pause(qtbot, context) -> None:
    assert context.runner.pause(), "the demo runner did not acknowledge the pause"
    qtbot.waitUntil(lambda: context.controller.latest.snapshot.paused, timeout=10_000)


def test_panels_show_the_simulator_state(qtbot, demo_context, tmp_path) -> None:
    window = MainWindow(demo_context)
    qtbot.addWidget(window)
    window.show()
    run_for(qtbot, demo_context, sim_minutes=20)
    pause(qtbot, demo_context)

    sim = demo_context.runner.day.sim  # the worker is paused: reading the simulator is safe now
    view = demo_context.controller.latest
    assert view.snapshot.at == sim.now
    tickets = sim.tickets()
    now = sim.now
    names = {s.staff_id: s.name for s in demo_context.runner.day.profile.staff}

    # Counter board: one row per counter with the simulator's state, staff and ticket
    board: CounterBoard = window.counters
    counters = sim.counters()
    assert board.table.rowCount() == len(counters)
    served_by_counter = {c.counter_id: 0 for c in counters}
    for t in tickets:
        if t.status is TicketStatus.SERVED:
            served_by_counter[t.counter_id] += 1
    for row, c in enumerate(counters):
        assert cell_text(board.table, row, board.COL_STATE) == counter_state(c.state)
        assert cell_text(board.table, row, board.COL_TICKET) == (c.ticket_number or "—")
        assert cell_text(board.table, row, board.COL_STAFF) == (names[c.staff_id] if c.staff_id else "—")
        assert cell_text(board.table, row, board.COL_SERVED) == str(served_by_counter[c.counter_id])

    # Queue panel: tickets waiting per service type and the longest wait, counted here from the tickets
    queue: QueuePanel = window.queue
    waiting = [t for t in tickets if t.status is TicketStatus.WAITING]
    assert queue.waiting_value.text() == str(len(waiting))
    longest = max(((now - t.issued_at).total_seconds() for t in waiting), default=0)
    whole = int(longest)
    expected = "—" if not waiting else f"{whole} s" if whole < 60 else f"{whole // 60} min {whole % 60} s"
    assert queue.longest_value.text() == expected
    for row, kind in enumerate(QUEUED_SERVICE_TYPES):
        assert cell_text(queue.table, row, queue.COL_TYPE) == service_type(kind)
        assert cell_text(queue.table, row, queue.COL_WAITING) == str(sum(t.service_type is kind for t in waiting))

    # Last 60 minutes and today, counted here from the tickets
    hour = [t for t in tickets if t.called_at is not None and now - timedelta(minutes=60) < t.called_at <= now]
    gave_up = [t for t in tickets if t.status is TicketStatus.ABANDONED and t.called_at is None
               and now - timedelta(minutes=60) < t.finished_at <= now]
    hour_waits = [(t.called_at - t.issued_at).total_seconds() for t in hour]
    within = sum(w <= 600 for w in hour_waits)
    share = f"{within / (len(hour_waits) + len(gave_up)) * 100:.0f}%" if hour_waits or gave_up else "—"
    avg_hour = f"{round(sum(hour_waits) / len(hour_waits) / 60)} min" if hour_waits else "—"
    assert queue.period_label.text().startswith(
        f"Last 60 min: {share} called within the target, average wait {avg_hour} · today: average wait ")

    # Camera meets queue: people the (simulated) camera counts in the waiting zones beside the tickets waiting
    people = sum(view.snapshot.zone_counts.get(z.name, 0) for z in view.snapshot.zones if z.kind is ZoneKind.WAITING)
    text = queue.camera_label.text()
    assert queue.camera_label.isVisible()
    assert text.startswith(f"Waiting area (camera): {people} people · tickets waiting: {len(waiting)}")
    gap = people - len(waiting)
    assert text.endswith("they match" if gap == 0 else f"{gap} without a ticket (or accompanying)" if gap > 0
                         else f"{-gap} ticket holders not in the waiting area")

    # Lobby: occupancy now equals the people the simulator has on the floor
    assert window.lobby.occupancy_value.text() == str(len(sim.people()))
    assert window.lobby.chart.lobby_curve.getData()[0] is not None
    assert len(view.occupancy.times) >= 20 * 2  # a sample every 30 simulated seconds

    # Reports: arrived / served / abandoned straight from the tickets
    values = window.reports.values
    assert values["arrived"].text() == str(len(tickets))
    assert values["served"].text() == str(sum(t.status is TicketStatus.SERVED for t in tickets))
    assert values["abandoned"].text() == str(sum(t.status is TicketStatus.ABANDONED for t in tickets))
    # ... and the Export button writes the same figures
    assert window.reports.export_button.isEnabled()
    assert window.reports.export_to(tmp_path / "today.xlsx")
    from openpyxl import load_workbook

    summary = {row[0].value: row[1].value for row in load_workbook(tmp_path / "today.xlsx")["Summary"].iter_rows()}
    assert str(summary["arrived"]) == values["arrived"].text() and str(summary["served"]) == values["served"].text()

    # Staff: one timeline row per staff member
    assert len(window.staff.timeline.rows) == len(demo_context.runner.day.profile.staff)

    # Title and status bar say the data is simulated
    assert "Simulated" in window.windowTitle()
    assert "Simulated" in window.mode_label.text()

    # Storage: everything the simulator produced reached the database through the writer, and agrees
    assert demo_context.writer.flush(20)
    stored = {
        t.ticket_id: t
        for t in repository.load_tickets(demo_context.env.db, "DEMO", now - timedelta(days=1), now + timedelta(days=1))
    }
    assert set(stored) == {t.ticket_id for t in tickets}
    for t in tickets:
        s = stored[t.ticket_id]
        assert (s.status, s.service_type, s.counter_id) == (t.status, t.service_type, t.counter_id), t.ticket_id
        assert s.issued_at == t.issued_at and s.called_at == t.called_at and s.finished_at == t.finished_at
    # Alerts: the rules engine stored what it raised, and the Alerts panel lists exactly the stored alerts
    service = demo_context.alerts
    qtbot.waitUntil(lambda: service.latest is not None and service.latest.at == view.snapshot.at, timeout=10_000)
    stored_alerts = repository.load_alerts(demo_context.env.db, "DEMO", now - timedelta(days=1))
    assert stored_alerts, "the lunch peak of this seeded day raises at least one alert"
    assert {(a.rule_id, a.subject) for a in service.latest.open} == {
        (a.rule, a.subject) for a in stored_alerts if a.state.value != "resolved"}
    window.alert_controller.reload(view.snapshot.at.tzinfo)
    assert window.alerts.table.rowCount() == len(stored_alerts)
    stored_counters = {c.counter_id: c for c in repository.load_counters(demo_context.env.db, "DEMO")}
    for c in counters:
        assert stored_counters[c.counter_id].state == c.state
        assert stored_counters[c.counter_id].staff_id == c.staff_id


def test_layout_is_remembered(qtbot, demo_context) -> None:
    window = MainWindow(demo_context)
    qtbot.addWidget(window)
    window.show()
    window.docks["alerts"].hide()
    window.close()  # saves the layout
    again = MainWindow(demo_context)
    qtbot.addWidget(again)
    again.show()
    assert not again.docks["alerts"].isVisible()
    assert again.docks["counters"].isVisible()


def test_language_switch_rebuilds_the_window_in_chinese(qtbot, demo_context) -> None:
    translations = Translations()
    translations.install("en")
    console = ConsoleApp(demo_context.env, demo_context, translations)
    window = console.show_window()
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: demo_context.controller.latest is not None, timeout=20_000)
    qtbot.waitUntil(lambda: "Simulated" in console.window.windowTitle(), timeout=10_000)
    console.switch_language("zh_CN")
    qtbot.addWidget(console.window)
    try:
        qtbot.waitUntil(lambda: "模拟" in console.window.windowTitle(), timeout=10_000)
        assert "网点厅堂监控台" in console.window.windowTitle()
        assert console.window.docks["counters"].windowTitle() == "窗口"
        header = console.window.counters.table.horizontalHeaderItem(CounterBoard.COL_STATE).text()
        assert header == "状态"
    finally:
        translations.install("en")


def test_settings_dialog_saves_the_language(qtbot, demo_context) -> None:
    from dataclasses import replace

    from console.settings import ApiSettings, load_settings
    from widgets.dialogs.settings_dialog import SettingsDialog

    env = demo_context.env
    env.settings = replace(env.settings, api=ApiSettings(enabled=True, port=8999))
    dialog = SettingsDialog(env)
    qtbot.addWidget(dialog)
    dialog.language.setCurrentIndex(dialog.language.findData("zh_CN"))
    dialog.speed.setValue(30)
    dialog.target_share.setValue(90)
    dialog.max_duty.setValue(9.5)
    dialog.advice.setChecked(False)
    dialog.accept()
    assert dialog.language_changed and dialog.chosen_language == "zh_CN"
    saved = load_settings(env.data_dir)
    assert saved.ui.language == "zh_CN" and saved.demo.speed == 30
    assert saved.staffing.target_share == 0.9 and saved.staffing.max_duty_h == 9.5 and not saved.staffing.advice
    assert saved.api.port == 8999 and saved.api.enabled  # the sections the dialog does not show are kept
