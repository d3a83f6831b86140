"""``audit verify`` and ``audit export``: check the audit trail's keyed hash chain and its anchor, and write entries as
CSV or JSON; ``audit key-export`` and ``audit key-import`` copy the audit key to another PC that writes the same
database (console/security/audit_seal.py).
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
from console.reports.cell_safety import safe_row

if TYPE_CHECKING:
    from console.bootstrap import Environment

COLUMNS = ("id", "at", "user", "action", "entity", "entity_id", "before", "after", "hash")


def register(sub: argparse._SubParsersAction) -> None:
    audit = sub.add_parser("audit", help="check and export the audit trail")
    audit_sub = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    audit_sub.add_parser("verify", help="check the keyed hash chain and the anchor outside the database: prints "
                                        "'intact', or the entry that was edited, deleted, inserted or cut off (exit 1)")
    audit_sub.add_parser("key-export", help="print this PC's audit key, for audit key-import on another PC that "
                                            "writes the same database (keep it secret)")
    audit_sub.add_parser("key-import", help="read an audit key (64 hex digits, from audit key-export) from stdin and "
                                            "keep it in this PC's secret store")
    audit_export = audit_sub.add_parser("export", help="write audit entries to stdout")
    audit_export.add_argument("--since", metavar="ISO", help="entries at or after (UTC when no offset is given)")
    audit_export.add_argument("--format", choices=("csv", "json"), default="csv")
    audit.set_defaults(handler=run_audit)


#: what each broken link means, for the person reading ``audit verify``
WHAT = {
    "edited": "its content or hash was changed after it was written, or it was inserted with a forged hash (or this "
              "PC's audit key is not the one that wrote the trail: audit key-import)",
    "missing before": "entries before it were deleted, or the order was changed",
    "not sealed": "it was written into the database without the audit key (not by the console)",
    "truncated": "the newest entries were deleted: the trail ends here but the anchor names a later head",
}


def run_audit(env: Environment, args: argparse.Namespace, out: TextIO) -> int:
    from console.security.audit_seal import AuditKeyError, audit_key, import_key, verify_trail
    from storage import repository

    if args.audit_command == "key-export":
        out.write(f"{audit_key(env.secrets).hex()}\n")
        return 0
    if args.audit_command == "key-import":
        try:
            import_key(env.secrets, sys.stdin.readline())
        except AuditKeyError as exc:
            raise CommandError(str(exc)) from None
        out.write("audit key stored in this PC's secret store; restart the console to use it\n")
        return 0
    if env.audit_seal is None:
        raise CommandError("the audit trail cannot be checked: no audit key is in use")
    entries = repository.load_audit_chain(env.db)
    if args.audit_command == "verify":
        broken = verify_trail(env.db, env.audit_seal)
        if broken is None:
            anchors = "the anchor outside the database agrees" if env.audit_seal.anchor and \
                env.audit_seal.anchor.exists() else "no anchor on this PC yet"
            head = entries[-1]["hash"][:16] if entries else "-"
            out.write(f"intact: {len(entries)} audit entries, every link checked with the audit key; {anchors}; "
                      f"head {head}…\n")
            return 0
        print(f"broken at audit entry {broken.entry_id}: {WHAT[broken.reason]}"
              + (f" ({broken.detail})" if broken.detail else ""), file=sys.stderr)
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
