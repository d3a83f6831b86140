"""``users add|list|passwd|role``: console users from the command line (an administrator sets up a branch PC, or
resets a forgotten password). Passwords are read from the terminal without echo, or from standard input with
``--password-stdin`` (scripts); never from the command line, where other users and the shell history could see
them. English output; no Qt."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TextIO

from console.bootstrap import Environment
from console.cli import CommandError
from console.domain.permissions import Role
from console.users import UserError, UserStore


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise CommandError("the two passwords differ; nothing changed")
    return first


def run_users(env: Environment, args: argparse.Namespace, out: TextIO) -> int:
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
