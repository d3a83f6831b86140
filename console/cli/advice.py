"""``advice --at ISO_TIME``: what the live staffing advice would have proposed at an instant, replayed from the
stored data (console/alerts/advice_replay.py), so a manager can review a day and tests can check the advice
without a window. English output, or JSON with ``--json``. No Qt."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, TextIO
from zoneinfo import ZoneInfo

from console.cli.common import add_branch, add_json, branch_clock, instant, pick_branch

if TYPE_CHECKING:
    from console.bootstrap import Environment


def register(sub: argparse._SubParsersAction) -> None:
    advice = sub.add_parser(
        "advice", help="the staffing advice at an instant, from the data stored up to then",
        description="Replays the live staffing advice as if the time were ISO_TIME, from the counters, tickets, "
        "staff and roster stored up to then, and prints each service type's need against the counters working and "
        "the proposals, cheapest first. ISO_TIME without a UTC offset is the branch's local time.")
    advice.add_argument("--at", metavar="ISO_TIME", help="default: now on the branch's clock (the demo branch's is "
                        "the demo's)")
    add_branch(advice)
    add_json(advice, help="a JSON list of proposals: action, counter_id, staff_id, service_types, queue, "
                          "expected_wait_min_after (action \"divert\": more needed than the counters taking the "
                          "queue, counters_able says how many do)")
    advice.set_defaults(handler=run_advice)


def proposals(result) -> list[dict]:
    """The proposals of an ``AdviceResult`` as the JSON rows of ``advice --json``."""
    from console.domain.advice import expected_waits_after

    rows = []
    for a, wait_s in zip(result.advice, expected_waits_after(result.advice), strict=True):
        last = a.commands[-1]
        types = next((c.service_types for c in a.commands if c.service_types), ())
        rows.append({"action": a.kind.value, "counter_id": a.counter_id, "staff_id": a.staff_id,
                     "staff_name": result.names.get(a.staff_id or "", None),
                     "service_types": [t.value for t in types], "queue": a.service_type.value,
                     "commands": [c.action.value for c in a.commands], "final_action": last.action.value,
                     "waiting": a.load.waiting, "counters_working": a.load.working,
                     "counters_needed": a.load.required, "counter_time_min": round(a.load.counter_time_s / 60, 1),
                     "expected_wait_min_after": round(wait_s / 60, 1)})
    for ld in result.loads:  # more needed than the counters able to take the type: divert (分流)
        if ld.beyond_counters and ld.waiting > 0:
            rows.append({"action": "divert", "counter_id": None, "staff_id": None, "staff_name": None,
                         "service_types": [ld.service_type.value], "queue": ld.service_type.value, "commands": [],
                         "final_action": None, "waiting": ld.waiting, "counters_working": ld.working,
                         "counters_needed": ld.required, "counters_able": ld.able,
                         "counter_time_min": round(ld.counter_time_s / 60, 1), "expected_wait_min_after": None})
    return rows


def run_advice(env: Environment, args: argparse.Namespace, out: TextIO) -> int:
    from console.alerts.advice_replay import advice_at
    from storage import repository

    code = pick_branch(env, args.branch)
    branch = repository.load_branch(env.db, code)
    assert branch is not None
    tz = ZoneInfo(branch.timezone)
    at = instant(args.at, tz, "--at") if args.at else branch_clock(env, branch)
    staffing = env.settings.staffing
    result = advice_at(env.db, branch, at, staffing.target_wait_min, staffing.target_share)
    rows = proposals(result)
    if args.json:
        json.dump(rows, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    out.write(f"Staffing advice at {at.isoformat()} - {branch.name} ({code})\n")
    for ld in result.loads:
        only = "" if not ld.beyond_counters else " (only one counter takes it)" if ld.able == 1 else \
            f" (only {ld.able} counters take it)"
        out.write(f"  {ld.service_type.value:<10} waiting {ld.waiting:>3}  counters working {ld.working} of "
                  f"{ld.required} needed{only}  ({ld.arrivals_per_hour:.0f} arrivals/h, {ld.counter_time_s / 60:.1f} "
                  f"min a customer)\n")
    if not rows:
        out.write("  no proposal\n")
    for r in rows:
        if r["action"] == "divert":
            able = "only one takes" if r["counters_able"] == 1 else f"only {r['counters_able']} take"
            out.write(f"  divert           {r['queue']}: {r['counters_needed']} counters needed, {able} it: guide its customers to the self-service machines or smart "
                      f"counters for what they can do there, and call the longest waits first\n")
            continue
        who = f" with {r['staff_name']} ({r['staff_id']})" if r["staff_id"] else ""
        out.write(f"  {r['action']:<16} counter {r['counter_id']}{who} for {r['queue']}: "
                  f"{' then '.join(r['commands'])}; expected wait after {r['expected_wait_min_after']:g} min "
                  f"({r['waiting']} waiting × {r['counter_time_min']:g} min ÷ counters)\n")
    return 0
