"""A day of the lobby cameras in two figures for period reports: the lobby's peak occupancy (the most people
counted at one instant, the cameras added up as the day report's occupancy peaks add them) and the visitors
counted at the entrance ("in" crossings of the counting lines, as the Lobby panel's visitors today).

A day without a sample has no peak (None): the cameras were not running, which is not an empty lobby.
Plain records; computed in SQL by storage/day_summaries.py, since a day holds tens of thousands of samples.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class CameraDay:
    day: date
    peak: int | None  # people; None: no occupancy sample that day
    peak_at: datetime | None  # the first instant of the peak (UTC)
    visitors: int  # "in" crossings of every counting line
    exits: int  # "out" crossings
    counted: bool  # a counting line reported that day (visitors 0 with no line is "not counted")


def peak_of(days: Iterable[CameraDay]) -> int | None:
    """The highest peak of the days (None: no day with samples)."""
    return max((d.peak for d in days if d.peak is not None), default=None)


def visitors_per_day(days: Iterable[CameraDay]) -> float | None:
    """Visitors a day on average over the days a counting line reported (None: none did)."""
    counted = [d.visitors for d in days if d.counted]
    return sum(counted) / len(counted) if counted else None


def within(cameras: Mapping[date, CameraDay], first: date, last: date) -> list[CameraDay]:
    return [c for d, c in sorted(cameras.items()) if first <= d <= last]
