"""``db purge`` as a user runs it (real processes, a real SQLite file), and the reports of a purged day."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.cli.test_cli import run

TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the demo branch's day
OLD = TODAY - timedelta(days=30)
RECENT = TODAY - timedelta(days=2)


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("purge-data")
    for day, seed in ((OLD, "7"), (RECENT, "8")):
        result = run("simulate", "--date", day.isoformat(), "--seed", seed, data_dir=data_dir)
        assert result.returncode == 0, result.stderr
    con = sqlite3.connect(data_dir / "console.db")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return data_dir


@pytest.fixture
def data_dir(simulated: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(simulated, copy)
    return copy


def count(data_dir: Path, sql: str) -> int:
    con = sqlite3.connect(data_dir / "console.db")
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def local_midnight_utc(day: date) -> str:
    """The stored (naive UTC) form of the demo branch's midnight starting ``day``."""
    start = datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo("Asia/Shanghai"))
    return start.astimezone(ZoneInfo("UTC")).replace(tzinfo=None).isoformat(sep=" ")


def test_purge_then_report_the_purged_day(data_dir: Path) -> None:
    before = json.loads(run("report", "--date", OLD.isoformat(), "--json", data_dir=data_dir).stdout)
    tickets = count(data_dir, "select count(*) from ticket")

    dry = run("db", "purge", "--older-than", "7", "--dry-run", data_dir=data_dir)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith("dry run, nothing changed")
    assert count(data_dir, "select count(*) from ticket") == tickets

    done = run("db", "purge", "--older-than", "7", data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    lines = {line.split()[0]: line.split()[1:] for line in done.stdout.splitlines()[2:] if line.strip()}
    old_tickets = before["arrived"]
    assert lines["ticket"] == [str(tickets), str(tickets - old_tickets)]
    assert lines["ticket_day_stat"][0] == "0" and int(lines["ticket_day_stat"][1]) > 1
    assert dry.stdout.splitlines()[2:-1] == done.stdout.splitlines()[2:-1]  # the dry run said what would happen
    cutoff = local_midnight_utc(TODAY - timedelta(days=7))
    for table, column in (("ticket", "issued_at"), ("ticket_event", "at"), ("occupancy_sample", "at"),
                          ("counter_event", "at")):
        assert count(data_dir, f"select count(*) from {table} where {column} < '{cutoff}'") == 0, table
        assert count(data_dir, f"select count(*) from {table} where {column} >= '{cutoff}'") > 0, table
    assert count(data_dir, "select count(*) from audit_entry where action = 'retention.purge'") == 1

    text = run("report", "--date", OLD.isoformat(), data_dir=data_dir)
    assert text.returncode == 0, text.stderr
    assert "were purged after the retention period" in text.stdout
    assert f"arrived {before['arrived']}   served {before['served']}" in text.stdout
    after = json.loads(run("report", "--date", OLD.isoformat(), "--json", data_dir=data_dir).stdout)
    assert after["purged"] is True
    for key in ("arrived", "served", "no_show", "abandoned", "avg_wait_min", "p90_wait_min", "max_wait_min",
                "service_level", "avg_transaction_min", "max_transaction_min"):
        assert after[key] == pytest.approx(before[key]), key
    for name, figures in before["per_service_type"].items():
        assert after["per_service_type"][name]["arrived"] == figures["arrived"]
        assert after["per_service_type"][name]["avg_wait_min"] == pytest.approx(figures["avg_wait_min"])
    raw = {i["start"][11:16]: i for i in before["intervals"] if i["arrived"] or i["served"]}
    kept = {i["start"]: i for i in after["intervals"]}
    assert len(raw) > 10 and raw.keys() == kept.keys()
    for start, i in raw.items():
        assert (kept[start]["arrived"], kept[start]["served"]) == (i["arrived"], i["served"]), start
    export = run("report", "--date", OLD.isoformat(), "--export", str(data_dir / "x.csv"), data_dir=data_dir)
    assert export.returncode == 1 and "--export" in export.stderr and "purged" in export.stderr
    assert "Traceback" not in export.stderr
    # a day still kept reads as before
    assert "purged" not in run("report", "--date", RECENT.isoformat(), data_dir=data_dir).stdout
    # a replay of a purged day says its raw data is gone
    check = run("alerts", "check", "--at", f"{OLD.isoformat()}T11:00", data_dir=data_dir)
    assert check.returncode == 0 and "raw data" in check.stderr and "purged" in check.stderr


@pytest.mark.parametrize(("args", "needle"), [
    (("--older-than", "3"), "argument --older-than: between 7 and 3650 days, got '3'"),
    (("--older-than", "a week"), "argument --older-than: expected a whole number of days"),
    (("--older-than", "99999"), "argument --older-than"),
])
def test_bad_values_name_the_option(simulated: Path, args: tuple[str, ...], needle: str) -> None:
    result = run("db", "purge", *args, data_dir=simulated)
    assert result.returncode == 2 and needle in result.stderr and "Traceback" not in result.stderr


def test_retention_setting_zero_purges_nothing_and_a_bad_one_is_named(data_dir: Path) -> None:
    tickets = count(data_dir, "select count(*) from ticket")
    (data_dir / "settings.toml").write_text("[privacy]\nretention_days = 0\n")
    result = run("db", "purge", data_dir=data_dir)
    assert result.returncode == 0 and "nothing purged" in result.stdout
    assert count(data_dir, "select count(*) from ticket") == tickets
    assert count(data_dir, "select count(*) from audit_entry where action = 'retention.purge'") == 0
    (data_dir / "settings.toml").write_text("[privacy]\nretention_days = 3\n")
    bad = run("db", "purge", data_dir=data_dir)
    assert bad.returncode == 2 and "privacy.retention_days" in bad.stderr and "settings.toml" in bad.stderr
    assert count(data_dir, "select count(*) from ticket") == tickets
