"""``report --date D``: a day's queue and service figures from the stored tickets (console/domain/day_report.py),
as English text, JSON, or a CSV/Excel file; a day whose raw tickets were purged prints its kept statistics.
``report --from D --to D [--group-by day|week|month]``: a period's figures over all its tickets, with each group's
and each day's (console/domain/period_report.py). No Qt."""

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
from console.domain.period_report import GROUPINGS, PeriodReport

if TYPE_CHECKING:
    from console.bootstrap import Environment


def register(sub: argparse._SubParsersAction) -> None:
    report = sub.add_parser("report", help="print a day's queue and service figures",
                            description="A day's figures from the stored tickets (definitions in the user guide).")
    report.add_argument("--date", type=iso_date, metavar="YYYY-MM-DD",
                        help="branch-local day (default: today on the branch's clock; the demo branch's is the "
                        "demo's)")
    report.add_argument("--from", dest="first", type=iso_date, metavar="YYYY-MM-DD",
                        help="a period instead of one day: its first day (branch-local)")
    report.add_argument("--to", dest="last", type=iso_date, metavar="YYYY-MM-DD",
                        help="the period's last day, included (default: today on the branch's clock)")
    report.add_argument("--group-by", choices=GROUPINGS, default="day",
                        help="the period's figures per day, ISO week or calendar month as well (default: day)")
    add_branch(report)
    report.add_argument("--target-wait-minutes", type=positive_float, metavar="M",
                        help="service-level target: called within M minutes (default: [staffing] target_wait_min "
                        "of the settings, 10 unless changed)")
    add_json(report)
    add_export(report, help="also write the report to PATH, as CSV (.csv), Excel (.xlsx) or PDF (.pdf)")
    report.set_defaults(handler=run_report)


def run_report(env: Environment, args: argparse.Namespace, out: TextIO) -> int:
    from storage import repository

    code = pick_branch(env, args.branch)
    branch = repository.load_branch(env.db, code)
    assert branch is not None
    clock = branch_clock(env, branch)
    first, last = getattr(args, "first", None), getattr(args, "last", None)
    if first is not None or last is not None:
        if args.date is not None:
            raise CommandError("--date is one day; --from and --to a period: give one or the other")
        if first is None:
            raise CommandError("--to needs --from (the period's first day)")
        return _run_period(env, args, code, branch, first, last or clock.date(), clock, out)
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
        _export(args, report, args.export, f"{branch.name} ({code}) — {args.date.isoformat()}")
    if args.json:
        json.dump(report.to_json(), out, ensure_ascii=False, indent=2, default=str)
        out.write("\n")
    else:
        _print_report(report, branch.name, code, out)
    return 0


#: the longest period one report covers, days (a little over a year: a year and the same period a year earlier are
#: two reports)
MAX_PERIOD_DAYS = 400


def _run_period(env: Environment, args: argparse.Namespace, code: str, branch, first, last, clock, out: TextIO) -> int:
    """``report --from --to``: the period's figures over all its tickets, per group and per day."""
    from console.reports.period_figures import load_period_report
    from storage import aggregates

    if last < first:
        raise CommandError(f"--to {last.isoformat()} is before --from {first.isoformat()}")
    if (last - first).days + 1 > MAX_PERIOD_DAYS:
        raise CommandError(f"the period is {(last - first).days + 1} days; at most {MAX_PERIOD_DAYS} in one report")
    export = getattr(args, "export", None)
    if export is not None and export.suffix.lower() not in (".csv", ".xlsx", ".pdf"):
        raise CommandError(f"--export {export}: a period report is written as CSV (.csv), Excel (.xlsx) or PDF "
                           "(.pdf)")
    zone = ZoneInfo(branch.timezone)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    target = args.target_wait_minutes or env.settings.staffing.target_wait_min
    report, tasks = load_period_report(env.db, code, zone, first, last, today=clock.date(), target_wait_min=target,
                                       group_by=args.group_by, at=min(clock, end))
    if tasks:
        _store_summaries(env, tasks)
    purged = list(report.purged_days)
    if export is not None:
        _export(args, report, export, f"{branch.name} ({code}) — {first.isoformat()} to {last.isoformat()}")
    if args.json:
        data = report.to_json()
        if purged:
            from console.cli.purge import purged_report_json

            kept = [purged_report_json(d, aggregates.load_ticket_days(env.db, code, d, d + timedelta(days=1)),
                                       aggregates.load_ticket_slots(env.db, code, d, d + timedelta(days=1)))
                    for d in purged]
            data["days"] = sorted([*data["days"], *kept], key=lambda d: d["date"])  # type: ignore[index]
            data["note"] = (f"{len(purged)} of the {report.day_count} days were purged after the retention period: "
                            "their kept statistics are in days; the period's figures cover the tickets still stored")
        json.dump(data, out, ensure_ascii=False, indent=2, default=str)
        out.write("\n")
        return 0
    _print_period(report, branch.name, code, out)
    return 0


def _export(args: argparse.Namespace, report: DayReport | PeriodReport, path, title: str) -> None:
    """``--export``: CSV or Excel here; a PDF through ``args.pdf_writer`` (html, path), which main.py gives the
    command from the application shell, since drawing a PDF takes Qt and the command line has none."""
    from console.reports.export import ExportError, export_report, period_sections, sections, sections_html

    if path.suffix.lower() not in (".csv", ".xlsx", ".pdf"):
        raise CommandError(f"--export {path}: choose a .csv, .xlsx or .pdf file name")
    try:
        if path.suffix.lower() != ".pdf":
            export_report(report, path)
            return
        writer = getattr(args, "pdf_writer", None)
        if writer is None:
            raise CommandError(f"--export {path}: PDF files are written when the command runs through main.py")
        found = list(period_sections(report) if isinstance(report, PeriodReport) else sections(report))
        writer(sections_html(title, "", found), path)
    except ExportError as exc:
        raise CommandError(str(exc)) from None
    except OSError as exc:
        raise CommandError(f"--export {path}: cannot be written ({exc.strerror or exc})") from None


def _store_summaries(env: Environment, tasks: list) -> None:
    """Keep the closed days' summaries for the next report; a database that refuses the write (busy, read-only)
    costs the next report time, never this one."""
    import logging

    from sqlalchemy.exc import SQLAlchemyError

    from storage.writer import apply_now

    try:
        apply_now(env.db, *tasks)
    except SQLAlchemyError as exc:
        logging.getLogger(__name__).info("day summaries not stored: %s", type(exc).__name__)


def _print_period(p: PeriodReport, name: str, code: str, out: TextIO) -> None:
    w = out.write
    w(f"Report {p.first.isoformat()} to {p.last.isoformat()} ({p.day_count} days) - {name} ({code})\n")
    if p.purged_days:
        w(f"  {len(p.purged_days)} of these days were purged after the retention period ([privacy] retention_days): "
          "the figures below cover the tickets still stored; 'report --date DAY' shows a purged day's kept "
          "statistics\n")
    _print_figures(p.figures, out)
    w(f"  {'per ' + p.group_by + ':':<22}{'arrived':>7}{'served':>8}{'abandoned':>11}{'avg wait':>10}"
      f"{'90th pct':>10}{'service level':>15}\n")
    for g in p.groups:
        f = g.figures
        w(f"    {g.label:<20}{f.arrived:>7}{f.served:>8}{f.abandoned:>11}{number(f.avg_wait_min):>10}"
          f"{number(f.p90_wait_min):>10}{share(f.service_level):>15}\n")


def _print_report(r: DayReport, name: str, code: str, out: TextIO) -> None:
    out.write(f"Day report {r.date.isoformat()} - {name} ({code})\n")
    _print_figures(r, out)


def _print_figures(r: DayReport, out: TextIO) -> None:
    """The figures of a day or a period (its intervals by the time of day)."""
    w = out.write
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
    g = r.ratings
    if g is not None and g.rated:
        w(f"  customer ratings (1-5): {g.rated} rated, average {number(g.avg_score, digits=2)}, "
          f"{g.low} scored 1 or 2\n")
        for label, table in (("counter", g.per_counter), ("staff", g.per_staff), ("service type", g.per_service_type)):
            if table:
                w(f"    per {label}: " + "   ".join(f"{key} {number(f.avg_score, digits=2)} ({f.rated})"
                                                   for key, f in table.items()) + "\n")
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
