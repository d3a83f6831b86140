"""File → Users… and the first administrator's form, driven like a user: refusals stay in the form with the reason
and store nothing; what is stored goes through the user store (checked, audited)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from console.app.i18n import Translations
from console.domain.permissions import Role
from console.security.access import authenticate, create_first_user
from console.security.users import UserError, UserStore
from storage import repository
from storage.database import open_database
from tests.gui.dialogs import answer_dialog
from widgets.dialogs.login_dialog import UserFormDialog, first_admin_dialog
from widgets.dialogs.users_dialog import UsersDialog

pytestmark = pytest.mark.gui

PASSWORD = "Counter2026pass"


@pytest.fixture
def db(tmp_path: Path):
    database = open_database(f"sqlite:///{tmp_path / 'console.db'}")
    yield database
    database.close()


def test_the_first_administrator_form(qapp, db) -> None:
    Translations().install("en")
    dialog = first_admin_dialog(lambda *a: create_first_user(db, "setup", *a), "Beijing Xidan")
    assert dialog.username.text() == "admin" and dialog.role.currentData() == "administrator"
    dialog.password.setText("short1")
    dialog.again.setText("short1")
    dialog._submit()
    assert dialog.message.text() == "A password needs at least 10 characters, with letters and digits."
    assert not UserStore(db).has_users()
    dialog.password.setText(PASSWORD)
    dialog.again.setText(PASSWORD + "x")
    dialog._submit()
    assert dialog.message.text() == "The two passwords differ." and not UserStore(db).has_users()
    dialog.password.setText(PASSWORD)
    dialog.again.setText(PASSWORD)
    dialog._submit()
    assert dialog.result() == UserFormDialog.DialogCode.Accepted
    assert dialog.operator.role is Role.ADMINISTRATOR and dialog.password.text() == ""
    assert authenticate(db, "admin", PASSWORD).username == "admin"


def test_users_dialog_adds_changes_and_refuses(qtbot, qapp, db) -> None:
    Translations().install("en")
    store = UserStore(db)
    store.add("wang", "Wang Fang", Role.ADMINISTRATOR, PASSWORD, "setup")
    dialog = UsersDialog(store, "wang")
    qtbot.addWidget(dialog)
    seen: dict = {}

    def fill(form) -> None:
        form.username.setText("li wei")  # a space: refused, the form stays open
        form.name.setText("Li Wei")
        form.role.setCurrentIndex(form.role.findData("lobby_manager"))
        form.password.setText(PASSWORD)
        form.again.setText(PASSWORD)
        form._submit()
        seen["bad_name"] = form.message.text()
        assert form.isVisible()
        form.username.setText("li.wei")
        form.password.setText(PASSWORD)
        form.again.setText(PASSWORD)
        form._submit()

    answer_dialog(UserFormDialog, fill, seen)
    dialog.add_user()
    assert "error" not in seen, seen
    assert seen["bad_name"] == "A user name is 2–64 letters, digits, '.', '_' or '-'."
    assert [(u.username, u.role) for u in store.users()] == [("li.wei", Role.LOBBY_MANAGER),
                                                              ("wang", Role.ADMINISTRATOR)]
    assert dialog.message.text() == "li.wei added." and dialog.table.rowCount() == 2
    # the only administrator stays one
    dialog.table.selectRow(1)
    dialog.role.setCurrentIndex(dialog.role.findData("branch_manager"))
    dialog.change_role()
    assert dialog.message.text() == "This is the only administrator; make another user administrator first."
    assert store.users()[1].role is Role.ADMINISTRATOR
    dialog.table.selectRow(0)
    dialog.toggle_active()
    assert dialog.message.text() == "li.wei disabled." and dialog.table.item(0, 3).text() == "disabled"
    with pytest.raises(UserError, match="disabled"):
        store.authenticate("li.wei", PASSWORD)
    actions = [(e.action, e.user) for e in repository.load_audit(db, datetime(2000, 1, 1, tzinfo=UTC))]
    assert ("user.add", "wang") in actions and ("user.disable", "wang") in actions
