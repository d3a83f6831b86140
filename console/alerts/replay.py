"""``alerts check --at``: the alerts active at a past (or present) instant, computed from stored data only.

The branch's state at any instant ``t`` is rebuilt from rows stamped at or before ``t``: tickets as they stood then
(waiting means issued at or before ``t`` and not called, finished or abandoned by ``t``), counters from the feed's
counter-state and login/logout events, occupancy from the latest samples of each camera (no older than
``SAMPLE_MAX_AGE``), cameras from their health changes, logins from the feed. The rules engine then replays the
day from its first data (or midnight) to ``at`` — in ``COARSE`` steps until ``FINE_FROM`` before ``at`` and ``FINE``
steps after, so sustain times, cooldowns and when each alert began come out as the live engine would have them
(within a step). Manual acknowledgements are not replayed: this answers "which conditions held", not "who acted";
``alerts list`` prints the stored history with who acknowledged what.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from console.domain.alert_engine import ActiveAlert, AlertEngine, RuleSpec
from console.domain.alert_measures import BranchState, CameraState, measure_all
from console.domain.records import BranchInfo, CounterStatus, TicketEvent
from console.domain.vocabulary import CounterState, TicketEventType
from console.staffing.demand import fallback_counter_time_s
from storage import repository
from storage.database import Database

COARSE = timedelta(seconds=30)
FINE = timedelta(seconds=5)
FINE_FROM = timedelta(minutes=15)
SAMPLE_MAX_AGE = timedelta(minutes=5)


@dataclass
class _Series:
    """Timestamps and values, for "the latest at or before t"."""

    times: list[datetime]
    values: list

    def at(self, t: datetime, max_age: timedelta | None = None):
        i = bisect.bisect_right(self.times, t) - 1
        if i < 0 or (max_age is not None and t - self.times[i] > max_age):
            return None
        return self.values[i]


class DayData:
    """One branch day's stored data, loaded once, answering "the state at t"."""

    def __init__(self, db: Database, branch: BranchInfo, at: datetime, target_min: float, target_share: float) -> None:
        self.branch = branch
        tz = ZoneInfo(branch.timezone)
        self.at = at.astimezone(tz)
        self.start = self.at.replace(hour=0, minute=0, second=0, microsecond=0)
        code = branch.code
        end = self.at + timedelta(microseconds=1)
        self.tickets = [t for t in repository.load_tickets(db, code, self.start - timedelta(hours=12), end)
                        if t.issued_at <= self.at]
        self.events = repository.load_ticket_events(db, code, self.start, end, types=(
            TicketEventType.COUNTER_STATE, TicketEventType.STAFF_LOGIN, TicketEventType.STAFF_LOGOUT))
        self.counter_config = {c.counter_id: c for c in repository.load_counters(db, code)}
        self.roster = repository.load_roster(db, code, self.at.date())
        self.zones = repository.load_zones(db, code)
        self.lobby = self._series(repository.load_occupancy(db, code, self.start, end))
        self.zone_series = {z.name: self._series(repository.load_occupancy(db, code, self.start, end, zone=z.name))
                            for z in self.zones if z.capacity}
        health = repository.load_camera_health(db, code, self.start - timedelta(days=1), end)
        self.health: dict[str, list] = {}
        for h in health:
            self.health.setdefault(h.camera_id, []).append(h)
        self.target_s, self.target_share = target_min * 60, target_share
        self.fallback = fallback_counter_time_s()
        firsts = [t.issued_at for t in self.tickets if t.issued_at >= self.start] + [e.at for e in self.events]
        firsts += [t for s in self.lobby.values() for t in s.times[:1]]
        self.first = max(self.start, min(firsts, default=self.at) - timedelta(minutes=1))

    @staticmethod
    def _series(points) -> dict[str | None, _Series]:
        by_camera: dict[str | None, _Series] = {}
        for p in points:
            s = by_camera.setdefault(p.camera_id, _Series([], []))
            s.times.append(p.at)
            s.values.append(p.count)
        return by_camera

    def _count(self, series: dict[str | None, _Series], t: datetime) -> int | None:
        counts = [c for s in series.values() if (c := s.at(t, SAMPLE_MAX_AGE)) is not None]
        return sum(counts) if counts else None

    def counters_at(self, t: datetime, events: Sequence[TicketEvent]) -> list[CounterStatus]:
        state: dict[str, tuple[CounterState, datetime, str | None]] = {}
        for e in events:
            if e.at > t:
                break
            if e.counter_id is None:
                continue
            current = state.get(e.counter_id, (CounterState.CLOSED, self.start, None))
            if e.type is TicketEventType.COUNTER_STATE and e.state is not None:
                since = current[1] if current[0] is e.state else e.at
                state[e.counter_id] = (e.state, since, e.staff_id or current[2])
            elif e.type is TicketEventType.STAFF_LOGIN:
                state[e.counter_id] = (current[0], current[1], e.staff_id)
            elif e.type is TicketEventType.STAFF_LOGOUT and current[2] in (None, e.staff_id):
                state[e.counter_id] = (current[0], current[1], None)
        out = []
        for cid, config in self.counter_config.items():
            st, since, staff = state.get(cid, (CounterState.CLOSED, self.start, None))
            out.append(CounterStatus(cid, config.name, config.service_types, st, since, staff))
        return out

    def state_at(self, t: datetime) -> BranchState:
        cameras = []
        for camera_id, changes in self.health.items():
            past = [h for h in changes if h.at <= t]
            if not past:
                continue
            last = past[-1]
            online = last.state == "online"
            since = None
            if not online:
                since = last.at
                for h in reversed(past):
                    if h.state == "online":
                        break
                    since = h.at
            cameras.append(CameraState(camera_id, online, since))
        logins: dict[str, list[datetime]] = {}
        for e in self.events:
            if e.at > t:
                break
            if e.type is TicketEventType.STAFF_LOGIN and e.staff_id:
                logins.setdefault(e.staff_id, []).append(e.at)
        return BranchState(
            at=t, tickets=self.tickets, counters=self.counters_at(t, self.events), roster=self.roster,
            lobby_count=self._count(self.lobby, t), lobby_capacity=self.branch.lobby_capacity, zones=self.zones,
            zone_counts={name: c for name, s in self.zone_series.items() if (c := self._count(s, t)) is not None},
            cameras=tuple(cameras), logins=logins, service_target_s=self.target_s, target_share=self.target_share,
            counter_time_fallback_s=self.fallback)


def active_at(db: Database, branch: BranchInfo, at: datetime, rules: Sequence[RuleSpec], target_min: float = 10.0,
              target_share: float = 0.8) -> list[ActiveAlert]:
    """The alerts open at ``at`` after replaying the stored day with ``rules``."""
    data = DayData(db, branch, at, target_min, target_share)
    engine = AlertEngine(rules)
    t = data.first
    fine_from = data.at - FINE_FROM
    while t < data.at:
        engine.evaluate(t, measure_all(data.state_at(t)))
        t += FINE if t >= fine_from else COARSE
    engine.evaluate(data.at, measure_all(data.state_at(data.at)))
    return sorted(engine.open.values(), key=lambda a: (a.raised_at, a.rule_id, a.subject))
