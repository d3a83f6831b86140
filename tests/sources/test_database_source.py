"""A real branch read back from the database: after the first read only tickets with new events are fetched, and
the result always equals a full load."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from console.domain.records import TicketEvent
from console.domain.vocabulary import ServiceType, TicketEventType
from console.sources.database import DatabaseSource
from storage import repository
from storage.database import open_database
from storage.tasks import SaveBranchSetup, StoreFeedEvents
from storage.writer import apply_now
from tests.storage.conftest import BRANCH, COUNTERS, STAFF

TZ = ZoneInfo("Asia/Shanghai")


def test_incremental_reads_equal_full_loads(db_url: str) -> None:
    now = datetime.now(TZ)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if now - midnight < timedelta(minutes=30):
        pytest.skip("too close to the branch's midnight for a day of events")
    db = open_database(db_url)
    apply_now(db, SaveBranchSetup(branch=BRANCH, counters=COUNTERS, staff=STAFF))
    source = DatabaseSource(db, "B1", publish=lambda s: None, submit=lambda t: None)
    t0 = now - timedelta(minutes=20)

    def issue(n: int, at: datetime) -> TicketEvent:
        return TicketEvent(f"i{n}", TicketEventType.ISSUED, at, ticket_id=f"T{n}", service_type=ServiceType.CASH)

    def full() -> list:
        return repository.load_tickets(db, "B1", midnight, midnight + timedelta(days=1))

    apply_now(db, StoreFeedEvents("B1", tuple(issue(n, t0 + timedelta(seconds=n)) for n in range(5))))
    first = source.read().tickets
    assert list(first) == full() and len(first) == 5
    apply_now(db, StoreFeedEvents("B1", (
        TicketEvent("c1", TicketEventType.CALLED, t0 + timedelta(minutes=2), ticket_id="T1", counter_id="1"),
        issue(5, t0 + timedelta(minutes=3)),
        issue(6, midnight - timedelta(hours=1)),  # yesterday's ticket: not today's
    )))
    second = source.read().tickets
    assert list(second) == full() and len(second) == 6
    assert next(t for t in second if t.ticket_id == "T1").called_at is not None
    # T7 is known today only from its "called"; an "issued" of T7 yesterday is yesterday's ticket of the same number
    # (numbers restart every day): today's T7 stays, and yesterday's is not read as today's
    apply_now(db, StoreFeedEvents("B1", (TicketEvent("c7", TicketEventType.CALLED, t0 + timedelta(minutes=5),
                                                     ticket_id="T7", counter_id="1"),)))
    assert "T7" in {t.ticket_id for t in source.read().tickets}
    apply_now(db, StoreFeedEvents("B1", (issue(7, midnight - timedelta(minutes=5)),)))
    third = source.read().tickets
    assert list(third) == full() and "T7" in {t.ticket_id for t in third} and len(third) == 7
    assert next(t for t in third if t.ticket_id == "T7").called_at == t0 + timedelta(minutes=5)
    assert source.read().tickets == third  # nothing new: nothing changes
    db.close()


def test_lobby_figures_are_each_cameras_newest_count_and_last_between_samples(db_url: str) -> None:
    """Two cameras see separate parts of the lobby: the lobby count is the sum of each one's newest sample, and a
    read with no new sample keeps the figures (rather than dropping to 0)."""
    from console.domain.records import OccupancyPoint, ZoneSpec
    from console.domain.vocabulary import ZoneKind
    from storage.tasks import RecordOccupancy

    now = datetime.now(TZ)
    if now - now.replace(hour=0, minute=0, second=0, microsecond=0) < timedelta(minutes=5):
        pytest.skip("too close to the branch's midnight")
    db = open_database(db_url)
    queue = ZoneSpec("queue", ZoneKind.WAITING, ((0, 0), (1, 0), (1, 1)))
    apply_now(db, SaveBranchSetup(branch=BRANCH, counters=COUNTERS, staff=STAFF, zones=(queue,)))
    source = DatabaseSource(db, "B1", publish=lambda s: None, submit=lambda t: None)

    def sample(seconds_ago: float, camera: str, lobby: int, waiting: int) -> RecordOccupancy:
        at = now - timedelta(seconds=seconds_ago)
        return RecordOccupancy("B1", (OccupancyPoint(at, lobby, None, camera), OccupancyPoint(at, waiting, "queue", camera)))

    apply_now(db, sample(60, "A", 9, 4), sample(30, "A", 7, 3), sample(40, "B", 5, 1))
    first = source.read()
    assert (first.lobby_count, first.zone_counts["queue"]) == (7 + 5, 3 + 1)
    second = source.read()  # nothing new
    assert (second.lobby_count, second.zone_counts["queue"], second.new_samples) == (12, 4, ())
    apply_now(db, sample(10, "B", 2, 0))
    third = source.read()
    assert (third.lobby_count, third.zone_counts["queue"]) == (7 + 2, 3 + 0)
    db.close()
