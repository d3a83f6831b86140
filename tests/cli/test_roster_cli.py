"""``roster export | copy-week | import`` as a user runs them (real processes, a real SQLite file): the files hold
the stored roster, a copied week is the same week seven days later, and a bad file stores nothing and names every
problem with its line."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from console.domain.records import BreakSpan, ShiftRecord, StaffMember
from console.domain.vocabulary import ServiceType, ShiftKind, StaffRole
from console.sim.profile import demo_profile, demo_roster
from console.staffing.roster_io import COLUMNS, read_roster, write_roster
from storage import repository
from storage.database import open_database
from tests.cli.test_cli import run

MONDAY = date(2026, 11, 16)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def expected_rows(day: date) -> list[tuple]:
    rows = []
    for r in demo_roster(demo_profile(), day):
        breaks = ";".join(f"{b.start:%H:%M}-{b.end:%H:%M}" for b in r.breaks)
        rows.append((r.staff_id, r.start.date().isoformat(), f"{r.start:%H:%M}", f"{r.end:%H:%M}", r.kind.value,
                     r.counter_id or "", breaks))
    return sorted(rows, key=lambda x: (x[1], x[2], x[0]))


def test_export_copy_and_import(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run("simulate", "--date", MONDAY.isoformat(), "--seed", "1", data_dir=data).returncode == 0
    exported = tmp_path / "monday.csv"
    result = run("roster", "export", str(exported), "--from", MONDAY.isoformat(), "--days", "1", data_dir=data)
    assert result.returncode == 0, result.stderr
    rows = read_csv(exported)
    assert list(rows[0]) == list(COLUMNS)
    assert sorted((tuple(r.values()) for r in rows), key=lambda x: (x[1], x[2], x[0])) == expected_rows(MONDAY)

    # a week copied forward: the same records seven days later
    result = run("roster", "copy-week", "--from", MONDAY.isoformat(), data_dir=data)
    assert result.returncode == 0, result.stderr
    later = tmp_path / "next.xlsx"
    assert run("roster", "export", str(later), "--from", "2026-11-23", "--days", "7", data_dir=data).returncode == 0
    sheet = load_workbook(later).worksheets[0]
    copied = [tuple("" if v is None else str(v) for v in row) for row in sheet.iter_rows(min_row=2, values_only=True)]
    shifted = [(r[0], (date.fromisoformat(r[1]) + timedelta(days=7)).isoformat(), *r[2:]) for r in expected_rows(MONDAY)]
    assert sorted(copied, key=lambda x: (x[1], x[2], x[0])) == shifted

    # the exported workbook imports cleanly (same roster, nothing changes)
    before = repository_roster(data, date(2026, 11, 23))
    result = run("roster", "import", str(later), data_dir=data)
    assert result.returncode == 0, result.stderr
    assert repository_roster(data, date(2026, 11, 23)) == before

    # a bad file: every problem named with its line, nothing stored
    bad = tmp_path / "bad.csv"
    lines = [",".join(COLUMNS),
             "E1001,2026-11-30,08:45,17:30,work,1,12:00-12:45",
             "E9999,2026-11-30,08:45,17:30,work,2,",  # line 3: unknown person
             "E1002,2026-11-30,8h45,17:30,work,2,",  # line 4: time
             "E1003,2026-11-30,17:30,08:45,work,5,",  # line 5: ends before it starts
             "E1001,2026-11-30,16:00,19:00,work,3,",  # line 6: overlaps line 2
             "E1004,2026-11-30,07:00,20:00,work,6,13:00-14:00"]  # line 7: 13 h duty
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("roster", "import", str(bad), data_dir=data)
    assert result.returncode == 1
    err = result.stderr
    assert f"{bad}:3: employee_no 'E9999' is not in the staff directory" in err
    assert f"{bad}:4: start '8h45' is not a time of day" in err
    assert f"{bad}:5: the shift ends (08:45) before it starts (17:30)" in err
    assert f"{bad}:6: E1001: two records overlap" in err
    assert f"{bad}:7: E1004: duty 2026-11-30 07:00 to 2026-11-30 20:00 is 13.0 h long" in err
    assert "nothing stored" in err and "Traceback" not in err
    assert repository_roster(data, date(2026, 11, 30)) == []
    missing = tmp_path / "columns.csv"
    missing.write_text("employee_no,date,start\nE1001,2026-11-30,09:00\n", encoding="utf-8")
    result = run("roster", "import", str(missing), data_dir=data)
    assert result.returncode == 2 and "has no column end" in result.stderr


def repository_roster(data: Path, day: date) -> list:
    db = open_database(f"sqlite:///{data / 'console.db'}")
    try:
        return repository.load_roster(db, "DEMO", day)
    finally:
        db.close()



def test_attendance_month(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run("simulate", "--date", MONDAY.isoformat(), "--seed", "1", data_dir=data).returncode == 0
    export = tmp_path / "att.xlsx"
    result = run("attendance", "--month", "2026-11", "--json", "--export", str(export), data_dir=data)
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    roster = demo_roster(demo_profile(), MONDAY)
    assert len(figures["rows"]) == len(roster)
    by_kind = {(r["employee_no"], r["shift_start"]): r["status"] for r in figures["rows"]}
    for record in roster:
        status = by_kind[(record.staff_id, f"{record.start:%H:%M}")]
        if record.kind.value == "leave":
            assert status == "leave"
        elif record.counter_id is None:
            assert status == "not_checked"
        else:
            assert status == "on_time"  # the simulator logs people in at the rostered start
    sheet = load_workbook(export).worksheets[0]
    assert sheet.max_row == len(roster) + 1
    bad = run("attendance", "--month", "2026-11", "--export", str(tmp_path / "a.pdf"), data_dir=data)
    assert bad.returncode == 1 and "choose a .csv or .xlsx" in bad.stderr


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_ids_starting_like_a_formula_round_trip(tmp_path: Path, suffix: str) -> None:
    """The export writes a staff or counter id starting with - or = behind a ' (cell_safety); reading the file
    takes the quote away again, so the roster imports as it was exported. A quote of the user's own stays."""
    tz = ZoneInfo("Asia/Shanghai")

    def at(hh: int, mm: int = 0, day: int = 30) -> datetime:
        return datetime(2026, 11, day, hh, mm, tzinfo=tz)

    staff = [StaffMember(n, f"P{n}", StaffRole.TELLER, (ServiceType.CASH,)) for n in ("-7", "=E2", "E3", "E4")]
    records = [
        ShiftRecord("-7", at(8, 45), at(17, 30), counter_id="-3", breaks=(BreakSpan(at(12), at(12, 45)),)),
        ShiftRecord("=E2", at(9), at(17), counter_id="=1+1"),
        ShiftRecord("E3", at(9), at(17), counter_id="@A1"),
        ShiftRecord("E4", at(9), at(17), counter_id="'7"),
        ShiftRecord("=E2", at(9, day=27), at(17, day=27), kind=ShiftKind.LEAVE),  # no counter: an empty cell
    ]
    path = tmp_path / f"roster{suffix}"
    write_roster(records, path, tz)
    if suffix == ".csv":  # the file really holds the export's quote, so the reader is what takes it away
        text = path.read_text(encoding="utf-8-sig")
        assert "'-7,2026-11-30,08:45,17:30,work,'-3," in text and "'=E2,2026-11-30,09:00,17:00,work,'=1+1," in text
    else:
        sheet = load_workbook(path).worksheets[0]
        assert [c.value for c in sheet["A3":"F3"][0]] == ["'-7", "2026-11-30", "08:45", "17:30", "work", "'-3"]
    parsed = read_roster(path, staff, tz)
    assert parsed.rejected == []
    assert parsed.records == sorted(records, key=lambda r: (r.start, r.staff_id))  # the order write_roster writes
