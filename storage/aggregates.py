"""Reads of the statistics kept after a purge (``storage/retention.py``) and of how far each branch was purged.

Each function opens a short session and returns the plain records of ``console/domain/day_stats.py``.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from console.domain.day_stats import CrossingSlot, OccupancySlot, TicketDay, TicketSlot
from storage import models as m
from storage.database import Database


def _bid(s, code: str) -> int | None:
    return s.scalar(select(m.Branch.id).where(m.Branch.code == code))


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


def load_ticket_days(db: Database, code: str, start: date, end: date) -> list[TicketDay]:
    """Ticket statistics of the days in [start, end), by day ('' = all types first, then per service type)."""
    with db.session() as s:
        bid = _bid(s, code)
        if bid is None:
            return []
        t = m.TicketDayStat
        rows = s.scalars(select(t).where(t.branch_id == bid, t.day >= start, t.day < end)
                         .order_by(t.day, t.service_type))
        return [TicketDay(r.day, r.service_type, r.issued, r.served, r.no_show, r.abandoned, r.open, r.called,
                          r.avg_wait_s, r.p90_wait_s, r.max_wait_s, r.within_target, r.target_wait_s, r.handled,
                          r.avg_handling_s, r.max_handling_s, r.cycles, r.cycle_sum_s) for r in rows]


def load_ticket_slots(db: Database, code: str, start: date, end: date) -> list[TicketSlot]:
    """Tickets per half-hour and service type of the days in [start, end), in time order."""
    with db.session() as s:
        bid = _bid(s, code)
        if bid is None:
            return []
        t = m.TicketSlotStat
        rows = s.scalars(select(t).where(t.branch_id == bid, t.day >= start, t.day < end)
                         .order_by(t.day, t.slot, t.service_type))
        return [TicketSlot(r.day, r.slot, r.service_type, r.issued, r.served, r.called, r.wait_sum_s) for r in rows]


def load_occupancy_slots(db: Database, code: str, start: date, end: date) -> list[OccupancySlot]:
    """Occupancy per half-hour and place ('' = the lobby) of the days in [start, end)."""
    with db.session() as s:
        bid = _bid(s, code)
        if bid is None:
            return []
        o = m.OccupancyStat
        rows = s.scalars(select(o).where(o.branch_id == bid, o.day >= start, o.day < end)
                         .order_by(o.day, o.zone, o.slot))
        return [OccupancySlot(r.day, r.slot, r.zone, r.samples, r.mean, r.peak, r.peak_at) for r in rows]


def load_crossing_slots(db: Database, code: str, start: date, end: date) -> list[CrossingSlot]:
    with db.session() as s:
        bid = _bid(s, code)
        if bid is None:
            return []
        c = m.CrossingStat
        rows = s.scalars(select(c).where(c.branch_id == bid, c.day >= start, c.day < end)
                         .order_by(c.day, c.camera_id, c.line, c.slot))
        return [CrossingSlot(r.day, r.slot, r.camera_id, r.line, r.in_count, r.out_count) for r in rows]
