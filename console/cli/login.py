"""The command line's login and permission check: which permission each subcommand needs, and who runs it.

On a database with a real branch every command except ``staffing`` and ``evaluate`` (they read no branch data)
needs ``--user NAME`` (or env ``BRANCH_CONSOLE_USER``) and that user's password, typed on the terminal or given as
the first line of standard input with the global ``--password-stdin`` (a ``users add|passwd --password-stdin``
then reads the new password from the next line). The password never comes from the command line or the
environment, where other accounts and the shell history could read it. Same lockout as the window: five wrong
passwords lock the user for five minutes; a refused login says the same whether the user name exists or not.
On a demo-only database nothing is asked.
No Qt imports.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import TYPE_CHECKING

from console.domain.permissions import Permission

if TYPE_CHECKING:
    from console.bootstrap import Environment
    from console.security.access import Operator

P = Permission

#: (command, action) → (permission, the action in words); action None: any action of the command.
GUARDS: dict[tuple[str, str | None], tuple[Permission, str]] = {
    ("branch", "apply"): (P.CONFIGURE_BRANCH, "change the branch's set-up"),
    ("branch", None): (P.VIEW_QUEUE, "read the branch's set-up"),
    ("report", None): (P.VIEW_QUEUE, "read the queue report"),
    ("simulate", None): (P.MANAGE_DATABASE, "write simulated days into the database"),
    ("tickets", "import"): (P.IMPORT_DATA, "import tickets"),
    ("appointments", "import"): (P.IMPORT_DATA, "import appointments"),
    ("models", "install"): (P.MANAGE_CAMERAS, "install detector models"),
    ("models", "list"): (P.VIEW_CAMERAS, "list detector models"),
    ("cameras", "list"): (P.VIEW_CAMERAS, "list cameras"),
    ("cameras", "assign"): (P.MANAGE_CAMERAS, "choose which PC counts a camera"),
    ("cameras", "password"): (P.MANAGE_CAMERAS, "set a camera's password"),
    ("roster", "import"): (P.EDIT_ROSTER, "import a roster"),
    ("roster", "copy-week"): (P.EDIT_ROSTER, "copy a week of the roster"),
    ("roster", "export"): (P.EXPORT_REPORTS, "export the roster"),
    ("attendance", None): (P.VIEW_QUEUE, "read attendance"),
    ("forecast", None): (P.VIEW_QUEUE, "read the forecast"),
    ("alerts", None): (P.VIEW_ALERTS, "read alerts"),
    ("advice", None): (P.VIEW_QUEUE, "read the staffing advice"),
    ("incident", "report"): (P.REPORT_INCIDENTS, "report incidents"),
    ("incident", None): (P.VIEW_ALERTS, "read incidents"),
    ("users", None): (P.MANAGE_USERS, "manage users"),
    ("audit", "key-export"): (P.MANAGE_DATABASE, "copy the audit key"),
    ("audit", "key-import"): (P.MANAGE_DATABASE, "install the audit key"),
    ("audit", None): (P.VIEW_AUDIT, "read the audit trail"),
    ("db", None): (P.MANAGE_DATABASE, "manage the database"),
    ("serve", None): (P.MANAGE_DATABASE, "run the branch's service"),
    ("api", None): (P.MANAGE_DATABASE, "manage the API token"),
}

#: Commands that read no branch data: no login.
OPEN_COMMANDS = ("staffing", "evaluate")


def action_of(args: argparse.Namespace) -> str | None:
    return getattr(args, f"{args.command}_command", None)


def guard_for(args: argparse.Namespace) -> tuple[Permission, str] | None:
    if args.command in OPEN_COMMANDS:
        return None
    found = GUARDS.get((args.command, action_of(args))) or GUARDS.get((args.command, None))
    if found is None:  # a command added without a guard is refused rather than left open
        return P.MANAGE_DATABASE, f"run {args.command}"
    return found


class LoginError(Exception):
    """No user given, no password to read, or a refused login. A refused login has one message whatever the cause
    (unknown user, wrong password, locked or disabled user: ``UserStore.authenticate``), so the same stderr and exit
    code (3) answer an unknown user name and a wrong password; never the password."""


def read_login_password(args: argparse.Namespace) -> str:
    if getattr(args, "login_password_stdin", False):
        line = sys.stdin.readline()
        if not line:
            raise LoginError("--password-stdin: standard input is empty (expected the password on its first line)")
        return line.rstrip("\n")
    if not sys.stdin.isatty():
        raise LoginError(f"password for {args.user!r}: no terminal to ask on; give it as the first line of "
                         "standard input with --password-stdin")
    return getpass.getpass(f"Password for {args.user}: ")


def first_administrator(args: argparse.Namespace) -> bool:
    return args.command == "users" and action_of(args) == "add" and args.role == "administrator"


def first_set_up(args: argparse.Namespace) -> bool:
    """What runs without a login while the database has no console user: adding the first administrator, and
    setting up branches from branch files and reading them back (an IT department's rollout, before anyone has
    logged in)."""
    return first_administrator(args) or args.command == "branch"


def operator_for(env: Environment, args: argparse.Namespace) -> Operator:
    """Who runs this command: the demo operator on a demo-only database, else the logged-in user (LoginError when
    the login fails, AccessDenied when the role may not run the command)."""
    from console.security.access import Operator, demo_operator, login_required, require
    from console.security.users import UserError, UserStore

    guard = guard_for(args)
    if guard is None or not login_required(env.db):
        return demo_operator()
    store = UserStore(env.db)
    if not store.has_users():
        if first_set_up(args):
            return demo_operator()  # the audit trail names the operating-system account that set it up
        raise LoginError("this branch has no console user yet: start the console to set the administrator's "
                         "password, or run `main.py users add NAME --role administrator` first")
    user = args.user or os.environ.get("BRANCH_CONSOLE_USER")
    if not user:
        raise LoginError(f"to {guard[1]} on a real branch, log in with --user NAME (or BRANCH_CONSOLE_USER)")
    args.user = user
    try:
        record = store.authenticate(user, read_login_password(args))
    except UserError as exc:
        raise LoginError(str(exc)) from None
    operator = Operator(record.username, record.display_name, record.role)
    if not (args.command == "users" and action_of(args) == "passwd" and args.username == record.username):
        require(operator, *guard)  # changing one's own password needs no user-management right
    return operator
