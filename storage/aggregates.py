"""Reads of the statistics kept after a purge (``storage/retention.py``) and of how far each branch was purged.

Each function opens a short session and returns the plain records of ``console/domain/day_stats.py``.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from console.domain.day_stats import CrossingSlot, OccupancySlot, TicketDay, TicketSlot
from storage import models as m
from storage.database import Database
from storage.repository import _bid


def purged_before(db: Database, code: str) -> date | None:
    """The first branch-local day whose raw data is still kept, when older days were purged; None if never."""
    with db.session() as s:
        bid = _bid(s, code)
        if bid is None:
            return None
        return s.scalar(select(m.RetentionMark.purged_before).where(m.RetentionMark.branch_id == bid))


def is_purged(db: Database, code: str, day: date) -> bool:
    """True when ``day``'s raw data (tickets, samples, feed events) was purged after the retention period."""
    first_kept = purged_before(db, code)
    return first_kept is not None and day < first_kept


def _stat_rows(db: Database, code: str, model, start: date, end: date, order: tuple, make) -> list:
    """``make(row)`` of each row of a statistics table for the days in [start, end), in ``order``."""
    with db.session() as s:
        bid = _bid(s, code)
        if bid is None:
            return []
        rows = s.scalars(select(model).where(model.branch_id == bid, model.day >= start, model.day < end)
                         .order_by(*order))
        return [make(r) for r in rows]


def load_ticket_days(db: Database, code: str, start: date, end: date) -> list[TicketDay]:
    """Ticket statistics of the days in [start, end), by day ('' = all types first, then per service type)."""
    t = m.TicketDayStat
    return _stat_rows(db, code, t, start, end, (t.day, t.service_type), lambda r: TicketDay(
        r.day, r.service_type, r.issued, r.served, r.no_show, r.abandoned, r.open, r.called, r.avg_wait_s,
        r.p90_wait_s, r.max_wait_s, r.within_target, r.target_wait_s, r.handled, r.avg_handling_s,
        r.max_handling_s, r.cycles, r.cycle_sum_s))


def load_ticket_slots(db: Database, code: str, start: date, end: date) -> list[TicketSlot]:
    """Tickets per half-hour and service type of the days in [start, end), in time order."""
    t = m.TicketSlotStat
    return _stat_rows(db, code, t, start, end, (t.day, t.slot, t.service_type), lambda r: TicketSlot(
        r.day, r.slot, r.service_type, r.issued, r.served, r.called, r.wait_sum_s))


def load_occupancy_slots(db: Database, code: str, start: date, end: date) -> list[OccupancySlot]:
    """Occupancy per half-hour and place ('' = the lobby) of the days in [start, end)."""
    o = m.OccupancyStat
    return _stat_rows(db, code, o, start, end, (o.day, o.zone, o.slot), lambda r: OccupancySlot(
        r.day, r.slot, r.zone, r.samples, r.mean, r.peak, r.peak_at))


def load_crossing_slots(db: Database, code: str, start: date, end: date) -> list[CrossingSlot]:
    """Line crossings per half-hour, camera and line of the days in [start, end)."""
    c = m.CrossingStat
    return _stat_rows(db, code, c, start, end, (c.day, c.camera_id, c.line, c.slot), lambda r: CrossingSlot(
        r.day, r.slot, r.camera_id, r.line, r.in_count, r.out_count))
