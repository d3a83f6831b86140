"""Branch Lobby Console (网点厅堂监控台) — composition root and command line.

    python main.py [--db URL] [--data-dir DIR] [--lang L] [--demo] [--speed N] [--seed N]
                   [--quit-after SECONDS] [--screenshot PATH]          start the console
    python main.py [--db URL] [--data-dir DIR] report --date YYYY-MM-DD [--json]
    python main.py [--db URL] [--data-dir DIR] simulate --date YYYY-MM-DD [--days N] [--seed N]
    python main.py [--db URL] [--data-dir DIR] db info
    python main.py [--db URL] [--data-dir DIR] db purge [--older-than DAYS] [--dry-run]
    python main.py --db URL [--data-dir DIR] worker --branch CODE [--camera ID ...]     count cameras headless

Global options come before the subcommand. On a real branch (not the demo) the window and every command except
``staffing`` and ``evaluate`` need a login: ``--user NAME`` and the password on the terminal or, with
``--password-stdin``, on the first line of standard input (console/cli_access.py, console/login.py). Command-line output is in English on purpose (it is read by scripts and
support staff); the window follows the chosen language. Qt is imported only when the window starts, so the
subcommands run on machines without a display.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from datetime import date, time
from pathlib import Path

def _version() -> str:
    """The version in pyproject.toml (the one place it is written); the installed metadata when bundled."""
    pyproject = Path(__file__).resolve().parent / "pyproject.toml"
    try:
        import tomllib

        return str(tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"])
    except (OSError, KeyError, ValueError):
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("branch-lobby-console")
        except PackageNotFoundError:
            return "unknown"


__version__ = _version()

log = logging.getLogger("console")


class UsageError(Exception):
    """Bad input on the command line; the message names the input and what is wrong."""


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be above 0, got {text!r}")
    return value


def _speed(text: str) -> float:
    value = _positive_float(text)
    if value > 3600:
        raise argparse.ArgumentTypeError(f"at most 3600 times real time, got {text!r}")
    return value


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _iso_month(text: str) -> date:
    try:
        return date.fromisoformat(text + "-01")
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a month as YYYY-MM, got {text!r}") from None


def _clock_time(text: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a time of day as HH:MM, got {text!r}") from None


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of days, got {text!r}") from None
    if not 1 <= value <= 366:
        raise argparse.ArgumentTypeError(f"between 1 and 366 days, got {text!r}")
    return value


def _retention_days(text: str) -> int:
    from console.settings import RETENTION_MAX_DAYS, RETENTION_MIN_DAYS

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of days, got {text!r}") from None
    if not RETENTION_MIN_DAYS <= value <= RETENTION_MAX_DAYS:
        raise argparse.ArgumentTypeError(f"between {RETENTION_MIN_DAYS} and {RETENTION_MAX_DAYS} days, got {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The command line; later features add subcommands to the same parser."""
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
    gui.add_argument("--speed", type=_speed, metavar="N",
                     help="demo clock speed in times real time, e.g. 60 = one simulated minute per second")
    gui.add_argument("--seed", type=int, metavar="N", help="demo random seed (the same seed gives the same day)")
    gui.add_argument("--sim-start", type=_clock_time, metavar="HH:MM",
                     help="demo: fast-forward the simulated day to this time of day before showing it (default: the "
                     "branch's current time during business hours, else 10:00)")
    gui.add_argument("--sim-date", type=_iso_date, metavar="YYYY-MM-DD", help="demo: the day to simulate (default today); "
                     "without --sim-start it plays from 15 minutes before opening")
    gui.add_argument("--quit-after", type=_positive_float, metavar="SECONDS", help="close the window after SECONDS")
    gui.add_argument("--screenshot", type=Path, metavar="PATH",
                     help="write a PNG of the main window just before quitting (with --quit-after)")

    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    report = sub.add_parser("report", help="print a day's queue and service figures",
                            description="A day's figures from the stored tickets (definitions in the README).")
    report.add_argument("--date", type=_iso_date, required=True, metavar="YYYY-MM-DD", help="branch-local day")
    report.add_argument("--branch", metavar="CODE", help="branch code (default: the only branch, or DEMO)")
    report.add_argument("--target-wait-minutes", type=_positive_float, default=10.0, metavar="M",
                        help="service-level target: called within M minutes (default 10)")
    report.add_argument("--json", action="store_true", help="one JSON object on stdout")
    report.add_argument("--export", type=Path, metavar="PATH",
                        help="also write the report to PATH, as CSV (.csv) or Excel (.xlsx)")

    simulate = sub.add_parser("simulate", help="run simulated demo days into the database, without a window",
                              description="Simulate whole demo-branch days and store their tickets, counter "
                              "states and occupancy, as the demo window would.")
    simulate.add_argument("--date", type=_iso_date, required=True, metavar="YYYY-MM-DD", help="first day")
    simulate.add_argument("--days", type=_days, default=1, metavar="N", help="number of consecutive days (default 1)")
    simulate.add_argument("--seed", dest="first_seed", type=int, default=1, metavar="N", help="random seed of the first day (default 1)")

    evaluate = sub.add_parser(
        "evaluate", help="measure people counting on a recorded dataset with ground truth",
        description="Run the camera pipeline (detector, tracker, zones, lines) over a dataset folder laid out as "
        "../shared/datasets/README.md describes and print the counting errors. Progress goes to stderr.")
    evaluate.add_argument("dataset", type=Path, metavar="DATASET_DIR")
    evaluate.add_argument("--model", type=Path, metavar="PATH",
                          help="ONNX detector (default: the installed default model, else OpenCV HOG)")
    evaluate.add_argument("--calibrate", metavar="A:B[:S]",
                          help="fit the count calibration on frames A..B-1 (every S-th) and their true counts")
    evaluate.add_argument("--frames", metavar="A:B",
                          help="evaluate frames A..B-1 (default: every frame not used for calibration)")
    evaluate.add_argument("--detect-every", type=int, default=1, metavar="N",
                          help="run the detector on every N-th frame, the tracker predicts between (default 1)")
    evaluate.add_argument("--tiles", metavar="CxR", help="detect on C×R overlapping tiles too (dense scenes), e.g. 2x2")
    evaluate.add_argument("--json", action="store_true", help="one JSON object on stdout")

    for command, what, header in (
        ("tickets", "a ticketing system's ticket log",
         "ticket_id,service_type,priority,issued_at,called_at,started_at,finished_at,counter_id,staff_id,outcome"),
        ("appointments", "the day's appointments (预约) from a booking system",
         "appointment_id,service_type,due_at,booked_at,checked_in_at,cancelled_at,ticket_id (due_at: the slot "
         "start)"),
    ):
        group = sub.add_parser(command, help=f"import {what}")
        actions = group.add_subparsers(dest=f"{command}_command", metavar="ACTION", required=True)
        importer = actions.add_parser(
            "import", help=f"import {what} (CSV)",
            description=f"Import {what} with the header {header}. Times are ISO 8601; empty cells: the step did not "
            "happen. Rows that fail are listed on stderr with their line number and skipped; the rest are "
            "imported. Importing the same file again changes nothing. Exit code: 0 every row imported, 1 some rows "
            "rejected, 2 nothing imported (the file itself is unusable).")
        importer.add_argument("file", type=Path, metavar="FILE.csv")
        importer.add_argument("--branch", metavar="CODE", help="branch code (default: the only branch, or DEMO)")
        importer.add_argument("--encoding", metavar="NAME",
                              help="text encoding (default: UTF-8, else GB18030, else Windows-1252)")

    models = sub.add_parser("models", help="install and list person-detector models")
    models_sub = models.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    install = models_sub.add_parser("install", help="check and install an ONNX detector into the data directory")
    install.add_argument("source", metavar="SOURCE", help="a file path or an https:// URL")
    install.add_argument("--name", help="name to install it under (default: from the file name)")
    install.add_argument("--sha256", help="expected SHA-256 of the file; installation fails on a mismatch")
    models_sub.add_parser("list", help="list the installed models")

    roster = sub.add_parser("roster", help="import, export and copy the staff roster")
    roster_sub = roster.add_subparsers(dest="roster_command", metavar="ACTION", required=True)
    r_import = roster_sub.add_parser(
        "import", help="import a roster (.csv or .xlsx) and replace the days it covers",
        description="Columns employee_no,date,start,end,kind,counter_id,breaks (kind work or leave; breaks like "
        "12:00-12:45;15:30-15:45). The roster is imported whole or not at all: unreadable rows and rule "
        "violations (overlaps, duties too long, too little rest) are listed with their line numbers and nothing "
        "is stored (exit 1); half-hours without cover for a service type are warnings. Exit 2: the file itself "
        "is unusable.")
    r_import.add_argument("file", type=Path, metavar="FILE")
    r_export = roster_sub.add_parser("export", help="write the roster of some days to .csv or .xlsx")
    r_export.add_argument("file", type=Path, metavar="FILE")
    r_export.add_argument("--from", dest="start", type=_iso_date, required=True, metavar="YYYY-MM-DD")
    r_export.add_argument("--days", type=int, default=7, metavar="N", help="number of days (default 7)")
    r_copy = roster_sub.add_parser("copy-week", help="copy a week's roster to another week (checked as an import)")
    r_copy.add_argument("--from", dest="start", type=_iso_date, required=True, metavar="YYYY-MM-DD",
                        help="first day of the week to copy")
    r_copy.add_argument("--to", dest="target", type=_iso_date, metavar="YYYY-MM-DD",
                        help="first day of the week to fill (default: 7 days later)")
    for p in (r_import, r_export, r_copy):
        p.add_argument("--branch", metavar="CODE", help="branch code (default: the only branch, or DEMO)")

    attendance = sub.add_parser(
        "attendance", help="a month's roster against the counter logins: late, left early, absent",
        description="Every rostered work record with a counter, checked against the ticketing system's staff "
        "logins and logouts: late (first login more than 5 min after the start), left early (last logout more "
        "than 5 min before the end), absent (no login during the record); leave and back-office records are "
        "listed as such. Prints a summary per person; --export writes every record.")
    attendance.add_argument("--month", type=_iso_month, required=True, metavar="YYYY-MM")
    attendance.add_argument("--branch", metavar="CODE", help="branch code (default: the only branch, or DEMO)")
    attendance.add_argument("--export", type=Path, metavar="FILE.csv|FILE.xlsx", help="write every record")
    attendance.add_argument("--json", action="store_true", help="one JSON object on stdout")

    forecast = sub.add_parser(
        "forecast", help="tickets expected per half-hour and service type on a day, from the stored history",
        description="The mean of the last similar days (same weekday; weekends, public holidays and make-up "
        "working weekends apart; paydays apart, scaled by the branch's own payday factor), or the demo branch's "
        "profile when the history holds fewer than two similar days. Also prints how well such forecasts did "
        "on the last 14 days with tickets.")
    forecast.add_argument("--date", type=_iso_date, required=True, metavar="YYYY-MM-DD")
    forecast.add_argument("--branch", metavar="CODE", help="branch code (default: the only branch, or DEMO)")
    forecast.add_argument("--coverage", action="store_true",
                          help="also the counters required per half-hour (80%% called within 10 min, Erlang C per "
                          "service type) against the staff on shift in the stored roster")
    forecast.add_argument("--json", action="store_true", help="one JSON object on stdout")

    staffing = sub.add_parser(
        "staffing", help="counters needed for a service target (Erlang C, or Erlang A with patience)",
        description="The fewest counters that serve the target share of customers within the target wait, and at "
        "that number the service level, the probability of waiting, the mean wait and the counters' occupancy. "
        "With --patience-minutes customers give up (Erlang A) and the share who do is printed too. With "
        "--counters the figures for that number of counters instead.")
    staffing.add_argument("--arrivals-per-hour", type=float, required=True, metavar="X")
    staffing.add_argument("--aht-minutes", type=float, required=True, metavar="Y", help="average handling time")
    staffing.add_argument("--target-wait-minutes", type=float, required=True, metavar="T")
    staffing.add_argument("--target-share", type=float, required=True, metavar="P",
                          help="a fraction: 0.8 for 80%% of customers within T minutes")
    staffing.add_argument("--patience-minutes", type=float, metavar="M",
                          help="mean patience before a customer gives up (Erlang A)")
    staffing.add_argument("--counters", type=int, metavar="N", help="figures for N counters instead of the fewest")
    staffing.add_argument("--json", action="store_true", help="one JSON object on stdout")

    alerts = sub.add_parser("alerts", help="alerts at an instant, and the stored alert history")
    alerts_sub = alerts.add_subparsers(dest="alerts_command", metavar="ACTION", required=True)
    check = alerts_sub.add_parser(
        "check", help="the alerts active at an instant, from the data stored up to then",
        description="Evaluates the branch's alert rules as if the time were ISO_TIME, using only data stored with "
        "timestamps up to then (the day is replayed so sustain times and cooldowns count), and prints the alerts "
        "active at that moment. ISO_TIME without a UTC offset is the branch's local time.")
    check.add_argument("--at", required=True, metavar="ISO_TIME")
    check.add_argument("--branch", metavar="CODE", help="branch code (default: the only branch, or DEMO)")
    check.add_argument("--json", action="store_true",
                       help="a JSON list of objects with rule, severity, subject, value, threshold, since")
    history = alerts_sub.add_parser("list", help="the stored alert history (raised, acknowledged, resolved)")
    history.add_argument("--since", metavar="ISO", help="raised at or after (default: the start of today)")
    history.add_argument("--branch", metavar="CODE", help="branch code (default: the only branch, or DEMO)")
    history.add_argument("--json", action="store_true", help="a JSON list of the stored alerts")

    users = sub.add_parser("users", help="console users: add, list, change a password or a role")
    users_sub = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    users_sub.add_parser("list", help="the console's users and their roles")
    roles = ("lobby_manager", "security_officer", "branch_manager", "administrator")
    u_add = users_sub.add_parser("add", help="add a user (asks for the password twice)")
    u_add.add_argument("username")
    u_add.add_argument("--role", choices=roles, required=True)
    u_add.add_argument("--name", help="the name shown in the window and the audit trail")
    u_add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    u_pw = users_sub.add_parser("passwd", help="set a user's password (clears a lock)")
    u_pw.add_argument("username")
    u_pw.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    u_role = users_sub.add_parser("role", help="change a user's role")
    u_role.add_argument("username")
    u_role.add_argument("role", choices=roles)
    for action, what in (("disable", "stop a user from logging in (the audit trail keeps their entries)"),
                         ("enable", "let a disabled user log in again")):
        users_sub.add_parser(action, help=what).add_argument("username")

    audit = sub.add_parser("audit", help="check and export the audit trail")
    audit_sub = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    audit_sub.add_parser("verify", help="check the hash chain: prints 'intact', or the first broken entry (exit 1)")
    audit_export = audit_sub.add_parser("export", help="write audit entries to stdout")
    audit_export.add_argument("--since", metavar="ISO", help="entries at or after (UTC when no offset is given)")
    audit_export.add_argument("--format", choices=("csv", "json"), default="csv")

    api = sub.add_parser("api", help="the ticket feed's API token: show it masked, or rotate it")
    api_sub = api.add_subparsers(dest="api_command", metavar="WHAT", required=True)
    token = api_sub.add_parser("token", help="show or rotate the bearer token the ticketing system sends")
    token_sub = token.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    token_sub.add_parser("show", help="print the token masked (its first 4 characters) and where it is kept")
    token_sub.add_parser(
        "rotate", help="make a new random token and print it once",
        description="Makes a new random token, keeps it in the secret store (never in settings.toml) and prints it "
        "once on stdout, to be entered into the ticketing system; the old token is refused from then on (a "
        "console window already running takes the new token when it restarts). The rotation is audited, without "
        "the token.")

    cameras = sub.add_parser("cameras", help="list cameras, choose which PC counts each, keep their passwords")
    cameras_sub = cameras.add_subparsers(dest="cameras_command", metavar="ACTION", required=True)
    cameras_sub.add_parser("list", help="the branch's cameras and which PC counts each")
    c_assign = cameras_sub.add_parser("assign", help="count a camera on this console or on a headless worker")
    c_assign.add_argument("camera_id", metavar="ID")
    c_assign.add_argument("to", choices=("console", "worker"))
    c_password = cameras_sub.add_parser(
        "password", help="keep a camera's password in this PC's secret store (a worker PC needs it)",
        description="Camera passwords are never in the shared database: a worker PC needs the passwords of the "
        "cameras it counts in its own secret store. Reads the password from the terminal, or the next line of "
        "standard input with --password-stdin.")
    c_password.add_argument("camera_id", metavar="ID")
    c_password.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    for p in (cameras_sub.choices["list"], c_assign, c_password):
        p.add_argument("--branch", metavar="CODE", help="branch code (default: the only branch, or DEMO)")

    worker = sub.add_parser(
        "worker", help="count a branch's cameras without a window, into the shared database",
        description="Runs the counting pipeline of every camera the branch assigns to workers (or of the cameras "
        "named) and writes occupancy, zone counts, line crossings and camera states to the database given with "
        "--db (a PostgreSQL server shared with the branch's console). Figures are buffered in a spool file in the "
        "data directory while the database is unreachable and written when it is back. Stops on SIGTERM or Ctrl+C. "
        "No login: the database URL's credentials are the worker's access.")
    worker.add_argument("--branch", required=True, metavar="CODE", help="the branch whose cameras to count")
    worker.add_argument("--camera", action="append", metavar="ID",
                        help="a camera to count (repeat for several; default: every camera assigned to workers)")

    db = sub.add_parser("db", help="database information and maintenance")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_sub.add_parser("info", help="print the database location, schema revision and row counts")
    db_purge = db_sub.add_parser(
        "purge", help="summarise and delete raw data older than the retention period",
        description="Tickets, ticket-feed events, counter states, appointments, occupancy samples, line crossings, "
        "camera state changes and alert snapshots of the days that ended at least DAYS days ago are deleted; "
        "their statistics (occupancy per half-hour, tickets per day and per half-hour) are kept, and one entry goes "
        "to the audit trail. Prints the rows per table before and after. Without --older-than: [privacy] "
        "retention_days of the settings (0 there: nothing is purged). The console also does this at start and "
        "once a day.")
    db_purge.add_argument("--older-than", type=_retention_days, metavar="DAYS",
                          help="days of raw data to keep, 7 to 3650 (default: the retention setting)")
    db_purge.add_argument("--dry-run", action="store_true", help="print what would be purged; change nothing")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.screenshot is not None and args.quit_after is None:
        parser.error("--screenshot needs --quit-after SECONDS (the picture is taken just before quitting)")
    if args.command is not None:
        gui_only = [name for name in ("demo", "window_branch", "region", "speed", "seed", "sim_start", "sim_date",
                                      "quit_after", "screenshot")
                    if getattr(args, name) not in (None, False)]
        if gui_only:
            flags = ", ".join("--" + n.removeprefix("window_").replace("_", "-") for n in gui_only)
            parser.error(f"{flags} only apply to the window, not to the '{args.command}' command")

    if args.command == "worker":  # opens the database itself: it waits for an unreachable server
        from console.cli_worker import run_worker

        return run_worker(args)

    from console.bootstrap import StartupError, prepare

    try:
        env = prepare(args)
    except StartupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        if args.command is None:
            from console.app import show_startup_error

            show_startup_error(str(exc))
        return 2

    if args.command is None:
        from console.app import run_gui

        return run_gui(env, args)

    from console import cli
    from console.access import AccessDenied
    from console.cli_access import LoginError, operator_for

    try:
        args.operator = operator_for(env, args)
        return cli.run(env, args)
    except (LoginError, AccessDenied) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    except cli.CommandError as exc:
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


if __name__ == "__main__":
    import multiprocessing

    multiprocessing.freeze_support()  # cameras run in child processes; needed by a frozen (bundled) console
    sys.exit(main())
