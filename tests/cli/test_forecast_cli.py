"""``forecast`` as a user runs it: two simulated Mondays stored, the next Monday's forecast is their mean per
half-hour and service type (recomputed here from the stored tickets); a day without similar history says it
uses the demo profile."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from storage import repository
from storage.database import open_database
from tests.cli.test_cli import run

TZ = ZoneInfo("Asia/Shanghai")


def test_forecast_from_two_mondays(tmp_path: Path) -> None:
    data = tmp_path / "data"
    for day in ("2026-11-09", "2026-11-16"):
        assert run("simulate", "--date", day, data_dir=data).returncode == 0
    result = run("forecast", "--date", "2026-11-23", "--json", data_dir=data)
    assert result.returncode == 0, result.stderr
    f = json.loads(result.stdout)
    assert f["source"] == "history" and f["reference_days"] == ["2026-11-16", "2026-11-09"]

    db = open_database(f"sqlite:///{data / 'console.db'}")
    counts: Counter = Counter()
    for day in (date(2026, 11, 9), date(2026, 11, 16)):
        start = datetime.combine(day, time(0), tzinfo=TZ)
        for t in repository.load_tickets(db, "DEMO", start, start.replace(hour=23, minute=59)):
            local = t.issued_at.astimezone(TZ)
            slot = max(0, (local.hour * 60 + local.minute - 9 * 60) // 30)
            counts[(t.service_type.value, slot)] += 1
    db.close()
    for i, interval in enumerate(f["intervals"]):
        for st in ("cash", "non_cash", "corporate", "vip"):
            assert interval[st] == pytest.approx(counts[(st, i)] / 2), (i, st)
    assert f["total"] == pytest.approx(sum(counts.values()) / 2, abs=0.2)
    assert f["backtest"]["days"] == 2

    text = run("forecast", "--date", "2026-11-24", data_dir=data).stdout
    assert "from the demo branch's profile" in text


def test_forecast_with_coverage(tmp_path: Path) -> None:
    from console.sim.profile import demo_profile, demo_roster

    data = tmp_path / "data"
    assert run("simulate", "--date", "2026-11-16", data_dir=data).returncode == 0
    result = run("forecast", "--date", "2026-11-16", "--coverage", "--json", data_dir=data)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["coverage"]
    assert len(rows) == 16 and rows[0]["start"] == "09:00"
    assert json.loads(result.stdout)["counters"] == len(demo_profile().counters)  # the counters that exist
    from console.domain.roster_rules import on_shift

    roster = demo_roster(demo_profile(), date(2026, 11, 16))
    for i, row in enumerate(rows):
        middle = datetime(2026, 11, 16, 9, 15, tzinfo=TZ) + timedelta(minutes=30 * i)
        people = {s.staff_id for s in roster}
        assert row["on_shift"] == sum(1 for p in people if on_shift([s for s in roster if s.staff_id == p], middle))
        assert row["total_required"] == sum(row["required"].values()) >= 1
        assert row["shortfall"] == max(0, row["total_required"] - row["on_shift"])
