"""``branch apply|show|list`` as a user runs them (real processes on a real SQLite file): a branch from a file, the
same file again, the round trip through ``show --toml``, refused files, logins, counters in use, and the
ticketing system's business names in ``tickets import``."""

from __future__ import annotations

import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from console.branches.branch_file import parse_branch, read_branch_file
from console.domain.permissions import Role
from console.domain.records import TicketEvent
from console.domain.vocabulary import CounterState, TicketEventType
from console.security.users import UserStore
from storage.database import open_database
from storage.tasks import StoreFeedEvents
from storage.writer import apply_now
from tests.cli.test_cli import ROOT
from tests.cli.test_cli import run as run_cli

pytestmark = pytest.mark.slow  # several processes per test

EXAMPLE = ROOT / "resources" / "examples" / "branch.toml"
PASSWORD = "Branch2026setup"


def run(*args: str, data_dir: Path, login: tuple[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, data_dir=data_dir, login=login)


def audit_rows(data_dir: Path) -> list[tuple[str, str, str | None, str | None]]:
    con = sqlite3.connect(data_dir / "console.db")
    rows = con.execute("select action, entity_id, before, after from audit_entry order by id").fetchall()
    con.close()
    return rows


def test_apply_again_show_round_trip_and_changes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = run("branch", "apply", str(EXAMPLE), data_dir=data)
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[0].startswith("branch SH01 created: 上海分行营业部, Asia/Shanghai, lobby capacity 80 people, 40 waiting")
    assert sorted(line.split()[1] for line in lines[1:]) == ["C1", "C2", "C3", "F1", "V1"]
    again = run("branch", "apply", str(EXAMPLE), data_dir=data)
    assert (again.returncode, again.stdout) == (0, "no changes\n"), again.stderr
    shown = run("branch", "show", "SH01", "--toml", data_dir=data)
    assert shown.returncode == 0, shown.stderr
    (tmp_path / "shown.toml").write_text(shown.stdout, encoding="utf-8")
    import tomllib

    back = parse_branch(tomllib.loads(shown.stdout))
    example = read_branch_file(EXAMPLE)
    assert back.hours == example.hours and back.service_names == example.service_names
    assert sorted(back.counters, key=lambda c: c.counter_id) == sorted(example.counters, key=lambda c: c.counter_id)
    assert (back.code, back.name, back.lobby_capacity, back.waiting_seats) == ("SH01", "上海分行营业部", 80, 40)
    round_trip = run("branch", "apply", str(tmp_path / "shown.toml"), data_dir=data)
    assert (round_trip.returncode, round_trip.stdout) == (0, "no changes\n"), round_trip.stderr
    listed = run("branch", "list", data_dir=data)
    assert listed.stdout.startswith("SH01  上海分行营业部  Asia/Shanghai  capacity 80  5 counters")
    audits = audit_rows(data)
    assert [a[0] for a in audits] == ["branch.create"] + ["counter.add"] * 5  # unchanged applies wrote nothing

    # a change: capacity, a renamed counter (same id: its history stays), one counter less, Sunday opened
    text = EXAMPLE.read_text(encoding="utf-8").replace("lobby_capacity = 80", "lobby_capacity = 90")
    text = text.replace('name = "2号窗口"', 'name = "2号现金窗口"').replace('sun = "closed"', 'sun = "10:00-15:00"')
    text = text[:text.index('[[counter]]\nid = "F1"')]
    (tmp_path / "changed.toml").write_text(text, encoding="utf-8")
    changed = run("branch", "apply", str(tmp_path / "changed.toml"), data_dir=data)
    assert changed.returncode == 0, changed.stderr
    assert changed.stdout.splitlines() == ["branch.lobby_capacity: 80 -> 90", "branch.hours.sun: closed -> 10:00-15:00",
                                           "counter C2.name: 2号窗口 -> 2号现金窗口", "counter F1 removed: 弹性窗口"]
    audits = audit_rows(data)[6:]
    assert [(a[0], a[1]) for a in audits] == [("branch.change", "SH01"), ("counter.change", "SH01/C2"),
                                              ("counter.remove", "SH01/F1")]
    assert '"lobby_capacity": 80' in audits[0][2] and '"lobby_capacity": 90' in audits[0][3]


#: Two refusals run as processes (exit 2, the message, nothing changed); every rule's refusal is checked on the
#: parser in tests/branches/test_branch_file.py.
REFUSED = [
    ("[branch]", "[branch]\ncolour = 1", "branch.colour: unknown key"),
    ('sat = "09:30-16:00"', 'sat = "16:00-09:30"', "branch.hours.sat: opens at 16:00, not before it closes at 09:30"),
]


def test_refused_files_name_file_key_and_reason_and_change_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run("branch", "apply", str(EXAMPLE), data_dir=data).returncode == 0
    before = run("branch", "show", "SH01", "--toml", data_dir=data).stdout
    text = EXAMPLE.read_text(encoding="utf-8")
    for original, replacement, reason in REFUSED:
        bad = tmp_path / "bad.toml"
        bad.write_text(text.replace(original, replacement, 1), encoding="utf-8")
        result = run("branch", "apply", str(bad), data_dir=data)
        assert result.returncode == 2, (reason, result.stdout, result.stderr)
        assert result.stderr.startswith(f"error: {bad}: {reason}"), result.stderr
        assert "Traceback" not in result.stderr and result.stdout == ""
    assert run("branch", "show", "SH01", "--toml", data_dir=data).stdout == before


def test_logins_counters_in_use_and_business_names(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run("branch", "apply", str(EXAMPLE), data_dir=data).returncode == 0
    db = open_database(f"sqlite:///{data / 'console.db'}")
    try:
        store = UserStore(db)
        store.add("lobby", "Lobby", Role.LOBBY_MANAGER, PASSWORD, "setup")
        store.add("manager", "Manager", Role.BRANCH_MANAGER, PASSWORD, "setup")
        at = datetime.now(UTC)
        apply_now(db, StoreFeedEvents("SH01", (
            TicketEvent("e1", TicketEventType.ISSUED, at, ticket_id="A001", service_type=None, number="A001"),
            TicketEvent("e2", TicketEventType.COUNTER_STATE, at, counter_id="F1",
                        state=CounterState.OPEN),
            TicketEvent("e3", TicketEventType.CALLED, at, ticket_id="A001", counter_id="F1"))))
    finally:
        db.close()
    text = EXAMPLE.read_text(encoding="utf-8")
    smaller = tmp_path / "smaller.toml"
    smaller.write_text(text[:text.index('[[counter]]\nid = "F1"')], encoding="utf-8")
    refused = run("branch", "apply", str(smaller), data_dir=data)
    assert refused.returncode == 3 and "log in with --user" in refused.stderr  # users exist now: a login
    refused = run("branch", "apply", str(smaller), data_dir=data, login=("lobby", PASSWORD))
    assert refused.returncode == 3 and "lobby (lobby manager) may not change the branch's set-up" in refused.stderr
    in_use = run("branch", "apply", str(smaller), data_dir=data, login=("manager", PASSWORD))
    assert in_use.returncode == 1, in_use.stderr
    assert "counter F1 is open with ticket A001: close it before removing it; nothing was changed" in in_use.stderr
    assert "F1" in run("branch", "show", "SH01", data_dir=data, login=("lobby", PASSWORD)).stdout

    log = tmp_path / "day.csv"
    log.write_text("ticket_id,service_type,priority,issued_at,called_at,started_at,finished_at,counter_id,staff_id,"
                   "outcome\nB001,个人非现金,0,2026-12-01T09:00:00,,,,,,waiting\n"
                   "B002,外汇,0,2026-12-01T09:01:00,,,,,,waiting\nB003,vip,0,2026-12-01T09:02:00,,,,,,waiting\n",
                   encoding="utf-8")
    imported = run("tickets", "import", str(log), data_dir=data, login=("manager", PASSWORD))
    assert imported.returncode == 1
    assert imported.stderr.startswith(f"{log}:3: service_type '外汇' is unknown; expected one of cash, non_cash")
    assert "个人现金" in imported.stderr
    con = sqlite3.connect(data / "console.db")
    stored = dict(con.execute("select ticket_id, service_type from ticket where ticket_id like 'B%'").fetchall())
    con.close()
    assert stored == {"B001": "non_cash", "B003": "vip"}
