"""The command line as a user runs it: real processes, a real SQLite file, figures checked with plain SQL."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, data_dir: Path, timeout: float = 180,
        login: tuple[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``main.py`` in a process of its own; ``login`` (user, password) for a database with a real branch."""
    env = {**os.environ, "BRANCH_CONSOLE_DATA_DIR": str(data_dir), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("BRANCH_CONSOLE_DB", None)
    prefix = ["--user", login[0], "--password-stdin"] if login else []
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *prefix, *args], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=ROOT, input=f"{login[1]}\n" if login else None)


@pytest.fixture(scope="module")
def simulated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("cli-data")
    result = run("simulate", "--date", "2026-11-27", "--seed", "5", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert "2026-11-27:" in result.stdout
    return data_dir


def sql_figures(db: Path, day: str) -> dict[str, float]:
    """The report's figures recomputed with SQL straight from the ticket table (stored in UTC)."""
    con = sqlite3.connect(db)
    rows = con.execute("select status, issued_at, called_at, started_at, finished_at from ticket").fetchall()
    con.close()

    def ts(text: str | None) -> datetime | None:
        return datetime.fromisoformat(text) if text else None

    waits, handling = [], []
    counts = {"served": 0, "no_show": 0, "abandoned": 0}
    for status, issued, called, started, finished in rows:
        issued, called, started, finished = ts(issued), ts(called), ts(started), ts(finished)
        if status in counts:
            counts[status] += 1
        if called is not None:
            waits.append((called - issued).total_seconds() / 60)
        if status == "served":
            handling.append((finished - started).total_seconds() / 60)
    abandoned = counts["abandoned"]
    return {
        "arrived": len(rows),
        **counts,
        "avg_wait_min": sum(waits) / len(waits),
        "max_wait_min": max(waits),
        "service_level": sum(w <= 10 for w in waits) / (len(waits) + abandoned),
        "avg_transaction_min": sum(handling) / len(handling),
    }


def test_report_json_matches_sql(simulated_db: Path) -> None:
    result = run("report", "--date", "2026-11-27", "--json", data_dir=simulated_db)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    expected = sql_figures(simulated_db / "console.db", "2026-11-27")
    assert report["arrived"] > 150
    for key, value in expected.items():
        assert report[key] == pytest.approx(value), key
    assert report["date"] == "2026-11-27"
    assert {"per_counter", "per_service_type", "intervals", "p90_wait_min"} <= set(report)


def test_report_text_and_db_info(simulated_db: Path) -> None:
    text = run("report", "--date", "2026-11-27", data_dir=simulated_db)
    assert text.returncode == 0, text.stderr
    assert "Day report 2026-11-27" in text.stdout and "per counter" in text.stdout
    info = run("db", "info", data_dir=simulated_db)
    assert info.returncode == 0, info.stderr
    assert "schema revision" in info.stdout and "ticket" in info.stdout


def test_simulating_the_same_day_again_changes_nothing(simulated_db: Path) -> None:
    con = sqlite3.connect(simulated_db / "console.db")
    before = con.execute("select count(*), sum(status = 'served') from ticket").fetchone()
    events_before = con.execute("select count(*) from ticket_event").fetchone()
    con.close()
    again = run("simulate", "--date", "2026-11-27", "--seed", "5", data_dir=simulated_db)
    assert again.returncode == 0, again.stderr
    con = sqlite3.connect(simulated_db / "console.db")
    assert con.execute("select count(*), sum(status = 'served') from ticket").fetchone() == before
    assert con.execute("select count(*) from ticket_event").fetchone() == events_before
    con.close()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--db", "nosuchdriver://x/y", "db", "info"), "nosuchdriver"),
        (("--db", "sqlite:////proc/forbidden/console.db", "db", "info"), "/proc/forbidden"),
        (("--lang", "fr", "db", "info"), "fr"),
        (("report", "--date", "2026-13-01"), "2026-13-01"),
        (("--speed", "-3"), "-3"),
        (("--screenshot", "x.png"), "--quit-after"),
        (("report", "--date", "2026-11-27", "--branch", "NOPE"), "NOPE"),
    ],
)
def test_bad_input_is_named(tmp_path: Path, args: tuple[str, ...], needle: str) -> None:
    result = run(*args, data_dir=tmp_path / "d")
    assert result.returncode != 0
    assert needle in result.stderr
    assert "Traceback" not in result.stderr


def test_data_dir_that_is_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run("--data-dir", str(blocker), "db", "info", data_dir=tmp_path / "unused")
    assert result.returncode == 2
    assert str(blocker) in result.stderr and "not a directory" in result.stderr


def test_not_a_database_is_left_alone(tmp_path: Path) -> None:
    data_dir = tmp_path / "d"
    data_dir.mkdir()
    bogus = data_dir / "console.db"
    bogus.write_bytes(b"this is not sqlite" * 100)
    result = run("db", "info", data_dir=data_dir)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert str(bogus) in result.stderr
    assert bogus.read_bytes() == b"this is not sqlite" * 100


def test_screenshot_of_the_demo(tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    result = run("--demo", "--speed", "120", "--sim-start", "11:30", "--quit-after", "6", "--screenshot", str(shot),
                 data_dir=tmp_path / "d")
    assert result.returncode == 0, result.stderr
    from PySide6.QtGui import QImage

    image = QImage(str(shot))
    assert image.width() >= 1200 and image.height() >= 800
    colours = {image.pixel(x, y) for x in range(0, image.width(), 37) for y in range(0, image.height(), 37)}
    assert len(colours) > 50  # a painted window, not a blank rectangle


def test_a_scenario_is_an_option_of_the_window_and_of_simulate_each_its_own() -> None:
    """``--scenario`` before a command is the window's (refused with a command); after ``simulate`` it is the
    simulated day's, and the window's check does not mistake it for its own."""
    from console.cli.commands import build_parser, check_options

    parser = build_parser()
    args = parser.parse_args(["simulate", "--date", "2026-12-01", "--scenario", "pension_payday"])
    check_options(parser, args)
    assert args.scenario == "pension_payday" and args.window_scenario is None
    assert parser.parse_args(["--scenario", "pension_payday"]).window_scenario == "pension_payday"
    wrong = parser.parse_args(["--scenario", "pension_payday", "db", "info"])
    with pytest.raises(SystemExit):
        check_options(parser, wrong)


def test_advice_replayed_at_an_instant(simulated_db: Path) -> None:
    """``advice --at``: the proposals as JSON with the arithmetic behind each expected wait (the customers waiting
    times the counter time, shared by the counters working once this and the earlier proposals for the queue are
    carried out); the text form names people; a bad instant is refused naming the option."""
    done = run("advice", "--at", "2026-11-27T12:25", "--branch", "DEMO", "--json", data_dir=simulated_db)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    keys = {"action", "counter_id", "staff_id", "service_types", "queue", "expected_wait_min_after"}
    assert all(keys <= set(r) for r in rows)
    added: dict[str, int] = {}
    for r in rows:
        if r["action"] == "divert":  # more needed than the counters able to take the queue
            assert r["counters_needed"] > r["counters_able"] and r["waiting"] > 0
            continue
        added[r["queue"]] = added.get(r["queue"], 0) + (-1 if r["action"] == "close_idle" else 1)
        counters = max(1, r["counters_working"] + added[r["queue"]])
        expected = 0 if r["waiting"] == 0 else r["waiting"] * r["counter_time_min"] / counters
        assert abs(r["expected_wait_min_after"] - expected) <= 0.1 + 0.05 * r["waiting"] / counters, r
        if r["action"] != "close_idle":
            assert r["queue"] in r["service_types"]
    text = run("advice", "--at", "2026-11-27T12:25", "--branch", "DEMO", data_dir=simulated_db)
    assert text.returncode == 0 and text.stdout.startswith("Staffing advice at 2026-11-27T12:25:00+08:00")
    bad = run("advice", "--at", "lunchtime", "--branch", "DEMO", data_dir=simulated_db)
    assert bad.returncode != 0 and "--at" in bad.stderr and "Traceback" not in bad.stderr


def test_commands_on_the_demo_branch_read_the_demo_s_clock(simulated_db: Path) -> None:
    """The demo branch's day runs on the demo's clock: ``report`` without ``--date`` is the simulated day's (not the
    wall clock's today, which holds nothing), and ``advice`` without ``--at`` is at the newest stored instant."""
    dated = json.loads(run("report", "--date", "2026-11-27", "--json", data_dir=simulated_db).stdout)
    today = run("report", "--json", data_dir=simulated_db)
    assert today.returncode == 0, today.stderr
    assert json.loads(today.stdout) == dated and dated["arrived"] > 100
    now = run("advice", "--branch", "DEMO", data_dir=simulated_db)
    assert now.returncode == 0 and now.stdout.startswith("Staffing advice at 2026-11-27T"), now.stdout + now.stderr
