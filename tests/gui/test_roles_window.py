"""The window on a real branch, for each role: every guarded control is usable exactly when the permission matrix
says so, with a tooltip naming who may otherwise; switching user changes them at once; the idle lock on a fake
clock covers the window until a password is given (a different user's password switches user)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt

from console.app.context import AppContext, SourceOptions
from console.app.i18n import Translations
from console.app.main_window import MainWindow
from console.domain.lockout import IdleLock
from console.domain.permissions import Permission, Role, ack_permission, allowed
from console.domain.records import AlertRecord, BranchInfo, CounterStatus, StaffMember
from console.domain.vocabulary import AlertSeverity, AlertState, CounterState, ServiceType, StaffRole
from console.security.access import Operator
from console.security.users import LOGIN_REFUSED, UserStore
from storage.tasks import SaveBranchSetup
from storage.writer import apply_now
from tests.gui.conftest import make_env

pytestmark = pytest.mark.gui

TZ = ZoneInfo("Asia/Shanghai")
PASSWORD = "Counter2026pass"


@pytest.fixture
def branch_window(qtbot, qapp, isolated_data_dir) -> Iterator[MainWindow]:
    Translations().install("en")
    isolated_data_dir.mkdir(parents=True, exist_ok=True)
    env = make_env(isolated_data_dir)
    now = datetime.now(TZ)
    apply_now(env.db, SaveBranchSetup(
        branch=BranchInfo("BJ01", "Beijing Xidan", "Asia/Shanghai", clock_time(9), clock_time(17), 80),
        counters=(CounterStatus("1", "Counter 1", (ServiceType.CASH,), CounterState.CLOSED, now - timedelta(hours=1)),),
        staff=(StaffMember("E7", "周婷", StaffRole.TELLER, (ServiceType.CASH,)),)))
    users = UserStore(env.db)
    for name, role in (("wang", Role.ADMINISTRATOR), ("li.wei", Role.LOBBY_MANAGER), ("zhao", Role.SECURITY_OFFICER)):
        users.add(name, name, role, PASSWORD, "setup")
    context = AppContext(env, SourceOptions())
    context.operator = Operator("zhao", "Zhao", Role.SECURITY_OFFICER)
    context.start()
    try:
        window = MainWindow(context)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: context.controller.latest is not None, timeout=10_000)
        yield window
    finally:
        context.stop()
        env.close()


def alert(kind: str, i: int) -> AlertRecord:
    return AlertRecord(i, kind, AlertSeverity.WARNING, AlertState.RAISED, "lobby", "x", datetime.now(UTC))


def check_controls(window: MainWindow, role: Role) -> None:
    may = {p: allowed(role, p) for p in Permission}

    def tip_ok(tip: str, permission: Permission) -> bool:
        return "may not" not in tip if may[permission] else tip.startswith("A ") and "may not" in tip

    # panels a role may not see are replaced by a note saying so
    for key in ("counters", "queue", "staff", "reports"):
        assert (window.stacks[key].currentIndex() == 0) == may[Permission.VIEW_QUEUE], key
    # counter actions: Open on the closed counter
    board = window.counters
    board.table.selectRow(0)
    open_button = board.buttons[next(iter(board.buttons))]
    assert open_button.isEnabled() == may[Permission.CHANGE_COUNTERS]
    assert board.actions_enabled == may[Permission.CHANGE_COUNTERS]
    if not may[Permission.CHANGE_COUNTERS]:
        assert "may not change counters" in open_button.toolTip()
    assert window.advice.actions_enabled == may[Permission.CHANGE_COUNTERS]
    # acknowledging: by the alert's kind
    kinds = ["crowding.lobby", "camera_offline", "long_wait", "service_level"]
    window.alerts.set_alerts([alert(k, i + 1) for i, k in enumerate(kinds)])
    for a in window.alerts.shown:
        window.alerts.select_alert(a.alert_id)
        permission = ack_permission(a.rule)
        assert window.alerts.ack_button.isEnabled() == may[permission], (role, a.rule)
        assert window.alerts.resolve_button.isEnabled() == may[permission]
        assert tip_ok(window.alerts.ack_button.toolTip(), permission)
    window.banner.show_alerts([alert("long_wait", 9)])
    assert window.banner.button.isEnabled() == may[Permission.ACK_QUEUE_ALERTS]
    # exports
    assert window.alerts.export_button.isEnabled() == may[Permission.EXPORT_REPORTS]
    assert tip_ok(window.alerts.export_button.toolTip(), Permission.EXPORT_REPORTS) or may[Permission.EXPORT_REPORTS]
    assert window.reports.export_denied is None if may[Permission.EXPORT_REPORTS] else window.reports.export_denied
    # roster editor and attendance (tabs attached on first show)
    staff = window.staff
    staff.tabs.setCurrentIndex(1)
    staff.tabs.setCurrentIndex(3)
    assert staff.editor.buttons["add"].isEnabled() == may[Permission.EDIT_ROSTER]
    assert staff.editor.timeline.editable == may[Permission.EDIT_ROSTER]
    assert tip_ok(staff.editor.buttons["add"].toolTip(), Permission.EDIT_ROSTER)
    assert staff.editor.buttons["export"].isEnabled()
    assert staff.attendance.check_in.isEnabled() == may[Permission.CHECK_IN_STAFF]
    staff.tabs.setCurrentIndex(0)
    # menu entries
    assert window.audit_action.isEnabled() == may[Permission.VIEW_AUDIT]
    assert tip_ok(window.audit_action.toolTip(), Permission.VIEW_AUDIT)
    assert window.users_action.isEnabled() == may[Permission.MANAGE_USERS]
    assert window.cameras_action.isEnabled() == may[Permission.MANAGE_CAMERAS]
    assert tip_ok(window.cameras_action.toolTip(), Permission.MANAGE_CAMERAS)
    # settings: the groups a role may not change are disabled, with the reason; the language is everyone's
    from widgets.dialogs.settings_dialog import SettingsDialog

    dialog = SettingsDialog(window.context.env, window, user="someone", role=role)
    assert dialog.language.isEnabled()
    assert dialog.target_wait.isEnabled() == may[Permission.EDIT_RULES]
    assert tip_ok(dialog.target_wait.toolTip(), Permission.EDIT_RULES)
    assert dialog.api_group.isEnabled() == may[Permission.MANAGE_DATABASE]
    assert dialog.privacy_group.isEnabled() == may[Permission.MANAGE_DATABASE]
    assert dialog.idle_lock.isEnabled() == may[Permission.MANAGE_USERS]
    dialog.deleteLater()


def test_every_role_sees_and_uses_what_the_matrix_allows(branch_window: MainWindow) -> None:
    window = branch_window
    assert window.user_label.text().strip() == "Zhao (Security officer)"
    check_controls(window, Role.SECURITY_OFFICER)
    for role in (Role.LOBBY_MANAGER, Role.BRANCH_MANAGER, Role.ADMINISTRATOR, Role.SECURITY_OFFICER):
        window.set_operator(Operator(f"user-{role.value}", "Someone", role))  # a switch of user
        assert window.context.desk.user == f"user-{role.value}"
        assert window.alert_controller.user == f"user-{role.value}"
        check_controls(window, role)


def test_the_controller_refuses_what_the_role_may_not_even_without_the_button(branch_window: MainWindow,
                                                                              monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    seen: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: seen.append(text))
    window = branch_window  # the security officer
    assert window.alert_controller._act(alert("long_wait", 5), resolve=False, note="x") is False
    assert seen and "may not acknowledge queue and staffing alerts" in seen[0]


def test_the_idle_lock_covers_the_window_until_a_password(branch_window: MainWindow, qtbot) -> None:
    window = branch_window
    now = [datetime(2026, 11, 29, 2, 0, tzinfo=UTC)]
    window.clock = lambda: now[0]
    window.configure_idle_lock(0)  # "never": no lock however long
    now[0] += timedelta(hours=3)
    window.check_idle()
    assert not window.locked and window.idle is None
    window.configure_idle_lock(10)  # as Settings does on OK
    assert window.idle == IdleLock(timedelta(minutes=10), now[0])
    now[0] += timedelta(minutes=9)
    window.check_idle()
    assert not window.locked
    qtbot.keyClick(window.alerts.table, Qt.Key.Key_Down)  # input resets the idle time
    now[0] += timedelta(minutes=9)
    window.check_idle()
    assert not window.locked
    now[0] += timedelta(minutes=1)
    window.check_idle()
    assert window.locked and window.lock_overlay.isVisible()
    assert not window.menuBar().isEnabled()
    assert window.lock_overlay.geometry() == window.rect()
    assert "Zhao (Security officer)" in window.lock_overlay.who.text()
    form = window.lock_overlay.form
    assert form.username.text() == "zhao"
    form.password.setText("not the password1")
    form.sig_submit.emit()
    refused = form.message.text()
    assert window.locked and refused.startswith("User name or password is wrong") and "left" not in refused
    assert form.password.text() == ""  # never kept
    form.password.setText(PASSWORD)
    form.sig_submit.emit()
    assert not window.locked and not window.lock_overlay.isVisible() and window.menuBar().isEnabled()
    assert window.context.operator.username == "zhao"
    # someone else unlocks: that is a switch of user, and their rights apply
    window.lock()
    form.username.setText("li.wei")
    form.password.setText(PASSWORD)
    form.sig_submit.emit()
    assert not window.locked and window.context.operator.role is Role.LOBBY_MANAGER
    assert window.stacks["counters"].currentIndex() == 0 and window.counters.actions_enabled
    # an unknown user gets the answer of a wrong password (no user name can be probed) and nothing unlocks
    window.lock()
    form.username.setText("nobody")
    form.password.setText(PASSWORD)
    form.sig_submit.emit()
    assert window.locked and form.message.text() == refused


def test_saved_settings_are_audited_with_before_and_after(branch_window: MainWindow) -> None:
    from storage import repository
    from widgets.dialogs.settings_dialog import SettingsDialog

    env = branch_window.context.env
    dialog = SettingsDialog(env, branch_window, user="wang", role=Role.ADMINISTRATOR)
    dialog.target_wait.setValue(12)
    dialog.idle_lock.setValue(5)
    dialog.accept()
    assert env.settings.staffing.target_wait_min == 12 and env.settings.security.idle_lock_min == 5
    entry = [e for e in repository.load_audit(env.db) if e.action == "settings.save"][-1]
    assert entry.user == "wang"
    assert entry.before == {"staffing.target_wait_min": 10.0, "security.idle_lock_min": 10}
    assert entry.after == {"staffing.target_wait_min": 12.0, "security.idle_lock_min": 5}


def test_the_window_of_a_real_branch_starts_only_with_a_login(tmp_path) -> None:
    """``main.py`` itself: without a display the login comes from --user and --password-stdin, or the start is
    refused with the reason (exit 3); nothing opens for a wrong password, refused exactly like an unknown user."""
    import os
    import subprocess
    import sys

    from tests.cli.test_cli import ROOT
    from tests.cli.test_cli_roles import real_branch

    data = tmp_path / "data"
    real_branch(data)
    env = {**os.environ, "BRANCH_CONSOLE_DATA_DIR": str(data), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("BRANCH_CONSOLE_DB", None)
    env.pop("BRANCH_CONSOLE_USER", None)

    def start(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], input=stdin, capture_output=True,
                              text=True, timeout=180, env=env, cwd=ROOT)

    refused = start("--quit-after", "2")
    assert refused.returncode == 3 and "branch SH01 needs a login" in refused.stderr
    wrong = start("--user", "lobby.manager", "--password-stdin", "--quit-after", "2", stdin="Wrong1234567\n")
    assert wrong.returncode == 3 and wrong.stderr == f"error: {LOGIN_REFUSED}\n"
    unknown = start("--user", "ghost", "--password-stdin", "--quit-after", "2", stdin="Wrong1234567\n")
    assert (unknown.returncode, unknown.stdout, unknown.stderr) == (wrong.returncode, wrong.stdout, wrong.stderr)
    shot = tmp_path / "shot.png"
    ok = start("--user", "lobby.manager", "--password-stdin", "--quit-after", "3", "--screenshot", str(shot),
               stdin="Counter2026pass\n")
    assert ok.returncode == 0, ok.stderr
    assert shot.stat().st_size > 10_000
