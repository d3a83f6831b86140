"""``alerts check --at`` on a stored simulated day, checked against the stored tickets read with plain SQL, and
``alerts list`` on stored alerts; bad input gets a message and a non-zero exit."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.cli.test_cli import run

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def day_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("alerts-data")
    result = run("simulate", "--date", "2026-11-27", "--seed", "4", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    return data_dir


def stored_tickets(data_dir: Path) -> list[tuple[str, datetime, datetime | None, datetime | None, str]]:
    """(number, issued, called, finished, service type) of every stored ticket."""
    con = sqlite3.connect(data_dir / "console.db")
    rows = con.execute("select number, issued_at, called_at, finished_at, service_type from ticket").fetchall()
    con.close()

    def ts(text: str | None) -> datetime | None:
        return datetime.fromisoformat(text).replace(tzinfo=UTC) if text else None

    return [(n, ts(i), ts(c), ts(f), s) for n, i, c, f, s in rows]


def waiting_minutes(tickets, at: datetime) -> dict[str, dict[str, float]]:
    """Per service type, the tickets waiting at ``at`` (issued by then, not called by then, not finished (abandoned)
    by then) with their minutes waited."""
    out: dict[str, dict[str, float]] = {}
    for number, issued, called, finished, service in tickets:
        if issued > at or (called is not None and called <= at) or (finished is not None and finished <= at):
            continue
        out.setdefault(service, {})[number] = (at - issued).total_seconds() / 60
    return out


def check(data_dir: Path, at: str) -> list[dict]:
    result = run("alerts", "check", "--at", at, "--json", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("at", ["2026-11-27T11:21:00", "2026-11-27T12:30:00", "2026-11-27T16:10:00"])
def test_long_wait_alerts_are_one_per_queue_whose_longest_wait_passed_15_minutes(day_db: Path, at: str) -> None:
    alerts = check(day_db, at)
    instant = datetime.fromisoformat(at).replace(tzinfo=TZ)
    queues = waiting_minutes(stored_tickets(day_db), instant)
    longest = {service: max(waits.values()) for service, waits in queues.items()}
    expected = {service: ("critical" if w >= 30 else "warning") for service, w in longest.items() if w >= 15}
    got = {a["subject"]: a["severity"] for a in alerts if a["rule"] == "long_wait"}
    assert got == expected
    assert expected or at == "2026-11-27T16:10:00"  # the busy instants have long waits to check
    for a in alerts:
        assert set(a) == {"rule", "severity", "subject", "value", "threshold", "since"}
        assert datetime.fromisoformat(a["since"]) <= instant
        if a["rule"] == "long_wait":
            assert a["value"] == pytest.approx(longest[a["subject"]], abs=0.01)
            # raised at the latest when the queue's longest-waiting ticket passed 15 minutes (the replay's steps)
            began = instant - timedelta(minutes=longest[a["subject"]]) + timedelta(minutes=15)
            step = 5 if began >= instant - timedelta(minutes=15) else 30
            assert datetime.fromisoformat(a["since"]) - began <= timedelta(seconds=step)
            assert a["threshold"] == (30 if a["severity"] == "critical" else 15)


def test_only_data_stored_up_to_the_instant_counts(day_db: Path) -> None:
    early = check(day_db, "2026-11-27T08:30:00")  # before the first ticket: nothing has happened yet
    assert [a for a in early if a["rule"] in ("long_wait", "queue", "service_level")] == []
    with_offset = check(day_db, "2026-11-27T03:21:00+00:00")  # the same instant as 11:21 in Beijing
    assert with_offset == check(day_db, "2026-11-27T11:21:00")


def test_service_level_alert_follows_the_last_hour(day_db: Path) -> None:
    tickets = stored_tickets(day_db)

    def share(at: datetime) -> float | None:
        called = [(c - i).total_seconds() <= 600 for _, i, c, _f, _s in tickets
                  if c is not None and at - timedelta(minutes=60) < c <= at]
        gave_up = sum(1 for _, _i, c, f, s in tickets if c is None and s == "abandoned" and f is not None
                      and at - timedelta(minutes=60) < f <= at)
        total = len(called) + gave_up
        return None if total < 5 else 100 * sum(called) / total

    hits = misses = 0
    for minute in range(9 * 60 + 30, 17 * 60, 20):
        if hits >= 2 and misses >= 2:  # each check replays the day in a process of its own: enough of each
            break
        at = datetime(2026, 11, 27, minute // 60, minute % 60, tzinfo=TZ)
        window = [share(at - timedelta(seconds=s)) for s in range(0, 121, 5)]
        if any(v is None for v in window):
            continue
        if all(v < 80 for v in window):
            assert any(a["rule"] == "service_level" for a in check(day_db, at.isoformat()))
            hits += 1
        elif all(v > 85 for v in window[:30]) and share(at - timedelta(minutes=3)) > 85:
            assert not any(a["rule"] == "service_level" for a in check(day_db, at.isoformat()))
            misses += 1
    assert hits and misses  # the day has both (seed 4's lunch peak)


def test_alerts_list_and_bad_input(day_db: Path, tmp_path: Path) -> None:
    from console.domain.records import AlertRecord
    from console.domain.vocabulary import AlertSeverity, AlertState
    from storage.database import open_database
    from storage.tasks import AcknowledgeAlert, SaveAlert
    from storage.writer import apply_now

    db = open_database(f"sqlite:///{day_db / 'console.db'}")
    raised = datetime(2026, 11, 27, 3, 30, tzinfo=UTC)
    task = SaveAlert("DEMO", AlertRecord(None, "crowding", AlertSeverity.WARNING, AlertState.RAISED, "lobby",
                                         "crowding lobby: 85", raised, value=85.0, threshold=80.0))
    apply_now(db, task)
    apply_now(db, AcknowledgeAlert(task.stored_id[0], "zhou.ting", "guided customers to self-service",
                                   raised + timedelta(minutes=2)))
    db.close()
    result = run("alerts", "list", "--since", "2026-11-27T00:00:00", "--json", data_dir=day_db)
    assert result.returncode == 0, result.stderr
    (row,) = [r for r in json.loads(result.stdout) if r["rule"] == "crowding"]
    assert row["state"] == "acknowledged" and row["acknowledged_by"] == "zhou.ting"
    assert row["raised_at"] == "2026-11-27T11:30:00+08:00" and row["value"] == 85.0
    text = run("alerts", "list", "--since", "2026-11-27", data_dir=day_db)
    assert "crowding" in text.stdout and "ack zhou.ting 11:32:00" in text.stdout
    bad = run("alerts", "check", "--at", "27/11/2026 11:00", data_dir=day_db)
    assert bad.returncode != 0 and "--at '27/11/2026 11:00' is not an ISO 8601 time" in bad.stderr
    assert "Traceback" not in bad.stderr
    missing = run("alerts", "list", "--branch", "NOPE", data_dir=day_db)
    assert missing.returncode != 0 and "--branch 'NOPE' is not in the database" in missing.stderr
