"""Logging in to the window: at start on a real branch, after the idle lock and when switching user.

Decisions:
- The demo branch needs no login (``Operator`` without a role; the status bar says "Demo branch — no login").
- A real branch with no user yet asks for the administrator's user name and password first (there is no default
  password); cancelling leaves the console closed.
- ``--user NAME --password-stdin`` logs in without a dialog (a kiosk start script, screenshots, tests); without a
  display that is the only way onto a real branch, and a refusal ends the start with the reason on stderr.
"""

from __future__ import annotations

import sys
from functools import partial

from console.security.access import Operator, authenticate, authenticator, create_first_user
from storage.database import Database


class LoginCancelled(Exception):
    """Nobody logged in (the dialog was cancelled, or no display and no --user/--password-stdin)."""


def login_at_start(db: Database, branch: str, username: str | None, password_stdin: bool,
                   can_show_dialogs: bool) -> Operator:
    """The operator of a real branch's window; LoginCancelled with the reason when nobody logs in."""
    from console.security.access import console_user
    from console.security.users import UserError, UserStore

    store = UserStore(db)
    if username and password_stdin:
        try:
            return authenticate(db, username, sys.stdin.readline().rstrip("\n"))
        except UserError as exc:
            raise LoginCancelled(str(exc)) from None
    if not can_show_dialogs:
        if not store.has_users():
            raise LoginCancelled(f"branch {branch} has no console user yet: start the console on a display to set "
                                 "the administrator's password, or run `main.py users add NAME --role "
                                 "administrator`")
        raise LoginCancelled(f"branch {branch} needs a login: give --user NAME --password-stdin when starting "
                             "without a display")
    from PySide6.QtCore import QCoreApplication

    from widgets.dialogs.login_dialog import LoginDialog, first_admin_dialog

    if not store.has_users():
        first = first_admin_dialog(partial(create_first_user, db, console_user()), branch)
        if first.exec() != first.DialogCode.Accepted:
            raise LoginCancelled("the administrator's password was not set")
        return first.operator
    dialog = LoginDialog(authenticator(db), QCoreApplication.translate("login", "Branch Lobby Console — log in"),
                         branch, username=username or "")
    if dialog.exec() != LoginDialog.DialogCode.Accepted:
        raise LoginCancelled("nobody logged in")
    return dialog.operator
