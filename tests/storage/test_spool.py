"""A worker's spool and its writer: entries survive a restart of the worker, a database cut off in the middle of a
stream loses nothing and stores nothing twice (PostgreSQL behind a relay that is cut and restored), and a batch
written again after a lost acknowledgement changes nothing."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from console.cameras.worker import SpoolWriter
from console.domain.records import BranchInfo, CameraHealthEvent, LineCrossings, OccupancyPoint
from storage import models as m
from storage.database import open_database
from storage.spool import Spool, decode, encode, merged
from storage.tasks import RecordCameraHealth, RecordLineCrossings, RecordOccupancy, SaveBranchSetup
from storage.writer import apply_now
from tests.pg import fresh_database
from tests.tcp_proxy import TcpRelay

BRANCH = BranchInfo("GZ01", "Guangzhou Tianhe", "Asia/Shanghai", clock_time(9), clock_time(17), 60)
T0 = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)


def sample(n: int, camera: str = "CAM1") -> RecordOccupancy:
    at = T0 + timedelta(seconds=n)
    return RecordOccupancy(BRANCH.code, (OccupancyPoint(at, n % 17, None, camera), OccupancyPoint(at, n % 5, "wait", camera)))


def wait_for(condition, timeout_s: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def stored_samples(url: str) -> list[tuple]:
    db = open_database(url, migrate=False)
    try:
        with db.session() as s:
            rows = s.execute(sa.select(m.OccupancySample.camera_id, m.OccupancySample.zone, m.OccupancySample.at,
                                       m.OccupancySample.count)).all()
        return [(c, z, at if at.tzinfo else at.replace(tzinfo=UTC), n) for c, z, at, n in rows]
    finally:
        db.close()


def test_every_kind_round_trips_through_the_file(tmp_path: Path) -> None:
    tasks = [sample(1), RecordLineCrossings("GZ01", (LineCrossings("CAM1", "door", T0, 3, 1),)),
             RecordCameraHealth("GZ01", CameraHealthEvent("CAM1", T0, "offline", "no frame for 10 s — 无画面"))]
    assert [decode(encode(t)) for t in tasks] == tasks
    spool = Spool(tmp_path / "spool.db")
    for t in tasks:
        spool.put(t)
    first = spool.take(2)
    spool.done([first[0][0]])
    spool.close()
    again = Spool(tmp_path / "spool.db")  # a worker started again finds what the last one left, in order
    assert len(again) == 2 and [t for _, _, t in again.take(10)] == tasks[1:]
    again.close()


def test_a_cut_database_loses_nothing_and_stores_nothing_twice(tmp_path: Path) -> None:
    with fresh_database() as direct:
        setup_db = open_database(direct)
        apply_now(setup_db, SaveBranchSetup(branch=BRANCH))
        setup_db.close()
        target = make_url(direct)
        relay = TcpRelay(target.host, target.port).start()
        url = target.set(port=relay.port).render_as_string(hide_password=False)
        spool = Spool(tmp_path / "spool.db")
        writer = SpoolWriter(spool, lambda: open_database(url, migrate=False), url=url, retry_s=0.5)
        writer.start()
        try:
            for n in range(50):
                writer.submit(sample(n))
            assert wait_for(lambda: writer.stats.written == 50)
            relay.cut()
            for n in range(50, 150):  # the cameras go on counting while the database is unreachable
                writer.submit(sample(n))
                time.sleep(0.01)
            assert wait_for(lambda: writer.stats.failures >= 2)
            assert len(spool) >= 90 and writer.stats.last_error and ":console_test@" not in writer.stats.last_error
            relay.restore()
            assert wait_for(lambda: len(spool) == 0)
        finally:
            writer.stop()
            relay.stop()
        rows = stored_samples(direct)
        expected = {(p.camera_id, p.zone or "", p.at, p.count) for n in range(150) for p in sample(n).points}
        assert len(rows) == len(expected) == 300 and set(rows) == expected


def test_a_batch_written_again_changes_nothing(db_url: str, tmp_path: Path) -> None:
    """The commit went through but the worker did not hear so (the connection broke): it writes the batch again."""
    db = open_database(db_url)
    apply_now(db, SaveBranchSetup(branch=BRANCH))
    tasks = [sample(n) for n in range(5)] + [
        RecordLineCrossings(BRANCH.code, (LineCrossings("CAM1", "door", T0, 2, 0),)),
        RecordCameraHealth(BRANCH.code, CameraHealthEvent("CAM1", T0, "online"))]
    apply_now(db, *tasks)
    apply_now(db, *tasks)
    with db.session() as s:
        counts = [s.scalar(sa.select(sa.func.count()).select_from(t))
                  for t in (m.OccupancySample, m.LineCrossingSample, m.CameraHealth)]
    db.close()
    assert counts == [10, 1, 1]


def test_a_batch_is_merged_into_one_task_per_branch_and_kind() -> None:
    tasks = [sample(1), RecordCameraHealth(BRANCH.code, CameraHealthEvent("CAM1", T0, "online")), sample(2, "CAM2"),
             RecordLineCrossings(BRANCH.code, (LineCrossings("CAM1", "door", T0, 1, 0),)), sample(3),
             RecordOccupancy("OTHER", (OccupancyPoint(T0, 4, None, "X"),)),
             RecordCameraHealth(BRANCH.code, CameraHealthEvent("CAM1", T0 + timedelta(seconds=9), "offline"))]
    merged_tasks = merged(tasks)
    assert [type(t).__name__ for t in merged_tasks] == ["RecordOccupancy", "RecordOccupancy", "RecordLineCrossings",
                                                         "RecordCameraHealth", "RecordCameraHealth"]
    assert merged_tasks[0].points == sample(1).points + sample(2, "CAM2").points + sample(3).points
    assert [t.event.state for t in merged_tasks[3:]] == ["online", "offline"]  # state changes keep their order
