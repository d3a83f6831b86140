"""Retention: raw data older than the retention period is summarised into statistics, then deleted.

What is raw (deleted), table by table — every row that records a person or a moment:
- ``occupancy_sample`` (people counted every few seconds), ``line_crossing`` (crossings per sample period),
  ``camera_health`` (a camera's state changes, for troubleshooting recent outages; not summarised);
- ``ticket_event`` (the ticket feed: ticket numbers, staff logins and logouts), ``ticket`` (one row per ticket, with
  counter and staff), ``counter_event`` (counter states with the staff member), ``appointment`` (bookings);
- ``alert_snapshot`` rows and their JPEG files (``delete_snapshot_files``).
Kept: branches, counters, cameras, zones, staff, the roster, counter requests (each has its audit entry), alerts
and their deliveries, alert rules, users, settings, the audit trail — and the statistics of
``console/domain/day_stats.py`` (occupancy per half-hour, tickets per day and per half-hour, crossings), and each
day's ticket summary (``console/domain/ticket_summary.py``, written here if no period report stored it before), so
period reports stay exact over purged days.

Rules:
- ``older_than_days`` N purges, per branch, every branch-local day before ``today − N`` (rows before the branch's
  midnight that starts that day): on 1 December with N = 7, the days up to 23 November are purged and 24 November
  onwards is kept, so at least N whole days of raw data always remain.
- The statistics of a day are written by the purge that removes its raw rows, in the same transaction as the
  deletions and one audit entry (action ``retention.purge``, rows per table before → after). A day whose statistics
  exist already keeps them: raw rows of that day that appear later (an old ticket log imported again) are deleted
  without changing them (a percentile cannot be merged).
- Planning reads without writing (``plan_purge``: the database stays free for the writer); applying
  (``ApplyPurge``, a write task, so the console runs it on its one writer thread) deletes only rows the plan read
  (ids up to the highest it saw), so a row stored in between is never deleted unsummarised.
- Reads stream in time order through the tables' (branch, time) indexes, one day at a time: memory stays at a
  day's worth however long the backlog.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from console.domain import day_stats
from console.domain.camera_day import CameraDay
from console.domain.records import LineCrossings, OccupancyPoint
from console.domain.ticket_summary import SUMMARY_VERSION, TicketSummary, summarise
from storage import models as m
from storage.database import Database
from storage.day_summaries import camera_days_in
from storage.repository import _ticket_record

log = logging.getLogger(__name__)

#: Raw tables and the column that dates a row, in the order they are purged.
RAW_TABLES: dict[str, tuple[type, Any]] = {
    "occupancy_sample": (m.OccupancySample, m.OccupancySample.at),
    "line_crossing": (m.LineCrossingSample, m.LineCrossingSample.at),
    "camera_health": (m.CameraHealth, m.CameraHealth.at),
    "ticket_event": (m.TicketEventRow, m.TicketEventRow.at),
    "ticket": (m.Ticket, m.Ticket.issued_at),
    "counter_event": (m.CounterEventRow, m.CounterEventRow.at),
    "appointment": (m.Appointment, m.Appointment.due_at),
}
STAT_MODELS = (m.OccupancyStat, m.CrossingStat, m.TicketDayStat, m.TicketSlotStat)
STAT_TABLES = tuple(model.__tablename__ for model in STAT_MODELS)
COUNTED_TABLES = (*RAW_TABLES, "alert_snapshot", *STAT_TABLES)
SNAPSHOT_GLOB = "alert-*.jpg"
CHUNK = 5000  # rows fetched per round trip while streaming


def first_kept_day(today: date, older_than_days: int) -> date:
    """The first branch-local day kept when purging days that ended at least ``older_than_days`` days ago."""
    return today - timedelta(days=older_than_days)


@dataclass
class BranchPlan:
    """What one branch's purge writes and deletes."""

    code: str
    branch_id: int
    keep_from: date  # first branch-local day kept
    cutoff: datetime  # its local midnight: raw rows before it go
    max_ids: dict[str, int] = field(default_factory=dict)  # table → highest id read
    to_delete: dict[str, int] = field(default_factory=dict)  # table → rows
    occupancy: list[day_stats.OccupancySlot] = field(default_factory=list)
    crossings: list[day_stats.CrossingSlot] = field(default_factory=list)
    ticket_days: list[day_stats.TicketDay] = field(default_factory=list)
    ticket_slots: list[day_stats.TicketSlot] = field(default_factory=list)
    #: the purged days' tickets reduced for period reports (days without a stored summary yet)
    summaries: dict[date, TicketSummary] = field(default_factory=dict)
    #: the purged days' lobby peak and visitors (days with samples and no camera summary yet)
    camera_days: dict[date, CameraDay] = field(default_factory=dict)


@dataclass
class PurgePlan:
    older_than_days: int
    at: datetime  # when planned (UTC)
    snapshots_before: datetime  # alert snapshots taken before this go
    branches: list[BranchPlan]
    snapshot_rows: int = 0
    max_snapshot_id: int = 0


def _by_day(rows: Iterable[Any], at_of, zone: ZoneInfo) -> Iterator[list[Any]]:
    """Rows in time order, grouped into runs of one branch-local day."""
    run: list[Any] = []
    day: date | None = None
    for row in rows:
        d = at_of(row).astimezone(zone).date()
        if run and d != day:
            yield run
            run = []
        day = d
        run.append(row)
    if run:
        yield run


def _stream(session: Session, query) -> Iterator[Any]:
    return session.execute(query.execution_options(yield_per=CHUNK))


def _plan_branch(session: Session, branch: m.Branch, older_than_days: int, now: datetime, target_wait_s: float
                 ) -> BranchPlan:
    zone = ZoneInfo(branch.timezone)
    keep_from = first_kept_day(now.astimezone(zone).date(), older_than_days)
    cutoff = datetime.combine(keep_from, time(0), tzinfo=zone)
    plan = BranchPlan(branch.code, branch.id, keep_from, cutoff)
    bid = branch.id
    for name, (model, at_col) in RAW_TABLES.items():
        where = (model.branch_id == bid, at_col < cutoff)
        plan.max_ids[name] = session.scalar(select(func.max(model.id)).where(*where)) or 0
        plan.to_delete[name] = session.scalar(select(func.count()).select_from(model).where(*where)) or 0
    done = {
        "ticket": set(session.scalars(select(m.TicketDayStat.day).where(m.TicketDayStat.branch_id == bid)).all()),
        "occupancy": set(session.scalars(select(m.OccupancyStat.day).where(m.OccupancyStat.branch_id == bid)).all()),
        "crossing": set(session.scalars(select(m.CrossingStat.day).where(m.CrossingStat.branch_id == bid)).all()),
        "summary": set(session.scalars(select(m.TicketDaySummary.day).where(
            m.TicketDaySummary.branch_id == bid, m.TicketDaySummary.version == SUMMARY_VERSION)).all()),
    }

    s = m.OccupancySample
    if plan.max_ids["occupancy_sample"] or plan.max_ids["line_crossing"]:
        first_at = min(at for at in (
            session.scalar(select(func.min(s.at)).where(s.branch_id == bid, s.at < cutoff)),
            session.scalar(select(func.min(m.LineCrossingSample.at)).where(
                m.LineCrossingSample.branch_id == bid, m.LineCrossingSample.at < cutoff))) if at is not None)
        summarised = set(session.scalars(select(m.CameraDaySummary.day).where(m.CameraDaySummary.branch_id == bid)))
        first_day = first_at.astimezone(zone).date()
        todo = [first_day + timedelta(days=n) for n in range((keep_from - first_day).days)]
        plan.camera_days = {d: c for d, c in camera_days_in(session, bid, zone,
                                                             [d for d in todo if d not in summarised]).items()
                            if c.peak is not None or c.counted}
    if plan.max_ids["occupancy_sample"]:
        places = session.scalars(select(s.zone).where(s.branch_id == bid, s.at < cutoff).distinct()).all()
        for place in places:  # one place at a time: streamed in order through (branch, zone, at)
            rows = _stream(session, select(s.at, s.count, s.camera_id).where(
                s.branch_id == bid, s.zone == place, s.at < cutoff, s.id <= plan.max_ids["occupancy_sample"])
                .order_by(s.at))
            for run in _by_day(rows, lambda r: r.at, zone):
                points = [OccupancyPoint(r.at, r.count, place or None, r.camera_id) for r in run]
                plan.occupancy += [o for o in day_stats.occupancy_slots(points, zone) if o.day not in done["occupancy"]]

    c = m.LineCrossingSample
    if plan.max_ids["line_crossing"]:
        rows = _stream(session, select(c.camera_id, c.line, c.at, c.in_count, c.out_count).where(
            c.branch_id == bid, c.at < cutoff, c.id <= plan.max_ids["line_crossing"]).order_by(c.at))
        for run in _by_day(rows, lambda r: r.at, zone):
            found = day_stats.crossing_slots((LineCrossings(*r) for r in run), zone)
            plan.crossings += [x for x in found if x.day not in done["crossing"]]

    t = m.Ticket
    if plan.max_ids["ticket"]:
        rows = _stream(session, select(t).where(t.branch_id == bid, t.issued_at < cutoff,
                                                t.id <= plan.max_ids["ticket"]).order_by(t.issued_at, t.id))
        for run in _by_day((row for (row,) in rows), lambda r: r.issued_at, zone):
            tickets = [_ticket_record(r) for r in run]
            day = tickets[0].issued_at.astimezone(zone).date()
            if day not in done["summary"]:
                plan.summaries[day] = summarise(tickets, day, zone)
            if day in done["ticket"]:
                continue
            plan.ticket_days += day_stats.ticket_days(tickets, zone, target_wait_s)
            plan.ticket_slots += day_stats.ticket_slots(tickets, zone)
    return plan


def plan_purge(db: Database, older_than_days: int, *, now: datetime | None = None,
               target_wait_min: float = 10.0) -> PurgePlan:
    """Read what a purge of raw data older than ``older_than_days`` (≥ 1) would write and delete; writes nothing.
    ``target_wait_min``: the service standard whose share is kept in the ticket statistics."""
    if older_than_days < 1:
        raise ValueError(f"older_than_days must be at least 1, got {older_than_days}")
    now = now or datetime.now(UTC)
    snapshots_before = now - timedelta(days=older_than_days)
    with db.session() as session:
        branches = [_plan_branch(session, b, older_than_days, now, target_wait_min * 60)
                    for b in session.scalars(select(m.Branch).order_by(m.Branch.code)).all()]
        a = m.AlertSnapshot
        rows = session.scalar(select(func.count()).select_from(a).where(a.taken_at < snapshots_before)) or 0
        max_id = session.scalar(select(func.max(a.id)).where(a.taken_at < snapshots_before)) or 0
    return PurgePlan(older_than_days, now, snapshots_before, branches, rows, max_id)


def count_rows(session: Session) -> dict[str, int]:
    return {name: session.scalar(select(func.count()).select_from(m.Base.metadata.tables[name])) or 0
            for name in COUNTED_TABLES}


def _stat_rows(p: BranchPlan) -> list[m.Base]:
    bid = p.branch_id
    rows: list[m.Base] = [
        m.OccupancyStat(branch_id=bid, day=o.day, slot=o.slot, zone=o.zone, samples=o.samples, mean=o.mean,
                        peak=o.peak, peak_at=o.peak_at) for o in p.occupancy]
    rows += [m.CrossingStat(branch_id=bid, day=x.day, slot=x.slot, camera_id=x.camera_id, line=x.line,
                            in_count=x.in_count, out_count=x.out_count) for x in p.crossings]
    rows += [m.TicketDayStat(branch_id=bid, **asdict(d)) for d in p.ticket_days]
    rows += [m.TicketSlotStat(branch_id=bid, **asdict(s)) for s in p.ticket_slots]
    return rows


@dataclass
class ApplyPurge:
    """Write a plan's statistics, delete its raw rows and record one audit entry, in one transaction (a write
    task: the console's writer thread or ``apply_now``). ``before`` / ``after``: rows per table, set when applied."""

    plan: PurgePlan
    user: str
    before: dict[str, int] = field(default_factory=dict)
    after: dict[str, int] = field(default_factory=dict)

    def apply(self, session: Session) -> None:
        plan = self.plan
        self.before = count_rows(session)
        if not plan.snapshot_rows and not any(n for p in plan.branches for n in p.to_delete.values()):
            self.after = dict(self.before)  # nothing is old enough: no change, no audit entry
            return
        for p in plan.branches:
            # a day summarised already keeps its statistics (planning leaves such days out; this guards a batch the
            # writer applies a second time after a failure)
            done = {model: set(session.scalars(select(model.day).where(model.branch_id == p.branch_id)).all())
                    for model in STAT_MODELS}
            session.add_all(r for r in _stat_rows(p) if r.day not in done[type(r)])
            summarised = set(session.scalars(select(m.TicketDaySummary.day).where(
                m.TicketDaySummary.branch_id == p.branch_id, m.TicketDaySummary.version == SUMMARY_VERSION)))
            stale = [day for day in p.summaries if day not in summarised]
            if stale:  # none, or of another version
                session.execute(delete(m.TicketDaySummary).where(m.TicketDaySummary.branch_id == p.branch_id,
                                                                 m.TicketDaySummary.day.in_(stale)))
            have = set(session.scalars(select(m.CameraDaySummary.day).where(
                m.CameraDaySummary.branch_id == p.branch_id)))
            session.add_all(m.CameraDaySummary(branch_id=p.branch_id, day=d, peak=c.peak, peak_at=c.peak_at,
                                               visitors=c.visitors, exits=c.exits, counted=c.counted,
                                               built_at=plan.at)
                            for d, c in p.camera_days.items() if d not in have)
            session.add_all(m.TicketDaySummary(branch_id=p.branch_id, day=day, version=SUMMARY_VERSION,
                                               figures=summary.to_json(),
                                               priority_waits=summary.waits_bytes()[0],
                                               ordinary_waits=summary.waits_bytes()[1], built_at=plan.at)
                            for day, summary in p.summaries.items() if day not in summarised)
            for name, (model, at_col) in RAW_TABLES.items():
                if p.max_ids.get(name):
                    session.execute(delete(model).where(model.branch_id == p.branch_id, at_col < p.cutoff,
                                                        model.id <= p.max_ids[name]))
            mark = session.scalar(select(m.RetentionMark).where(m.RetentionMark.branch_id == p.branch_id))
            if mark is None:
                session.add(m.RetentionMark(branch_id=p.branch_id, purged_before=p.keep_from, purged_at=plan.at))
            else:
                mark.purged_before = max(mark.purged_before, p.keep_from)
                mark.purged_at = plan.at
        if plan.max_snapshot_id:
            a = m.AlertSnapshot
            session.execute(delete(a).where(a.taken_at < plan.snapshots_before, a.id <= plan.max_snapshot_id))
        session.flush()
        self.after = count_rows(session)
        session.add(m.AuditEntry(
            at=datetime.now(UTC), user=self.user, action="retention.purge", entity="database",
            entity_id=f"older than {plan.older_than_days} days",
            before={"rows": self.before},
            after={"rows": self.after,
                   "first_day_kept": {p.code: p.keep_from.isoformat() for p in plan.branches},
                   "snapshots_before": plan.snapshots_before.isoformat(timespec="seconds")}))


def delete_snapshot_files(folder: Path, before: datetime) -> int:
    """Delete the alert snapshots (``alert-*.jpg``) in ``folder`` last written before ``before``; the number deleted.
    Only files of that name: a folder shared with other files loses nothing else."""
    if not folder.is_dir():
        return 0
    limit = before.timestamp()
    deleted = 0
    for path in folder.glob(SNAPSHOT_GLOB):
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
                deleted += 1
        except OSError as exc:  # in use or read-only: tried again at the next purge
            log.warning("snapshot %s not deleted: %s", path, exc)
    return deleted


def count_snapshot_files(folder: Path, before: datetime) -> int:
    if not folder.is_dir():
        return 0
    limit = before.timestamp()
    return sum(1 for p in folder.glob(SNAPSHOT_GLOB) if p.is_file() and p.stat().st_mtime < limit)


@dataclass(frozen=True)
class PurgeResult:
    older_than_days: int
    dry_run: bool
    before: dict[str, int]  # rows per table
    after: dict[str, int]  # rows per table (what they would be, on a dry run)
    first_day_kept: dict[str, date]  # branch code → first day whose raw data is kept
    snapshot_files: int  # deleted (would be, on a dry run)


def purge(db: Database, older_than_days: int, *, snapshot_folder: Path | None = None, user: str = "console",
          now: datetime | None = None, dry_run: bool = False, target_wait_min: float = 10.0,
          apply=None) -> PurgeResult:
    """Plan and apply a purge (see the module notes); ``apply``: how to run the write task (default: now, in this
    thread; the console passes its writer's ``submit_and_wait``). Snapshot files go after the database commit."""
    plan = plan_purge(db, older_than_days, now=now, target_wait_min=target_wait_min)
    kept = {p.code: p.keep_from for p in plan.branches}
    if dry_run:
        with db.session() as session:
            before = count_rows(session)
        after = dict(before)
        for p in plan.branches:
            for name, n in p.to_delete.items():
                after[name] -= n
            for name, n in (("occupancy_stat", len(p.occupancy)), ("crossing_stat", len(p.crossings)),
                            ("ticket_day_stat", len(p.ticket_days)), ("ticket_slot_stat", len(p.ticket_slots))):
                after[name] += n
        after["alert_snapshot"] -= plan.snapshot_rows
        files = count_snapshot_files(snapshot_folder, plan.snapshots_before) if snapshot_folder else 0
        return PurgeResult(older_than_days, True, before, after, kept, files)
    task = ApplyPurge(plan, user)
    if apply is None:
        with db.session() as session:
            task.apply(session)
    else:
        apply(task)
    files = delete_snapshot_files(snapshot_folder, plan.snapshots_before) if snapshot_folder else 0
    log.info("retention purge (older than %d days): rows %s → %s, %d snapshot files deleted", older_than_days,
             task.before, task.after, files)
    return PurgeResult(older_than_days, False, task.before, task.after, kept, files)
