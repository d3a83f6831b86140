"""``alerts check --at ISO_TIME`` and ``alerts list``: the alerts active at an instant (replayed from stored data,
``console/alerts/replay.py``) and the stored alert history. English output, or JSON with ``--json``. No Qt."""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import TYPE_CHECKING, TextIO
from zoneinfo import ZoneInfo

from console.cli.common import add_branch, add_json, branch_clock, instant, pick_branch

if TYPE_CHECKING:
    from console.bootstrap import Environment


def register(sub: argparse._SubParsersAction) -> None:
    alerts = sub.add_parser("alerts", help="alerts at an instant, and the stored alert history")
    alerts_sub = alerts.add_subparsers(dest="alerts_command", metavar="ACTION", required=True)
    check = alerts_sub.add_parser(
        "check", help="the alerts active at an instant, from the data stored up to then",
        description="Evaluates the branch's alert rules as if the time were ISO_TIME, using only data stored with "
        "timestamps up to then (the day is replayed so sustain times and cooldowns count), and prints the alerts "
        "active at that moment. ISO_TIME without a UTC offset is the branch's local time.")
    check.add_argument("--at", required=True, metavar="ISO_TIME")
    add_branch(check)
    add_json(check, help="a JSON list of objects with rule, severity, subject, value, threshold, since")
    history = alerts_sub.add_parser("list", help="the stored alert history (raised, acknowledged, resolved)")
    history.add_argument("--since", metavar="ISO", help="raised at or after (default: the start of today)")
    add_branch(history)
    add_json(history, help="a JSON list of the stored alerts")
    alerts.set_defaults(handler=run_alerts)


def run_alerts(env: Environment, args: argparse.Namespace, out: TextIO) -> int:
    from console.alerts.store import load_rules
    from storage import repository

    code = pick_branch(env, args.branch)
    branch = repository.load_branch(env.db, code)
    assert branch is not None
    tz = ZoneInfo(branch.timezone)
    if args.alerts_command == "check":
        from console.alerts.replay import active_at

        at = instant(args.at, tz, "--at")
        staffing = env.settings.staffing
        active = active_at(env.db, branch, at, load_rules(env.db, code), staffing.target_wait_min,
                           staffing.target_share)
        rows = [{"rule": a.rule_id, "severity": a.severity.value, "subject": a.subject, "value": round(a.value, 3),
                 "threshold": a.threshold, "since": a.raised_at.astimezone(tz).isoformat()} for a in active]
        if args.json:
            json.dump(rows, out, ensure_ascii=False, indent=2)
            out.write("\n")
            return 0
        out.write(f"Alerts active at {at.isoformat()} - {branch.name} ({code}): {len(rows)}\n")
        for r in rows:
            out.write(f"  {r['severity']:<9}{r['rule']:<16}{r['subject']:<14}value {r['value']:<10g}"
                      f"threshold {r['threshold']:<8g}since {r['since'][11:19]}\n")
        return 0
    since = instant(args.since, tz, "--since") if args.since else branch_clock(env, branch).replace(
        hour=0, minute=0, second=0, microsecond=0)
    alerts = repository.load_alerts(env.db, code, since)

    def t(at: datetime | None) -> str | None:
        return at.astimezone(tz).isoformat() if at is not None else None

    rows = [{"id": a.alert_id, "rule": a.rule, "severity": a.severity.value, "subject": a.subject,
             "value": a.value, "threshold": a.threshold, "state": a.state.value, "raised_at": t(a.raised_at),
             "acknowledged_at": t(a.acknowledged_at), "acknowledged_by": a.acknowledged_by, "note": a.note,
             "resolved_at": t(a.resolved_at), "resolved_by": a.resolved_by, "escalated": a.escalated}
            for a in alerts]
    if args.json:
        json.dump(rows, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    out.write(f"Alerts since {since.isoformat()} - {branch.name} ({code}): {len(rows)}\n")
    for r in rows:
        ack = f" ack {r['acknowledged_by']} {r['acknowledged_at'][11:19]}" if r["acknowledged_at"] else ""
        end = f" resolved {r['resolved_at'][11:19]}" + (f" by {r['resolved_by']}" if r["resolved_by"] else "") \
            if r["resolved_at"] else ""
        out.write(f"  {r['raised_at'][:19]}  {r['severity']:<9}{r['rule']:<16}{r['subject']:<14}{r['state']:<13}"
                  f"{ack}{end}\n")
    return 0
