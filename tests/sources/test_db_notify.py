"""Live updates from a shared PostgreSQL database: a console reading a branch hears at once (LISTEN/NOTIFY) when
another process — here another connection — stores that branch's data, long before its next poll; another
branch's writes do not wake it; on SQLite it polls (no listener)."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from console.domain.records import BranchInfo, OccupancyPoint
from console.sources.database import DatabaseSource
from storage.database import open_database
from storage.tasks import RecordOccupancy, SaveBranchSetup
from storage.writer import apply_now
from tests.storage.conftest import BRANCH, COUNTERS, STAFF

TZ = ZoneInfo("Asia/Shanghai")
OTHER = BranchInfo("B2", "Other branch", "Asia/Shanghai", BRANCH.opens, BRANCH.closes, 30)


def test_a_write_by_another_process_reaches_the_reader_at_once(db_url: str) -> None:
    db, writer_side = open_database(db_url), open_database(db_url)  # two connections, as two PCs
    apply_now(db, SaveBranchSetup(branch=BRANCH, counters=COUNTERS, staff=STAFF), SaveBranchSetup(branch=OTHER))
    seen: list[tuple[float, int]] = []
    published = threading.Event()

    def publish(snapshot) -> None:
        seen.append((time.monotonic(), snapshot.lobby_count))
        published.set()

    source = DatabaseSource(db, "B1", publish=publish, submit=lambda task: None, period_s=60.0)
    try:
        source.start()
        assert published.wait(10)
        postgres = db.engine.dialect.name == "postgresql"
        assert (source.listener is not None) == postgres
        if not postgres:
            return  # SQLite: the reader polls every period_s (tests/api/test_db_source.py)
        assert source.listener.connected.wait(10)
        reads = len(seen)
        now = datetime.now(TZ)
        apply_now(writer_side, RecordOccupancy("B2", (OccupancyPoint(now, 9, camera_id="C9"),)))
        time.sleep(1.5)
        assert len(seen) == reads and source.listener.heard == 0  # another branch: no wake-up
        stored_at = time.monotonic()
        apply_now(writer_side, RecordOccupancy("B1", (OccupancyPoint(now - timedelta(seconds=1), 17, camera_id="C1"),)))
        deadline = stored_at + 5
        while time.monotonic() < deadline and not any(count == 17 for _, count in seen[reads:]):
            time.sleep(0.05)
        late = [t - stored_at for t, count in seen[reads:] if count == 17]
        assert late and late[0] < 2.0, seen  # the poll would have come after 60 s
        assert source.listener.heard >= 1
    finally:
        source.stop()
        db.close()
        writer_side.close()
