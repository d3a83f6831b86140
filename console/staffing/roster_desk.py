"""The roster, the staff directory and manual attendance of one branch, for the window (no Qt here).

Reads go straight to the database (short sessions, plain records); writes go through the one database writer and
each carries its audit entry. The roster editor works on a draft of whole days: ``check`` validates it with the
stored days around it (the same rules as ``roster import``: ``console/domain/roster_rules.py`` with the
``[staffing]`` settings), ``save`` stores it only when there are no errors (half-hours without cover are
warnings), all days or none.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from console.domain.attendance import AttendanceRow, attendance, sessions_from_events
from console.domain.records import BranchInfo, BreakSpan, ShiftRecord, StaffMember
from console.domain.roster_rules import RosterProblem, RosterProblemKind, RosterRules, check_roster
from console.domain.vocabulary import QUEUED_SERVICE_TYPES, ServiceType, TicketEventType
from console.staffing.roster_io import ParsedRoster, read_roster, write_roster
from console.staffing.staff_io import member_problem
from storage import repository
from storage.database import Database
from storage.tasks import RecordCheckIn, RemoveStaffMember, SaveRosterEdit, SaveStaffMember


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def moved(r: ShiftRecord, days: int, tz: ZoneInfo) -> ShiftRecord:
    """The same record ``days`` later at the same local clock times (across a daylight-saving change too)."""
    def move(at: datetime) -> datetime:
        local = at.astimezone(tz)
        return datetime.combine(local.date() + timedelta(days=days), local.time(), tzinfo=tz)

    return ShiftRecord(r.staff_id, move(r.start), move(r.end), kind=r.kind, counter_id=r.counter_id,
                       breaks=tuple(BreakSpan(move(b.start), move(b.end)) for b in r.breaks))


@dataclass
class CheckResult:
    errors: list[RosterProblem] = field(default_factory=list)
    warnings: list[RosterProblem] = field(default_factory=list)  # half-hours without cover


class RosterDesk:
    def __init__(self, db: Database, branch: BranchInfo, store: Callable[[object], object], user: str,
                 rules: RosterRules) -> None:
        self.db = db
        self.branch = branch
        self.tz = ZoneInfo(branch.timezone)
        self._store = store
        self.user = user
        self.rules = rules

    # --- reading --------------------------------------------------------------------------------------------

    def staff(self) -> list[StaffMember]:
        return repository.load_staff(self.db, self.branch.code)

    def load(self, days: Sequence[date]) -> list[ShiftRecord]:
        return [r for d in days for r in repository.load_roster(self.db, self.branch.code, d)]

    def needed(self) -> list[ServiceType]:
        types = {t for c in repository.load_counters(self.db, self.branch.code) for t in c.service_types}
        return [t for t in QUEUED_SERVICE_TYPES if t in types]

    def counter_ids(self) -> list[str]:
        return [c.counter_id for c in repository.load_counters(self.db, self.branch.code)]

    # --- roster ---------------------------------------------------------------------------------------------

    def check(self, days: Sequence[date], records: Sequence[ShiftRecord]) -> CheckResult:
        """Problems of ``records`` (the draft of ``days``) together with the stored days just around them."""
        days = sorted(set(days))
        around = self.load([d for d in (days[0] - timedelta(days=1), days[-1] + timedelta(days=1)) if d not in days]) \
            if days else []
        working = sorted({r.start.astimezone(self.tz).date() for r in records if r.kind.value == "work"})
        opening = [(datetime.combine(d, self.branch.opens, tzinfo=self.tz),
                    datetime.combine(d, self.branch.closes, tzinfo=self.tz)) for d in working]
        found = check_roster(list(around) + list(records), self.staff(), self.rules, opening, self.needed())
        mine = set(days)
        result = CheckResult()
        for p in found:
            if p.start.astimezone(self.tz).date() not in mine and p.end.astimezone(self.tz).date() not in mine:
                continue  # a problem of the neighbouring days alone
            (result.warnings if p.kind is RosterProblemKind.NO_COVER else result.errors).append(p)
        return result

    def save(self, days: Sequence[date], records: Sequence[ShiftRecord], action: str = "roster.edit") -> CheckResult:
        """Store the draft when it has no errors (returned either way); raises WriteFailed if the database fails."""
        result = self.check(days, records)
        if result.errors:
            return result
        before = tuple(self.load(days))
        self._store(SaveRosterEdit(self.branch.code, tuple(sorted(set(days))), tuple(records), before,
                                   self.branch.timezone, self.user, datetime.now(UTC), action))
        return result

    def copy_week(self, monday: date, target: date) -> tuple[list[date], list[ShiftRecord]]:
        """The week from ``monday`` moved to the week from ``target`` (a draft: check and save it)."""
        offset = (target - monday).days
        records = [moved(r, offset, self.tz) for r in self.load([monday + timedelta(days=i) for i in range(7)])]
        return [target + timedelta(days=i) for i in range(7)], records

    def read_file(self, path: Path) -> ParsedRoster:
        """A CSV or Excel roster (raises CsvFileError when the file itself is unusable)."""
        return read_roster(path, self.staff(), self.tz)

    def export(self, path: Path, days: Sequence[date]) -> int:
        records = self.load(days)
        write_roster(records, path, self.tz)
        return len(records)

    # --- staff directory ------------------------------------------------------------------------------------

    def check_member(self, member: StaffMember) -> str | None:
        """Why a directory entry cannot be stored (English; the dialog words its own), or None."""
        return member_problem(member)

    def save_member(self, member: StaffMember) -> None:
        self._store(SaveStaffMember(self.branch.code, member, self.user, datetime.now(UTC)))

    def remove_member(self, staff_id: str) -> None:
        """Raises WriteFailed (caused by StaffInUse) for a person with roster records."""
        self._store(RemoveStaffMember(self.branch.code, staff_id, self.user, datetime.now(UTC)))

    # --- attendance -----------------------------------------------------------------------------------------

    def attendance(self, first: date, last: date, now: datetime) -> list[AttendanceRow]:
        """Roster records from ``first`` to ``last`` (inclusive) against logins and manual check-ins, as at ``now``."""
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        shifts = self.load(days)
        start = datetime.combine(first, datetime.min.time(), tzinfo=self.tz)
        end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=self.tz)
        events = repository.load_ticket_events(self.db, self.branch.code, start - timedelta(days=1),
                                               end + timedelta(days=1),
                                               types=(TicketEventType.STAFF_LOGIN, TicketEventType.STAFF_LOGOUT))
        at = min(now, end)
        return attendance(shifts, sessions_from_events(events, at), at)

    def check_in(self, staff_id: str, at: datetime, check_out: bool = False) -> None:
        self._store(RecordCheckIn(self.branch.code, staff_id, at, check_out, self.user, datetime.now(UTC)))


ATTENDANCE_COLUMNS = ("date", "employee_no", "name", "shift_start", "shift_end", "counter_id", "status",
                      "first_login", "last_logout", "minutes_at_counter", "late_min", "early_min")


def month_end(first: date) -> date:
    """The last day of ``first``'s month."""
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def attendance_rows(desk: RosterDesk, first: date, now: datetime) -> tuple[list[AttendanceRow], list[list[object]]]:
    """A month's attendance from ``first`` (the 1st) as at ``now``: the rows and the export table (columns
    ``ATTENDANCE_COLUMNS``; the same for the window's export and ``main.py attendance``)."""
    tz = desk.tz
    rows = desk.attendance(first, month_end(first), now)
    names = {p.staff_id: p.name for p in desk.staff()}

    def hm(at: datetime | None) -> str:
        return at.astimezone(tz).strftime("%H:%M") if at is not None else ""

    table: list[list[object]] = [
        [r.shift.start.astimezone(tz).date().isoformat(), r.shift.staff_id, names.get(r.shift.staff_id, ""),
         hm(r.shift.start), hm(r.shift.end), r.shift.counter_id or "", r.status.value, hm(r.first_login),
         hm(r.last_logout), round(r.minutes_at_counter), round(r.late_min), round(r.early_min)] for r in rows]
    return rows, table


def attendance_table(desk: RosterDesk, first: date, now: datetime) -> tuple[tuple[str, ...], list[list[object]]]:
    return ATTENDANCE_COLUMNS, attendance_rows(desk, first, now)[1]
