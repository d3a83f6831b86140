"""What the alert rules measure, from a branch's state at one instant: plain functions over plain records that
return one ``Measurement`` per subject (breached or not — the engine applies the thresholds).

Decisions (units as in ``RuleKind``):
- crowding: people / capacity × 100 for the lobby (subject "lobby") and for every zone with a capacity (subject
  the zone's name); nothing without a capacity. The lobby's detail names the camera figures it rests on — each
  camera's count, its calibration's error band, or that it is uncalibrated (may count low in crowds) or its
  calibration may be stale (``crowding_detail``), so whoever acts on the alert knows how sure the figure is;
- long wait: one measurement per service-type queue with tickets waiting at the instant (issued at or before it,
  not called, finished or abandoned by then): subject the service type, value the longest wait in minutes, detail
  the waiting tickets, longest first (``long_wait_detail``) — one alert per queue, which one action (opening a
  counter for it, calling its oldest) resolves, not one per ticket;
- queue: per service type the counters take, tickets waiting ÷ counters working for it (open, serving or idle,
  someone logged in); with none working, the tickets waiting themselves (as if one counter);
- service level: the share (percent) called within the target among tickets called or abandoned in the last 60
  minutes, measured once at least ``MIN_DECIDED`` tickets were (fewer would make one late ticket an alarm);
- idle counter: minutes a counter has been idle, measured only while a service type it takes has tickets waiting;
- staffing: counters required (``console/domain/advice.py``: Erlang C on the measured demand, plus the backlog)
  minus counters working, summed over the service types short — one figure for the branch, the types in its detail;
- camera offline: seconds since a camera went offline (0 while online);
- priority wait: the priority customers waiting (VIP tickets, tickets marked priority at issue — elderly, disabled):
  subject "priority", value the longest wait in minutes, detail the tickets (one alert for all of them: whoever
  acts calls the longest-waiting first);
- low rating: per counter, the average customer rating (1–5) of the day's tickets it served that were rated by the
  instant (their service finished by then), measured once ``MIN_RATED`` were (one unhappy customer is no trend);
  detail "N rated, K scored 1 or 2";
- not logged in: for each roster work record with a counter that has started, the minutes since its start while
  its person has not logged in at any counter since 30 minutes before it (measured until they do, or it ends).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from console.domain.advice import WORKING, AdviceSettings, type_loads
from console.domain.alert_engine import Measurement, RuleKind
from console.domain.queue_metrics import is_waiting, period_figures, priority_waiting
from console.domain.records import CounterStatus, ShiftRecord, TicketRecord, ZoneSpec
from console.domain.vocabulary import QUEUED_SERVICE_TYPES, CounterState, ServiceType, ShiftKind

MIN_DECIDED = 5
#: ratings a counter needs on the day before its average is judged
MIN_RATED = 5
SERVICE_LEVEL_WINDOW = timedelta(minutes=60)
LOGIN_EARLY = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class CameraState:
    camera_id: str
    online: bool
    offline_since: datetime | None = None
    name: str = ""  # as users know it (the camera-offline alert's detail)


@dataclass(frozen=True, slots=True)
class CameraFigure:
    """One camera's part of the lobby figure: its name, count (people), its calibration's error band in people (0:
    the camera is not calibrated) and whether that calibration may be stale."""

    name: str
    count: int
    band: int = 0
    stale: bool = False


#: separates the parts of a crowding detail: "34/40 · Entrance 20±2 · Hall 14? · Side 5±1!"
DETAIL_SEPARATOR = " · "
#: the longest detail an alert stores (characters; the column's size)
DETAIL_MAX = 200
_FIGURE = re.compile(r"^(?P<name>.+) (?P<count>\d+)(?:±(?P<band>\d+))?(?P<uncalibrated>\?)?(?P<stale>!)?$")


def crowding_detail(people: int, capacity: int, figures: Sequence[CameraFigure] = ()) -> str:
    """The detail stored with a crowding alert: "people/capacity", then each camera as "name count±band" ("?"
    instead of a band: uncalibrated; "!" after it: the calibration may be stale). Plain text, so the stored alert and
    its CSV export read without the console; ``camera_figures`` reads it back for the words the console shows."""
    return _fitted([f"{people}/{capacity}"],
                   [f"{f.name} {f.count}" + (f"±{f.band}" if f.band else "?") + ("!" if f.stale else "")
                    for f in figures])


def _fitted(head: list[str], entries: Sequence[str], total: int | None = None) -> str:
    """``head`` and then as many whole ``entries`` as the stored detail's ``DETAIL_MAX`` characters hold, with "+N"
    for the rest of ``total`` items (default: the entries) left out; room is kept for it while items remain."""
    total = len(entries) if total is None else total
    parts = list(head)
    for i, entry in enumerate(entries):
        room = len(DETAIL_SEPARATOR) + 4 if total - i > 1 else 0
        if len(DETAIL_SEPARATOR.join([*parts, entry])) + room > DETAIL_MAX:
            break
        parts.append(entry)
    shown = len(parts) - len(head)
    if shown < total:
        parts.append(f"+{total - shown}")
    return DETAIL_SEPARATOR.join(parts)


def camera_figures(detail: str) -> tuple[str, list[CameraFigure]]:
    """("people/capacity", the camera figures) of a crowding detail (``crowding_detail``); parts that do not read as
    a figure are left out."""
    parts = detail.split(DETAIL_SEPARATOR)
    figures = []
    for part in parts[1:]:
        match = _FIGURE.match(part)
        if match:
            figures.append(CameraFigure(match["name"], int(match["count"]), int(match["band"] or 0),
                                        bool(match["stale"])))
    return parts[0], figures


@dataclass(frozen=True)
class BranchState:
    """Everything the rules read at ``at`` (branch-local, aware)."""

    at: datetime
    tickets: Sequence[TicketRecord] = ()
    counters: Sequence[CounterStatus] = ()
    roster: Sequence[ShiftRecord] = ()
    lobby_count: int | None = None
    lobby_capacity: int | None = None
    lobby_figures: Sequence[CameraFigure] = ()  # the cameras the lobby count adds up (none on the demo)
    zones: Sequence[ZoneSpec] = ()
    zone_counts: Mapping[str, int] = field(default_factory=dict)
    cameras: Sequence[CameraState] = ()
    logins: Mapping[str, Sequence[datetime]] = field(default_factory=dict)  # staff id → login instants ≤ at
    service_target_s: float = 600.0
    target_share: float = 0.8
    counter_time_fallback_s: Mapping[ServiceType, float] = field(default_factory=dict)


def crowding(state: BranchState) -> list[Measurement]:
    out = []
    if state.lobby_count is not None and state.lobby_capacity:
        out.append(Measurement(RuleKind.CROWDING, "lobby", 100.0 * state.lobby_count / state.lobby_capacity,
                               crowding_detail(state.lobby_count, state.lobby_capacity, state.lobby_figures)))
    for z in state.zones:
        if z.capacity and z.name in state.zone_counts:
            n = state.zone_counts[z.name]
            out.append(Measurement(RuleKind.CROWDING, z.name, 100.0 * n / z.capacity, f"{n}/{z.capacity}"))
    return out


#: waiting tickets a long-wait detail names at most (the longest waits; the count of the others is kept)
DETAIL_TICKETS = 12


def long_wait_detail(waits: Sequence[tuple[str, float]]) -> str:
    """The detail of a queue's long-wait alert: its waiting tickets as "number minutes", longest first, separated by
    ``DETAIL_SEPARATOR`` ("A012 32 · A015 18 · A020 16"), at most ``DETAIL_TICKETS`` of them (fewer when their
    numbers are long: the detail stays within ``DETAIL_MAX``) and then "+N" for the rest; whole minutes, rounded down
    (a ticket waiting 14.9 min has not waited 15)."""
    ordered = sorted(waits, key=lambda w: (-w[1], w[0]))
    return _fitted([], [f"{number} {int(minutes)}" for number, minutes in ordered[:DETAIL_TICKETS]], len(ordered))


def waiting_tickets(detail: str) -> tuple[list[tuple[str, int]], int]:
    """(the tickets a long-wait detail names with their whole minutes, how many more are waiting)."""
    named, more = [], 0
    for part in detail.split(DETAIL_SEPARATOR):
        number, _, minutes = part.rpartition(" ")
        if part.startswith("+") and part[1:].isdigit():
            more = int(part[1:])
        elif number and minutes.isdigit():
            named.append((number, int(minutes)))
    return named, more


def long_waits(state: BranchState) -> list[Measurement]:
    queues: dict[ServiceType, list[tuple[str, float]]] = {}
    for t in state.tickets:
        if is_waiting(t, state.at):
            queues.setdefault(t.service_type, []).append((t.number, (state.at - t.issued_at).total_seconds() / 60))
    return [Measurement(RuleKind.LONG_WAIT, service.value, max(minutes for _, minutes in waits),
                        long_wait_detail(waits))
            for service, waits in sorted(queues.items(), key=lambda item: item[0].value)]


def _offered(counters: Iterable[CounterStatus]) -> list[ServiceType]:
    types = {t for c in counters for t in c.service_types}
    return [t for t in QUEUED_SERVICE_TYPES if t in types]


def queues(state: BranchState) -> list[Measurement]:
    waiting: dict[ServiceType, int] = {}
    for t in state.tickets:
        if is_waiting(t, state.at):
            waiting[t.service_type] = waiting.get(t.service_type, 0) + 1
    out = []
    for st in _offered(state.counters):
        working = sum(1 for c in state.counters if c.state in WORKING and c.staff_id and st in c.service_types)
        n = waiting.get(st, 0)
        out.append(Measurement(RuleKind.QUEUE, st.value, n / max(1, working), f"{n}/{working}"))
    return out


def service_level(state: BranchState) -> list[Measurement]:
    figures = period_figures(state.tickets, timedelta(seconds=state.service_target_s),
                             state.at - SERVICE_LEVEL_WINDOW, state.at)
    decided = figures.called + figures.abandoned
    if figures.service_level is None or decided < MIN_DECIDED:
        return []
    return [Measurement(RuleKind.SERVICE_LEVEL, "branch", 100.0 * figures.service_level, f"{decided}")]


def idle_counters(state: BranchState) -> list[Measurement]:
    waiting = {t.service_type for t in state.tickets if is_waiting(t, state.at)}
    return [Measurement(RuleKind.IDLE_COUNTER, c.counter_id, (state.at - c.state_since).total_seconds() / 60,
                        ",".join(t.value for t in c.service_types if t in waiting))
            for c in state.counters
            if c.state is CounterState.IDLE and c.staff_id and set(c.service_types) & waiting]


def staffing_detail(shortfalls: Sequence[tuple[str, int]]) -> str:
    """The service types short of counters as "non_cash 2 · vip 1" (most short first)."""
    return DETAIL_SEPARATOR.join(f"{t} {n}" for t, n in sorted(shortfalls, key=lambda s: (-s[1], s[0])))


def staffing_shortfalls(detail: str) -> list[tuple[str, int]]:
    """The (service type, counters short) of a staffing detail."""
    out = []
    for part in detail.split(DETAIL_SEPARATOR):
        name, _, n = part.rpartition(" ")
        if name and n.isdigit():
            out.append((name, int(n)))
    return out


def staffing(state: BranchState) -> list[Measurement]:
    """One measurement for the branch: the counters short of what the queues need, summed over the service types
    short (required − working per type, ``console/domain/advice.py``), the types in the detail. One alert, because
    one action answers it — the staffing advice, opening counters — and per-type alerts kept a chronically short
    type (the one VIP counter) open beside the others all day."""
    if not state.counters:
        return []
    settings = AdviceSettings(target_s=state.service_target_s, target_share=state.target_share)
    loads = type_loads(state.tickets, state.counters, state.at, state.counter_time_fallback_s, settings)
    short = [(ld.service_type.value, ld.required - ld.working) for ld in loads if ld.required > ld.working]
    return [Measurement(RuleKind.STAFFING, "branch", float(sum(n for _, n in short)), staffing_detail(short))]


def cameras_offline(state: BranchState) -> list[Measurement]:
    return [Measurement(RuleKind.CAMERA_OFFLINE, c.camera_id,
                        0.0 if c.online or c.offline_since is None else (state.at - c.offline_since).total_seconds(),
                        c.name)
            for c in state.cameras]


def not_logged_in(state: BranchState) -> list[Measurement]:
    at_counter = {c.staff_id for c in state.counters if c.staff_id and c.state is not CounterState.CLOSED}
    out = []
    for s in state.roster:
        if s.kind is not ShiftKind.WORK or s.counter_id is None or not (s.start <= state.at < s.end):
            continue
        if s.staff_id in at_counter:
            continue
        if any(s.start - LOGIN_EARLY <= t <= state.at for t in state.logins.get(s.staff_id, ())):
            continue
        out.append(Measurement(RuleKind.NOT_LOGGED_IN, s.staff_id, (state.at - s.start).total_seconds() / 60,
                               s.counter_id))
    return out


def priority_waits(state: BranchState) -> list[Measurement]:
    """One measurement for the priority customers waiting (VIP tickets and tickets marked priority): the longest
    wait in minutes, the tickets as in a long wait's detail; none while no priority customer waits."""
    waiting = priority_waiting(state.tickets, state.at)
    if not waiting:
        return []
    return [Measurement(RuleKind.PRIORITY_WAIT, "priority", waiting[0][1] / 60,
                        long_wait_detail([(t.number, s / 60) for t, s in waiting]))]


def low_ratings(state: BranchState) -> list[Measurement]:
    """Per counter, the average rating of the day's rated tickets it served (finished by the instant)."""
    scores: dict[str, list[int]] = {}
    for t in state.tickets:
        if t.rating is not None and t.counter_id is not None and t.finished_at is not None \
                and t.finished_at <= state.at:
            scores.setdefault(t.counter_id, []).append(t.rating)
    return [Measurement(RuleKind.LOW_RATING, counter, sum(s) / len(s),
                        f"{len(s)} rated, {sum(1 for x in s if x <= 2)} scored 1 or 2")
            for counter, s in sorted(scores.items()) if len(s) >= MIN_RATED]


MEASURES = (crowding, long_waits, queues, service_level, idle_counters, staffing, cameras_offline, not_logged_in,
            priority_waits, low_ratings)


def measure_all(state: BranchState) -> list[Measurement]:
    return [m for f in MEASURES for m in f(state)]
