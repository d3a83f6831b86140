"""``audit verify`` and ``audit export``: check the audit trail's hash chain, and write entries as CSV or JSON.
CSV cells go through ``safe_cell`` (user names and entity ids come from imports and the API: a text a spreadsheet
would run as a formula is written as text). English output; no Qt."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TextIO

from console.cli.common import CommandError
from console.domain.audit_chain import verify
from console.reports.cell_safety import safe_row

if TYPE_CHECKING:
    from console.bootstrap import Environment

COLUMNS = ("id", "at", "user", "action", "entity", "entity_id", "before", "after", "hash")


def register(sub: argparse._SubParsersAction) -> None:
    audit = sub.add_parser("audit", help="check and export the audit trail")
    audit_sub = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    audit_sub.add_parser("verify", help="check the hash chain: prints 'intact', or the first broken entry (exit 1)")
    audit_export = audit_sub.add_parser("export", help="write audit entries to stdout")
    audit_export.add_argument("--since", metavar="ISO", help="entries at or after (UTC when no offset is given)")
    audit_export.add_argument("--format", choices=("csv", "json"), default="csv")
    audit.set_defaults(handler=run_audit)


def run_audit(env: Environment, args: argparse.Namespace, out: TextIO) -> int:
    from storage import repository

    entries = repository.load_audit_chain(env.db)
    if args.audit_command == "verify":
        broken = verify(entries)
        if broken is None:
            out.write(f"intact: {len(entries)} audit entries, every link checked\n")
            return 0
        what = ("its content was changed after it was written" if broken.reason == "edited"
                else "the entry before it was deleted or the order was changed")
        print(f"broken at audit entry {broken.entry_id}: {what}", file=sys.stderr)
        return 1
    since = None
    if args.since:
        try:
            since = datetime.fromisoformat(args.since)
        except ValueError:
            raise CommandError(f"--since {args.since!r} is not an ISO 8601 time") from None
        since = since.replace(tzinfo=UTC) if since.tzinfo is None else since
    rows = [e for e in entries if since is None or e["at"] >= since]
    if args.format == "json":
        json.dump([{**{k: e[k] for k in COLUMNS}, "at": e["at"].isoformat()} for e in rows], out,
                  ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    writer = csv.writer(out)
    writer.writerow(safe_row(COLUMNS))
    for e in rows:
        writer.writerow(safe_row([e["id"], e["at"].isoformat(), e["user"], e["action"], e["entity"], e["entity_id"],
                                  json.dumps(e["before"], ensure_ascii=False),
                                  json.dumps(e["after"], ensure_ascii=False), e["hash"]]))
    return 0
