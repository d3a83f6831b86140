"""The demo branch: counters, staff, demand over the day, handling times, patience, floor plan and roster.

All figures here are plain data so that a reader (or a test) can check what the simulator is asked to do against
what it does. Rates are customers per hour; durations are seconds unless a name says otherwise.

Calibration (an ordinary Tuesday–Thursday, not a payday): about 265 tickets — cash 44 %, non-cash 34 %,
corporate 8 %, VIP 9 %, priority customers (elderly, disabled) 5 % on cash and non-cash — with an opening rush
(09:00–10:00), a lunch peak (11:30–13:30), a 14:00–15:00 trough and a late-afternoon peak (15:30–16:45).
Corporate is kept at 8 % rather than a more typical 12 % on purpose: the branch has one corporate counter,
and 12 % of 265 tickets at ~14 min each (≈ 450 min) is more than the ~435 min that counter is staffed, so its
queue would only ever grow; non-cash got 34 % (not 35–36 %) for the same reason at its single all-day counter.
With these figures and the roster below, an ordinary day averaged over seeds has mean waits of 2–8 min per type,
a longest wait of about 25 min and 2–3 % of customers giving up (mostly around the lunch peak); Mondays, Fridays,
paydays and days with someone on leave (no lunch cover at the corporate and VIP counters) are visibly worse — a
payday Monday has waits of 40–55 min at the worst moments and about 7 % giving up.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from console.domain.forecast import is_payday
from console.domain.records import BranchInfo, BreakSpan, ShiftRecord, StaffMember
from console.domain.vocabulary import ServiceType, ShiftKind, StaffRole
from console.sim.lobby import FloorPlan, demo_floor_plan

CASH, NON_CASH, CORPORATE, VIP = ServiceType.CASH, ServiceType.NON_CASH, ServiceType.CORPORATE, ServiceType.VIP


@dataclass(frozen=True, slots=True)
class CounterSpec:
    """A counter (窗口) and the service types it takes, the first one preferred.

    ``priority_any_type``: the counter also calls priority tickets (elderly, disabled) of any type when no ticket of
    its own types waits — the VIP / green-channel counter.
    """

    counter_id: str
    name: str
    service_types: tuple[ServiceType, ...]
    priority_any_type: bool = False


@dataclass(frozen=True, slots=True)
class Lognormal:
    """A lognormal duration: ``median_s`` seconds, ``sigma`` the standard deviation of its logarithm.

    Lognormal because transaction and patience times are positive and right-skewed (most short, a long tail).
    """

    median_s: float
    sigma: float

    @property
    def mean_s(self) -> float:
        return self.median_s * math.exp(self.sigma**2 / 2)


@dataclass(frozen=True, slots=True)
class ArrivalInterval:
    """Expected arrivals per hour during the ``minutes`` starting at ``start`` (branch-local).

    ``per_hour``: ordinary tickets per service type; ``priority_per_hour``: priority customers (a cash or non-cash
    ticket with ``priority=True``); ``self_service_per_hour``: walk-ins who use only the self-service machines.
    """

    start: time
    per_hour: tuple[tuple[ServiceType, float], ...]
    priority_per_hour: tuple[tuple[ServiceType, float], ...]
    self_service_per_hour: float
    minutes: int = 30

    @property
    def tickets_per_hour(self) -> float:
        return sum(r for _, r in self.per_hour) + sum(r for _, r in self.priority_per_hour)


@dataclass(frozen=True, slots=True)
class DemandFactors:
    """Multipliers of the whole day's arrivals (tickets and walk-ins); they multiply when several apply.

    Mondays and Fridays are busier (weekend backlog, payroll before the weekend); the demo branch opens at
    weekends too, quieter; paydays and the last days of the month bring wage withdrawals and bill payments.
    """

    monday_friday: float = 1.15
    weekend: float = 0.70
    payday: float = 1.20
    paydays: tuple[int, ...] = (10, 15)
    month_end_days: int = 2  # the last N days of the month count as paydays

    def is_payday(self, day: date) -> bool:
        return is_payday(day, self.paydays, self.month_end_days)

    def factor(self, day: date) -> float:
        f = 1.0
        if day.weekday() in (0, 4):
            f *= self.monday_friday
        elif day.weekday() >= 5:
            f *= self.weekend
        if self.is_payday(day):
            f *= self.payday
        return f


@dataclass(frozen=True, slots=True)
class DemoProfile:
    """Everything the simulator needs to know about the demo branch (see the module docstring for the figures).

    ``handling``: transaction time per service type (seconds, from the customer reaching the counter to the
    finish); with probability ``complex_share`` a ticket is "complex business" and takes ``complex_handling`` of
    its type instead. ``patience``: how long a waiting customer waits before giving up; of those who give up,
    ``cancel_share`` cancel at the ticket machine (→ ``abandoned``), the rest leave silently and become a
    ``no_show`` ``no_show_after_s`` seconds after their number is called. ``transfer_share`` of served tickets of
    ``transfer_from`` are transferred to ``transfer_to`` when their first service ends. ``offline_day_share``: share
    of days on which one counter's terminal goes offline for ``offline_minutes``.
    """

    branch: BranchInfo
    counters: tuple[CounterSpec, ...]
    staff: tuple[StaffMember, ...]
    arrivals: tuple[ArrivalInterval, ...]
    demand: DemandFactors
    handling: tuple[tuple[ServiceType, Lognormal], ...]
    complex_share: float
    complex_handling: tuple[tuple[ServiceType, Lognormal], ...]
    patience: Lognormal
    cancel_share: float
    no_show_after_s: float
    transfer_share: float
    transfer_from: ServiceType
    transfer_to: ServiceType
    self_service_use_s: tuple[float, float]  # uniform between these, seconds
    walk_speed_mps: tuple[float, float]  # uniform between these, metres per second
    call_reaction_s: tuple[float, float]  # from the call to standing up and walking, seconds
    min_handling_s: float
    max_handling_s: float
    offline_day_share: float
    offline_minutes: tuple[float, float]
    floor: FloorPlan

    def handling_for(self, service_type: ServiceType) -> Lognormal:
        return dict(self.handling)[service_type]

    def complex_handling_for(self, service_type: ServiceType) -> Lognormal:
        return dict(self.complex_handling)[service_type]

    def counter(self, counter_id: str) -> CounterSpec:
        for c in self.counters:
            if c.counter_id == counter_id:
                return c
        raise KeyError(f"no counter {counter_id!r} in the profile")

    def expected_tickets(self, day: date) -> float:
        """Expected tickets issued on ``day`` (all types, including priority)."""
        base = sum(i.tickets_per_hour * i.minutes / 60 for i in self.arrivals)
        return base * self.demand.factor(day)


#: Relative arrival intensity per half-hour from 09:00 (1.0 = the day's average): opening rush, lunch peak,
#: 14:00–15:00 trough, late-afternoon peak that fades before closing.
_SHAPE: tuple[float, ...] = (
    1.45, 1.30,  # 09:00 09:30
    1.00, 0.90,  # 10:00 10:30
    0.85, 1.25,  # 11:00 11:30
    1.35, 1.35,  # 12:00 12:30
    1.20, 0.72,  # 13:00 13:30
    0.52, 0.52,  # 14:00 14:30
    0.78, 1.20,  # 15:00 15:30
    1.32, 0.80,  # 16:00 16:30
)

#: Share of ordinary tickets per service type, and of priority customers per type; sums to 1.
_MIX: dict[ServiceType, float] = {CASH: 0.44, NON_CASH: 0.34, CORPORATE: 0.08, VIP: 0.09}
_PRIORITY_MIX: dict[ServiceType, float] = {CASH: 0.03, NON_CASH: 0.02}

#: Corporate customers (company accountants) come less at lunch and at the opening rush; the difference goes to
#: the personal business so the total shape is kept.
_CORPORATE_TILT: tuple[float, ...] = (0.6, 0.9, 1.3, 1.3, 1.2, 0.7, 0.6, 0.6, 0.8, 1.3, 1.4, 1.4, 1.2, 1.0, 0.8, 0.6)

_TICKETS_PER_DAY = 265.0
_SELF_SERVICE_PER_DAY = 120.0


def _arrival_profile(opens: time) -> tuple[ArrivalInterval, ...]:
    n = len(_SHAPE)
    norm = n / sum(_SHAPE)  # the shape only distributes the day's total
    mean_rate = _TICKETS_PER_DAY / (n / 2) * norm  # per hour over the 8 opening hours
    ss_rate = _SELF_SERVICE_PER_DAY / (n / 2) * norm
    intervals = []
    start = datetime.combine(date(2000, 1, 3), opens)
    for i, shape in enumerate(_SHAPE):
        total = mean_rate * shape
        corporate = total * _MIX[CORPORATE] * _CORPORATE_TILT[i]
        personal_scale = (total - corporate) / (total * (1.0 - _MIX[CORPORATE]))
        per_hour = tuple(
            (st, round(corporate if st is CORPORATE else total * share * personal_scale, 2))
            for st, share in _MIX.items()
        )
        priority = tuple((st, round(total * share * personal_scale, 2)) for st, share in _PRIORITY_MIX.items())
        intervals.append(
            ArrivalInterval(
                start=(start + timedelta(minutes=30 * i)).time(),
                per_hour=per_hour,
                priority_per_hour=priority,
                self_service_per_hour=round(ss_rate * shape, 2),
            )
        )
    return tuple(intervals)


def demo_profile() -> DemoProfile:
    """The demo branch (code ``DEMO``), 7 counters, 10 staff, open 09:00–17:00 in Asia/Shanghai."""
    counters = (
        CounterSpec("1", "Counter 1", (CASH,)),
        CounterSpec("2", "Counter 2", (CASH,)),
        CounterSpec("3", "Counter 3", (CASH, NON_CASH)),  # flexible (弹性窗口), opened at peaks
        CounterSpec("4", "Counter 4", (NON_CASH, CASH)),  # flexible, prefers non-cash
        CounterSpec("5", "Counter 5", (NON_CASH,)),
        CounterSpec("6", "Counter 6", (CORPORATE,)),
        CounterSpec("7", "Counter 7", (VIP,), priority_any_type=True),
    )
    staff = (
        StaffMember("E1001", "李伟", StaffRole.SENIOR_TELLER, (CASH, NON_CASH)),
        StaffMember("E1002", "王芳", StaffRole.TELLER, (CASH, NON_CASH)),
        StaffMember("E1003", "张敏", StaffRole.TELLER, (NON_CASH, CASH)),
        StaffMember("E1004", "刘洋", StaffRole.CORPORATE_OFFICER, (CORPORATE, NON_CASH)),
        StaffMember("E1005", "陈静", StaffRole.VIP_MANAGER, (VIP, CASH, NON_CASH)),
        StaffMember("E1006", "杨磊", StaffRole.TELLER, (CASH, NON_CASH)),
        StaffMember("E1007", "赵丽", StaffRole.TELLER, (NON_CASH, CASH)),
        StaffMember("E1008", "黄强", StaffRole.SENIOR_TELLER, (CASH, NON_CASH, CORPORATE, VIP)),
        StaffMember("E1009", "周婷", StaffRole.LOBBY_MANAGER, (ServiceType.SELF_SERVICE, NON_CASH)),
        StaffMember("E1010", "吴刚", StaffRole.BRANCH_MANAGER, (CASH, NON_CASH, CORPORATE, VIP)),
    )
    opens, closes = time(9, 0), time(17, 0)
    branch = BranchInfo(
        code="DEMO",
        name="Demo branch",
        timezone="Asia/Shanghai",
        opens=opens,
        closes=closes,
        lobby_capacity=60,
        is_demo=True,
        counters=tuple(c.counter_id for c in counters),
    )
    return DemoProfile(
        branch=branch,
        counters=counters,
        staff=staff,
        arrivals=_arrival_profile(opens),
        demand=DemandFactors(),
        handling=(
            (CASH, Lognormal(180.0, 0.45)),  # 1–6 min for nine in ten, median 3 min
            (NON_CASH, Lognormal(300.0, 0.45)),  # median 5 min, tail past 10 min
            (CORPORATE, Lognormal(780.0, 0.22)),  # 10–20 min, median 13 min
            (VIP, Lognormal(480.0, 0.45)),  # median 8 min
        ),
        complex_share=0.08,
        complex_handling=(
            (CASH, Lognormal(900.0, 0.28)),  # large cash, account opening, loss reports: 10–20+ min
            (NON_CASH, Lognormal(900.0, 0.28)),
            (CORPORATE, Lognormal(1020.0, 0.25)),
            (VIP, Lognormal(960.0, 0.28)),
        ),
        patience=Lognormal(2100.0, 0.5),  # median 35 min
        cancel_share=0.4,
        no_show_after_s=30.0,
        transfer_share=0.03,
        transfer_from=NON_CASH,
        transfer_to=CASH,
        self_service_use_s=(120.0, 480.0),
        walk_speed_mps=(1.0, 1.4),
        call_reaction_s=(2.0, 8.0),
        min_handling_s=30.0,
        max_handling_s=3600.0,
        offline_day_share=0.25,
        offline_minutes=(3.0, 8.0),
        floor=demo_floor_plan(tuple(c.counter_id for c in counters)),
    )


# --- roster ---------------------------------------------------------------------------------------------------

#: Staff at the fixed counters for the whole day: counter → (staff, lunch start, lunch minutes, short break start).
#: Lunches are staggered across 11:00–14:00 and the two cash tellers (counters 1 and 2) never break together.
_FIXED: tuple[tuple[str, str, time, int, time], ...] = (
    ("1", "E1001", time(11, 0), 45, time(10, 15)),
    ("2", "E1002", time(13, 15), 45, time(10, 45)),
    ("5", "E1003", time(11, 0), 45, time(10, 30)),  # non-cash: counter 4 is open over lunch
    ("6", "E1004", time(12, 0), 45, time(14, 45)),  # few corporate customers come at lunch
    ("7", "E1005", time(13, 15), 45, time(15, 15)),
)

#: Flexible counters: staff, counter slots (start, end) at the peaks, and a lunch taken in back-office time.
#: Counter 4 (non-cash first) also covers the lunch peak, when the fixed counters take their lunches.
_FLEXIBLE: tuple[tuple[str, str, tuple[tuple[time, time], ...], time, int], ...] = (
    ("3", "E1006", ((time(9, 0), time(11, 0)), (time(15, 0), time(17, 0))), time(12, 0), 60),
    ("4", "E1007", ((time(9, 0), time(10, 30)), (time(11, 0), time(14, 0)), (time(15, 0), time(17, 0))),
     time(14, 0), 45),
)

_LUNCH_LATEST = time(14, 0)  # lunches at the fixed counters end by then
_RELIEF = "E1008"  # covers whoever is on leave; otherwise the lunches at the corporate and VIP counters
_RELIEF_LUNCH_COVER = ("6", "7")  # single-counter service types: without cover their queue stops at lunch
_RELIEF_OWN_LUNCH = (time(11, 0), 45)
_DAY_START, _DAY_END = time(8, 45), time(17, 30)
_OFFICE: tuple[tuple[str, time, time, time, int], ...] = (  # staff, start, end, lunch start, lunch minutes
    ("E1009", time(8, 30), time(17, 30), time(14, 0), 45),  # lobby manager: lunch after the lunch peak
    ("E1010", time(8, 30), time(17, 30), time(12, 30), 45),
)

Span = tuple[datetime, datetime, str | None]  # start, end, counter (None: back office)


def on_leave(day: date) -> str | None:
    """The counter staff member on leave on ``day`` (about one day in three), or None; a pure function of the day."""
    rng = random.Random(day.toordinal() * 7_919 + 17)
    if rng.random() >= 0.35:
        return None
    candidates = [s for _, s, *_ in _FIXED] + [s for _, s, *_ in _FLEXIBLE]
    return rng.choice(candidates)


def _records(staff_id: str, spans: list[Span], breaks: list[BreakSpan]) -> list[ShiftRecord]:
    """One record per span; each break goes to the span that contains it."""
    return [
        ShiftRecord(staff_id, start, end, counter_id=where,
                    breaks=tuple(sorted((b for b in breaks if start <= b.start and b.end <= end),
                                        key=lambda b: b.start)))
        for start, end, where in spans
    ]


def _fill(day_start: datetime, day_end: datetime, slots: list[tuple[datetime, datetime, str]]) -> list[Span]:
    """Counter slots in order, with back-office spans filling the gaps between ``day_start`` and ``day_end``."""
    spans: list[Span] = []
    t = day_start
    for start, end, counter_id in slots:
        if start > t:
            spans.append((t, start, None))
        spans.append((start, end, counter_id))
        t = end
    if t < day_end:
        spans.append((t, day_end, None))
    return spans


def demo_roster(profile: DemoProfile, day: date) -> list[ShiftRecord]:
    """The demo roster for ``day``: branch-local aware datetimes, non-overlapping records per person.

    Counters 1, 2, 5, 6 and 7 are staffed 08:45–17:30, each person with a 45–60 min lunch between 11:00 and 14:00
    and a 15 min break (both shifted by 15 min on some days); the two cash tellers never break together.
    Flexible counters 3 and 4 are staffed at the peaks by staff who spend the rest of the day in the back office
    (records with ``counter_id=None``). The relief teller E1008 takes over the records of the person on leave
    (``on_leave``, who gets a leave record); on days without leave E1008 covers the lunches at the corporate and
    VIP counters, whose staff then have two records around a lunch gap instead of a lunch break.
    """
    zone = ZoneInfo(profile.branch.timezone)
    rng = random.Random(day.toordinal() * 104_729 + 3)
    offset = timedelta(minutes=15) if rng.random() < 0.5 else timedelta(0)
    absent = on_leave(day)

    def at(t: time, shift: timedelta = timedelta(0)) -> datetime:
        return datetime.combine(day, t, tzinfo=zone) + shift

    def who(staff_id: str) -> str:
        return _RELIEF if staff_id == absent else staff_id

    day_start, day_end = at(_DAY_START), at(_DAY_END)
    records: list[ShiftRecord] = []
    relief_slots: list[tuple[datetime, datetime, str]] = []
    for counter_id, staff_id, lunch, lunch_min, short in _FIXED:
        lunch_start = min(at(lunch, offset), at(_LUNCH_LATEST) - timedelta(minutes=lunch_min))
        lunch_span = BreakSpan(lunch_start, lunch_start + timedelta(minutes=lunch_min))
        short_span = BreakSpan(at(short, offset), at(short, offset) + timedelta(minutes=15))
        if absent is None and counter_id in _RELIEF_LUNCH_COVER:
            spans: list[Span] = [(day_start, lunch_span.start, counter_id), (lunch_span.end, day_end, counter_id)]
            records += _records(staff_id, spans, [short_span])
            relief_slots.append((lunch_span.start, lunch_span.end, counter_id))
        else:
            records += _records(who(staff_id), [(day_start, day_end, counter_id)], [lunch_span, short_span])

    for counter_id, staff_id, slots, lunch, lunch_min in _FLEXIBLE:
        spans = _fill(day_start, day_end, [(at(s), at(e), counter_id) for s, e in slots])
        records += _records(who(staff_id), spans, [BreakSpan(at(lunch), at(lunch) + timedelta(minutes=lunch_min))])

    if absent is None:
        lunch, lunch_min = _RELIEF_OWN_LUNCH
        spans = _fill(day_start, day_end, sorted(relief_slots))
        records += _records(_RELIEF, spans, [BreakSpan(at(lunch), at(lunch) + timedelta(minutes=lunch_min))])
    else:
        records.append(ShiftRecord(absent, day_start, day_end, kind=ShiftKind.LEAVE))

    for staff_id, start, end, lunch, lunch_min in _OFFICE:
        records += _records(staff_id, [(at(start), at(end), None)],
                            [BreakSpan(at(lunch), at(lunch) + timedelta(minutes=lunch_min))])
    records.sort(key=lambda r: (r.start, r.staff_id))
    return records
