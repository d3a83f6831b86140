"""``tickets import``: a ticket log CSV into a real SQLite file, run as a user runs it (a real process)."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from console.domain.permissions import Role
from console.domain.records import BranchInfo
from console.security.users import UserStore
from storage.database import open_database
from storage.tasks import SaveBranchSetup
from storage.writer import apply_now
from tests.cli.test_cli import run as run_cli

ADMIN = ("admin", "Import2026admin")


def run(*args: str, data_dir: Path):
    return run_cli(*args, data_dir=data_dir, login=ADMIN)

HEADER = "ticket_id,service_type,priority,issued_at,called_at,started_at,finished_at,counter_id,staff_id,outcome"
GOOD = [
    "A001,cash,0,2026-11-27T09:00:00,2026-11-27T09:04:00,2026-11-27T09:05:00,2026-11-27T09:10:00,1,E1,served",
    "A002,cash,,2026-11-27T09:01:00+08:00,2026-11-27T09:12:00+08:00,,2026-11-27T09:15:00+08:00,1,E1,no_show",
    "B001,non_cash,yes,2026-11-27T09:02:00,,,2026-11-27T09:30:00,,,abandoned",
    "V001,vip,1,2026-11-27T01:03:00Z,2026-11-27T01:05:00Z,2026-11-27T01:06:00Z,2026-11-27T01:20:00Z,7,E9,served",
    "A003,cash,false,2026-11-27T09:40:00,,,,,,waiting",
]
BAD = [
    ("A004,cash,0,2026-11-27T09:00:00,,,,,,vanished", "outcome 'vanished' is unknown"),
    ("A005,cash,0,2026-11-27T09:30:00,2026-11-27T09:20:00,,2026-11-27T09:35:00,1,E1,no_show",
     "called_at 2026-11-27T09:20:00+08:00 is before issued_at"),
    ("A006,cash,0,27/11/2026 09:00,,,,,,waiting", "issued_at: '27/11/2026 09:00' is not an ISO 8601"),
    ("A007,cash,0,2026-11-27T09:00:00,2026-11-27T09:01:00,2026-11-27T09:03:00,2026-11-27T09:02:00,1,E1,served",
     "finished_at 2026-11-27T09:02:00+08:00 is before the ticket's previous step"),
]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    db = open_database(f"sqlite:///{tmp_path / 'console.db'}")
    apply_now(db, SaveBranchSetup(branch=BranchInfo("BJ01", "Xidan", "Asia/Shanghai", time(9), time(17), 60),
                                  counters=(), staff=()))
    UserStore(db).add(ADMIN[0], "Admin", Role.ADMINISTRATOR, ADMIN[1], "setup")  # a real branch needs a login
    db.close()
    # the files below carry fixed dates (November 2026): a window of ten years (the most the setting allows) keeps them importable in later years;
    # test_times_outside_the_window_reject_their_line checks the window itself
    (tmp_path / "settings.toml").write_text("[api]\noldest_event_days = 3660\n", encoding="utf-8")
    return tmp_path


def write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def stored(data_dir: Path) -> tuple[int, dict[str, tuple]]:
    con = sqlite3.connect(data_dir / "console.db")
    events = con.execute("select count(*) from ticket_event").fetchone()[0]
    tickets = {r[0]: r[1:] for r in con.execute("select ticket_id, status, service_type, priority from ticket")}
    con.close()
    return events, tickets


def test_good_rows_imported_bad_rows_named_and_reimport_changes_nothing(data_dir: Path, tmp_path: Path) -> None:
    lines = [HEADER, GOOD[0], BAD[0][0], GOOD[1], BAD[1][0], GOOD[2], BAD[2][0], GOOD[3], BAD[3][0], GOOD[4]]
    log = write(tmp_path / "day.csv", lines)
    result = run("tickets", "import", str(log), data_dir=data_dir)
    assert result.returncode == 1, result.stderr  # some rows were rejected
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 4
    for (row, reason), line_no, message in zip(BAD, (3, 5, 7, 9), errors, strict=True):
        assert message.startswith(f"{log}:{line_no}: ") and reason in message, message
    assert "10 rows" not in result.stdout and "9 rows, 5 tickets imported" in result.stdout
    events, tickets = stored(data_dir)
    assert events == 4 + 3 + 2 + 4 + 1  # issued/called/started/finished, issued/called/no_show, ...
    assert tickets == {"A001": ("served", "cash", 0), "A002": ("no_show", "cash", 0),
                       "B001": ("abandoned", "non_cash", 1), "V001": ("served", "vip", 1),
                       "A003": ("waiting", "cash", 0)}
    again = run("tickets", "import", str(log), data_dir=data_dir)
    assert again.returncode == 1 and "0 new events, 14 already stored" in again.stdout
    assert stored(data_dir) == (events, tickets)
    report = run("report", "--date", "2026-11-27", "--json", data_dir=data_dir)
    figures = json.loads(report.stdout)
    assert figures["arrived"] == 5 and figures["served"] == 2 and figures["no_show"] == 1
    assert figures["abandoned"] == 1
    # waits of called tickets: A001 4 min, A002 11 min, V001 2 min
    assert figures["max_wait_min"] == pytest.approx(11.0) and figures["avg_wait_min"] == pytest.approx(17 / 3)


def test_a_clean_file_exits_zero(data_dir: Path, tmp_path: Path) -> None:
    result = run("tickets", "import", str(write(tmp_path / "ok.csv", [HEADER, *GOOD])), data_dir=data_dir)
    assert result.returncode == 0 and result.stderr == ""
    assert "5 tickets imported" in result.stdout


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252", "gb18030"])
def test_bom_windows_1252_and_gbk_files(data_dir: Path, tmp_path: Path, encoding: str) -> None:
    name = "José" if encoding == "cp1252" else "李伟"
    row = f"A001,cash,0,2026-11-27T09:00:00,2026-11-27T09:04:00,,2026-11-27T09:06:00,1,{name},no_show"
    result = run("tickets", "import", str(write(tmp_path / "enc.csv", [HEADER, row], encoding)), data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    con = sqlite3.connect(data_dir / "console.db")
    staff = con.execute("select staff_id from ticket").fetchone()[0]
    con.close()
    assert staff == name


def test_missing_column_imports_nothing_and_names_it(data_dir: Path, tmp_path: Path) -> None:
    header = HEADER.replace(",outcome", "")
    log = write(tmp_path / "short.csv", [header, GOOD[0].rsplit(",", 1)[0]])
    result = run("tickets", "import", str(log), data_dir=data_dir)
    assert result.returncode == 2 and "has no column outcome" in result.stderr and "nothing imported" in result.stderr
    assert "Traceback" not in result.stderr
    assert stored(data_dir) == (0, {})
    missing = run("tickets", "import", str(tmp_path / "nope.csv"), data_dir=data_dir)
    assert missing.returncode == 2 and "nope.csv cannot be read" in missing.stderr


APPOINTMENT_HEADER = "appointment_id,service_type,due_at,booked_at,checked_in_at,cancelled_at,ticket_id"


def test_appointments_import_with_tickets_and_report(data_dir: Path, tmp_path: Path) -> None:
    assert run("tickets", "import", str(write(tmp_path / "t.csv", [HEADER] + GOOD)), data_dir=data_dir).returncode == 0
    lines = [
        APPOINTMENT_HEADER,
        "R1,vip,2026-11-27T09:00:00,2026-11-26T15:00:00,2026-11-27T09:03:00,,V001",  # on time, called 09:05
        "R2,corporate,2026-11-27T10:00:00,,,2026-11-26T18:00:00,",  # cancelled
        "R3,corporate,2026-11-27T11:00:00,2026-11-25T10:00:00,,,",  # never came
        "R4,corporate,2026-11-27T11:00:00,2026-11-28T10:00:00,,,",  # booked after its slot
        "R5,loans,2026-11-27T11:00:00,,,,",  # unknown service type
        "R6,vip,2026-11-27T12:00:00,,2026-11-27T11:50:00,2026-11-27T11:00:00,",  # both checked in and cancelled
        "R1,vip,2026-11-27T09:30:00,,,,",  # the same appointment twice
    ]
    path = write(tmp_path / "appointments.csv", lines, encoding="utf-8-sig")
    result = run("appointments", "import", str(path), data_dir=data_dir)
    assert result.returncode == 1, result.stderr
    errors = result.stderr.strip().splitlines()
    assert [e.split(": ", 1)[0] for e in errors] == [f"{path}:{n}" for n in (5, 6, 7, 8)]
    assert "booked_at" in errors[0] and "service_type 'loans'" in errors[1] and "both" in errors[2]
    assert "already on line 2" in errors[3]
    assert "7 rows, 3 appointments imported" in result.stdout
    again = run("appointments", "import", str(path), data_dir=data_dir)
    assert "0 new events" in again.stdout  # importing again changes nothing

    figures = json.loads(run("report", "--date", "2026-11-27", "--json", data_dir=data_dir).stdout)
    a = figures["appointments"]
    assert (a["booked"], a["cancelled"], a["checked_in"], a["on_time"], a["missing"]) == (2, 1, 1, 1, 1)
    assert a["avg_wait_after_check_in_min"] == pytest.approx(2.0)  # checked in 09:03, V001 called 09:05
    assert a["called_on_time_share"] == 1.0
    assert figures["priority"]["arrived"] == 2 and figures["ordinary"]["arrived"] == 3  # B001 and V001 priority
    missing = write(tmp_path / "bad.csv", ["appointment_id,service_type,booked_at", "R9,vip,2026-11-27T09:00:00"])
    bad = run("appointments", "import", str(missing), data_dir=data_dir)
    assert bad.returncode == 2 and "due_at" in bad.stderr and "Traceback" not in bad.stderr


def test_times_outside_the_window_reject_their_line(data_dir: Path, tmp_path: Path) -> None:
    """A year-1 time, one in 9999 and one two days ahead reject their own line (number and field named); the other
    rows of the file are imported. The window is the feed's: here 30 days back, 24 hours ahead."""
    (data_dir / "settings.toml").write_text("[api]\noldest_event_days = 30\n", encoding="utf-8")
    local = datetime.now(ZoneInfo("Asia/Shanghai")).replace(microsecond=0, tzinfo=None)

    def row(ticket: str, issued: datetime | str) -> str:
        text = issued if isinstance(issued, str) else issued.isoformat()
        return f"{ticket},cash,0,{text},,,,,,waiting"

    lines = [HEADER, row("A001", local - timedelta(days=2)), row("A002", "0001-01-01T09:00:00"),
             row("A003", "9999-12-31T23:59:59+00:00"), row("A004", local + timedelta(days=2)),
             row("A005", local - timedelta(days=31)), row("A006", local - timedelta(hours=1))]
    log = write(tmp_path / "window.csv", lines)
    result = run("tickets", "import", str(log), data_dir=data_dir)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    errors = result.stderr.strip().splitlines()
    assert [e.split(": ", 1)[0] for e in errors] == [f"{log}:{n}" for n in (3, 4, 5, 6)], errors
    assert all("issued_at" in e and "outside the accepted window" in e for e in errors), errors
    assert "6 rows, 2 tickets imported" in result.stdout
    assert set(stored(data_dir)[1]) == {"A001", "A006"}


def test_ticket_numbers_restart_every_day(data_dir: Path, tmp_path: Path) -> None:
    """The same number on two days is two tickets; twice on one day, the second row is rejected."""
    lines = [HEADER, GOOD[0], GOOD[0].replace("2026-11-27", "2026-11-28"),
             "A001,cash,0,2026-11-27T15:00:00,,,,,,waiting"]
    log = write(tmp_path / "days.csv", lines)
    result = run("tickets", "import", str(log), data_dir=data_dir)
    assert result.returncode == 1
    assert result.stderr.strip() == f"{log}:4: ticket_id 'A001' on 2026-11-27 already on line 2"
    con = sqlite3.connect(data_dir / "console.db")
    days = con.execute("select business_day, status from ticket where ticket_id = 'A001' order by 1").fetchall()
    con.close()
    assert days == [("2026-11-27", "served"), ("2026-11-28", "served")]
