"""``tickets import FILE`` and ``appointments import FILE``: a ticketing system's ticket log or a booking system's
appointments, as CSV (console/feed/csv_import.py), stored as ticket-feed events. No Qt."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO
from zoneinfo import ZoneInfo

from console.cli.common import add_branch, pick_branch

if TYPE_CHECKING:
    from console.bootstrap import Environment

#: command → (what it imports, the CSV header it reads)
IMPORTS = {
    "tickets": ("a ticketing system's ticket log",
                "ticket_id,service_type,priority,issued_at,called_at,started_at,finished_at,counter_id,staff_id,"
                "outcome"),
    "appointments": ("the day's appointments (预约) from a booking system",
                     "appointment_id,service_type,due_at,booked_at,checked_in_at,cancelled_at,ticket_id (due_at: the "
                     "slot start)"),
}


def register(sub: argparse._SubParsersAction) -> None:
    for command, (what, header) in IMPORTS.items():
        group = sub.add_parser(command, help=f"import {what}")
        actions = group.add_subparsers(dest=f"{command}_command", metavar="ACTION", required=True)
        importer = actions.add_parser(
            "import", help=f"import {what} (CSV)",
            description=f"Import {what} with the header {header}. Times are ISO 8601; empty cells: the step did not "
            "happen. Rows that fail are listed on stderr with their line number and skipped; the rest are "
            "imported. Importing the same file again changes nothing. Exit code: 0 every row imported, 1 some rows "
            "rejected, 2 nothing imported (the file itself is unusable).")
        importer.add_argument("file", type=Path, metavar="FILE.csv")
        add_branch(importer)
        importer.add_argument("--encoding", metavar="NAME",
                              help="text encoding (default: UTF-8, else GB18030, else Windows-1252)")
        importer.set_defaults(handler=run_import)


def run_import(env: Environment, args: argparse.Namespace, out: TextIO) -> int:
    """``tickets import FILE`` and ``appointments import FILE``: see console/feed/csv_import.py for the rules; exit 0,
    1 (rows rejected) or 2 (file)."""
    from console.feed.csv_import import CsvFileError, read_log
    from storage import repository
    from storage.tasks import RecordAudit, StoreFeedEvents
    from storage.writer import apply_now

    code = pick_branch(env, args.branch)
    branch = repository.load_branch(env.db, code)
    assert branch is not None
    try:
        parsed = read_log(args.file, ZoneInfo(branch.timezone), args.encoding,
                          appointments=args.command == "appointments", names=dict(branch.service_names))
    except CsvFileError as exc:
        print(f"error: {args.file} {exc}; nothing imported", file=sys.stderr)
        return 2
    for rejected in parsed.rejected:
        print(f"{args.file}:{rejected.line}: {rejected.reason}", file=sys.stderr)
    task = StoreFeedEvents(code, tuple(parsed.events))
    what = "appointments" if args.command == "appointments" else "tickets"
    if parsed.events:
        audit = RecordAudit(args.operator.username, f"{what}.import", "import", f"{code}/{args.file.name}", None,
                            {"file": str(args.file), "rows": parsed.rows, "events": len(parsed.events),
                             "rejected": len(parsed.rejected)}, datetime.now(UTC))
        apply_now(env.db, task, audit)
    print(f"{args.file} ({parsed.encoding}): {parsed.rows} rows, {parsed.tickets} {what} imported into branch "
          f"{code}, {len(parsed.rejected)} rows rejected; {task.stored} new events, {task.duplicates} already "
          f"stored", file=out)
    return 1 if parsed.rejected else 0
