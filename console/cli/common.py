"""What the subcommands share: the error a command raises, the branch it works on, the types of their values and
the options several commands take (``--branch``, ``--json``, ``--export``), each defined once here.

Every error message names the input and what is wrong; ``console/cli/commands.py`` prints it on stderr and exits
non-zero. No Qt imports.
"""

from __future__ import annotations

import argparse
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from console.bootstrap import Environment



#: How a database gets a branch, for the messages that find none.
SET_UP_HINT = ("set up your branch with 'branch apply FILE.toml' or the console's set-up wizard, or run 'simulate' "
               "for the demo branch")


class CommandError(Exception):
    """A subcommand cannot do what was asked; the message names the input."""


def pick_branch(env: Environment, code: str | None) -> str:
    """The branch a command works on: ``--branch CODE`` if given (it must exist), else the only real branch, else
    the demo branch; several real branches need ``--branch``."""
    from storage import repository

    branches = repository.list_branches(env.db)
    codes = [b.code for b in branches]
    if code is not None:
        if code not in codes:
            known = ", ".join(codes) or f"none yet ({SET_UP_HINT})"
            raise CommandError(f"--branch {code!r} is not in the database {env.db.describe()}; branches: {known}")
        return code
    real = [b.code for b in branches if not b.is_demo]
    if len(real) == 1:
        return real[0]
    if len(real) > 1:
        raise CommandError(f"several branches in the database ({', '.join(real)}): choose one with --branch")
    if codes:
        return codes[0]
    raise CommandError(f"the database {env.db.describe()} holds no branch yet: {SET_UP_HINT}")


# --- shared options ---------------------------------------------------------------------------------------------

def add_branch(parser: argparse.ArgumentParser, required: bool = False,
               help: str = "branch code (default: the only branch, or DEMO)") -> None:
    """``--branch CODE``: the branch the command works on (``pick_branch``)."""
    parser.add_argument("--branch", metavar="CODE", required=required, help=help)


def add_json(parser: argparse.ArgumentParser, help: str = "one JSON object on stdout") -> None:
    """``--json``: machine-readable output instead of the English text."""
    parser.add_argument("--json", action="store_true", help=help)


def add_export(parser: argparse.ArgumentParser, metavar: str = "PATH",
               help: str = "also write the report to PATH, as CSV (.csv) or Excel (.xlsx)") -> None:
    """``--export PATH``: the figures written to a CSV or Excel file as well."""
    parser.add_argument("--export", type=Path, metavar=metavar, help=help)


# --- value types: each names what it expected and what it got ---------------------------------------------------

def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be above 0, got {text!r}")
    return value


def speed(text: str) -> float:
    """The demo clock's speed: above 0, at most 3600 times real time."""
    value = positive_float(text)
    if value > 3600:
        raise argparse.ArgumentTypeError(f"at most 3600 times real time, got {text!r}")
    return value


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def iso_month(text: str) -> date:
    """A month as YYYY-MM, returned as its first day."""
    try:
        return date.fromisoformat(text + "-01")
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a month as YYYY-MM, got {text!r}") from None


def clock_time(text: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a time of day as HH:MM, got {text!r}") from None


def days(text: str) -> int:
    """A number of days from 1 to 366."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of days, got {text!r}") from None
    if not 1 <= value <= 366:
        raise argparse.ArgumentTypeError(f"between 1 and 366 days, got {text!r}")
    return value


def retention_days(text: str) -> int:
    """Days of raw data to keep, within the retention setting's range."""
    from console.settings import RETENTION_MAX_DAYS, RETENTION_MIN_DAYS

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of days, got {text!r}") from None
    if not RETENTION_MIN_DAYS <= value <= RETENTION_MAX_DAYS:
        raise argparse.ArgumentTypeError(f"between {RETENTION_MIN_DAYS} and {RETENTION_MAX_DAYS} days, got {text!r}")
    return value


def share(value: float | None) -> str:
    """A share in [0, 1] as a percentage with one decimal, "—" for none."""
    return "—" if value is None else f"{value * 100:.1f}%"


def number(value: float | None, unit: str = "", digits: int = 1) -> str:
    """A figure with ``digits`` decimals and its unit, "—" for none."""
    return "—" if value is None else f"{value:.{digits}f}{unit}"


def instant(text: str, tz, name: str) -> datetime:
    """An ISO 8601 time given as ``name`` (without a UTC offset: in ``tz``); CommandError naming it otherwise."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(f"{name} {text!r} is not an ISO 8601 time (for example 2026-11-27T11:30:00)") from None
    return value.replace(tzinfo=tz) if value.tzinfo is None else value.astimezone(tz)


def branch_clock(env, branch) -> datetime:
    """Now on the branch's clock, in its time zone: the wall clock for a real branch; for the demo branch, whose days
    run on the demo's own (possibly accelerated) clock, the newest instant of its stored data — so a command reads
    the demo's figures as the window showed them, not at a wall-clock time the simulated day never reached."""
    from zoneinfo import ZoneInfo

    from storage import repository

    tz = ZoneInfo(branch.timezone)
    if branch.is_demo:
        newest = repository.newest_event_at(env.db, branch.code)
        if newest is not None:
            return newest.astimezone(tz)
    return datetime.now(tz)
