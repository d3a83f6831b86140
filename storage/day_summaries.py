"""Reads of the stored day summaries — tickets (console/domain/ticket_summary.py; written by
``tasks.StoreDaySummaries``, dropped by the writer when a ticket of their day is written) and cameras
(console/domain/camera_day.py; ``tasks.StoreCameraDays``, dropped when a sample of their day is stored) — and the
cameras' day figures computed from the samples."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.domain.camera_day import CameraDay
from console.domain.ticket_summary import SUMMARY_VERSION, TicketSummary
from storage import models as m
from storage.database import Database
from storage.repository import _bid


def load_day_summaries(db: Database, code: str, first: date, last: date) -> dict[date, TicketSummary]:
    """The stored summaries of the days ``first``…``last`` (both included), by day; days without one, or with one of
    another ``SUMMARY_VERSION``, are absent."""
    with db.session() as s:
        bid = _bid(s, code)
        if bid is None:
            return {}
        t = m.TicketDaySummary
        rows = s.execute(select(t.day, t.figures, t.priority_waits, t.ordinary_waits).where(
            t.branch_id == bid, t.day >= first, t.day <= last, t.version == SUMMARY_VERSION))
        return {r.day: TicketSummary.from_stored(r.figures, r.priority_waits, r.ordinary_waits) for r in rows}


def load_camera_days(db: Database, code: str, first: date, last: date) -> dict[date, CameraDay]:
    """The stored camera summaries of the days ``first``…``last``, by day."""
    with db.session() as s:
        bid = _bid(s, code)
        if bid is None:
            return {}
        t = m.CameraDaySummary
        rows = s.execute(select(t.day, t.peak, t.peak_at, t.visitors, t.exits, t.counted).where(
            t.branch_id == bid, t.day >= first, t.day <= last))
        return {r.day: CameraDay(r.day, r.peak, r.peak_at, r.visitors, r.exits, r.counted) for r in rows}


def newest_sample_ids(db: Database, code: str) -> tuple[int, int]:
    """The newest occupancy sample and line-crossing row ids of the branch (0: none): read before a summary, so a
    sample stored later keeps its day from being stored (``tasks.StoreCameraDays``)."""
    with db.session() as s:
        bid = _bid(s, code)
        if bid is None:
            return 0, 0
        o, c = m.OccupancySample, m.LineCrossingSample
        return (s.scalar(select(func.max(o.id)).where(o.branch_id == bid)) or 0,
                s.scalar(select(func.max(c.id)).where(c.branch_id == bid)) or 0)


def compute_camera_days(db: Database, code: str, zone: ZoneInfo, days: list[date]) -> dict[date, CameraDay]:
    """Each day's lobby peak (the highest sum over the cameras of the lobby counts at one instant, its first
    instant) and counting-line crossings, aggregated by the database: two indexed queries a day."""
    with db.session() as s:
        bid = _bid(s, code)
        return {} if bid is None else camera_days_in(s, bid, zone, days)


def camera_days_in(s: Session, bid: int, zone: ZoneInfo, days: list[date]) -> dict[date, CameraDay]:
    """``compute_camera_days`` in an open session (the retention purge summarises in its own)."""
    found: dict[date, CameraDay] = {}
    o, c = m.OccupancySample, m.LineCrossingSample
    total = func.sum(o.count)
    for day in days:
        start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
        end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)
        peak = s.execute(select(o.at, total).where(o.branch_id == bid, o.zone == "", o.at >= start, o.at < end)
                         .group_by(o.at).order_by(total.desc(), o.at).limit(1)).first()
        lines = s.execute(select(func.count(c.id), func.sum(c.in_count), func.sum(c.out_count)).where(
            c.branch_id == bid, c.at >= start, c.at < end)).one()
        at = peak[0] if peak is not None else None
        if at is not None and at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        found[day] = CameraDay(day, int(peak[1]) if peak is not None else None, at, int(lines[1] or 0),
                               int(lines[2] or 0), bool(lines[0]))
    return found
