"""``roster import | export | copy-week``: the roster as CSV/Excel files, with the roster editor's validation
(console/staffing/roster_io.py, console/domain/roster_rules.py). No Qt imports."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TextIO
from zoneinfo import ZoneInfo

from console.cli.common import add_branch, add_export, add_json, branch_clock, iso_date, iso_month
from console.domain.records import BranchInfo, ShiftRecord
from console.domain.roster_rules import RosterProblem, RosterProblemKind
from console.domain.vocabulary import QUEUED_SERVICE_TYPES

if TYPE_CHECKING:
    from console.bootstrap import Environment
    from console.staffing.roster_io import ParsedRoster


def register(sub: argparse._SubParsersAction) -> None:
    roster = sub.add_parser("roster", help="import, export and copy the staff roster")
    roster_sub = roster.add_subparsers(dest="roster_command", metavar="ACTION", required=True)
    r_import = roster_sub.add_parser(
        "import", help="import a roster (.csv or .xlsx) and replace the days it covers",
        description="Columns employee_no,date,start,end,kind,counter_id,breaks (kind work or leave; breaks like "
        "12:00-12:45;15:30-15:45). The roster is imported whole or not at all: unreadable rows and rule "
        "violations (overlaps, duties too long, too little rest) are listed with their line numbers and nothing "
        "is stored (exit 1); half-hours without cover for a service type are warnings. Exit 2: the file itself "
        "is unusable.")
    r_import.add_argument("file", type=Path, metavar="FILE")
    r_export = roster_sub.add_parser("export", help="write the roster of some days to .csv or .xlsx")
    r_export.add_argument("file", type=Path, metavar="FILE")
    r_export.add_argument("--from", dest="start", type=iso_date, required=True, metavar="YYYY-MM-DD")
    r_export.add_argument("--days", type=int, default=7, metavar="N", help="number of days (default 7)")
    r_copy = roster_sub.add_parser("copy-week", help="copy a week's roster to another week (checked as an import)")
    r_copy.add_argument("--from", dest="start", type=iso_date, required=True, metavar="YYYY-MM-DD",
                        help="first day of the week to copy")
    r_copy.add_argument("--to", dest="target", type=iso_date, metavar="YYYY-MM-DD",
                        help="first day of the week to fill (default: 7 days later)")
    for p in (r_import, r_export, r_copy):
        add_branch(p)
    roster.set_defaults(handler=run_roster)

    attendance = sub.add_parser(
        "attendance", help="a month's roster against the counter logins: late, left early, absent",
        description="Every rostered work record with a counter, checked against the ticketing system's staff "
        "logins and logouts: late (first login more than 5 min after the start), left early (last logout more "
        "than 5 min before the end), absent (no login during the record); leave and back-office records are "
        "listed as such. Prints a summary per person; --export writes every record.")
    attendance.add_argument("--month", type=iso_month, required=True, metavar="YYYY-MM")
    add_branch(attendance)
    add_export(attendance, metavar="FILE.csv|FILE.xlsx", help="write every record")
    add_json(attendance)
    attendance.set_defaults(handler=run_attendance)


def describe(problem: RosterProblem, tz) -> str:
    """A roster problem in words (English, like all command-line output)."""
    def hm(at: datetime) -> str:
        return at.astimezone(tz).strftime("%Y-%m-%d %H:%M")

    who = problem.staff_id
    return {
        RosterProblemKind.UNKNOWN_STAFF: f"{who} is not in the staff directory",
        RosterProblemKind.BREAK_OUTSIDE: f"{who}: break {hm(problem.start)}-{problem.end.astimezone(tz):%H:%M} is "
                                         "not inside its shift",
        RosterProblemKind.OVERLAP: f"{who}: two records overlap from {hm(problem.start)} to "
                                   f"{problem.end.astimezone(tz):%H:%M} (the other starts {hm(problem.other_start)})"
        if problem.other_start else "",
        RosterProblemKind.TOO_LONG: f"{who}: duty {hm(problem.start)} to {hm(problem.end)} is "
                                    f"{(problem.end - problem.start).total_seconds() / 3600:.1f} h long",
        RosterProblemKind.TOO_LITTLE_REST: f"{who}: only {(problem.end - problem.start).total_seconds() / 3600:.1f}"
                                           f" h of rest between {hm(problem.start)} and {hm(problem.end)}",
        RosterProblemKind.NO_COVER: f"nobody on shift can handle {problem.service_type.value if problem.service_type else '?'}"
                                    f" from {hm(problem.start)} to {problem.end.astimezone(tz):%H:%M}",
    }[problem.kind]


def _branch(env: Environment, code: str | None) -> BranchInfo:
    from console.cli.common import pick_branch
    from storage import repository

    branch = repository.load_branch(env.db, pick_branch(env, code))
    assert branch is not None
    return branch


def _needed(env: Environment, branch: BranchInfo):
    """Service types the branch's counters take (the ones that need cover)."""
    from storage import repository

    types = {t for c in repository.load_counters(env.db, branch.code) for t in c.service_types}
    return [t for t in QUEUED_SERVICE_TYPES if t in types]


def check_and_store(env: Environment, branch: BranchInfo, parsed: ParsedRoster, source: str, out: TextIO,
                    user: str, action: str) -> int:
    """Validate ``parsed`` with the stored days around it; store it whole, or report and store nothing."""
    from console.staffing.roster_io import line_of, roster_problems
    from storage import repository
    from storage.tasks import SaveRosterEdit
    from storage.writer import apply_now

    tz = ZoneInfo(branch.timezone)
    staff = repository.load_staff(env.db, branch.code)
    days = parsed.days
    around: list[ShiftRecord] = []
    if days:
        d = days[0] - timedelta(days=1)
        while d <= days[-1] + timedelta(days=1):
            if d not in days:
                around += repository.load_roster(env.db, branch.code, d)
            d += timedelta(days=1)
    working_days = sorted({r.start.astimezone(tz).date() for r in parsed.records if r.kind.value == "work"})
    opening = [(datetime.combine(d, branch.opens, tzinfo=tz), datetime.combine(d, branch.closes, tzinfo=tz))
               for d in working_days]
    errors, warnings = roster_problems(parsed, around, staff, env.settings.staffing.roster_rules(), opening, _needed(env, branch))
    for rejected in parsed.rejected:
        print(f"{source}:{rejected.line}: {rejected.reason}", file=sys.stderr)
    for problem in errors:
        line = line_of(parsed, problem)
        print(f"{source}:{line if line else '-'}: {describe(problem, tz)}", file=sys.stderr)
    for problem in warnings:
        print(f"{source}: warning: {describe(problem, tz)}", file=sys.stderr)
    if parsed.rejected or errors:
        print(f"{source}: {len(parsed.rejected)} unreadable rows, {len(errors)} rule violations; nothing stored",
              file=sys.stderr)
        return 1
    before = tuple(r for d in days for r in repository.load_roster(env.db, branch.code, d))
    apply_now(env.db, SaveRosterEdit(branch.code, tuple(days), tuple(parsed.records), before, branch.timezone, user,
                                     datetime.now(UTC), action))
    out.write(f"{source}: {len(parsed.records)} roster records for {len(days)} days stored for branch {branch.code}"
              f"{f', {len(warnings)} warnings' if warnings else ''}\n")
    return 0


def run_roster(env: Environment, args: argparse.Namespace, out: TextIO) -> int:
    from console.feed.csv_import import CsvFileError
    from console.staffing.roster_desk import moved as shifted
    from console.staffing.roster_io import ParsedRoster, read_roster, write_roster
    from storage import repository

    branch = _branch(env, args.branch)
    tz = ZoneInfo(branch.timezone)
    if args.roster_command == "import":
        try:
            parsed = read_roster(args.file, repository.load_staff(env.db, branch.code), tz)
        except CsvFileError as exc:
            print(f"error: {args.file} {exc}; nothing imported", file=sys.stderr)
            return 2
        return check_and_store(env, branch, parsed, str(args.file), out, args.operator.username, "roster.import")
    if args.roster_command == "export":
        from console.reports.export import ExportError

        if args.days < 1:
            print(f"error: --days must be at least 1, got {args.days}", file=sys.stderr)
            return 1
        records = [r for i in range(args.days)
                   for r in repository.load_roster(env.db, branch.code, args.start + timedelta(days=i))]
        try:
            write_roster(records, args.file, tz)
        except ExportError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        out.write(f"{args.file}: {len(records)} roster records from {args.start} ({args.days} days)\n")
        return 0
    # copy-week
    target: date = args.target or args.start + timedelta(days=7)
    shift = target - args.start
    parsed = ParsedRoster()
    for i in range(7):
        for r in repository.load_roster(env.db, branch.code, args.start + timedelta(days=i)):
            moved = shifted(r, shift.days, tz)
            parsed.records.append(moved)
            parsed.lines.append(0)
    if not parsed.records:
        print(f"error: no roster stored for the week from {args.start}; nothing copied", file=sys.stderr)
        return 1
    return check_and_store(env, branch, parsed, f"copy of the week from {args.start}", out, args.operator.username,
                           "roster.copy_week")


def run_attendance(env: Environment, args: argparse.Namespace, out: TextIO) -> int:
    """``attendance --month YYYY-MM``: every roster record of the month against the counter logins."""
    import json

    from console.staffing.roster_desk import ATTENDANCE_COLUMNS, RosterDesk, attendance_rows, month_end
    from storage import repository

    branch = _branch(env, args.branch)
    tz = ZoneInfo(branch.timezone)
    first = args.month
    desk = RosterDesk(env.db, branch, lambda task: None, "cli", env.settings.staffing.roster_rules())
    end = datetime.combine(month_end(first) + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    rows, table = attendance_rows(desk, first, min(branch_clock(env, branch), end))
    names = {p.staff_id: p.name for p in repository.load_staff(env.db, branch.code)}
    if args.export is not None:
        from console.reports.export import ExportError, write_table

        try:
            write_table(args.export, "Attendance", ATTENDANCE_COLUMNS, table)
        except ExportError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    counts: dict[str, dict[str, int]] = {}
    for r in rows:
        person = counts.setdefault(r.shift.staff_id, {})
        person[r.status.value] = person.get(r.status.value, 0) + 1
    if args.json:
        json.dump({"month": first.strftime("%Y-%m"), "branch": branch.code,
                   "rows": [dict(zip(ATTENDANCE_COLUMNS, row)) for row in table], "per_person": counts},
                  out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    out.write(f"Attendance {first:%Y-%m} - {branch.name} ({branch.code}): {len(rows)} roster records\n")
    out.write("  employee  name        on time  late  left early  absent  leave  back office\n")
    for sid, c in sorted(counts.items()):
        late = c.get("late", 0) + c.get("late_and_left_early", 0)
        early = c.get("left_early", 0) + c.get("late_and_left_early", 0)
        out.write(f"  {sid:<10}{names.get(sid, ''):<10}{c.get('on_time', 0):>9}{late:>6}{early:>12}"
                  f"{c.get('absent', 0):>8}{c.get('leave', 0):>7}{c.get('not_checked', 0):>13}\n")
    if args.export is not None:
        out.write(f"  written to {args.export}\n")
    return 0
