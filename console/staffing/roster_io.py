"""The roster as a file: CSV or Excel (.xlsx) import and export, with the roster editor's validation.

Columns (header row first; CSV in UTF-8, with or without BOM, GB18030 or Windows-1252 like the ticket log; Excel:
the first sheet):
``employee_no,date,start,end,kind,counter_id,breaks``
- ``date`` YYYY-MM-DD, ``start``/``end`` HH:MM in the branch's local time, on that date (a shift ends the day it
  starts: branches do not work across midnight);
- ``kind`` work (default when empty) or leave; ``counter_id`` optional (the counter the person is rostered at);
- ``breaks``: empty or ``HH:MM-HH:MM`` spans separated by ``;`` (``12:00-12:45;15:30-15:45``).

Decision: a roster is imported whole or not at all. Rows that cannot be read (unknown person, a time that does not
parse, a shift ending before it starts, a malformed break) and rule violations of the resulting roster (overlaps,
a duty longer than the maximum, too little rest — ``console/domain/roster_rules.py``, checked together with the
stored days around it) are all reported, with line numbers, and nothing is stored. Half-hours without cover for a
service type are reported as warnings and do not stop the import. The days in the file replace the stored
roster of those days (for every person). The export puts a ``'`` before a text starting like a formula (a counter
id ``-3``, ``console/reports/cell_safety.py``); the reader takes that quote away again from every cell of the file
(``plain_cell``), so an exported roster imports as it was. No Qt imports.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from pathlib import Path

from console.domain.records import BreakSpan, ShiftRecord, StaffMember
from console.domain.roster_rules import RosterProblem, RosterProblemKind, RosterRules, check_roster
from console.domain.vocabulary import ShiftKind
from console.feed.csv_import import CsvFileError, RejectedRow, decode
from console.reports.cell_safety import plain_cell

COLUMNS = ("employee_no", "date", "start", "end", "kind", "counter_id", "breaks")


@dataclass
class ParsedRoster:
    records: list[ShiftRecord] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # the file line of each record
    rejected: list[RejectedRow] = field(default_factory=list)
    rows: int = 0

    @property
    def days(self) -> list[date]:
        return sorted({r.start.date() for r in self.records})


def _clock(text: str, name: str) -> time:
    """A time of day as H:MM or HH:MM (seconds allowed)."""
    value = text.strip()
    parts = value.split(":")
    if 2 <= len(parts) <= 3 and all(p.isdigit() for p in parts) and len(parts[0]) <= 2 \
            and all(len(p) == 2 for p in parts[1:]):
        numbers = [int(p) for p in parts]
        if numbers[0] < 24 and numbers[1] < 60 and (len(numbers) < 3 or numbers[2] < 60):
            return time(*numbers)
    raise ValueError(f"{name} {value!r} is not a time of day (HH:MM)")


def record_from_row(row: dict[str, str], known: set[str], tz: tzinfo) -> ShiftRecord:
    staff_id = (row.get("employee_no") or "").strip()
    if not staff_id:
        raise ValueError("employee_no is empty")
    if staff_id not in known:
        raise ValueError(f"employee_no {staff_id!r} is not in the staff directory")
    day_text = (row.get("date") or "").strip()
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        raise ValueError(f"date {day_text!r} is not a date (YYYY-MM-DD)") from None
    start = datetime.combine(day, _clock(row.get("start") or "", "start"), tzinfo=tz)
    end = datetime.combine(day, _clock(row.get("end") or "", "end"), tzinfo=tz)
    if end <= start:
        raise ValueError(f"the shift ends ({end:%H:%M}) before it starts ({start:%H:%M})")
    kind_text = (row.get("kind") or "").strip().lower() or ShiftKind.WORK.value
    try:
        kind = ShiftKind(kind_text)
    except ValueError:
        raise ValueError(f"kind {kind_text!r} is unknown; expected work or leave") from None
    breaks = []
    for part in (row.get("breaks") or "").split(";"):
        if not part.strip():
            continue
        if "-" not in part:
            raise ValueError(f"break {part.strip()!r} is not HH:MM-HH:MM")
        a, b = part.split("-", 1)
        span = BreakSpan(datetime.combine(day, _clock(a, "break start"), tzinfo=tz),
                         datetime.combine(day, _clock(b, "break end"), tzinfo=tz))
        if span.end <= span.start or span.start < start or span.end > end:
            raise ValueError(f"break {part.strip()} is not inside the shift {start:%H:%M}-{end:%H:%M}")
        breaks.append(span)
    if breaks and kind is ShiftKind.LEAVE:
        raise ValueError("leave has no breaks")
    counter = (row.get("counter_id") or "").strip() or None
    return ShiftRecord(staff_id, start, end, kind=kind, counter_id=counter, breaks=tuple(breaks))


def parse_rows(rows: Iterator[tuple[int, dict[str, str]]], staff: Sequence[StaffMember], tz: tzinfo) -> ParsedRoster:
    """(line, row) pairs of file cells (CSV or Excel) into records; unreadable rows are listed with their line and
    reason. Every cell goes through ``plain_cell`` first (the export's ``'`` before a formula start taken away);
    ``record_from_row`` itself takes text as given, since the shift dialog's typed fields use it too."""
    known = {p.staff_id for p in staff}
    parsed = ParsedRoster()
    for line, row in rows:
        parsed.rows += 1
        try:
            record = record_from_row({column: plain_cell(text) for column, text in row.items()}, known, tz)
        except ValueError as exc:
            parsed.rejected.append(RejectedRow(line, str(exc)))
            continue
        parsed.records.append(record)
        parsed.lines.append(line)
    return parsed


def _check_header(header: list[str]) -> None:
    if not header:
        raise CsvFileError("is empty (expected the header " + ",".join(COLUMNS) + ")")
    missing = [c for c in COLUMNS if c not in header and c not in ("kind", "counter_id", "breaks")]
    if missing:
        raise CsvFileError(f"has no column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                           f"(header found: {','.join(header)})")


def _csv_rows(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    _check_header(header)
    reader.fieldnames = header
    try:
        for row in reader:
            yield reader.line_num, {k: v for k, v in row.items() if k is not None and v is not None}
    except csv.Error as exc:
        raise CsvFileError(f"is not valid CSV near line {reader.line_num}: {exc}") from None


def _xlsx_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # not a workbook, damaged, encrypted
        raise CsvFileError(f"cannot be read as an Excel workbook ({exc})") from None
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(v).strip() if v is not None else "" for v in next(rows, ())]
    _check_header(header)

    def text(v: object) -> str:
        if v is None:
            return ""
        if isinstance(v, datetime):
            return v.date().isoformat() if v.time() == time(0) else v.strftime("%H:%M")
        if isinstance(v, date):
            return v.isoformat()
        if isinstance(v, time):
            return v.strftime("%H:%M")
        return str(v)

    for line, values in enumerate(rows, start=2):
        if all(v is None for v in values):
            continue
        yield line, {h: text(v) for h, v in zip(header, values) if h}
    book.close()


def read_roster(path: Path, staff: Sequence[StaffMember], tz: tzinfo) -> ParsedRoster:
    """Read a roster file (.csv or .xlsx); CsvFileError when the file as a whole is unusable."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        if not path.is_file():
            raise CsvFileError("does not exist")
        return parse_rows(_xlsx_rows(path), staff, tz)
    if suffix != ".csv":
        raise CsvFileError("is neither .csv nor .xlsx")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CsvFileError(f"cannot be read ({exc.strerror or exc})") from None
    text, _ = decode(raw)
    return parse_rows(_csv_rows(text), staff, tz)


def roster_problems(parsed: ParsedRoster, around: Sequence[ShiftRecord], staff: Sequence[StaffMember],
                    rules: RosterRules, opening: Sequence[tuple[datetime, datetime]],
                    needed) -> tuple[list[RosterProblem], list[RosterProblem]]:
    """(errors, warnings) of the imported records checked together with ``around`` (stored records of other
    days); warnings are half-hours without cover."""
    found = check_roster(list(around) + parsed.records, staff, rules, opening, needed)
    warnings = [p for p in found if p.kind is RosterProblemKind.NO_COVER]
    errors = [p for p in found if p.kind is not RosterProblemKind.NO_COVER]
    return errors, warnings


def line_of(parsed: ParsedRoster, problem: RosterProblem) -> int | None:
    """The file line of the record a problem is about: the one starting where the problem starts (the later record
    of an overlap, the first of a duty), else the one containing that instant, else the one starting where a rest
    ends (None when the record was not in the file)."""
    mine = [(r, line) for r, line in zip(parsed.records, parsed.lines) if r.staff_id == problem.staff_id]
    for test in (lambda r: r.start == problem.start, lambda r: r.start <= problem.start < r.end,
                 lambda r: problem.kind is RosterProblemKind.TOO_LITTLE_REST and r.start == problem.end):
        for record, line in mine:
            if test(record):
                return line
    return None


def row_of(record: ShiftRecord, tz: tzinfo) -> list[str]:
    start, end = record.start.astimezone(tz), record.end.astimezone(tz)
    breaks = ";".join(f"{b.start.astimezone(tz):%H:%M}-{b.end.astimezone(tz):%H:%M}" for b in record.breaks)
    return [record.staff_id, start.date().isoformat(), f"{start:%H:%M}", f"{end:%H:%M}", record.kind.value,
            record.counter_id or "", breaks]


def write_roster(records: Sequence[ShiftRecord], path: Path, tz: tzinfo) -> None:
    """Write records as .csv (UTF-8 with BOM, for Excel) or .xlsx, atomically; ExportError names the problem."""
    from console.reports.export import write_table

    rows = [row_of(r, tz) for r in sorted(records, key=lambda r: (r.start, r.staff_id))]
    write_table(path, "Roster", COLUMNS, rows)
