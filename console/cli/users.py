"""``users add|list|passwd|role``: console users from the command line (an administrator sets up a branch PC, or
resets a forgotten password). Passwords are read from the terminal without echo, or from standard input with
``--password-stdin`` (scripts); never from the command line, where other users and the shell history could see
them. English output; no Qt."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TYPE_CHECKING, TextIO

from console.cli.common import CommandError
from console.domain.permissions import Role

if TYPE_CHECKING:
    from console.bootstrap import Environment

ROLES = ("lobby_manager", "security_officer", "branch_manager", "administrator")


def register(sub: argparse._SubParsersAction) -> None:
    users = sub.add_parser("users", help="console users: add, list, change a password or a role")
    users_sub = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    users_sub.add_parser("list", help="the console's users and their roles")
    u_add = users_sub.add_parser("add", help="add a user (asks for the password twice)")
    u_add.add_argument("username")
    u_add.add_argument("--role", choices=ROLES, required=True)
    u_add.add_argument("--name", help="the name shown in the window and the audit trail")
    u_add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    u_pw = users_sub.add_parser("passwd", help="set a user's password (clears a lock)")
    u_pw.add_argument("username")
    u_pw.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    u_role = users_sub.add_parser("role", help="change a user's role")
    u_role.add_argument("username")
    u_role.add_argument("role", choices=ROLES)
    for action, what in (("disable", "stop a user from logging in (the audit trail keeps their entries)"),
                         ("enable", "let a disabled user log in again")):
        users_sub.add_parser(action, help=what).add_argument("username")
    users.set_defaults(handler=run_users)


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise CommandError("the two passwords differ; nothing changed")
    return first


def run_users(env: Environment, args: argparse.Namespace, out: TextIO) -> int:
    from console.security.users import UserError, UserStore

    store = UserStore(env.db)
    by = args.operator.username
    try:
        if args.users_command == "list":
            for u in store.users():
                state = "active" if u.active else "disabled"
                lock = f", locked until {u.locked_until.isoformat(timespec='seconds')}" if u.locked_until else ""
                out.write(f"{u.username:<20}{u.role.value:<18}{u.display_name} ({state}{lock})\n")
            return 0
        if args.users_command == "add":
            user = store.add(args.username, args.name or args.username, Role(args.role), _password(args), by)
            out.write(f"user {user.username} added as {user.role.value}\n")
            return 0
        if args.users_command == "passwd":
            store.set_password(args.username, _password(args), by)
            out.write(f"password of {args.username} changed\n")
            return 0
        if args.users_command in ("disable", "enable"):
            store.set_active(args.username, args.users_command == "enable", by)
            out.write(f"{args.username} is now {args.users_command}d\n")
            return 0
        store.set_role(args.username, Role(args.role), by)
        out.write(f"{args.username} is now {args.role}\n")
        return 0
    except UserError as exc:
        raise CommandError(str(exc)) from None
