"""The command line in one table: the parser of ``main.py`` and the dispatch of its subcommands.

Each subcommand module of ``console/cli/`` declares its subparser(s) in ``register(sub)`` and names its handler
with ``set_defaults(handler=...)`` — ``handler(env, args, out) -> exit code`` — or, for a command that starts
itself (the headless worker opens the database on its own and waits for an unreachable server),
``set_defaults(standalone=...)`` — ``standalone(args) -> exit code``. ``COMMANDS`` lists the modules in the order
``--help`` shows them; options several commands take are defined once in ``console/cli/common.py``.

Output is English plain text (or JSON with ``--json``) on stdout, read by scripts and support staff; problems go to
stderr with a non-zero exit: 1 the command failed (the message names the input), 2 the console could not start
(data directory, settings, database), 3 the login or the role was refused. No Qt imports: the window is started by
``main.py``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from console import __version__
from console.cli import (
    advice,
    alerts,
    api_token,
    audit,
    branch,
    cameras,
    db,
    forecast,
    incident,
    report,
    roster,
    serve,
    simulate,
    staffing,
    tickets,
    users,
    worker,
)
from console.cli.common import CommandError, clock_time, iso_date, positive_float, speed
from console.sim.scenarios import SCENARIOS

if TYPE_CHECKING:
    from console.bootstrap import Environment

log = logging.getLogger("console")

#: Every subcommand module, in the order of ``main.py --help``.
COMMANDS = (branch, report, simulate, cameras, tickets, roster, forecast, staffing, advice, alerts, incident, users, audit,
            api_token, serve, worker, db)

#: Options that only the window takes (``args`` attribute → flag): refused beside a subcommand.
WINDOW_ONLY = ("demo", "window_branch", "region", "speed", "seed", "sim_start", "sim_date", "window_scenario", "quit_after",
               "screenshot")


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: global options, window options, and every subcommand of ``COMMANDS``."""
    parser = argparse.ArgumentParser(
        prog=Path(sys.executable).stem if getattr(sys, "frozen", False) else "main.py",
        description="Branch Lobby Console (网点厅堂监控台): lobby occupancy, counters, queue, staff and alerts.",
        epilog="Without a subcommand the console window starts; on the demo branch when no branch is configured.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    glob = parser.add_argument_group("global options (before any subcommand)")
    glob.add_argument("--db", metavar="URL", help="SQLAlchemy database URL (default: env BRANCH_CONSOLE_DB, "
                      "else the SQLite file console.db in the data directory)")
    glob.add_argument("--data-dir", metavar="DIR", type=Path,
                      help="folder for the database, settings and logs (default: env BRANCH_CONSOLE_DATA_DIR, "
                      "else the user's data directory)")
    glob.add_argument("--lang", metavar="LANG", help="interface language: system, zh_CN or en (saved in settings)")
    glob.add_argument("--user", metavar="NAME",
                      help="log in as NAME (default: env BRANCH_CONSOLE_USER); needed on a real branch, not the demo")
    glob.add_argument("--password-stdin", dest="login_password_stdin", action="store_true",
                      help="read the login password from the first line of standard input instead of the terminal")
    glob.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                      help="log detail in console.log (default INFO)")

    gui = parser.add_argument_group("window options")
    gui.add_argument("--demo", action="store_true", help="open the simulated demo branch even if a branch is configured")
    gui.add_argument("--branch", dest="window_branch", metavar="CODE",
                     help="the branch to open when the database holds several (a shared database)")
    gui.add_argument("--region", action="store_true",
                     help="open the regional view: every branch of the database with its lobby, queue and alerts "
                     "(the default on a database holding several branches without --branch)")
    gui.add_argument("--speed", type=speed, metavar="N",
                     help="demo clock speed in times real time, e.g. 60 = one simulated minute per second")
    gui.add_argument("--seed", type=int, metavar="N", help="demo random seed (the same seed gives the same day)")
    gui.add_argument("--sim-start", type=clock_time, metavar="HH:MM",
                     help="demo: fast-forward the simulated day to this time of day before showing it (default: the "
                     "branch's current time during business hours, else 10:00)")
    gui.add_argument("--sim-date", type=iso_date, metavar="YYYY-MM-DD", help="demo: the day to simulate (default "
                     "today); without --sim-start it plays from 15 minutes before opening")
    gui.add_argument("--scenario", dest="window_scenario", choices=sorted(SCENARIOS), metavar="NAME",
                     help="demo: a day an ordinary one never shows, starting just before its rush (default start; "
                     f"--sim-start wins): {', '.join(sorted(SCENARIOS))} (the pension payday rush at opening: the "
                     "lobby passes its capacity)")
    gui.add_argument("--quit-after", type=positive_float, metavar="SECONDS", help="close the window after SECONDS")
    gui.add_argument("--screenshot", type=Path, metavar="PATH",
                     help="write a PNG of the main window just before quitting (with --quit-after)")

    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        module.register(sub)
    return parser


def check_options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse (exit 2, naming the flags) window options given with a subcommand, and a screenshot without a quit."""
    if args.screenshot is not None and args.quit_after is None:
        parser.error("--screenshot needs --quit-after SECONDS (the picture is taken just before quitting)")
    if args.command is not None:
        given = [name for name in WINDOW_ONLY if getattr(args, name) not in (None, False)]
        if given:
            flags = ", ".join("--" + n.removeprefix("window_").replace("_", "-") for n in given)
            parser.error(f"{flags} only apply to the window, not to the '{args.command}' command")


def run(env: Environment, args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Run the parsed subcommand on a started console ``env`` (its operator already in ``args.operator``)."""
    from console.cli.purge import purge_notice

    if (notice := purge_notice(env, args)) is not None:
        print(notice, file=sys.stderr)
    return args.handler(env, args, out or sys.stdout)


def run_command(args: argparse.Namespace) -> int:
    """A subcommand as a process: start-up, login, the command; every failure one line on stderr and an exit code."""
    standalone = getattr(args, "standalone", None)
    if standalone is not None:
        return standalone(args)
    from console.bootstrap import StartupError, prepare
    from console.cli.login import LoginError, operator_for
    from console.security.access import AccessDenied

    try:
        env = prepare(args)
    except StartupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        args.operator = operator_for(env, args)
        return run(env, args)
    except (LoginError, AccessDenied) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    except CommandError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader went away (``| head``): not an error of the command
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # a bug: one line for the user, the traceback in the log
        log.exception("command %s failed", args.command)
        print(f"error: {args.command} failed: {type(exc).__name__}: {exc} (details in {env.log_path})", file=sys.stderr)
        return 1
    finally:
        env.close()
