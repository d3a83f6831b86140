"""Reads of the stored day summaries (console/domain/ticket_summary.py; written by ``tasks.StoreDaySummaries``,
dropped by the writer when a ticket of their day is written)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

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
