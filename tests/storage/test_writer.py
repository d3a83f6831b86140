"""The writer thread: everything submitted is committed, failures are isolated, overload is shed and counted."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta

from console.domain.records import OccupancyPoint
from storage import repository
from storage.tasks import RecordOccupancy
from storage.writer import DatabaseWriter
from tests.storage.conftest import at


@dataclass(frozen=True)
class Boom:
    def apply(self, session) -> None:
        raise RuntimeError("bad task")


@dataclass(frozen=True)
class Hold:
    release: threading.Event
    started: threading.Event

    def apply(self, session) -> None:
        self.started.set()
        self.release.wait(10)


def sample(i: int, zone: str | None = None) -> RecordOccupancy:
    return RecordOccupancy("B1", (OccupancyPoint(at(9) + timedelta(seconds=i), i, zone=zone),))


def test_two_producers_everything_committed(db) -> None:
    writer = DatabaseWriter(db, commit_interval_s=0.2)
    writer.start()
    try:
        def produce(zone: str) -> None:
            for i in range(300):
                assert writer.submit(sample(i, zone))

        threads = [threading.Thread(target=produce, args=(z,)) for z in ("a", "b")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert writer.flush(10)
        assert repository.count_rows(db, "occupancy_sample") == 600
        assert writer.written == 600 and writer.failed == 0
    finally:
        writer.stop()
    assert not writer.is_alive


def test_a_bad_task_does_not_lose_the_batch(db) -> None:
    writer = DatabaseWriter(db, commit_interval_s=5)
    writer.start()
    try:
        writer.submit(sample(1))
        writer.submit(Boom())
        writer.submit(sample(2))
        assert writer.flush(10)
        assert repository.count_rows(db, "occupancy_sample") == 2
        assert writer.failed == 1 and "Boom" in (writer.last_error or "")
    finally:
        writer.stop()


def test_full_queue_drops_and_counts(db) -> None:
    writer = DatabaseWriter(db, commit_interval_s=0.05, max_queue=3)
    writer.start()
    release, started = threading.Event(), threading.Event()
    try:
        writer.submit(Hold(release, started))
        assert started.wait(5)
        accepted = sum(writer.submit(sample(i)) for i in range(10))
        assert accepted == 3 and writer.dropped == 7
    finally:
        release.set()
        writer.stop()
    assert repository.count_rows(db, "occupancy_sample") == 3


def test_stop_commits_what_is_queued_and_is_idempotent(db) -> None:
    writer = DatabaseWriter(db, commit_interval_s=60)
    writer.start()
    for i in range(5):
        writer.submit(sample(i))
    writer.stop()
    writer.stop()
    assert repository.count_rows(db, "occupancy_sample") == 5
    assert writer.flush(1) is False  # no thread any more


def test_submit_and_wait_returns_once_committed_and_reports_failures(db) -> None:
    import pytest

    from storage.writer import WriteFailed

    writer = DatabaseWriter(db, commit_interval_s=30.0)  # long interval: waiting must not depend on it
    writer.start()
    try:
        for i in range(3):
            writer.submit(sample(i))  # queued ahead: committed with the waited-for task
        writer.submit_and_wait(sample(3), timeout_s=5)
        # another connection sees all four at once: they are committed, not just queued
        stored = repository.load_occupancy(db, "B1", at(8), at(10))
        assert [p.count for p in stored] == [0, 1, 2, 3]
        with pytest.raises(WriteFailed, match="Boom: bad task"):
            writer.submit_and_wait(Boom(), timeout_s=5)
        writer.submit_and_wait(sample(4), timeout_s=5)  # the writer goes on after a failure
        assert len(repository.load_occupancy(db, "B1", at(8), at(10))) == 5
    finally:
        writer.stop()
    with pytest.raises(WriteFailed, match="not running"):
        writer.submit_and_wait(sample(5))
