"""The retention purge on a real SQLite file with simulated days: raw rows older than N days go, newer ones stay,
and the statistics kept equal an independent computation (plain SQL and arithmetic) from the raw rows taken before
the purge."""

from __future__ import annotations

import functools
import math
import os
import shutil
import sqlite3
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from sqlalchemy import inspect

from console.domain.audit_chain import verify
from console.domain.records import AlertRecord, CameraHealthEvent, LineCrossings, OccupancyPoint, TicketEvent
from console.domain.vocabulary import AlertSeverity, AlertState, ServiceType, TicketEventType
from console.security.retention_job import RetentionJob
from console.sources.demo_day import DemoDay, DemoRecorder
from storage import aggregates, repository
from storage.alert_snapshots import SaveAlertSnapshots, load_alert_snapshots
from storage.audit import AuditSeal, seal
from storage.database import create_db_engine, open_database
from storage.migrate import alembic_config, upgrade_to
from storage.retention import RAW_TABLES, ApplyPurge, plan_purge, purge
from storage.tasks import RecordCameraHealth, RecordLineCrossings, RecordOccupancy, SaveAlert, StoreFeedEvents
from storage.writer import DatabaseWriter, apply_now
from tests.storage.conftest import AUDIT_KEY

TZ = ZoneInfo("Asia/Shanghai")  # the demo branch's
OLD_DAYS = (date(2026, 11, 23), date(2026, 11, 24))
NEW_DAY = date(2026, 12, 5)
NOW = datetime(2026, 12, 10, 4, 0, tzinfo=UTC)  # 12:00 in the branch: with N = 7, days before 3 December go
CUTOFF_UTC = datetime(2026, 12, 2, 16, 0)  # local midnight of 3 December, as stored (naive UTC)
SEEDED_UNTIL = time(11, 0)  # branch time: the simulated days are stored up to here
TIME_COLUMN = {name: col.key for name, (_, col) in RAW_TABLES.items()}


def _seed(path: Path) -> None:
    seed_url(f"sqlite:///{path}")


@functools.cache
def simulated_days() -> tuple[tuple, ...]:
    """The write tasks of the three simulated days, per day, each from opening to ``SEEDED_UNTIL`` (every kind of
    raw row, a morning's worth: storing whole days cost a minute per database): simulated once, stored into every
    database seeded."""
    days = []
    for i, day in enumerate((*OLD_DAYS, NEW_DAY)):
        tasks: list = []
        recorder = DemoRecorder(tasks.append)
        demo = DemoDay(day, 11 + i)
        recorder.begin_day(demo)
        until = datetime.combine(day, SEEDED_UNTIL, tzinfo=TZ)
        for result in demo.run_to_end():
            recorder.record(demo, result)
            if demo.now >= until:
                break
        days.append(tuple(tasks))
    return tuple(days)


def seed_url(url: str) -> None:
    """Three simulated demo days (two older than the retention period) and a second camera's rows, into ``url``."""
    db = open_database(url)
    try:
        for tasks in simulated_days():
            apply_now(db, *tasks)  # a day in one transaction: the same rows, without a commit per step
        for day in (*OLD_DAYS, NEW_DAY):  # a second camera, line crossings and camera states on each day
            base = datetime.combine(day, time(10, 0), tzinfo=TZ)
            instants = [base + timedelta(seconds=30 * k) for k in range(0, 240, 3)]  # the demo samples on :00/:30
            apply_now(db, RecordOccupancy("DEMO", tuple(OccupancyPoint(at, 2 + k % 4, None, "CAM2")
                                                       for k, at in enumerate(instants))))
            apply_now(db, RecordLineCrossings("DEMO", tuple(LineCrossings("CAM2", "door", at, k % 3, k % 2)
                                                            for k, at in enumerate(instants))))
            apply_now(db, RecordCameraHealth("DEMO", CameraHealthEvent("CAM2", base, "online", "")))
    finally:
        db.close()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("retention") / "seed.db"
    _seed(path)
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return path


@pytest.fixture
def db_path(seeded: Path, tmp_path: Path) -> Path:
    path = tmp_path / "console.db"
    shutil.copy(seeded, path)
    return path


def rows(path: Path, sql: str, *args) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).astimezone(TZ)


def half_hour(at: datetime) -> tuple[str, str]:
    return at.date().isoformat(), f"{at.hour:02d}:{30 if at.minute >= 30 else 0:02d}:00.000000"


def expected_occupancy(path: Path) -> dict[tuple[str, str, str], tuple[int, float, int]]:
    """(day, slot, zone) → (instants, mean, peak) of the people at each instant, cameras added up, before CUTOFF."""
    per_slot: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for zone, at, total in rows(path, "select zone, at, sum(count) from occupancy_sample where at < ? "
                                      "group by zone, at", str(CUTOFF_UTC)):
        day, slot = half_hour(local(at))
        per_slot[(day, slot, zone)].append(total)
    return {k: (len(v), sum(v) / len(v), max(v)) for k, v in per_slot.items()}


def expected_tickets(path: Path) -> dict[tuple[str, str], dict[str, float | None]]:
    """(day, service type or '') → figures, straight from the ticket table."""
    groups: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for row in rows(path, "select service_type, status, issued_at, called_at from ticket where issued_at < ?",
                    str(CUTOFF_UTC)):
        day = local(row[2]).date().isoformat()
        groups[(day, "")].append(row)
        groups[(day, row[0])].append(row)
    out = {}
    for key, group in groups.items():
        waits = sorted((local(c) - local(i)).total_seconds() for _, _, i, c in group if c)
        abandoned = sum(1 for g in group if g[1] == "abandoned")
        within = sum(1 for w in waits if w <= 600)
        out[key] = {
            "issued": len(group), "served": sum(1 for g in group if g[1] == "served"), "abandoned": abandoned,
            "called": len(waits), "avg_wait_s": sum(waits) / len(waits) if waits else None,
            "p90_wait_s": waits[math.ceil(0.9 * len(waits)) - 1] if waits else None,
            "service_level": within / (len(waits) + abandoned) if waits or abandoned else None,
        }
    return out


def test_purge_summarises_then_deletes_only_old_raw_rows(db_path: Path, tmp_path: Path) -> None:
    occupancy = expected_occupancy(db_path)
    tickets = expected_tickets(db_path)
    issued_per_slot = defaultdict(int)
    for st, issued in rows(db_path, "select service_type, issued_at from ticket where issued_at < ?", str(CUTOFF_UTC)):
        issued_per_slot[(*half_hour(local(issued)), st)] += 1
    crossings = defaultdict(lambda: [0, 0])
    for at, i, o in rows(db_path, "select at, in_count, out_count from line_crossing where at < ?", str(CUTOFF_UTC)):
        crossings[half_hour(local(at))][0] += i
        crossings[half_hour(local(at))][1] += o
    newer = {name: rows(db_path, f"select * from {name} where {col} >= ? order by id", str(CUTOFF_UTC))
             for name, col in TIME_COLUMN.items()}
    older = {name: rows(db_path, f"select count(*) from {name} where {col} < ?", str(CUTOFF_UTC))[0][0]
             for name, col in TIME_COLUMN.items()}
    assert all(older[n] > 0 for n in TIME_COLUMN) and all(newer[n] for n in TIME_COLUMN)

    db = open_database(f"sqlite:///{db_path}")
    seal(db.engine, AuditSeal(AUDIT_KEY))
    try:
        dry = purge(db, 7, now=NOW, dry_run=True)
        assert rows(db_path, "select count(*) from ticket_day_stat") == [(0,)]  # a dry run writes nothing
        assert not repository.load_audit(db)
        result = purge(db, 7, now=NOW, user="tester")
        assert (dry.before, dry.after) == (result.before, result.after)
        assert result.first_day_kept == {"DEMO": date(2026, 12, 3)}
        for name in TIME_COLUMN:
            assert result.before[name] - result.after[name] == older[name], name
        # raw rows older than the cutoff are gone, newer ones untouched
        for name, col in TIME_COLUMN.items():
            assert rows(db_path, f"select count(*) from {name} where {col} < ?", str(CUTOFF_UTC)) == [(0,)], name
            assert rows(db_path, f"select * from {name} where {col} >= ? order by id", str(CUTOFF_UTC)) == newer[name]
        # kept everywhere: branch, counters, staff, roster, zones, cameras
        for table in ("branch", "counter", "staff", "shift", "zone", "camera"):
            assert rows(db_path, f"select count(*) from {table}")[0][0] > 0, table
        # the statistics equal the independent computation
        stored_occ = {(d, s, z): (n, mean, peak) for d, s, z, n, mean, peak in rows(
            db_path, "select day, slot, zone, samples, mean, peak from occupancy_stat")}
        assert stored_occ.keys() == occupancy.keys()
        for key, (n, mean, peak) in occupancy.items():
            assert stored_occ[key][0] == n and stored_occ[key][2] == peak
            assert stored_occ[key][1] == pytest.approx(mean)
        assert {d for d, _, _ in occupancy} == {d.isoformat() for d in OLD_DAYS}
        assert any(z for _, _, z in occupancy)  # zones as well as the lobby
        for (day, st), figures in tickets.items():
            row = aggregates.load_ticket_days(db, "DEMO", date.fromisoformat(day), date.fromisoformat(day) +
                                              timedelta(days=1))
            found = next(r for r in row if r.service_type == st)
            for key, value in figures.items():
                got = found.service_level if key == "service_level" else getattr(found, key)
                assert got == pytest.approx(value), (day, st, key)
        slots = {(d, s, st): n for d, s, st, n in rows(db_path, "select day, slot, service_type, issued "
                                                                  "from ticket_slot_stat where issued > 0")}
        assert slots == dict(issued_per_slot)
        stored_cross = {(d, s): [i, o] for d, s, i, o in rows(db_path, "select day, slot, in_count, out_count "
                                                                       "from crossing_stat")}
        assert stored_cross == dict(crossings)
        # one audit entry, rows before → after, on the intact chain
        audit = [a for a in repository.load_audit(db) if a.action == "retention.purge"]
        assert len(audit) == 1 and audit[0].user == "tester"
        assert audit[0].before["rows"]["ticket"] == result.before["ticket"]
        assert audit[0].after["rows"]["ticket"] == result.after["ticket"]
        assert verify(repository.load_audit_chain(db), AUDIT_KEY) is None
        assert aggregates.purged_before(db, "DEMO") == date(2026, 12, 3)
        assert aggregates.is_purged(db, "DEMO", OLD_DAYS[0]) and not aggregates.is_purged(db, "DEMO", NEW_DAY)
        # a second purge finds nothing older: no change, no second audit entry
        again = purge(db, 7, now=NOW)
        assert again.before == again.after == result.after
        assert len([a for a in repository.load_audit(db) if a.action == "retention.purge"]) == 1
    finally:
        db.close()


def test_the_forecast_reads_the_same_history_after_the_purge(db_path: Path) -> None:
    from console.staffing.demand import counter_time_s, outlook

    db = open_database(f"sqlite:///{db_path}")
    try:
        branch = repository.load_branch(db, "DEMO")
        day = date(2026, 12, 11)
        before, aht_before = outlook(db, branch, day), counter_time_s(db, branch, day)
        purge(db, 7, now=NOW)
        after, aht_after = outlook(db, branch, day), counter_time_s(db, branch, day)
        assert after.history_days == before.history_days == 3
        assert after.forecast.counts == before.forecast.counts
        assert aht_after == pytest.approx(aht_before)
    finally:
        db.close()


def test_rows_stored_after_planning_are_not_deleted_unsummarised(db_path: Path) -> None:
    db = open_database(f"sqlite:///{db_path}")
    try:
        plan = plan_purge(db, 7, now=NOW)
        late = datetime.combine(OLD_DAYS[0], time(11, 0, 15), tzinfo=TZ)  # an old instant nobody sampled
        apply_now(db, RecordOccupancy("DEMO", (OccupancyPoint(late, 9, None, "CAM3"),)))
        apply_now(db, ApplyPurge(plan, "tester"))
        assert rows(db_path, "select camera_id, count from occupancy_sample where at < ?", str(CUTOFF_UTC)) == [
            ("CAM3", 9)]
        stats = rows(db_path, "select count(*) from ticket_day_stat")
        # the next purge deletes it; the day's statistics, written once, stay as they were
        purge(db, 7, now=NOW)
        assert rows(db_path, "select count(*) from occupancy_sample where at < ?", str(CUTOFF_UTC)) == [(0,)]
        assert rows(db_path, "select count(*) from ticket_day_stat") == stats
        # an old ticket log imported again after the purge: raw rows go again, statistics unchanged
        before = rows(db_path, "select * from ticket_day_stat order by id")
        at = datetime.combine(OLD_DAYS[1], time(10, 0), tzinfo=TZ)
        apply_now(db, StoreFeedEvents("DEMO", (TicketEvent("again-1", TicketEventType.ISSUED, at, "X-1", number="X1",
                                                           service_type=ServiceType.CASH),)))
        purge(db, 7, now=NOW)
        assert rows(db_path, "select count(*) from ticket where issued_at < ?", str(CUTOFF_UTC)) == [(0,)]
        assert rows(db_path, "select * from ticket_day_stat order by id") == before
    finally:
        db.close()


def test_old_snapshots_go_with_their_rows_and_nothing_else(db_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "snapshots"
    folder.mkdir()
    db = open_database(f"sqlite:///{db_path}")
    try:
        task = SaveAlert("DEMO", AlertRecord(None, "crowding", AlertSeverity.WARNING, AlertState.RAISED, "lobby",
                                             "lobby crowded", NOW - timedelta(days=20)))
        apply_now(db, task)
        alert_id = task.stored_id[0]
        old, new = folder / f"alert-{alert_id}-CAM1-old.jpg", folder / f"alert-{alert_id}-CAM1-new.jpg"
        other = folder / "notes.jpg"
        for path, age_days in ((old, 20), (new, 2), (other, 20)):
            path.write_bytes(b"jpeg")
            stamp = (NOW - timedelta(days=age_days)).timestamp()
            os.utime(path, (stamp, stamp))
        apply_now(db, SaveAlertSnapshots(alert_id, (("CAM1", str(old)),), NOW - timedelta(days=20)),
                  SaveAlertSnapshots(alert_id, (("CAM1", str(new)),), NOW - timedelta(days=2)))
        dry = purge(db, 7, now=NOW, snapshot_folder=folder, dry_run=True)
        assert dry.snapshot_files == 1 and old.exists()
        result = purge(db, 7, now=NOW, snapshot_folder=folder)
        assert result.snapshot_files == 1
        assert not old.exists() and new.exists() and other.exists()
        assert load_alert_snapshots(db, [alert_id]) == {alert_id: [str(new)]}
        assert result.before["alert_snapshot"] - result.after["alert_snapshot"] == 1
        assert [a.alert_id for a in repository.load_alerts(db, "DEMO", NOW - timedelta(days=30))] == [alert_id]
    finally:
        db.close()


def test_the_console_job_purges_through_the_writer_and_not_with_retention_zero(db_path: Path) -> None:
    db = open_database(f"sqlite:///{db_path}")
    writer = DatabaseWriter(db)
    writer.start()
    try:
        before = rows(db_path, "select count(*) from ticket")
        off = RetentionJob(db, 0, None, writer.submit_and_wait, clock=lambda: NOW)
        off.start()  # retention 0: nothing scheduled, nothing purged
        assert off.scheduler is None
        assert rows(db_path, "select count(*) from ticket") == before
        job = RetentionJob(db, 7, None, writer.submit_and_wait, clock=lambda: NOW)
        result = job.run()
        assert result is not None and not job.errors
        assert rows(db_path, "select count(*) from ticket where issued_at < ?", str(CUTOFF_UTC)) == [(0,)]
        assert rows(db_path, "select count(*) from ticket where issued_at >= ?", str(CUTOFF_UTC))[0][0] > 0
        job.start()  # scheduled at start and nightly; stopping joins the scheduler's threads
        assert job.scheduler is not None and job.scheduler.get_job("retention") is not None
        job.stop()
    finally:
        writer.stop()
        db.close()


def test_migration_0011_upgrades_from_0010_and_downgrades(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    url = f"sqlite:///{path}"
    engine = create_db_engine(url)
    upgrade_to(engine, url, "0010")
    with engine.begin() as c:
        c.exec_driver_sql("INSERT INTO branch (code, name, timezone, opens, closes, lobby_capacity, is_demo) "
                          "VALUES ('B1', 'Branch', 'Asia/Shanghai', '09:00:00', '17:00:00', 50, 0)")
    new_tables = {"alert_snapshot", "occupancy_stat", "crossing_stat", "ticket_day_stat", "ticket_slot_stat",
                  "retention_mark"}
    assert not new_tables & set(inspect(engine).get_table_names())
    report = upgrade_to(engine, url, "0011")
    assert report.from_revision == "0010" and report.backup_path is not None
    assert new_tables <= set(inspect(engine).get_table_names())
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0010")
    assert not new_tables & set(inspect(engine).get_table_names())
    with engine.connect() as c:
        assert c.exec_driver_sql("select code from branch").fetchall() == [("B1",)]
        assert c.exec_driver_sql("select version_num from alembic_version").fetchall() == [("0010",)]
    engine.dispose()
