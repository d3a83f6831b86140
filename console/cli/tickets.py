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
    1 (rows rejected) or 2 (file). The file is read and stored a batch of rows at a time (memory bounded whatever
    its size), each batch in its own transaction; rejected rows are listed as they are found. A file that breaks
    half-way (invalid CSV further on) keeps the batches already stored; importing it again once mended adds the
    rest."""
    from console.feed.csv_import import CsvFileError, read_batches
    from console.feed.events import FeedWindow
    from storage import repository
    from storage.tasks import RecordAudit, StoreFeedEvents, StoreTicketLog
    from storage.writer import apply_now

    code = pick_branch(env, args.branch)
    branch = repository.load_branch(env.db, code)
    assert branch is not None
    appointments = args.command == "appointments"
    api = env.settings.api
    batches = read_batches(args.file, ZoneInfo(branch.timezone), args.encoding, appointments=appointments,
                           names=dict(branch.service_names),
                           window=FeedWindow(api.oldest_event_days, api.future_event_hours))
    rows = tickets = rejected = stored = duplicates = 0
    encoding = ""
    broken = ""
    try:
        for batch in batches:
            encoding = batch.encoding
            rows, tickets, rejected = rows + batch.rows, tickets + batch.tickets, rejected + len(batch.rejected)
            for row in batch.rejected:
                print(f"{args.file}:{row.line}: {row.reason}", file=sys.stderr)
            if not batch.groups:
                continue
            if appointments:
                task: StoreFeedEvents | StoreTicketLog = StoreFeedEvents(code, tuple(batch.events))
            else:
                task = StoreTicketLog(code, tuple(batch.groups))
            apply_now(env.db, task)
            stored, duplicates = stored + task.stored, duplicates + task.duplicates
    except CsvFileError as exc:
        if not rows:
            print(f"error: {args.file} {exc}; nothing imported", file=sys.stderr)
            return 2
        broken = str(exc)
        print(f"error: {args.file} {exc}; the rows before it are imported, the rest is not", file=sys.stderr)
    what = "appointments" if appointments else "tickets"
    if stored or duplicates:
        apply_now(env.db, RecordAudit(args.operator.username, f"{what}.import", "import", f"{code}/{args.file.name}",
                                      None, {"file": str(args.file), "rows": rows, "events": stored + duplicates,
                                             "new_events": stored, "rejected": rejected,
                                             **({"stopped": broken} if broken else {})}, datetime.now(UTC)))
    print(f"{args.file} ({encoding}): {rows} rows, {tickets} {what} imported into branch {code}, {rejected} rows "
          f"rejected; {stored} new events, {duplicates} already stored", file=out)
    return 2 if broken else 1 if rejected else 0
