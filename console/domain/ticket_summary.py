"""A day's tickets reduced to figures that add up: the period report's building block.

A period report (console/domain/period_report.py) gives the day report's figures over every ticket of up to a year
— half a million tickets at a busy branch. Reading and passing over them all each time is too slow for a window
that should answer in seconds, so each closed day is reduced once to a ``TicketSummary`` (stored, see
storage/day_summaries.py) and a period's figures are its days' summaries merged. Everything the day report defines
is kept so that merging gives exactly the figures over all the tickets, never an average of daily figures:
- counts (statuses; per service type arrived and served; per counter the served tickets with a transaction time);
- sums and counts for every average (waits, transaction times), and the longest transaction;
- every wait itself, sorted, per group (priority and ordinary): the 90th percentile, the longest wait and the
  service level for any target (called within the target ÷ called or abandoned) need the waits, not their mean;
  1,500 tickets a day are 12 KB of waits;
- per half-hour of the local clock: tickets issued, served (by finish time), waits of tickets called in it;
- ratings: how many, their sum and how many scored 1 or 2, over all and per counter, staff member and service type;
- per staff member and per counter, by service type: served tickets, and those with a transaction time with its
  sum — a person's transaction time is judged against the branch's for the same mix of business
  (console/domain/work_figures.py).

Half-hours are numbered from the summary's own day's local midnight (0 = 00:00–00:30; 48 and on for steps after
midnight, below 0 for steps before the day), on the branch's local clock. Durations in seconds.
Plain Python, no Qt and no storage.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from console.domain.records import TicketRecord
from console.domain.vocabulary import ServiceType, TicketStatus

#: bumped whenever what a summary holds changes: a stored summary of another version is summarised again
SUMMARY_VERSION = 1
SLOTS_PER_DAY = 48  # half-hours
LOW_SCORE = 2  # scores at or below this are "low" (1 or 2 of 5)
RATING_KINDS = ("all", "counter", "staff", "type")


@dataclass(slots=True)
class WaitGroup:
    """The tickets of one group (priority or ordinary): arrived, served, asked (called or abandoned: the service
    level's denominator) and every wait in seconds, ascending."""

    arrived: int = 0
    served: int = 0
    asked: int = 0
    waits_s: list[float] = field(default_factory=list)


@dataclass(slots=True)
class TicketSummary:
    """Figures of a set of tickets that merge by adding up (see the module docstring)."""

    statuses: dict[str, int] = field(default_factory=dict)
    priority: WaitGroup = field(default_factory=WaitGroup)
    ordinary: WaitGroup = field(default_factory=WaitGroup)
    handling_n: int = 0  # served tickets with a transaction time
    handling_sum_s: float = 0.0
    handling_max_s: float | None = None
    per_counter: dict[str, list[float]] = field(default_factory=dict)  # counter → [served, transaction sum s]
    #: type → [arrived, served, waits, wait sum s, served with a transaction time, transaction sum s]
    per_type: dict[str, list[float]] = field(default_factory=dict)
    slots: dict[int, list[float]] = field(default_factory=dict)  # half-hour → [arrived, served, waits, wait sum s]
    #: the day report's clock intervals: half-hour of the first issue, and of the last issue or finish (None: no
    #: ticket, or a merged summary whose half-hours are times of day)
    span: tuple[int, int] | None = None
    ratings: dict[str, dict[str, list[int]]] = field(
        default_factory=lambda: {kind: {} for kind in RATING_KINDS})  # kind → key → [rated, sum, low]
    #: "staff" / "counter" → who → service type → [served, served with a transaction time, transaction sum s]
    work: dict[str, dict[str, dict[str, list[float]]]] = field(
        default_factory=lambda: {"staff": {}, "counter": {}})

    @property
    def arrived(self) -> int:
        return self.priority.arrived + self.ordinary.arrived

    def to_json(self) -> str:
        """Everything but the waits, as JSON text (the waits go apart, see ``waits_bytes``)."""
        return json.dumps({
            "statuses": self.statuses, "groups": [[g.arrived, g.served, g.asked] for g in (self.priority,
                                                                                            self.ordinary)],
            "handling": [self.handling_n, self.handling_sum_s, self.handling_max_s],
            "per_counter": self.per_counter, "per_type": self.per_type,
            "slots": {str(k): v for k, v in self.slots.items()}, "span": self.span, "ratings": self.ratings,
            "work": self.work,
        }, separators=(",", ":"))

    def waits_bytes(self) -> tuple[bytes, bytes]:
        """The priority and the ordinary waits, seconds as 8-byte floats in machine order."""
        return array("d", self.priority.waits_s).tobytes(), array("d", self.ordinary.waits_s).tobytes()

    @classmethod
    def from_stored(cls, text: str, priority_waits: bytes, ordinary_waits: bytes) -> TicketSummary:
        data = json.loads(text)
        groups = []
        for (arrived, served, asked), raw in zip(data["groups"], (priority_waits, ordinary_waits), strict=True):
            waits = array("d")
            waits.frombytes(raw)
            groups.append(WaitGroup(arrived, served, asked, waits.tolist()))
        n, total, longest = data["handling"]
        return cls(statuses=data["statuses"], priority=groups[0], ordinary=groups[1], handling_n=n,
                   handling_sum_s=total, handling_max_s=longest, per_counter=data["per_counter"],
                   per_type=data["per_type"], slots={int(k): v for k, v in data["slots"].items()},
                   span=tuple(data["span"]) if data["span"] else None, ratings=data["ratings"], work=data["work"])


def slot_index(at: datetime, day: date, zone: tzinfo) -> int:
    """The half-hour of ``at`` on the local clock, counted from ``day``'s local midnight."""
    local = at.astimezone(zone)
    return (local.date() - day).days * SLOTS_PER_DAY + local.hour * 2 + (local.minute >= 30)


def summarise(tickets: Iterable[TicketRecord], day: date, zone: tzinfo) -> TicketSummary:
    """The summary of ``tickets`` (normally those issued on ``day``, branch-local), in one pass over them: each
    ticket's wait (called − issued) and transaction time (finished − started, served tickets) computed once."""
    s = TicketSummary()
    statuses = s.statuses
    served_status, abandoned_status = TicketStatus.SERVED, TicketStatus.ABANDONED
    # a half-hour from the instant's distance to the day's local midnight: the same as ``slot_index`` on the days
    # and the next whose UTC offset does not change (checked), and a tenth of its cost; across a change of offset
    # (daylight saving), the local clock itself
    midnight = datetime.combine(day, time(0), tzinfo=zone)
    origin = midnight.timestamp()
    steady = len({(midnight + timedelta(days=n)).utcoffset() for n in range(3)}) == 1

    def slot(at: datetime) -> int:
        if steady:
            return int((at.timestamp() - origin) // 1800)
        return slot_index(at, day, zone)

    def slot_row(i: int) -> list[float]:
        row = s.slots.get(i)
        if row is None:
            row = s.slots[i] = [0, 0, 0, 0.0]
        return row

    first = last = None
    ratings = s.ratings
    work = s.work
    by_status: dict[TicketStatus, int] = {}
    type_names = {kind: kind.value for kind in ServiceType}  # an enum's .value is a Python call; a dict is not
    for t in tickets:
        status = t.status
        by_status[status] = by_status.get(status, 0) + 1
        type_name = type_names[t.service_type]
        kind = s.per_type.get(type_name)
        if kind is None:
            kind = s.per_type[type_name] = [0, 0, 0, 0.0, 0, 0.0]
        kind[0] += 1
        group = s.priority if t.priority else s.ordinary
        group.arrived += 1
        issued = slot(t.issued_at)
        slot_row(issued)[0] += 1
        end = issued
        finished = None if t.finished_at is None else slot(t.finished_at)
        if finished is not None:
            end = max(end, finished)
        first = issued if first is None else min(first, issued)
        last = end if last is None else max(last, end)
        if status is served_status:
            kind[1] += 1
            group.served += 1
            if finished is not None:
                slot_row(finished)[1] += 1
            h = None
            if t.started_at is not None and t.finished_at is not None:
                h = (t.finished_at - t.started_at).total_seconds()
                kind[4] += 1
                kind[5] += h
            for who, key in (("staff", t.staff_id), ("counter", t.counter_id)):
                if key is not None:
                    row = work[who].setdefault(key, {}).get(type_name)
                    if row is None:
                        row = work[who][key][type_name] = [0, 0, 0.0]
                    row[0] += 1
                    if h is not None:
                        row[1] += 1
                        row[2] += h
            if h is not None:
                s.handling_n += 1
                s.handling_sum_s += h
                if s.handling_max_s is None or h > s.handling_max_s:
                    s.handling_max_s = h
                if t.counter_id is not None:
                    row = s.per_counter.get(t.counter_id)
                    if row is None:
                        row = s.per_counter[t.counter_id] = [0, 0.0]
                    row[0] += 1
                    row[1] += h
        if t.called_at is not None:
            w = (t.called_at - t.issued_at).total_seconds()
            group.waits_s.append(w)
            group.asked += 1
            kind[2] += 1
            kind[3] += w
            called = slot_row(slot(t.called_at))
            called[2] += 1
            called[3] += w
        elif status is abandoned_status:
            group.asked += 1
        if t.rating is not None:
            for rating_kind, key in (("all", ""), ("counter", t.counter_id), ("staff", t.staff_id),
                                     ("type", type_name)):
                if key is not None:
                    row = ratings[rating_kind].get(key)
                    if row is None:
                        row = ratings[rating_kind][key] = [0, 0, 0]
                    row[0] += 1
                    row[1] += t.rating
                    row[2] += t.rating <= LOW_SCORE
    statuses.update({status.value: n for status, n in by_status.items()})
    s.priority.waits_s.sort()
    s.ordinary.waits_s.sort()
    s.span = None if first is None else (first, last)
    return s


def _add(into: dict, key, values: Sequence[float]) -> None:
    row = into.get(key)
    if row is None:
        into[key] = list(values)
    else:
        for i, v in enumerate(values):
            row[i] += v


def merge(summaries: Iterable[TicketSummary]) -> TicketSummary:
    """One summary of several (a period's days): counts and sums added, waits merged and sorted, half-hours folded
    into times of day (0–47, the day itself forgotten), so its intervals are by the time of day."""
    m = TicketSummary()
    for s in summaries:
        for status, n in s.statuses.items():
            m.statuses[status] = m.statuses.get(status, 0) + n
        for into, group in ((m.priority, s.priority), (m.ordinary, s.ordinary)):
            into.arrived += group.arrived
            into.served += group.served
            into.asked += group.asked
            into.waits_s += group.waits_s
        m.handling_n += s.handling_n
        m.handling_sum_s += s.handling_sum_s
        if s.handling_max_s is not None and (m.handling_max_s is None or s.handling_max_s > m.handling_max_s):
            m.handling_max_s = s.handling_max_s
        for counter, row in s.per_counter.items():
            _add(m.per_counter, counter, row)
        for kind, row in s.per_type.items():
            _add(m.per_type, kind, row)
        for i, row in s.slots.items():
            _add(m.slots, i % SLOTS_PER_DAY, row)
        for rating_kind, rows in s.ratings.items():
            for key, row in rows.items():
                _add(m.ratings[rating_kind], key, row)
        for who, people in s.work.items():
            for key, by_type in people.items():
                mine = m.work[who].setdefault(key, {})
                for kind, row in by_type.items():
                    _add(mine, kind, row)
    m.priority.waits_s.sort()  # sorted runs: the sort merges them
    m.ordinary.waits_s.sort()
    return m
