"""The branch file: the shipped example reads as written, a file written back reads the same, and every broken rule
is refused naming the file, the key and the reason."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from console.branches.branch_file import BranchFileError, parse_branch, read_branch_file, to_toml
from console.domain.opening_hours import DayHours
from console.domain.vocabulary import ServiceType

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "resources" / "examples" / "branch.toml"


def minimal() -> dict:
    return {
        "branch": {"code": "BJ01", "name": "北京西单支行", "timezone": "Asia/Shanghai", "lobby_capacity": 50,
                   "hours": {"default": "09:00-17:00", "sun": "closed"}},
        "counter": [{"id": "1", "name": "1号窗口", "service_types": ["cash"]}],
    }


def test_the_shipped_example_reads_as_written() -> None:
    plan = read_branch_file(EXAMPLE)
    assert (plan.code, plan.name, plan.timezone, plan.lobby_capacity, plan.waiting_seats) == (
        "SH01", "上海分行营业部", "Asia/Shanghai", 80, 40)
    # mon-fri from the default, sat its own, sun closed
    assert plan.hours[:5] == (DayHours(time(9), time(17)),) * 5
    assert plan.hours[5] == DayHours(time(9, 30), time(16)) and plan.hours[6].closed
    assert [c.counter_id for c in plan.counters] == ["C1", "C2", "C3", "V1", "F1"]
    assert plan.counters[3].service_types == (ServiceType.VIP, ServiceType.CASH, ServiceType.NON_CASH)
    assert [c.flexible for c in plan.counters] == [False, False, False, False, True]
    assert plan.branch_info().service_type_of("理财") is ServiceType.NON_CASH
    assert plan.branch_info().service_type_of("corporate") is ServiceType.CORPORATE  # the console's own names are understood
    assert plan.branch_info().service_type_of("外汇") is None


def test_a_file_written_back_reads_the_same(tmp_path: Path) -> None:
    plan = read_branch_file(EXAMPLE)
    written = tmp_path / "again.toml"
    written.write_text(to_toml(plan), encoding="utf-8")
    assert read_branch_file(written) == plan
    assert to_toml(read_branch_file(written)) == to_toml(plan)


@pytest.mark.parametrize(("change", "key", "reason"), [
    (lambda d: d.update(extra=1), "extra", "unknown key"),
    (lambda d: d["branch"].update(capacity=3), "branch.capacity", "unknown key"),
    (lambda d: d["counter"][0].update(colour="red"), "counter #1.colour", "unknown key"),
    (lambda d: d["branch"]["hours"].update(holiday="closed"), "branch.hours.holiday", "unknown key"),
    (lambda d: d["branch"].update(lobby_capacity=0), "branch.lobby_capacity", "above 0"),
    (lambda d: d["branch"].update(lobby_capacity="80"), "branch.lobby_capacity", "whole number"),
    (lambda d: d["branch"].update(waiting_seats=51), "branch.waiting_seats", "from 0 to the lobby capacity (50)"),
    (lambda d: d["branch"].update(timezone="Asia/Beijing"), "branch.timezone", "not a known time zone"),
    (lambda d: d["branch"].update(code="BJ 01"), "branch.code", "letters, digits"),
    (lambda d: d["branch"].pop("name"), "branch.name", "missing"),
    (lambda d: d["branch"]["hours"].update(mon="17:00-09:00"), "branch.hours.mon", "not before it closes"),
    (lambda d: d["branch"]["hours"].update(tue="9-17"), "branch.hours.tue", '"HH:MM-HH:MM" or "closed"'),
    (lambda d: d["branch"]["hours"].update(wed="09:00-24:30"), "branch.hours.wed", '"HH:MM-HH:MM"'),
    (lambda d: d["branch"].update(hours={"mon": "09:00-17:00"}), "branch.hours", "no hours for tue, wed, thu"),
    (lambda d: d["branch"].update(hours={"default": "closed"}), "branch.hours", "closed every day"),
    (lambda d: d.update(counter=[]), "[[counter]]", "at least one counter"),
    (lambda d: d["counter"].append({"id": "1", "name": "again", "service_types": ["vip"]}), "counter #2.id",
     "used by an earlier counter"),
    (lambda d: d["counter"][0].update(service_types=["cash", "loans"]), "counter #1.service_types",
     "'loans' is not a service type"),
    (lambda d: d["counter"][0].update(service_types=[]), "counter #1.service_types", "one or more"),
    (lambda d: d["counter"][0].update(service_types=["cash", "cash"]), "counter #1.service_types", "twice"),
    (lambda d: d["counter"][0].update(flexible="yes"), "counter #1.flexible", "true or false"),
    (lambda d: d.update(service_names={"个人现金": "money"}), "service_names.'个人现金'", "not a service type"),
])
def test_broken_rules_are_refused_naming_file_key_and_reason(change, key, reason) -> None:
    data = minimal()
    parse_branch(data, "branch.toml")  # the file is fine before the change
    change(data)
    with pytest.raises(BranchFileError) as refused:
        parse_branch(data, "branch.toml")
    message = str(refused.value)
    assert message.startswith(f"branch.toml: {key}: "), message
    assert reason in message, message


def test_unreadable_files_are_refused_naming_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[branch\ncode = 1", encoding="utf-8")
    with pytest.raises(BranchFileError, match=f"^{broken}: is not valid TOML"):
        read_branch_file(broken)
    with pytest.raises(BranchFileError, match="cannot be read"):
        read_branch_file(tmp_path / "missing.toml")
    gbk = tmp_path / "gbk.toml"
    gbk.write_bytes('name = "上海"'.encode("gbk"))
    with pytest.raises(BranchFileError, match="is not UTF-8 text"):
        read_branch_file(gbk)


def test_a_days_hours_follow_the_weekday_holidays_and_working_weekends() -> None:
    """Public holidays take Sunday's hours, working weekends (调休补班) Monday's, other days their weekday's."""
    from datetime import date

    from console.domain.forecast import DayKind
    from console.staffing.calendar_cn import day_info, hours_on

    info = read_branch_file(EXAMPLE).branch_info()  # weekdays 09:00-17:00, Saturday 09:30-16:00, Sunday closed
    assert day_info(date(2026, 10, 1)).kind is DayKind.HOLIDAY
    assert hours_on(info, date(2026, 10, 1)).closed  # National Day, a Thursday: Sunday's hours
    assert day_info(date(2026, 10, 10)).kind is DayKind.WORKING_WEEKEND
    assert hours_on(info, date(2026, 10, 10)).text() == "09:00-17:00"  # a Saturday worked: Monday's hours
    assert hours_on(info, date(2026, 12, 5)).text() == "09:30-16:00"  # an ordinary Saturday
    assert hours_on(info, date(2026, 12, 8)).text() == "09:00-17:00"
