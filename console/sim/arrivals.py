"""Everything random about a simulated day, drawn once up front from one seeded numpy Generator.

Drawing every customer's attributes before the day runs (arrival time, service type, handling time, patience,
walking speed …) makes the day a function of (profile, day, seed) alone: the event loop itself draws nothing, so
the order in which it happens to process things — and how a caller steps the clock — cannot change the outcome.
Times are integer milliseconds since the simulation start (opening time − 15 min).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from console.domain.vocabulary import QUEUED_SERVICE_TYPES, ServiceType
from console.sim.lobby import path_length
from console.sim.profile import DemoProfile, Lognormal

MS = 1000  # milliseconds per second


@dataclass(frozen=True, slots=True)
class CustomerDraw:
    """One customer who takes a ticket: when they enter and reach the machine, what they want, how they behave.

    ``handling_s`` is the first service's transaction time; ``transfer_handling_s`` is set when that service ends
    in a transfer (then it is the second service's time). ``patience_s`` counts from the ticket; ``cancels`` says
    whether a customer who gives up cancels at the machine (``abandoned``) or leaves silently (later ``no_show``).
    ``seat_u`` picks the seat among the free ones; ``reaction_s`` is the delay from the call to walking off.
    """

    person_id: int
    enter_ms: int
    issue_ms: int
    service_type: ServiceType
    priority: bool
    speed_mps: float
    handling_s: float
    complex_business: bool
    transfer_handling_s: float | None
    patience_s: float
    cancels: bool
    seat_u: float
    reaction_s: float


@dataclass(frozen=True, slots=True)
class WalkInDraw:
    """A walk-in who only uses a self-service machine: enters at ``enter_ms`` and uses a machine for ``use_s``."""

    person_id: int
    enter_ms: int
    speed_mps: float
    use_s: float


@dataclass(frozen=True, slots=True)
class OfflineDraw:
    """A counter terminal outage: ``counter_id`` is offline for ``minutes`` from its first free moment after
    ``start_ms``."""

    counter_id: str
    start_ms: int
    minutes: float


@dataclass(frozen=True, slots=True)
class DayDraws:
    customers: tuple[CustomerDraw, ...]  # in issue order
    walk_ins: tuple[WalkInDraw, ...]  # in entry order
    offline: OfflineDraw | None


def day_rng(seed: int, day: date) -> np.random.Generator:
    """The day's Generator: the same (seed, day) always gives the same stream; another day or seed another one."""
    return np.random.default_rng(np.random.SeedSequence([seed % 2**63, day.toordinal()]))


def _lognormal(rng: np.random.Generator, dist: Lognormal, n: int) -> np.ndarray:
    return rng.lognormal(mean=np.log(dist.median_s), sigma=dist.sigma, size=n)


def draw_day(profile: DemoProfile, day: date, seed: int, opens_ms: int) -> DayDraws:
    """Draw the day: arrivals are Poisson per half-hour interval at the profile's rates × the day's demand factor."""
    rng = day_rng(seed, day)
    factor = profile.demand.factor(day)
    floor = profile.floor
    walk_in_m = path_length(floor.door, (floor.ticket_machine,))

    # --- ticket customers: counts per (interval, type, priority), uniform times within the interval ---------
    kinds: list[tuple[ServiceType, bool]] = [(st, prio) for prio in (False, True) for st in QUEUED_SERVICE_TYPES]
    rates: list[list[float]] = []
    for interval in profile.arrivals:
        ordinary, priority = dict(interval.per_hour), dict(interval.priority_per_hour)
        rates.append([(priority if prio else ordinary).get(st, 0.0) for st, prio in kinds])
    rate = np.asarray(rates) * factor  # per hour, shape (intervals, kinds)
    minutes = np.asarray([i.minutes for i in profile.arrivals], dtype=float)
    starts_ms = np.asarray([_interval_start_ms(profile, i, opens_ms) for i in range(len(profile.arrivals))])
    counts = rng.poisson(rate * (minutes / 60.0)[:, None])
    enter: list[np.ndarray] = []
    kind_idx: list[np.ndarray] = []
    for i in range(counts.shape[0]):
        for k in range(counts.shape[1]):
            n = int(counts[i, k])
            if n:
                enter.append(starts_ms[i] + rng.random(n) * minutes[i] * 60 * MS)
                kind_idx.append(np.full(n, k))
    enter_all = np.concatenate(enter) if enter else np.zeros(0)
    kind_all = np.concatenate(kind_idx) if kind_idx else np.zeros(0, dtype=int)
    order = np.argsort(enter_all, kind="stable")
    enter_all, kind_all = enter_all[order], kind_all[order]
    n = len(enter_all)

    speed = rng.uniform(*profile.walk_speed_mps, size=n)
    u_complex = rng.random(n)
    u_transfer = rng.random(n)
    patience = _lognormal(rng, profile.patience, n)
    cancels = rng.random(n) < profile.cancel_share
    seat_u = rng.random(n)
    reaction = rng.uniform(*profile.call_reaction_s, size=n)
    base = {st: _lognormal(rng, profile.handling_for(st), n) for st in QUEUED_SERVICE_TYPES}
    complex_ = {st: _lognormal(rng, profile.complex_handling_for(st), n) for st in QUEUED_SERVICE_TYPES}
    second = _lognormal(rng, profile.handling_for(profile.transfer_to), n)

    closes_ms = opens_ms + _open_ms(profile)
    customers: list[CustomerDraw] = []
    for j in range(n):
        st, priority = kinds[int(kind_all[j])]
        enter_ms = int(enter_all[j])
        issue_ms = enter_ms + int(round(walk_in_m / speed[j] * MS))
        if issue_ms >= closes_ms:
            continue  # reached the machine after closing time: no ticket
        is_complex = bool(u_complex[j] < profile.complex_share)
        handling = float(complex_[st][j] if is_complex else base[st][j])
        transfer = st is profile.transfer_from and bool(u_transfer[j] < profile.transfer_share)
        customers.append(
            CustomerDraw(
                person_id=0,
                enter_ms=enter_ms,
                issue_ms=issue_ms,
                service_type=st,
                priority=priority,
                speed_mps=float(speed[j]),
                handling_s=_clip(handling, profile),
                complex_business=is_complex,
                transfer_handling_s=_clip(float(second[j]), profile) if transfer else None,
                patience_s=float(patience[j]),
                cancels=bool(cancels[j]),
                seat_u=float(seat_u[j]),
                reaction_s=float(reaction[j]),
            )
        )

    # --- self-service walk-ins -------------------------------------------------------------------------------
    ss_rate = np.asarray([i.self_service_per_hour for i in profile.arrivals]) * factor
    ss_counts = rng.poisson(ss_rate * minutes / 60.0)
    ss_enter = np.sort(np.concatenate(
        [starts_ms[i] + rng.random(int(c)) * minutes[i] * 60 * MS for i, c in enumerate(ss_counts)]
    )) if ss_counts.sum() else np.zeros(0)
    m = len(ss_enter)
    ss_speed = rng.uniform(*profile.walk_speed_mps, size=m)
    ss_use = rng.uniform(*profile.self_service_use_s, size=m)

    # --- an occasional terminal outage on one of the all-day counters --------------------------------------
    offline = None
    if rng.random() < profile.offline_day_share:
        counter_id = str(rng.choice(["1", "2", "5"]))
        start = opens_ms + int(rng.uniform(3600, _open_ms(profile) / MS - 3600) * MS)
        offline = OfflineDraw(counter_id, start, float(rng.uniform(*profile.offline_minutes)))

    # person ids in order of entering the lobby, both kinds together
    entries = sorted(
        [(c.enter_ms, 0, j) for j, c in enumerate(customers)] + [(int(t), 1, j) for j, t in enumerate(ss_enter)]
    )
    ids: dict[tuple[int, int], int] = {(kind, j): pid for pid, (_, kind, j) in enumerate(entries, start=1)}
    customers_out = tuple(
        replace(c, person_id=ids[(0, j)]) for j, c in enumerate(customers)
    )
    walk_ins = tuple(
        WalkInDraw(ids[(1, j)], int(ss_enter[j]), float(ss_speed[j]), float(ss_use[j])) for j in range(m)
    )
    customers_sorted = tuple(sorted(customers_out, key=lambda c: (c.issue_ms, c.person_id)))
    return DayDraws(customers_sorted, walk_ins, offline)


def _clip(handling_s: float, profile: DemoProfile) -> float:
    return float(min(max(handling_s, profile.min_handling_s), profile.max_handling_s))


def _open_ms(profile: DemoProfile) -> int:
    b = profile.branch
    return ((b.closes.hour * 60 + b.closes.minute) - (b.opens.hour * 60 + b.opens.minute)) * 60 * MS


def _interval_start_ms(profile: DemoProfile, i: int, opens_ms: int) -> int:
    s, o = profile.arrivals[i].start, profile.branch.opens
    return opens_ms + ((s.hour * 60 + s.minute) - (o.hour * 60 + o.minute)) * 60 * MS
