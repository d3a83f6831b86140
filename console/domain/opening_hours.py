"""A branch's opening hours: one weekday's hours as written in a branch file and stored ("HH:MM-HH:MM" or
"closed"), checked. Clock times are branch-local. Which hours apply on a public holiday or a working weekend is
decided in ``console/staffing/calendar_cn.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

#: The weekdays as keys of a branch file, Monday first (``date.weekday()`` order).
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CLOSED = "closed"
_HOURS = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


@dataclass(frozen=True, slots=True)
class DayHours:
    """One day's opening hours; ``opens`` None means closed all day."""

    opens: time | None
    closes: time | None

    @property
    def closed(self) -> bool:
        return self.opens is None

    def text(self) -> str:
        """As written in a branch file: "HH:MM-HH:MM" or "closed"."""
        if self.opens is None or self.closes is None:
            return CLOSED
        return f"{self.opens:%H:%M}-{self.closes:%H:%M}"


def _clock(hour: str, minute: str) -> time | None:
    h, m = int(hour), int(minute)
    return time(h, m) if 0 <= h <= 23 and 0 <= m <= 59 else None


def parse_day_hours(value: object) -> DayHours:
    """``value`` ("HH:MM-HH:MM" or "closed") as hours; ValueError says what is wrong with it."""
    if value == CLOSED:
        return DayHours(None, None)
    match = _HOURS.match(value) if isinstance(value, str) else None
    opens = _clock(match.group(1), match.group(2)) if match else None
    closes = _clock(match.group(3), match.group(4)) if match else None
    if opens is None or closes is None:
        raise ValueError(f'{value!r} must be "HH:MM-HH:MM" or "closed"')
    if opens >= closes:
        raise ValueError(f"opens at {opens:%H:%M}, not before it closes at {closes:%H:%M}")
    return DayHours(opens, closes)
