"""A branch described in a TOML file (the rollout and support format of a real branch), read and checked whole.

Layout::

    [branch]
    code = "SH01"                 # 1-16 letters, digits, "-" or "_"
    name = "上海分行营业部"
    timezone = "Asia/Shanghai"    # an IANA time zone
    lobby_capacity = 80           # people, as rated for the premises (> 0)
    waiting_seats = 40            # seats in the waiting area (0 .. lobby_capacity; default 0)

    [branch.hours]                # mon … sun: "HH:MM-HH:MM" or "closed"
    default = "09:00-17:00"       # optional: the hours of every day not listed
    sat = "09:30-16:00"
    sun = "closed"

    [service_names]               # the ticketing system's names -> cash | non_cash | corporate | vip | self_service
    "个人现金" = "cash"
    "对公业务" = "corporate"

    [[counter]]
    id = "C1"                     # 1-16 letters, digits, "-" or "_"; unique in the branch
    name = "1号窗口"
    service_types = ["cash", "non_cash"]   # the preferred type first
    flexible = false              # a flexible counter (弹性窗口), opened at peaks (default false)

Decisions: every one of the seven days must have hours, from its own key or from ``default`` — a day left out is
refused rather than taken as closed, so a typo never closes a branch; a file is refused whole at its first problem,
with the file, the key and the reason in the message (``BranchFileError``), so nothing is half-applied. No Qt.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import tomli_w

from console.domain.opening_hours import WEEKDAYS, DayHours, parse_day_hours
from console.domain.records import BranchInfo
from console.domain.vocabulary import ServiceType

CODE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")

BRANCH_KEYS = ("code", "name", "timezone", "lobby_capacity", "waiting_seats", "hours")
COUNTER_KEYS = ("id", "name", "service_types", "flexible")
TOP_KEYS = ("branch", "service_names", "counter")


class BranchFileError(ValueError):
    """A branch file that cannot be used; the message names the file, the key and the reason."""


@dataclass(frozen=True)
class CounterPlan:
    """A counter (窗口) of the branch file: its id, name, the service types it takes (preferred first), flexible."""

    counter_id: str
    name: str
    service_types: tuple[ServiceType, ...]
    flexible: bool = False


@dataclass(frozen=True)
class BranchPlan:
    """A whole branch as a branch file describes it. ``hours`` holds the seven weekdays, Monday first."""

    code: str
    name: str
    timezone: str
    lobby_capacity: int
    waiting_seats: int
    hours: tuple[DayHours, ...]
    service_names: tuple[tuple[str, ServiceType], ...]  # (the ticketing system's name, the console's type), in order
    counters: tuple[CounterPlan, ...]

    def branch_info(self) -> BranchInfo:
        """The branch as the rest of the console sees it; ``opens``/``closes`` are the first open weekday's hours."""
        typical = next(day for day in self.hours if not day.closed)
        assert typical.opens is not None and typical.closes is not None
        return BranchInfo(code=self.code, name=self.name, timezone=self.timezone, opens=typical.opens,
                          closes=typical.closes, lobby_capacity=self.lobby_capacity,
                          counters=tuple(c.counter_id for c in self.counters), waiting_seats=self.waiting_seats,
                          week_hours=self.hours, service_names=self.service_names)


def read_branch_file(path: Path) -> BranchPlan:
    """The branch described in ``path``; ``BranchFileError`` when it cannot be read or breaks a rule."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BranchFileError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise BranchFileError(f"{path}: is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise BranchFileError(f"{path}: is not valid TOML: {exc}") from None
    return parse_branch(data, str(path))


def parse_branch(data: Mapping[str, Any], source: str = "branch file") -> BranchPlan:
    """Check a branch file's table (``source`` names the file in messages) and return its branch."""

    def fail(key: str, reason: str) -> BranchFileError:
        return BranchFileError(f"{source}: {key}: {reason}")

    _no_unknown(data, TOP_KEYS, "", fail)
    branch = data.get("branch")
    if not isinstance(branch, Mapping):
        raise fail("[branch]", "missing (the branch's code, name, time zone and capacity)")
    _no_unknown(branch, BRANCH_KEYS, "branch.", fail)
    code = _text(branch, "code", "branch.", fail)
    if not CODE.match(code):
        raise fail("branch.code", f"{code!r} must be 1 to 16 letters, digits, '-' or '_'")
    name = _text(branch, "name", "branch.", fail)
    zone = _text(branch, "timezone", "branch.", fail)
    if zone not in available_timezones():
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise fail("branch.timezone", f"{zone!r} is not a known time zone (for example Asia/Shanghai)") from None
    capacity = _whole(branch, "lobby_capacity", "branch.", fail)
    if capacity <= 0:
        raise fail("branch.lobby_capacity", f"must be above 0 people, got {capacity}")
    seats = _whole(branch, "waiting_seats", "branch.", fail, default=0)
    if not 0 <= seats <= capacity:
        raise fail("branch.waiting_seats", f"must be from 0 to the lobby capacity ({capacity}), got {seats}")
    hours = _hours(branch.get("hours"), fail)

    names = data.get("service_names", {})
    if not isinstance(names, Mapping):
        raise fail("[service_names]", "must be a table of the ticketing system's names and service types")
    mapped: list[tuple[str, ServiceType]] = []
    for label, value in names.items():
        if not str(label).strip():
            raise fail("service_names", "a name is empty")
        mapped.append((str(label), _service_type(value, f"service_names.{label!r}", fail)))

    rows = data.get("counter", [])
    if not isinstance(rows, list) or not rows:
        raise fail("[[counter]]", "the branch needs at least one counter")
    counters: list[CounterPlan] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=1):
        where = f"counter #{number}."
        if not isinstance(row, Mapping):
            raise fail(f"counter #{number}", "must be a table ([[counter]])")
        _no_unknown(row, COUNTER_KEYS, where, fail)
        counter_id = _text(row, "id", where, fail)
        if not CODE.match(counter_id):
            raise fail(where + "id", f"{counter_id!r} must be 1 to 16 letters, digits, '-' or '_'")
        if counter_id in seen:
            raise fail(where + "id", f"{counter_id!r} is used by an earlier counter")
        seen.add(counter_id)
        types = row.get("service_types")
        if not isinstance(types, list) or not types:
            raise fail(where + "service_types", "a list of one or more service types, the preferred first")
        kinds = tuple(_service_type(t, where + "service_types", fail) for t in types)
        if len(set(kinds)) != len(kinds):
            raise fail(where + "service_types", "names a service type twice")
        flexible = row.get("flexible", False)
        if not isinstance(flexible, bool):
            raise fail(where + "flexible", f"must be true or false, got {flexible!r}")
        counters.append(CounterPlan(counter_id, _text(row, "name", where, fail), kinds, flexible))
    return BranchPlan(code=code, name=name, timezone=zone, lobby_capacity=capacity, waiting_seats=seats,
                      hours=hours, service_names=tuple(mapped), counters=tuple(counters))


def to_toml(plan: BranchPlan) -> str:
    """The branch file of ``plan``: ``parse_branch`` of it gives ``plan`` again (every day's hours written out)."""
    data: dict[str, Any] = {
        "branch": {
            "code": plan.code, "name": plan.name, "timezone": plan.timezone, "lobby_capacity": plan.lobby_capacity,
            "waiting_seats": plan.waiting_seats,
            "hours": {day: hours.text() for day, hours in zip(WEEKDAYS, plan.hours, strict=True)},
        },
        "service_names": {label: kind.value for label, kind in plan.service_names},
        "counter": [{"id": c.counter_id, "name": c.name, "service_types": [t.value for t in c.service_types],
                     "flexible": c.flexible} for c in plan.counters],
    }
    return tomli_w.dumps(data)


def _no_unknown(table: Mapping[str, Any], known: tuple[str, ...], prefix: str, fail) -> None:
    for key in table:
        if key not in known:
            raise fail(f"{prefix}{key}", f"unknown key (known here: {', '.join(known)})")


def _text(table: Mapping[str, Any], key: str, prefix: str, fail) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise fail(prefix + key, "missing or empty (a text in quotes)")
    return value.strip()


def _whole(table: Mapping[str, Any], key: str, prefix: str, fail, default: int | None = None) -> int:
    value = table.get(key, default)
    if value is None:
        raise fail(prefix + key, "missing (a whole number)")
    if isinstance(value, bool) or not isinstance(value, int):
        raise fail(prefix + key, f"must be a whole number, got {value!r}")
    return value


def _service_type(value: Any, key: str, fail) -> ServiceType:
    try:
        return ServiceType(value)
    except ValueError:
        known = ", ".join(t.value for t in ServiceType)
        raise fail(key, f"{value!r} is not a service type (one of {known})") from None


def _day_hours(value: Any, key: str, fail) -> DayHours:
    try:
        return parse_day_hours(value)
    except ValueError as exc:
        raise fail(key, str(exc)) from None


def _hours(table: Any, fail) -> tuple[DayHours, ...]:
    if not isinstance(table, Mapping):
        raise fail("[branch.hours]", "missing (mon … sun, or default, as \"HH:MM-HH:MM\" or \"closed\")")
    _no_unknown(table, (*WEEKDAYS, "default"), "branch.hours.", fail)
    default = _day_hours(table["default"], "branch.hours.default", fail) if "default" in table else None
    missing = [day for day in WEEKDAYS if day not in table and default is None]
    if missing:
        raise fail("branch.hours", f"no hours for {', '.join(missing)} (give each day, or a default)")
    days = tuple(_day_hours(table[day], f"branch.hours.{day}", fail) if day in table else default
                 for day in WEEKDAYS)
    if all(d is not None and d.closed for d in days):
        raise fail("branch.hours", "the branch is closed every day")
    return days  # type: ignore[return-value]
