"""``report --date D``: a day's queue and service figures from the stored tickets (console/domain/day_report.py),
as English text, JSON, or a CSV/Excel file; a day whose raw tickets were purged prints its kept statistics.
No Qt."""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TextIO
from zoneinfo import ZoneInfo

from console.cli.common import (
    CommandError,
    add_branch,
    add_export,
    add_json,
    branch_clock,
    iso_date,
    number,
    pick_branch,
    positive_float,
    share,
)
from console.domain.day_report import DayReport, build_day_report

if TYPE_CHECKING:
    from console.bootstrap import Environment


def register(sub: argparse._SubParsersAction) -> None:
    report = sub.add_parser("report", help="print a day's queue and service figures",
                            description="A day's figures from the stored tickets (definitions in the user guide).")
    report.add_argument("--date", type=iso_date, metavar="YYYY-MM-DD",
                        help="branch-local day (default: today on the branch's clock; the demo branch's is the "
                        "demo's)")
    add_branch(report)
    report.add_argument("--target-wait-minutes", type=positive_float, metavar="M",
                        help="service-level target: called within M minutes (default: [staffing] target_wait_min "
                        "of the settings, 10 unless changed)")
    add_json(report)
    add_export(report)
    report.set_defaults(handler=run_report)


def run_report(env: Environment, args: argparse.Namespace, out: TextIO) -> int:
    from storage import repository

    code = pick_branch(env, args.branch)
    branch = repository.load_branch(env.db, code)
    assert branch is not None
    clock = branch_clock(env, branch)
    if args.date is None:
        args.date = clock.date()
    from console.cli.purge import report_purged_day
    from storage.aggregates import is_purged

    if getattr(args, "export", None) is not None and is_purged(env.db, code, args.date):
        raise CommandError(f"--export: the raw tickets of {args.date.isoformat()} were purged after the retention "
                           "period; only its statistics are kept (run the report without --export to see them)")
    if report_purged_day(env, code, branch.name, args.date, args.json, out):
        return 0
    zone = ZoneInfo(branch.timezone)
    start = datetime.combine(args.date, datetime.min.time(), tzinfo=zone)
    tickets = repository.load_tickets(env.db, code, start, start + timedelta(days=1))
    appointments = repository.load_appointments(env.db, code, start, start + timedelta(days=1))
    now = clock
    target = args.target_wait_minutes or env.settings.staffing.target_wait_min
    report = build_day_report(tickets, args.date, zone, target, appointments,
                              at=min(now, start + timedelta(days=1)))
    if getattr(args, "export", None) is not None:
        from console.reports.export import ExportError, export_report

        try:
            export_report(report, args.export)
        except ExportError as exc:
            raise CommandError(str(exc)) from None
    if args.json:
        json.dump(report.to_json(), out, ensure_ascii=False, indent=2, default=str)
        out.write("\n")
    else:
        _print_report(report, branch.name, code, out)
    return 0


def _print_report(r: DayReport, name: str, code: str, out: TextIO) -> None:
    w = out.write
    w(f"Day report {r.date.isoformat()} - {name} ({code})\n")
    w(f"  arrived {r.arrived}   served {r.served}   no-show {r.no_show}   abandoned {r.abandoned}   "
      f"still open {r.waiting}\n")
    w(f"  wait (min): average {number(r.avg_wait_min)}   90th percentile {number(r.p90_wait_min)}   "
      f"maximum {number(r.max_wait_min)}\n")
    w(f"  service level (called within {r.target_wait_min:g} min): {share(r.service_level)}\n")
    w(f"  transaction (min): average {number(r.avg_transaction_min)}   maximum {number(r.max_transaction_min)}\n")
    for label, g in (("priority", r.priority), ("ordinary", r.ordinary)):
        if g is not None and g.arrived:
            w(f"  {label + ' tickets:':<19}arrived {g.arrived}   served {g.served}   wait (min) average "
              f"{number(g.avg_wait_min)}   90th percentile {number(g.p90_wait_min)}   maximum {number(g.max_wait_min)}   "
              f"service level {share(g.service_level)}\n")
    a = r.appointments
    if a is not None and (a.booked or a.cancelled):
        w(f"  appointments: booked {a.booked}   cancelled {a.cancelled}   checked in {a.checked_in} (early {a.early}, "
          f"on time {a.on_time}, late {a.late})   missing {a.missing}\n")
        w(f"    wait after check-in (min): average {number(a.avg_wait_after_check_in_min)}   maximum "
          f"{number(a.max_wait_after_check_in_min)}   called within 5 min of slot/check-in "
          f"{share(a.called_on_time_share)}\n")
    if r.per_service_type:
        w("  per service type:       arrived  served  avg wait (min)\n")
        for name_, t in r.per_service_type.items():
            w(f"    {name_:<20}{t.arrived:>9}{t.served:>8}{number(t.avg_wait_min):>16}\n")
    if r.per_counter:
        w("  per counter:            served  avg transaction (min)  busy (min)\n")
        for cid, c in r.per_counter.items():
            w(f"    {cid:<20}{c.served:>8}{number(c.avg_transaction_min):>23}{c.busy_min:>12.1f}\n")
    if r.intervals:
        w("  30-minute intervals:    arrived  served  avg wait (min)\n")
        for i in r.intervals:
            w(f"    {i.start.strftime('%H:%M'):<20}{i.arrived:>9}{i.served:>8}{number(i.avg_wait_min):>16}\n")
