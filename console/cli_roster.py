"""``roster import | export | copy-week``: the roster as CSV/Excel files, with the roster editor's validation
(console/roster_io.py, console/domain/roster_rules.py). No Qt imports."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime, timedelta
from typing import TextIO
from zoneinfo import ZoneInfo

from console.bootstrap import Environment
from console.domain.records import BranchInfo, ShiftRecord
from console.domain.roster_rules import RosterProblem, RosterProblemKind
from console.domain.vocabulary import QUEUED_SERVICE_TYPES
from console.roster_desk import moved as shifted
from console.roster_io import ParsedRoster, line_of, read_roster, roster_problems, write_roster
from console.ticket_csv import CsvFileError
from storage import repository
from storage.tasks import SaveRosterEdit
from storage.writer import apply_now


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
    from console.cli import _pick_branch

    branch = repository.load_branch(env.db, _pick_branch(env, code))
    assert branch is not None
    return branch


def _needed(env: Environment, branch: BranchInfo):
    """Service types the branch's counters take (the ones that need cover)."""
    types = {t for c in repository.load_counters(env.db, branch.code) for t in c.service_types}
    return [t for t in QUEUED_SERVICE_TYPES if t in types]


def check_and_store(env: Environment, branch: BranchInfo, parsed: ParsedRoster, source: str, out: TextIO,
                    user: str, action: str) -> int:
    """Validate ``parsed`` with the stored days around it; store it whole, or report and store nothing."""
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
        from console.report_export import ExportError

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

    from console.roster_desk import ATTENDANCE_COLUMNS, RosterDesk, attendance_rows, month_end

    branch = _branch(env, args.branch)
    tz = ZoneInfo(branch.timezone)
    first = args.month
    desk = RosterDesk(env.db, branch, lambda task: None, "cli", env.settings.staffing.roster_rules())
    end = datetime.combine(month_end(first) + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    rows, table = attendance_rows(desk, first, min(datetime.now(tz), end))
    names = {p.staff_id: p.name for p in repository.load_staff(env.db, branch.code)}
    if args.export is not None:
        from console.report_export import ExportError, write_table

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
