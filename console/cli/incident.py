"""``incident report --type TYPE [--note TEXT] [--drill]`` and ``incident list``: report an incident from the command
line (a PC without the window, a script wired to a panic button) and read the day's incidents with their steps.
English output, or JSON with ``--json``. No Qt."""

from __future__ import annotations

import argparse
import json
import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TextIO
from zoneinfo import ZoneInfo

from console.cli.common import CommandError, add_branch, add_json, branch_clock, instant, pick_branch
from console.domain.incidents import IncidentType

if TYPE_CHECKING:
    from console.bootstrap import Environment

TYPES = tuple(t.value for t in IncidentType)


def _incident_type(text: str) -> IncidentType:
    try:
        return IncidentType(text.strip().lower())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an incident type (types: {', '.join(TYPES)})") from None


def register(sub: argparse._SubParsersAction) -> None:
    incident = sub.add_parser("incident", help="report an incident, and list the day's incidents",
                              description="Incidents beyond crowding: a medical emergency, a suspicious person, a "
                              "dispute, a robbery, a fire, a system outage, a self-service device fault, or other.")
    actions = incident.add_subparsers(dest="incident_command", metavar="ACTION", required=True)
    report = actions.add_parser("report", help="report an incident: it is raised as an alert at once, with its "
                                "emergency plan's steps")
    report.add_argument("--type", dest="incident_type", type=_incident_type, required=True, metavar="TYPE",
                        help=f"one of: {', '.join(TYPES)}")
    report.add_argument("--note", default="", metavar="TEXT", help="what happened, where (stored with the incident)")
    report.add_argument("--drill", action="store_true", help="a drill (演练): runs the same way, never counts as real")
    add_branch(report)
    add_json(report, help="a JSON object with the stored incident")
    listing = actions.add_parser("list", help="the incidents reported today (or since --since), with their steps")
    listing.add_argument("--since", metavar="ISO", help="reported at or after (default: the start of today)")
    add_branch(listing)
    add_json(listing, help="a JSON list of the incidents")
    incident.set_defaults(handler=run_incident)


def plan_language(setting: str) -> str:
    """The language of a plan's default steps: the settings' language, or the system's (LC_ALL, LANG) for
    "system" — without Qt, which the command line does not load."""
    if setting and setting != "system":
        return setting
    return os.environ.get("LC_ALL") or os.environ.get("LANG") or "en"


#: how long the command waits for the incident's messages, seconds (one retry, 2 s after the first try)
DELIVERY_WAIT_S = 30.0


def deliver_incident(env: Environment, code: str, task) -> list[dict]:
    """Send the incident just stored at once to the branch-wide chat robot and e-mail list and to the roles its plan
    names (console/domain/alert_routing.py), with one retry; a target not reached is named on stderr (the incident
    is stored all the same). Returns one ``{"channel", "target", "result"}`` per target."""
    import sys
    from dataclasses import replace

    from console.alerts.delivery import Notifier, configured, smtp_password
    from console.alerts.incidents import plan_roles, reported_record
    from storage.writer import apply_now

    settings = env.settings.alerts
    if not configured(settings):
        return []
    notifier = Notifier(replace(settings, retries=1, retry_after_s=2.0), lambda t: apply_now(env.db, t), code,
                        password=smtp_password(env.secrets))
    notifier.start()
    try:
        notifier.submit_incident(reported_record(task), plan_roles(env.db, code, IncidentType(task.kind)))
        notifier.drain(DELIVERY_WAIT_S)
    finally:
        notifier.stop()
    last: dict[tuple[str, str], str] = {}
    for channel, _event, result, target in notifier.log:
        last[(channel, target)] = result
    rows = [{"channel": c, "target": t, "result": r} for (c, t), r in last.items()]
    for row in rows:
        if row["result"] != "sent":
            print(f"incident stored, but not delivered by {row['channel']} to {row['target']}: {row['result']}",
                  file=sys.stderr)
    return rows


def _row(incident, tz: ZoneInfo) -> dict:
    def t(at: datetime | None) -> str | None:
        return at.astimezone(tz).isoformat(timespec="seconds") if at is not None else None

    return {"id": incident.alert_id, "type": incident.kind.value, "drill": incident.drill,
            "reported_at": t(incident.raised_at), "reported_by": incident.raised_by, "note": incident.note,
            "steps": [{"step": s.position + 1, "text": s.text, "done_at": t(s.done_at), "done_by": s.done_by}
                      for s in incident.steps],
            "closed_at": t(incident.closed_at), "closed_by": incident.closed_by, "summary": incident.summary}


def run_incident(env: Environment, args: argparse.Namespace, out: TextIO) -> int:
    from console.alerts.incidents import report_task
    from storage import repository
    from storage.writer import apply_now

    code = pick_branch(env, args.branch)
    branch = repository.load_branch(env.db, code)
    assert branch is not None
    tz = ZoneInfo(branch.timezone)
    if args.incident_command == "report":
        if len(args.note) > 200:
            raise CommandError(f"--note: {len(args.note)} characters; at most 200 are stored")
        operator = getattr(args, "operator", None)
        user = operator.username if operator is not None and operator.username else "console"
        task = report_task(env.db, code, args.incident_type, user, args.note.strip(), datetime.now(UTC),
                           drill=args.drill, language=plan_language(env.settings.ui.language))
        apply_now(env.db, task)
        incident = repository.load_incident(env.db, task.alert_id)
        assert incident is not None
        delivered = deliver_incident(env, code, task)
        if args.json:
            json.dump({**_row(incident, tz), "delivered": delivered}, out, ensure_ascii=False, indent=2)
            out.write("\n")
            return 0
        what = "drill" if incident.drill else "incident"
        out.write(f"{what} {incident.alert_id} reported: {incident.kind.value} at "
                  f"{incident.raised_at.astimezone(tz):%H:%M:%S} by {incident.raised_by}\n")
        for s in incident.steps:
            out.write(f"  [ ] {s.position + 1}. {s.text}\n")
        for d in (d for d in delivered if d["result"] == "sent"):
            out.write(f"  sent by {d['channel']} to {d['target']}\n")
        return 0
    since = instant(args.since, tz, "--since") if args.since else branch_clock(env, branch).replace(
        hour=0, minute=0, second=0, microsecond=0)
    rows = [_row(i, tz) for i in repository.load_incidents(env.db, code, since)]
    if args.json:
        json.dump(rows, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    out.write(f"Incidents since {since.isoformat()} - {branch.name} ({code}): {len(rows)}\n")
    for r in rows:
        done = sum(1 for s in r["steps"] if s["done_at"])
        state = f"closed {r['closed_at'][11:19]}" if r["closed_at"] else "open"
        out.write(f"  {r['reported_at'][:19]}  {r['type']:<14}{'drill ' if r['drill'] else ''}{state:<16}"
                  f"steps {done}/{len(r['steps'])}  {r['note']}\n")
    return 0
