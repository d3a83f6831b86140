"""The staff directory as a file: CSV or Excel (.xlsx) read and written, each person checked like a directory entry.

Columns (header row first, any order, extra columns ignored; CSV in UTF-8 with or without BOM, GB18030 or
Windows-1252 like the ticket log; Excel: the first sheet):
``employee_no,name,role,skills``

- ``employee_no``: 1–32 letters, digits, '.', '_' or '-' (the staff directory's rule, ``EMPLOYEE_NO``);
  unique in the file;
- ``name``: not empty;
- ``role``: a staff role (teller, senior_teller, corporate_officer, vip_manager, lobby_manager, branch_manager);
- ``skills``: the service types the person can handle, separated by ``;`` (``cash;non_cash``; a full-width ``；``
  from a Chinese keyboard too), at least one.

Decision: unlike a roster, a directory file is taken row by row — a row with a problem is rejected with its line
number and a reason naming the column, the other rows are kept — because people are independent of each other and
the set-up wizard lets the manager fix the few refused lines by hand. A second row with an employee number already
seen is rejected (the first one counts). ``write_staff`` writes the same columns, so a file round-trips: the
export puts a ``'`` before a text starting like a formula (``console/reports/cell_safety.py``), and the reader takes
that quote away again from every cell (``plain_cell``), so employee number ``-7`` or name ``=Li`` reads back as
written, while a quote the user typed before an ordinary character (``'Li``) stays. No Qt.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from console.domain.records import StaffMember
from console.domain.vocabulary import ServiceType, StaffRole
from console.feed.csv_import import CsvFileError, RejectedRow, decode
from console.reports.cell_safety import plain_cell

#: An employee number (工号): 1–32 letters, digits, ".", "_" or "-".
EMPLOYEE_NO = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
COLUMNS = ("employee_no", "name", "role", "skills")
_SKILL_SEPARATORS = re.compile(r"[;；]")


@dataclass
class ParsedStaff:
    """The people read from a directory file and the rows refused (line numbers count the header as line 1)."""

    members: list[StaffMember] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    rows: int = 0


def member_problem(member: StaffMember) -> str | None:
    """Why ``member`` cannot be a directory entry, as the column at fault ("employee_no", "name", "skills"), or
    None. The same rule as the roster editor's directory (``RosterDesk.check_member``), usable without a database."""
    if not EMPLOYEE_NO.match(member.staff_id):
        return "employee_no"
    if not member.name.strip():
        return "name"
    if not member.skills:
        return "skills"
    return None


def member_from_row(row: dict[str, str]) -> StaffMember:
    """One row as a person; ValueError names the column and what is wrong with it."""
    number = (row.get("employee_no") or "").strip()
    if not number:
        raise ValueError("employee_no is empty")
    if not EMPLOYEE_NO.match(number):
        raise ValueError(f"employee_no {number!r} must be 1 to 32 letters, digits, '.', '_' or '-'")
    name = (row.get("name") or "").strip()
    if not name:
        raise ValueError("name is empty")
    role_text = (row.get("role") or "").strip().lower()
    if not role_text:
        raise ValueError(f"role is empty; expected one of {', '.join(r.value for r in StaffRole)}")
    try:
        role = StaffRole(role_text)
    except ValueError:
        raise ValueError(f"role {role_text!r} is unknown; expected one of "
                         f"{', '.join(r.value for r in StaffRole)}") from None
    skills: list[ServiceType] = []
    for part in _SKILL_SEPARATORS.split(row.get("skills") or ""):
        text = part.strip().lower()
        if not text:
            continue
        try:
            kind = ServiceType(text)
        except ValueError:
            raise ValueError(f"skills: {text!r} is not a service type; expected one or more of "
                             f"{', '.join(t.value for t in ServiceType)} separated by ';'") from None
        if kind not in skills:
            skills.append(kind)
    if not skills:
        raise ValueError("skills is empty; name the service types the person can handle, separated by ';' "
                         "(for example cash;non_cash)")
    return StaffMember(number, name, role, tuple(skills))


def parse_rows(rows: Iterator[tuple[int, dict[str, str]]]) -> ParsedStaff:
    """(line, row) pairs of file cells (CSV or Excel) into people; a row that cannot be read, or repeats an employee
    number, is rejected. Every cell goes through ``plain_cell`` first (the export's ``'`` before a formula start
    taken away), before ``member_from_row`` strips and checks it."""
    parsed = ParsedStaff()
    first_line: dict[str, int] = {}
    for line, row in rows:
        parsed.rows += 1
        try:
            member = member_from_row({column: plain_cell(text) for column, text in row.items()})
        except ValueError as exc:
            parsed.rejected.append(RejectedRow(line, str(exc)))
            continue
        if member.staff_id in first_line:
            parsed.rejected.append(RejectedRow(
                line, f"employee_no {member.staff_id!r} is already on line {first_line[member.staff_id]}"))
            continue
        first_line[member.staff_id] = line
        parsed.members.append(member)
    return parsed


def _check_header(header: list[str]) -> None:
    if not any(header):
        raise CsvFileError("is empty (expected the header " + ",".join(COLUMNS) + ")")
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise CsvFileError(f"has no column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                           f"(header found: {','.join(header)}; expected {','.join(COLUMNS)})")


def _blank(row: dict[str, str]) -> bool:
    return not any(v.strip() for v in row.values())


def _csv_rows(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise CsvFileError(f"is not valid CSV in its header: {exc}") from None
    _check_header(header)
    reader.fieldnames = header
    try:
        for row in reader:
            values = {k: v for k, v in row.items() if k and isinstance(v, str)}
            if not _blank(values):
                yield reader.line_num, values
    except csv.Error as exc:
        raise CsvFileError(f"is not valid CSV near line {reader.line_num}: {exc}") from None


def _cell(value: object) -> str:
    """An Excel cell as text: a whole number typed as a number (an employee number 1001) without ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # not a workbook, damaged, encrypted
        raise CsvFileError(f"cannot be read as an Excel workbook ({exc})") from None
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = [_cell(v).strip().lower() for v in next(rows, ())]
        _check_header(header)
        found = []
        for line, values in enumerate(rows, start=2):
            row = {h: _cell(v) for h, v in zip(header, values) if h}
            if not _blank(row):
                found.append((line, row))
        return found
    finally:
        book.close()


def read_staff(path: Path, encoding: str | None = None) -> ParsedStaff:
    """Read a staff directory file (.csv or .xlsx); CsvFileError when the file as a whole is unusable (missing,
    not text, not a workbook, a column missing). ``encoding`` overrides the CSV guess."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise CsvFileError("is neither .csv nor .xlsx")
    if not path.is_file():
        raise CsvFileError("does not exist")
    if suffix == ".xlsx":
        return parse_rows(iter(_xlsx_rows(path)))
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CsvFileError(f"cannot be read ({exc.strerror or exc})") from None
    text, _ = decode(raw, encoding)
    return parse_rows(_csv_rows(text))


def row_of(member: StaffMember) -> list[str]:
    """A person as a file row, in ``COLUMNS`` order."""
    return [member.staff_id, member.name, member.role.value, ";".join(t.value for t in member.skills)]


def write_staff(members: Sequence[StaffMember], path: Path) -> Path:
    """Write the directory as .csv (UTF-8 with BOM, for Excel) or .xlsx, atomically and in the given order;
    ``read_staff`` of the file gives the same people. ExportError names the problem."""
    from console.reports.export import write_table

    return write_table(path, "Staff", COLUMNS, [row_of(m) for m in members])
