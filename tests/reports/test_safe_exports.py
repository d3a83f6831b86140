"""Safe exports: a text a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return) is
written with a leading apostrophe in every CSV and Excel export — the day report, the closing report, the alert log,
the staff directory, the roster and the audit trail from the command line. The files are written for real and read
back: the hostile texts come back as text behind the apostrophe, no sheet holds a formula, numbers (negative ones
too) stay numbers and ordinary texts are unchanged."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from openpyxl.cell import Cell

from console.domain.day_report import build_day_report
from console.domain.records import AlertRecord, BranchInfo, ShiftRecord, StaffMember, TicketRecord
from console.domain.vocabulary import AlertSeverity, AlertState, ServiceType, StaffRole, TicketStatus
from console.reports.cell_safety import safe_cell
from console.reports.export import export_report
from storage.database import open_database
from storage.tasks import SaveBranchSetup, SaveStaffMember
from storage.writer import apply_now
from tests.cli.test_cli import ROOT
from tests.cli.test_report_export import csv_sections

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 27)
HOSTILE = ('=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1")


def at(hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 11, 27, hh, mm, tzinfo=TZ)


def neutralised(text: str, xlsx: bool = False) -> str:
    """How ``text`` reads back from the export. An .xlsx sheet is XML, whose readers turn a carriage return in a
    text into a line feed; the apostrophe and the rest of the text are what matter here."""
    out = "'" + text
    return out.replace("\r", "\n") if xlsx else out


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def read_sheet(path: Path, name: str | None = None) -> list[list[Cell]]:
    """The cells of one sheet (the first by default), after checking that no sheet of the file holds a formula."""
    with zipfile.ZipFile(path) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        assert sheets
        for n in sheets:
            xml = archive.read(n)
            assert b"<f>" not in xml and b"<f " not in xml, f"{n} holds a formula"
    book = load_workbook(path)
    sheet = book[name] if name else book.worksheets[0]
    return [list(row) for row in sheet.iter_rows()]


def assert_text(cell: Cell, expected: str) -> None:
    assert (cell.value, cell.data_type) == (expected, "s")


def assert_number(cell: Cell, expected: float) -> None:
    assert cell.data_type == "n" and isinstance(cell.value, int | float) and cell.value == expected


@pytest.mark.parametrize("value", HOSTILE)
def test_a_formula_start_gets_an_apostrophe_and_nothing_else_changes(value: str) -> None:
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", [-2, -2.5, 0, 7, 0.25, "", None, "A023", "王芳", "2026-11-27", "E-1004",
                                   "a=b", "'=already text", date(2026, 11, 27), True])
def test_numbers_empty_cells_and_ordinary_values_are_kept(value: object) -> None:
    assert safe_cell(value) is value


# the day report (main.py report --export and the Reports panel): counter ids come from the ticket log and the API

def day_report():
    """Served tickets at counters named with hostile texts, at an ordinary counter "3", and at counter "9" whose
    ticket finished before it started (a clock fault in the feed): a negative transaction time."""
    tickets = []
    counters = [*HOSTILE, "3"]
    for i, counter in enumerate(counters):
        issued = at(9, i)
        tickets.append(TicketRecord(f"T{i}", f"A{i:03d}", ServiceType.CASH, False, issued, TicketStatus.SERVED,
                                    issued + timedelta(minutes=2), issued + timedelta(minutes=3),
                                    issued + timedelta(minutes=5), counter_id=counter))
    tickets.append(TicketRecord("T9", "A009", ServiceType.CASH, False, at(10), TicketStatus.SERVED, at(10, 2),
                                at(10, 6), at(10, 3), counter_id="9"))
    return build_day_report(tickets, DAY, TZ)


def test_day_report_csv(tmp_path: Path) -> None:
    path = export_report(day_report(), tmp_path / "day.csv")
    sections = csv_sections(path)
    header, *rows = sections["Counters"]
    assert header == ["counter_id", "served", "avg_transaction_min", "busy_min"]
    counters = {row[0]: row[1:] for row in rows}
    assert set(counters) == {neutralised(h) for h in HOSTILE} | {"3", "9"}
    assert counters[neutralised("=HYPERLINK(\"http://x\",\"y\")")] == ["1", "2.0", "2.0"]
    assert counters["3"] == ["1", "2.0", "2.0"]
    assert counters["9"] == ["1", "-3.0", "-3.0"]  # a negative figure stays a number
    assert sections["Summary"][1] == ["date", "2026-11-27"]


def test_day_report_xlsx(tmp_path: Path) -> None:
    path = export_report(day_report(), tmp_path / "day.xlsx")
    header, *rows = read_sheet(path, "Counters")
    assert [c.value for c in header] == ["counter_id", "served", "avg_transaction_min", "busy_min"]
    counters = {row[0].value: row for row in rows}
    assert set(counters) == {neutralised(h, xlsx=True) for h in HOSTILE} | {"3", "9"}
    for h in HOSTILE:
        row = counters[neutralised(h, xlsx=True)]
        assert_text(row[0], neutralised(h, xlsx=True))
        assert_number(row[1], 1)
    assert_text(counters["3"][0], "3")
    assert_number(counters["9"][2], -3.0)
    assert_number(counters["9"][3], -3.0)
    summary = {row[0].value: row[1] for row in read_sheet(path, "Summary")[1:]}
    assert_text(summary["date"], "2026-11-27")
    assert summary["service_level"].number_format == "0.0%"


# the alert log (Alerts panel export): subjects, details, notes and names from outside, negative figures

def hostile_alerts() -> list[AlertRecord]:
    alerts = [AlertRecord(i + 1, "long_wait", AlertSeverity.WARNING, AlertState.ACKNOWLEDGED, h, "", at(10, i),
                          acknowledged_at=at(10, 30), acknowledged_by=h, note=h, value=-3.5, threshold=-2.0, detail=h)
              for i, h in enumerate(HOSTILE)]
    alerts.append(AlertRecord(99, "long_wait", AlertSeverity.WARNING, AlertState.RAISED, "B049", "", at(11),
                              value=16.0, threshold=15.0, detail="cash"))
    return alerts


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_alert_log(tmp_path: Path, suffix: str) -> None:
    from console.alerts.store import ALERT_COLUMNS, write_alerts

    path = tmp_path / f"alerts{suffix}"
    write_alerts(path, hostile_alerts(), TZ)
    xlsx = suffix == ".xlsx"
    header, *rows = read_sheet(path) if xlsx else read_csv(path)
    value = (lambda c: c.value) if xlsx else (lambda c: c)
    assert [value(c) for c in header] == list(ALERT_COLUMNS)
    column = {name: n for n, name in enumerate(ALERT_COLUMNS)}
    for h, row in zip(HOSTILE, rows[:-1], strict=True):
        for name in ("subject", "detail", "acknowledged_by", "note"):
            assert value(row[column[name]]) == neutralised(h, xlsx)
        if xlsx:
            assert_text(row[column["subject"]], neutralised(h, xlsx))
            assert_number(row[column["value"]], -3.5)
            assert_number(row[column["threshold"]], -2.0)
        else:
            assert (row[column["value"]], row[column["threshold"]]) == ("-3.5", "-2.0")
    ordinary = rows[-1]
    assert [value(ordinary[column[n]]) for n in ("subject", "detail", "raised_at")] == ["B049", "cash",
                                                                                        "2026-11-27 11:00:00"]


# the closing report written by the scheduled job (its own .xlsx writer), read from a real database

def test_closing_report_xlsx(tmp_path: Path) -> None:
    from console.alerts.incidents import report_task
    from console.app.report_service import INCIDENT_COLUMNS, report_sections, write_xlsx
    from console.domain.incidents import IncidentType
    from storage import repository
    from storage.tasks import SaveAlert

    branch = BranchInfo("B1", "Test branch", "Asia/Shanghai", time(9), time(17), 40)
    db = open_database(f"sqlite:///{tmp_path / 'console.db'}")
    try:
        apply_now(db, SaveBranchSetup(branch=branch))
        apply_now(db, *(SaveAlert(branch.code, replace(a, alert_id=None)) for a in hostile_alerts()))
        apply_now(db, report_task(db, branch.code, IncidentType.MEDICAL, "@SUM(A1)", '=HYPERLINK("http://x","y")',
                                  at(12)))
        found = report_sections(db, repository.load_branch(db, branch.code), DAY)
    finally:
        db.close()
    path = tmp_path / "closing.xlsx"
    write_xlsx(path, found)

    header, *rows = read_sheet(path, "Alerts")
    names = [c.value for c in header]
    waits = [dict(zip(names, row, strict=True)) for row in rows if row[names.index("rule")].value == "long_wait"]
    assert [a["subject"].value for a in waits] == [neutralised(h, xlsx=True) for h in HOSTILE] + ["B049"]
    for h, alert in zip(HOSTILE, waits[:-1], strict=True):
        for name in ("subject", "detail", "acknowledged_by", "note"):
            assert_text(alert[name], neutralised(h, xlsx=True))
        assert_number(alert["value"], -3.5)
        assert_number(alert["threshold"], -2.0)
    assert_number(waits[-1]["value"], 16.0)

    header, *rows = read_sheet(path, "Incidents and drills")
    assert [c.value for c in header] == list(INCIDENT_COLUMNS)
    (incident,) = [dict(zip(INCIDENT_COLUMNS, row, strict=True)) for row in rows]
    assert_text(incident["reported_by"], "'@SUM(A1)")
    assert_text(incident["note"], neutralised('=HYPERLINK("http://x","y")'))
    assert_text(incident["type"], "medical")


# the staff directory and the roster as files (set-up wizard, roster editor, main.py roster export)

def read_back(path: Path) -> list[list[object]]:
    if path.suffix == ".csv":
        return read_csv(path)
    rows = read_sheet(path)
    for row in rows:
        for cell in row:
            assert cell.data_type in ("s", "n") or cell.value is None
    return [["" if c.value is None else c.value for c in row] for row in rows]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_staff_directory(tmp_path: Path, suffix: str) -> None:
    from console.staffing.staff_io import COLUMNS, write_staff

    people = [StaffMember(f"E{i}", h, StaffRole.TELLER, (ServiceType.CASH,)) for i, h in enumerate(HOSTILE)]
    people.append(StaffMember("E-1004", "刘洋", StaffRole.TELLER, (ServiceType.NON_CASH, ServiceType.CASH)))
    header, *rows = read_back(write_staff(people, tmp_path / f"staff{suffix}"))
    assert header == list(COLUMNS)
    assert [r[1] for r in rows] == [neutralised(h, suffix == ".xlsx") for h in HOSTILE] + ["刘洋"]
    assert rows[-1] == ["E-1004", "刘洋", "teller", "non_cash;cash"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_roster(tmp_path: Path, suffix: str) -> None:
    from console.staffing.roster_io import COLUMNS, write_roster

    shifts = [ShiftRecord(f"E{i}", at(9), at(17), counter_id=h) for i, h in enumerate(HOSTILE)]
    shifts.append(ShiftRecord("E9", at(9), at(17), counter_id="3"))
    path = tmp_path / f"roster{suffix}"
    write_roster(shifts, path, TZ)
    header, *rows = read_back(path)
    assert header == list(COLUMNS)
    assert [r[5] for r in rows] == [neutralised(h, suffix == ".xlsx") for h in HOSTILE] + ["3"]
    assert rows[-1] == ["E9", "2026-11-27", "09:00", "17:00", "work", "3", ""]


# the audit trail from the command line: main.py audit export (CSV on stdout)

def test_audit_export_from_the_command_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    db = open_database(f"sqlite:///{data / 'console.db'}")
    t0 = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
    try:
        apply_now(db, SaveBranchSetup(branch=BranchInfo("SH01", "Shanghai", "Asia/Shanghai", time(9), time(17), 60,
                                                        is_demo=True)))
        for i, h in enumerate([*HOSTILE, "li.wei"]):  # the user of each entry, and a name inside its before/after
            apply_now(db, SaveStaffMember("SH01", StaffMember(f"E{i}", h, StaffRole.TELLER, (ServiceType.CASH,)), h,
                                          t0 + timedelta(minutes=i)))
    finally:
        db.close()
    env = {**os.environ, "BRANCH_CONSOLE_DATA_DIR": str(data), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("BRANCH_CONSOLE_DB", None)
    # bytes, not text: text mode would turn the carriage return of a user name into a line feed
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "audit", "export"], capture_output=True,
                            timeout=180, env=env, cwd=ROOT)
    assert result.returncode == 0, result.stderr.decode()
    header, *rows = list(csv.reader(io.StringIO(result.stdout.decode("utf-8"), newline="")))
    assert header == ["id", "at", "user", "action", "entity", "entity_id", "before", "after", "hash"]
    assert [r[2] for r in rows] == [neutralised(h) for h in HOSTILE] + ["li.wei"]
    assert all(r[0].isdigit() for r in rows)  # the entry numbers stay plain numbers
    assert rows[-1][3:6] == ["staff.add", "staff", "SH01/E6"]
    assert rows[-1][1] == (t0 + timedelta(minutes=6)).isoformat()
