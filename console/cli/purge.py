"""``db purge`` and the ``report`` of a day whose raw data was purged (storage/retention.py, storage/aggregates.py).

English plain text on stdout; problems on stderr with a non-zero exit (``CommandError``). No Qt.
"""

from __future__ import annotations

import argparse
import json
from datetime import date, timedelta
from typing import TYPE_CHECKING, TextIO

from console.domain.day_stats import ALL_TYPES, TicketDay, TicketSlot

if TYPE_CHECKING:
    from console.bootstrap import Environment


def _operator(args: argparse.Namespace) -> str:
    operator = getattr(args, "operator", None)
    if operator is not None:
        return operator.username
    from console.security.access import console_user

    return console_user()


def run_purge(env: Environment, args: argparse.Namespace, out: TextIO) -> int:
    """``db purge [--older-than DAYS] [--dry-run]``: rows per table before and after; exit 0."""
    from storage.retention import COUNTED_TABLES, purge

    days = args.older_than if args.older_than is not None else env.settings.privacy.retention_days
    if days == 0:
        out.write("retention_days is 0 in [privacy] of the settings (raw data is kept forever): nothing purged; "
                  "use --older-than DAYS to purge once\n")
        return 0
    from console.alerts.snapshots import snapshot_folder  # here: it loads OpenCV, which other commands do not need

    folder = snapshot_folder(env.settings.privacy, env.data_dir)
    result = purge(env.db, days, snapshot_folder=folder, user=_operator(args), dry_run=args.dry_run,
                   target_wait_min=env.settings.staffing.target_wait_min)
    kept = ", ".join(f"{code} from {day.isoformat()}" for code, day in result.first_day_kept.items()) or "no branch"
    head = "dry run, nothing changed: would purge" if result.dry_run else "purged"
    out.write(f"{head} raw data older than {days} days in {env.db.describe()} (raw data kept: {kept})\n")
    out.write(f"  {'table':<20}{'before':>10}{'after':>10}\n")
    for table in COUNTED_TABLES:
        out.write(f"  {table:<20}{result.before[table]:>10}{result.after[table]:>10}\n")
    verb = "would be deleted" if result.dry_run else "deleted"
    out.write(f"  snapshot files {verb} from {folder}: {result.snapshot_files}\n")
    return 0


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / 60


def purged_report_json(day: date, rows: list[TicketDay], slots: list[TicketSlot]) -> dict[str, object]:
    """The stored statistics of a purged day, for ``report --json``: waits in minutes."""
    def figures(t: TicketDay) -> dict[str, object]:
        return {"arrived": t.issued, "served": t.served, "no_show": t.no_show, "abandoned": t.abandoned,
                "waiting": t.open, "called": t.called, "avg_wait_min": _minutes(t.avg_wait_s),
                "p90_wait_min": _minutes(t.p90_wait_s), "max_wait_min": _minutes(t.max_wait_s),
                "service_level": t.service_level, "service_level_target_min": t.target_wait_s / 60,
                "avg_transaction_min": _minutes(t.avg_handling_s), "max_transaction_min": _minutes(t.max_handling_s)}

    total = next((r for r in rows if r.service_type == ALL_TYPES), None)
    return {"date": day.isoformat(), "purged": True,
            "note": "the raw tickets of this day were purged after the retention period; stored statistics",
            **(figures(total) if total is not None else {}),
            "per_service_type": {r.service_type: figures(r) for r in rows if r.service_type != ALL_TYPES},
            "intervals": _intervals(slots)}


def _intervals(slots: list[TicketSlot]) -> list[dict[str, object]]:
    by_slot: dict[str, list[float]] = {}
    for s in slots:
        v = by_slot.setdefault(s.slot.strftime("%H:%M"), [0, 0, 0, 0.0])
        v[0] += s.issued
        v[1] += s.served
        v[2] += s.called
        v[3] += s.wait_sum_s
    return [{"start": k, "arrived": int(v[0]), "served": int(v[1]),
             "avg_wait_min": (v[3] / v[2] / 60) if v[2] else None} for k, v in sorted(by_slot.items())]


def report_purged_day(env: Environment, code: str, name: str, day: date, as_json: bool, out: TextIO) -> bool:
    """Print the stored statistics of ``day`` when its raw tickets were purged; False when it was not purged."""
    from storage import aggregates

    if not aggregates.is_purged(env.db, code, day):
        return False
    rows = aggregates.load_ticket_days(env.db, code, day, day + timedelta(days=1))
    slots = aggregates.load_ticket_slots(env.db, code, day, day + timedelta(days=1))
    if as_json:
        json.dump(purged_report_json(day, rows, slots), out, ensure_ascii=False, indent=2)
        out.write("\n")
        return True
    w = out.write
    w(f"Day report {day.isoformat()} - {name} ({code})\n")
    w("  the raw tickets of this day were purged after the retention period ([privacy] retention_days);\n"
      "  these are the statistics kept (no per-counter figures, no appointments)\n")
    total = next((r for r in rows if r.service_type == ALL_TYPES), None)
    if total is None:
        w("  no tickets were stored for this day\n")
        return True

    def fmt(seconds: float | None) -> str:
        return "—" if seconds is None else f"{seconds / 60:.1f}"

    level = "—" if total.service_level is None else f"{total.service_level * 100:.1f}%"
    w(f"  arrived {total.issued}   served {total.served}   no-show {total.no_show}   abandoned {total.abandoned}   "
      f"still open {total.open}\n")
    w(f"  wait (min): average {fmt(total.avg_wait_s)}   90th percentile {fmt(total.p90_wait_s)}   "
      f"maximum {fmt(total.max_wait_s)}\n")
    w(f"  service level (called within {total.target_wait_s / 60:g} min, as stored): {level}\n")
    w(f"  transaction (min): average {fmt(total.avg_handling_s)}   maximum {fmt(total.max_handling_s)}\n")
    w("  per service type:       arrived  served  avg wait (min)  90th pct (min)  service level\n")
    for r in rows:
        if r.service_type == ALL_TYPES:
            continue
        share = "—" if r.service_level is None else f"{r.service_level * 100:.1f}%"
        w(f"    {r.service_type:<20}{r.issued:>9}{r.served:>8}{fmt(r.avg_wait_s):>16}{fmt(r.p90_wait_s):>16}"
          f"{share:>15}\n")
    intervals = _intervals(slots)
    if intervals:
        w("  30-minute intervals:    arrived  served  avg wait (min)\n")
        for i in intervals:
            avg = "—" if i["avg_wait_min"] is None else f"{i['avg_wait_min']:.1f}"
            w(f"    {i['start']:<20}{i['arrived']:>9}{i['served']:>8}{avg:>16}\n")
    return True


def purge_notice(env: Environment, args: argparse.Namespace) -> str | None:
    """A note for stderr when a command reads raw data of days that were purged (``alerts check --at``,
    ``attendance --month``): their figures would otherwise look like a quiet day."""
    from storage import aggregates

    if args.command == "alerts" and getattr(args, "alerts_command", None) == "check":
        try:
            first = last = date.fromisoformat(str(args.at).strip()[:10])
        except ValueError:
            return None  # the command itself names the bad --at
        what = f"--at {args.at}"
    elif args.command == "attendance" and getattr(args, "month", None) is not None:
        first = args.month
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        what = f"--month {first.strftime('%Y-%m')}"
    else:
        return None
    from console.cli.common import CommandError, pick_branch

    try:
        code = pick_branch(env, getattr(args, "branch", None))
    except CommandError:
        return None  # the command itself names the problem
    kept_from = aggregates.purged_before(env.db, code)
    if kept_from is None or first >= kept_from:
        return None
    scope = "the day's" if first == last else ("the month's" if last < kept_from else "part of the month's")
    return (f"note: {what}: {scope} raw data (tickets, feed events, samples) was purged after the retention period "
            f"(kept from {kept_from.isoformat()}); the result leaves out what was purged")
