"""``branch apply|show|list``: a real branch from a branch file (rollouts and support; the format is in
console/branches/branch_file.py and the admin guide), printed back as one, and the database's branches.

``branch apply FILE`` creates or updates the branch and prints what changed ("no changes" when nothing did); a
file that breaks a rule is refused whole with exit 2, naming the file, the key and the reason. On a database with
no console user yet it runs without a login, like ``users add NAME --role administrator``. English output; no Qt.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from console.cli.common import CommandError, add_json

if TYPE_CHECKING:
    from console.bootstrap import Environment


def register(sub: argparse._SubParsersAction) -> None:
    branch = sub.add_parser("branch", help="set up a real branch from a branch file, print one, list branches")
    branch_sub = branch.add_subparsers(dest="branch_command", metavar="ACTION", required=True)
    apply = branch_sub.add_parser("apply", help="create or update the branch a TOML branch file describes")
    apply.add_argument("file", type=Path, metavar="FILE.toml")
    show = branch_sub.add_parser("show", help="a branch's set-up (with --toml: as a branch file)")
    show.add_argument("code", metavar="CODE")
    show.add_argument("--toml", action="store_true", help="print a branch file that 'branch apply' accepts")
    add_json(branch_sub.add_parser("list", help="the branches in the database"))
    branch.set_defaults(handler=run_branch)


def run_branch(env: Environment, args: argparse.Namespace, out: TextIO) -> int:
    from console.branches.branch_file import BranchFileError, read_branch_file, to_toml
    from console.branches.branch_setup import BranchSetupError, apply_plan, stored_plan
    from storage import repository

    if args.branch_command == "apply":
        try:
            plan = read_branch_file(args.file)
        except BranchFileError as exc:
            print(f"error: {exc}; nothing changed", file=sys.stderr)
            return 2
        try:
            lines = apply_plan(env.db, plan, args.operator.username)
        except BranchSetupError as exc:
            raise CommandError(f"{args.file}: {exc}") from None
        for line in lines or ["no changes"]:
            print(line, file=out)
        return 0
    if args.branch_command == "show":
        plan = stored_plan(env.db, args.code)
        if plan is None:
            known = ", ".join(b.code for b in repository.list_branches(env.db)) or "none"
            raise CommandError(f"branch {args.code!r} is not in the database {env.db.describe()} (branches: {known})")
        if args.toml:
            out.write(to_toml(plan))
            return 0
        print(f"{plan.code}  {plan.name}  ({plan.timezone})", file=out)
        print(f"  lobby capacity {plan.lobby_capacity} people, {plan.waiting_seats} waiting seats", file=out)
        days = "  ".join(f"{day} {hours.text()}" for day, hours in zip(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
                                                                          "Sun"), plan.hours, strict=True))
        print(f"  hours: {days}", file=out)
        for name, kind in plan.service_names:
            print(f"  business name {name} -> {kind.value}", file=out)
        for c in plan.counters:
            print(f"  counter {c.counter_id}: {c.name} ({', '.join(t.value for t in c.service_types)})"
                  f"{' flexible' if c.flexible else ''}", file=out)
        return 0
    branches = repository.list_branches(env.db)
    if args.json:
        out.write(json.dumps([{"code": b.code, "name": b.name, "timezone": b.timezone, "demo": b.is_demo,
                               "lobby_capacity": b.lobby_capacity, "counters": len(b.counters)} for b in branches],
                             ensure_ascii=False) + "\n")
        return 0
    if not branches:
        print("no branch yet: set one up with 'branch apply FILE.toml' or the console's set-up wizard", file=out)
    for b in branches:
        print(f"{b.code}  {b.name}  {b.timezone}  capacity {b.lobby_capacity}  {len(b.counters)} counters"
              f"{'  (demo)' if b.is_demo else ''}", file=out)
    return 0
