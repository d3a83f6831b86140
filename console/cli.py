"""Subcommands of ``main.py`` that run without a window: report, simulate, db.

Output is English plain text (or JSON with ``--json``) on stdout; problems go to stderr with a non-zero exit.
No Qt imports.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from datetime import UTC, date, datetime, timedelta
from typing import TextIO
from zoneinfo import ZoneInfo

from console.bootstrap import Environment
from console.demo import DemoDay, DemoRecorder, seed_for_day
from console.domain.day_report import DayReport, build_day_report
from storage import repository
from storage.migrate import head_revision
from storage.writer import apply_now


class CommandError(Exception):
    """A subcommand cannot do what was asked; the message names the input."""


def run(env: Environment, args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    from console.cli_retention import purge_notice

    if (notice := purge_notice(env, args)) is not None:
        print(notice, file=sys.stderr)
    if args.command == "report":
        return _report(env, args, out)
    if args.command == "simulate":
        return _simulate(env, args, out)
    if args.command == "roster":
        from console.cli_roster import run_roster

        return run_roster(env, args, out)
    if args.command == "attendance":
        from console.cli_roster import run_attendance

        return run_attendance(env, args, out)
    if args.command == "forecast":
        from console.cli_demand import run_forecast

        return run_forecast(env, args, out)
    if args.command == "staffing":
        return _staffing(args, out)
    if args.command == "db":
        if getattr(args, "db_command", "info") == "purge":
            from console.cli_retention import run_purge

            return run_purge(env, args, out)
        return _db_info(env, out)
    if args.command == "users":
        from console.cli_users import run_users

        return run_users(env, args, out)
    if args.command == "api":
        from console.cli_api import run_api

        return run_api(env, args, out)
    if args.command == "audit":
        from console.cli_audit import run_audit

        return run_audit(env, args, out)
    if args.command == "alerts":
        from console.cli_alerts import run_alerts

        return run_alerts(env, args, out)
    if args.command == "evaluate":
        from console.cli_camera import run_evaluate

        return run_evaluate(env, args, out)
    if args.command in ("tickets", "appointments"):
        return _tickets_import(env, args, out)
    if args.command == "models":
        from console.cli_camera import run_models

        return run_models(env, args, out)
    if args.command == "cameras":
        from console.cli_camera import run_cameras

        return run_cameras(env, args, out)
    raise CommandError(f"unknown command {args.command!r}")


def _tickets_import(env: Environment, args: argparse.Namespace, out: TextIO) -> int:
    """``tickets import FILE`` and ``appointments import FILE``: see console/ticket_csv.py for the rules; exit 0,
    1 (rows rejected) or 2 (file)."""
    from console.ticket_csv import CsvFileError, read_log
    from storage.tasks import RecordAudit, StoreFeedEvents

    code = _pick_branch(env, args.branch)
    branch = repository.load_branch(env.db, code)
    assert branch is not None
    try:
        parsed = read_log(args.file, ZoneInfo(branch.timezone), args.encoding,
                          appointments=args.command == "appointments")
    except CsvFileError as exc:
        print(f"error: {args.file} {exc}; nothing imported", file=sys.stderr)
        return 2
    for rejected in parsed.rejected:
        print(f"{args.file}:{rejected.line}: {rejected.reason}", file=sys.stderr)
    task = StoreFeedEvents(code, tuple(parsed.events))
    what = "appointments" if args.command == "appointments" else "tickets"
    if parsed.events:
        audit = RecordAudit(args.operator.username, f"{what}.import", "import", f"{code}/{args.file.name}", None,
                            {"file": str(args.file), "rows": parsed.rows, "events": len(parsed.events),
                             "rejected": len(parsed.rejected)}, datetime.now(UTC))
        apply_now(env.db, task, audit)
    print(f"{args.file} ({parsed.encoding}): {parsed.rows} rows, {parsed.tickets} {what} imported into branch "
          f"{code}, {len(parsed.rejected)} rows rejected; {task.stored} new events, {task.duplicates} already "
          f"stored", file=out)
    return 1 if parsed.rejected else 0


def _staffing(args: argparse.Namespace, out: TextIO) -> int:
    """``staffing``: Erlang C / Erlang A figures (console/domain/staffing.py); bad values raise CommandError."""
    from console.domain.staffing import StaffingError, counters_required, erlang_a, erlang_c

    for name, value in (("--arrivals-per-hour", args.arrivals_per_hour), ("--aht-minutes", args.aht_minutes),
                        ("--target-wait-minutes", args.target_wait_minutes)):
        if not math.isfinite(value) or value < 0:
            raise CommandError(f"{name} must be a number ≥ 0, got {value:g}")
    if args.aht_minutes == 0:
        raise CommandError("--aht-minutes must be above 0")
    if not 0 < args.target_share < 1:
        raise CommandError(f"--target-share must be a fraction between 0 and 1 (0.8 for 80%), got "
                           f"{args.target_share:g}")
    if args.patience_minutes is not None and not (math.isfinite(args.patience_minutes) and args.patience_minutes > 0):
        raise CommandError(f"--patience-minutes must be above 0, got {args.patience_minutes:g}")
    if args.counters is not None and args.counters < 1:
        raise CommandError(f"--counters must be at least 1, got {args.counters}")
    lam, aht, target = args.arrivals_per_hour / 3600, args.aht_minutes * 60, args.target_wait_minutes * 60
    patience = args.patience_minutes * 60 if args.patience_minutes is not None else None
    load = lam * aht
    model = "erlang_c" if patience is None else "erlang_a"
    try:
        if args.counters is not None:
            if patience is None:
                if load >= args.counters:
                    raise CommandError(f"--counters {args.counters} cannot carry a load of {load:.2f} Erlangs "
                                       f"({args.arrivals_per_hour:g} arrivals/h × {args.aht_minutes:g} min): with "
                                       "load ≥ counters the queue grows without bound (add --patience-minutes to "
                                       "model customers who give up)")
                figures = erlang_c(lam, aht, args.counters, target)
            else:
                figures = erlang_a(lam, aht, args.counters, target, patience)
        else:
            answer = counters_required(lam, aht, target, args.target_share, patience)
            figures = answer.figures
    except StaffingError as exc:
        raise CommandError(str(exc)) from None
    data = {"counters_required": figures.counters, "service_level": figures.service_level,
            "prob_wait": figures.prob_wait, "occupancy": figures.occupancy, "avg_wait_min": figures.avg_wait_s / 60,
            "model": model, "load_erlangs": load}
    if patience is not None:
        data["abandon_share"] = figures.abandon_share
    if args.json:
        json.dump(data, out, indent=2)
        out.write("\n")
        return 0
    head = (f"with {figures.counters} counters" if args.counters is not None
            else f"counters required: {figures.counters}")
    out.write(f"{head}   (load {load:.2f} Erlangs, {'Erlang A' if patience else 'Erlang C'})\n")
    out.write(f"  service level (within {args.target_wait_minutes:g} min): {_share(figures.service_level)}   "
              f"target {_share(args.target_share)}\n")
    out.write(f"  probability of waiting: {_share(figures.prob_wait)}   mean wait: {figures.avg_wait_s / 60:.2f} min   "
              f"occupancy: {_share(figures.occupancy)}\n")
    if patience is not None:
        out.write(f"  customers who give up: {_share(figures.abandon_share)}\n")
    return 0


def _pick_branch(env: Environment, code: str | None) -> str:
    branches = repository.list_branches(env.db)
    codes = [b.code for b in branches]
    if code is not None:
        if code not in codes:
            known = ", ".join(codes) or "none yet (run 'simulate' or start the console once)"
            raise CommandError(f"--branch {code!r} is not in the database {env.db.describe()}; branches: {known}")
        return code
    real = [b.code for b in branches if not b.is_demo]
    if len(real) == 1:
        return real[0]
    if len(real) > 1:
        raise CommandError(f"several branches in the database ({', '.join(real)}): choose one with --branch")
    if codes:
        return codes[0]
    raise CommandError(f"the database {env.db.describe()} holds no branch yet (run 'simulate' or start the console once)")


def _fmt(value: float | None, unit: str = "", digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}{unit}"


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _report(env: Environment, args: argparse.Namespace, out: TextIO) -> int:
    code = _pick_branch(env, args.branch)
    branch = repository.load_branch(env.db, code)
    assert branch is not None
    from console.cli_retention import report_purged_day
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
    now = datetime.now(zone)
    report = build_day_report(tickets, args.date, zone, args.target_wait_minutes, appointments,
                              at=min(now, start + timedelta(days=1)))
    if getattr(args, "export", None) is not None:
        from console.report_export import ExportError, export_report

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
    w(f"  wait (min): average {_fmt(r.avg_wait_min)}   90th percentile {_fmt(r.p90_wait_min)}   "
      f"maximum {_fmt(r.max_wait_min)}\n")
    w(f"  service level (called within {r.target_wait_min:g} min): {_share(r.service_level)}\n")
    w(f"  transaction (min): average {_fmt(r.avg_transaction_min)}   maximum {_fmt(r.max_transaction_min)}\n")
    for label, g in (("priority", r.priority), ("ordinary", r.ordinary)):
        if g is not None and g.arrived:
            w(f"  {label + ' tickets:':<19}arrived {g.arrived}   served {g.served}   wait (min) average "
              f"{_fmt(g.avg_wait_min)}   90th percentile {_fmt(g.p90_wait_min)}   maximum {_fmt(g.max_wait_min)}   "
              f"service level {_share(g.service_level)}\n")
    a = r.appointments
    if a is not None and (a.booked or a.cancelled):
        w(f"  appointments: booked {a.booked}   cancelled {a.cancelled}   checked in {a.checked_in} (early {a.early}, "
          f"on time {a.on_time}, late {a.late})   missing {a.missing}\n")
        w(f"    wait after check-in (min): average {_fmt(a.avg_wait_after_check_in_min)}   maximum "
          f"{_fmt(a.max_wait_after_check_in_min)}   called within 5 min of slot/check-in "
          f"{_share(a.called_on_time_share)}\n")
    if r.per_service_type:
        w("  per service type:       arrived  served  avg wait (min)\n")
        for name_, t in r.per_service_type.items():
            w(f"    {name_:<20}{t.arrived:>9}{t.served:>8}{_fmt(t.avg_wait_min):>16}\n")
    if r.per_counter:
        w("  per counter:            served  avg transaction (min)  busy (min)\n")
        for cid, c in r.per_counter.items():
            w(f"    {cid:<20}{c.served:>8}{_fmt(c.avg_transaction_min):>23}{c.busy_min:>12.1f}\n")
    if r.intervals:
        w("  30-minute intervals:    arrived  served  avg wait (min)\n")
        for i in r.intervals:
            w(f"    {i.start.strftime('%H:%M'):<20}{i.arrived:>9}{i.served:>8}{_fmt(i.avg_wait_min):>16}\n")


def _simulate(env: Environment, args: argparse.Namespace, out: TextIO) -> int:
    first: date = args.date
    for offset in range(args.days):
        day = first + timedelta(days=offset)
        demo = DemoDay(day, seed_for_day(args.first_seed, first, day))
        recorder = DemoRecorder(lambda task: apply_now(env.db, task))
        recorder.begin_day(demo)
        events = samples = 0
        for result in demo.run_to_end():
            recorder.record(demo, result)
            events += len(result.events)
            samples += len(result.samples)
        tickets = demo.sim.tickets()
        out.write(f"{day.isoformat()}: {len(tickets)} tickets, {events} events, {samples} occupancy samples "
                  f"stored in {env.db.describe()}\n")
    return 0


def _db_info(env: Environment, out: TextIO) -> int:
    db = env.db
    out.write(f"database: {db.describe()}\n")
    revision = db.migration.to_revision if db.migration is not None else "?"
    out.write(f"schema revision: {revision} (this console's head: {head_revision()})\n")
    if db.migration is not None and db.migration.backup_path is not None:
        out.write(f"backup made before migrating: {db.migration.backup_path}\n")
    for table in ("branch", "counter", "staff", "shift", "ticket", "ticket_event", "occupancy_sample", "alert"):
        out.write(f"  {table:<18}{repository.count_rows(db, table):>10} rows\n")
    return 0
