"""The window's login dialog over the real user store (a SQLite file), typed into like a user: an unknown user name,
a wrong password and a locked user are shown the same message, so the window does not tell which user names exist;
the lockout still holds; the password field is never kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from console.app.i18n import Translations
from console.domain.permissions import Role
from console.security.access import authenticator
from console.security.users import UserStore
from storage.database import open_database
from widgets.dialogs.login_dialog import LoginDialog

pytestmark = pytest.mark.gui

PASSWORD = "Counter2026pass"
REFUSED = ("User name or password is wrong, or the user is locked or disabled; after 5 wrong passwords a user is "
           "locked for 5 minutes.")


@pytest.fixture
def db(tmp_path: Path):
    database = open_database(f"sqlite:///{tmp_path / 'console.db'}")
    yield database
    database.close()


def log_in(qtbot, dialog: LoginDialog, username: str, password: str) -> str:
    """Type the user name and password and press Enter; the message the dialog shows then."""
    dialog.form.username.clear()
    qtbot.keyClicks(dialog.form.username, username)
    qtbot.keyClicks(dialog.form.password, password)
    qtbot.keyClick(dialog.form.password, Qt.Key.Key_Return)
    assert dialog.form.password.text() == ""  # never kept after a try
    return dialog.form.message.text()


def test_an_unknown_user_and_a_wrong_password_read_the_same(qtbot, qapp, db) -> None:
    Translations().install("en")
    store = UserStore(db)
    store.add("wang", "Wang Fang", Role.ADMINISTRATOR, PASSWORD, "setup")
    store.add("li.wei", "Li Wei", Role.LOBBY_MANAGER, PASSWORD, "wang")
    dialog = LoginDialog(authenticator(db), "Log in", "BJ01")
    qtbot.addWidget(dialog)
    dialog.show()
    unknown = log_in(qtbot, dialog, "ghost", "Wrong1234567")
    wrong = log_in(qtbot, dialog, "li.wei", "Wrong1234567")
    assert unknown == wrong == REFUSED
    for _ in range(4):  # five wrong passwords in all lock li.wei; no count of tries left is shown
        assert log_in(qtbot, dialog, "li.wei", "Wrong1234567") == REFUSED
    assert log_in(qtbot, dialog, "li.wei", PASSWORD) == REFUSED  # locked: the right password is refused alike
    assert dialog.operator is None and dialog.result() != LoginDialog.DialogCode.Accepted
    log_in(qtbot, dialog, "wang", PASSWORD)
    assert dialog.result() == LoginDialog.DialogCode.Accepted and dialog.operator.username == "wang"
