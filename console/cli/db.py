"""``db info`` and ``db purge``: where the database is, its schema revision and row counts; and the retention purge
(console/cli/purge.py). No Qt."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TextIO

from console.cli.common import retention_days

if TYPE_CHECKING:
    from console.bootstrap import Environment


def register(sub: argparse._SubParsersAction) -> None:
    from console.cli.purge import run_purge

    db = sub.add_parser("db", help="database information and maintenance")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_sub.add_parser("info", help="print the database location, schema revision and row counts").set_defaults(
        handler=run_db_info)
    db_purge = db_sub.add_parser(
        "purge", help="summarise and delete raw data older than the retention period",
        description="Tickets, ticket-feed events, counter states, appointments, occupancy samples, line crossings, "
        "camera state changes and alert snapshots of the days that ended at least DAYS days ago are deleted; "
        "their statistics (occupancy per half-hour, tickets per day and per half-hour) are kept, and one entry goes "
        "to the audit trail. Prints the rows per table before and after. Without --older-than: [privacy] "
        "retention_days of the settings (0 there: nothing is purged). The console also does this at start and "
        "once a day.")
    db_purge.add_argument("--older-than", type=retention_days, metavar="DAYS",
                          help="days of raw data to keep, 7 to 3650 (default: the retention setting)")
    db_purge.add_argument("--dry-run", action="store_true", help="print what would be purged; change nothing")
    db_purge.set_defaults(handler=run_purge)


def run_db_info(env: Environment, args: argparse.Namespace, out: TextIO) -> int:
    from storage import repository
    from storage.migrate import head_revision

    db = env.db
    out.write(f"database: {db.describe()}\n")
    revision = db.migration.to_revision if db.migration is not None else "?"
    out.write(f"schema revision: {revision} (this console's head: {head_revision()})\n")
    if db.migration is not None and db.migration.backup_path is not None:
        out.write(f"backup made before migrating: {db.migration.backup_path}\n")
    for table in ("branch", "counter", "staff", "shift", "ticket", "ticket_event", "occupancy_sample", "alert"):
        out.write(f"  {table:<18}{repository.count_rows(db, table):>10} rows\n")
    return 0
