"""Going live as a new user does, from an empty data directory: the console opens on the demo, **Set up your
branch…** in its status bar opens the wizard, Finish stores the branch and its administrator and reopens the console
on the real branch logged in as that administrator, with the ticket API running; events the ticketing system posts
under its own business names appear on the panels. A window opened while the branch's service runs follows it."""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QMessageBox, QWizard

from console.app.application import ConsoleApp, make_application
from console.app.context import AppContext, SourceOptions
from console.app.i18n import Translations
from console.branches.branch_file import read_branch_file
from console.branches.branch_setup import apply_plan
from console.security.users import UserStore
from storage import repository
from storage.tasks import TakeServiceLease
from storage.writer import apply_now
from tests.camera.mjpeg_server import free_port
from tests.gui.conftest import make_env
from tests.gui.test_branch_wizard_pages import EXAMPLE_BRANCH, EXAMPLE_STAFF, PASSWORD, fill_branch, go_to
from widgets.dialogs.branch_wizard import PageId

pytestmark = [pytest.mark.gui, pytest.mark.slow]  # a demo day, then a real branch, in one window

TZ = ZoneInfo("Asia/Shanghai")


def post(url: str, token: str, events: list[dict]) -> dict:
    request = urllib.request.Request(url + "/api/v1/events", data=json.dumps(events).encode("utf-8"), method="POST",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def close_console(console: ConsoleApp, env) -> None:
    """Stop the console's running context and delete its window and context in the GUI thread, with the test."""
    console.context.stop()
    if console.window is not None:
        console.window.close()
        console.window.deleteLater()
    console.context.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    env.close()


def test_the_wizard_takes_an_empty_data_directory_to_a_live_branch(qapp, qtbot, isolated_data_dir) -> None:
    isolated_data_dir.mkdir(parents=True, exist_ok=True)
    (isolated_data_dir / "settings.toml").write_text(f"[api]\nport = {free_port()}\n", encoding="utf-8")
    make_application()
    translations = Translations()
    translations.install("en")
    env = make_env(isolated_data_dir)
    demo = AppContext(env, SourceOptions(speed=60.0))
    console = ConsoleApp(env, demo, translations)
    try:
        demo.start()
        window = console.show_window()
        assert demo.runner is not None and window.setup_button is not None  # nothing configured: the demo
        window.setup_button.click()
        wizard = window.setup_flow.wizard
        assert wizard is not None and wizard.isVisible() and wizard.admin_page is not None

        fill_branch(wizard, "SZ01")
        go_to(wizard, PageId.COUNTERS)
        counters = wizard.counters_page
        counters.table.item(0, counters.NAME).setText("现金窗口")  # the counter's own name, shown on the board
        go_to(wizard, PageId.STAFF)
        assert wizard.staff_page.import_file(str(EXAMPLE_STAFF))
        go_to(wizard, PageId.ADMIN)
        wizard.admin_page.username.setText("wang.fang")
        wizard.admin_page.display_name.setText("王芳")
        wizard.admin_page.password.setText(PASSWORD)
        wizard.admin_page.again.setText(PASSWORD)
        go_to(wizard, PageId.FEED)
        assert wizard.feed_page.api.isChecked()
        url_shown, token = wizard.feed_page.url.text(), wizard.feed_page.token.text()
        assert url_shown.endswith("/api/v1/events") and len(token) > 30
        assert "starts with the branch when you finish" in wizard.feed_page.status.text()  # not running yet
        go_to(wizard, PageId.STANDARD)
        wizard.standard_page.maximum.setValue(25)
        go_to(wizard, PageId.SUMMARY)
        wizard.button(QWizard.WizardButton.FinishButton).click()

        qtbot.waitUntil(lambda: console.context is not demo and console.context.ticket_api is not None,
                        timeout=30_000)
        live = console.context
        assert (live.branch_code, live.runner, live.operator.username) == ("SZ01", None, "wang.fang")
        assert console.window is not window and console.window.setup_button is None
        assert console.window.branch_action.isEnabled()  # File → Branch settings… for the administrator
        assert live.env.settings.api.enabled and url_shown == live.ticket_api.url + "/api/v1/events"
        assert [u.username for u in UserStore(env.db).users()] == ["wang.fang"]
        assert len(repository.load_staff(env.db, "SZ01")) == 8
        actions = [e["action"] for e in repository.load_audit_chain(env.db)]
        assert {"branch.create", "counter.add", "staff.add", "alert_rules.save", "settings.save"} <= set(actions)

        qtbot.waitUntil(lambda: console.window.feed_label.text().endswith("waiting for the first event"),
                        timeout=15_000)
        now = datetime.now(TZ).replace(microsecond=0)
        answer = post(live.ticket_api.url, token, [
            {"event_id": "g1", "type": "issued", "at": (now - timedelta(minutes=12)).isoformat(),
             "ticket_id": "A001", "service_type": "个人现金"},
            {"event_id": "g2", "type": "issued", "at": (now - timedelta(minutes=6)).isoformat(),
             "ticket_id": "A002", "service_type": "理财"},
            {"event_id": "g3", "type": "issued", "at": (now - timedelta(minutes=3)).isoformat(),
             "ticket_id": "B001", "service_type": "对公业务"},
            {"event_id": "g4", "type": "called", "at": (now - timedelta(minutes=1)).isoformat(),
             "ticket_id": "A001", "counter_id": "C1"}])
        assert answer == {"stored": 4, "duplicates": 0}
        queue = console.window.queue
        qtbot.waitUntil(lambda: queue.waiting_value.text() == "2", timeout=15_000)  # A002 and B001
        snap = live.controller.latest.snapshot
        assert {t.ticket_id: t.service_type.value for t in snap.tickets} == {
            "A001": "cash", "A002": "non_cash", "B001": "corporate"}
        assert "last event received at" in console.window.feed_label.text()
        board = console.window.counters.table
        assert board.item(0, console.window.counters.COL_COUNTER).text() == "现金窗口"
    finally:
        close_console(console, env)


def test_a_window_opened_while_the_service_runs_follows_it(qapp, isolated_data_dir) -> None:
    isolated_data_dir.mkdir(parents=True, exist_ok=True)
    (isolated_data_dir / "settings.toml").write_text(f"[api]\nenabled = true\nport = {free_port()}\n",
                                                     encoding="utf-8")
    make_application()
    Translations().install("en")
    env = make_env(isolated_data_dir)
    apply_plan(env.db, read_branch_file(EXAMPLE_BRANCH), "setup")
    apply_now(env.db, TakeServiceLease("SH01", "branch-pc pid 4242", datetime.now(UTC)))
    context = AppContext(env, SourceOptions())
    try:
        context.start()
        assert context.service_holder == "branch-pc pid 4242" and context.follows
        assert context.ticket_api is None and context.reports is None and context.retention is None
        assert context.alerts is not None and context.alerts.follow
    finally:
        context.stop()
        context.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        env.close()


def test_branch_settings_change_the_running_branch_and_refuse_removing_a_counter_in_use(qapp, qtbot,
                                                                                        isolated_data_dir) -> None:
    """File → Branch settings… on a real branch: removing a counter that serves a ticket is refused in the wizard,
    which stays open and changes nothing; a new capacity is stored with its audit entry and the console reopens on
    the branch as the same user."""
    from console.domain.permissions import Role
    from console.domain.records import TicketEvent
    from console.domain.vocabulary import CounterState, ServiceType, TicketEventType
    from console.security.access import authenticate
    from storage.tasks import StoreFeedEvents
    from tests.gui.dialogs import answer_dialog

    isolated_data_dir.mkdir(parents=True, exist_ok=True)
    make_application()
    translations = Translations()
    translations.install("en")
    env = make_env(isolated_data_dir)
    apply_plan(env.db, read_branch_file(EXAMPLE_BRANCH), "setup")
    UserStore(env.db).add("li.na", "李娜", Role.BRANCH_MANAGER, PASSWORD, "setup")
    now = datetime.now(UTC)
    apply_now(env.db, StoreFeedEvents("SH01", (
        TicketEvent("s1", TicketEventType.COUNTER_STATE, now, counter_id="F1", state=CounterState.OPEN),
        TicketEvent("s2", TicketEventType.ISSUED, now, ticket_id="A001", service_type=ServiceType.CASH),
        TicketEvent("s3", TicketEventType.CALLED, now, ticket_id="A001", counter_id="F1"))))
    context = AppContext(env, SourceOptions())
    context.operator = authenticate(env.db, "li.na", PASSWORD)
    console = ConsoleApp(env, context, translations)
    try:
        context.start()
        window = console.show_window()
        assert window.branch_action.text() == "&Branch settings…" and window.branch_action.isEnabled()
        window.branch_action.trigger()
        wizard = window.setup_flow.wizard
        assert wizard is not None and wizard.admin_page is None
        assert wizard.branch_page.code.isReadOnly() or not wizard.branch_page.code.isEnabled()  # the code stays
        wizard.branch_page.capacity.setValue(90)
        go_to(wizard, PageId.COUNTERS)
        counters = wizard.counters_page
        row = next(r for r in range(counters.table.rowCount()) if counters.cell(r, counters.ID) == "F1")
        counters.table.setCurrentCell(row, counters.NAME)
        counters.remove_counter()
        go_to(wizard, PageId.SUMMARY)
        seen: dict = {}
        answer_dialog(QMessageBox, lambda box: (seen.setdefault("text", box.text()), box.accept()), seen)
        wizard.button(QWizard.WizardButton.FinishButton).click()
        qtbot.waitUntil(lambda: "text" in seen, timeout=10_000)
        assert "counter F1 is open with ticket A001: close it before removing it; nothing was changed" in seen["text"]
        assert wizard.isVisible() and repository.load_branch(env.db, "SH01").lobby_capacity == 80
        wizard.reject()

        window.branch_action.trigger()
        wizard = window.setup_flow.wizard
        wizard.branch_page.capacity.setValue(90)
        go_to(wizard, PageId.SUMMARY)
        wizard.button(QWizard.WizardButton.FinishButton).click()
        qtbot.waitUntil(lambda: console.context is not context, timeout=20_000)
        assert console.context.operator.username == "li.na" and console.context.branch_code == "SH01"
        assert repository.load_branch(env.db, "SH01").lobby_capacity == 90
        change = [e for e in repository.load_audit_chain(env.db) if e["action"] == "branch.change"]
        assert len(change) == 1 and change[0]["user"] == "li.na"
        assert change[0]["before"]["lobby_capacity"] == 80 and change[0]["after"]["lobby_capacity"] == 90
    finally:
        close_console(console, env)
