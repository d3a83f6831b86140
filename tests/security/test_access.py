"""Roles and permissions, the audit hash chain and the login lockout: plain functions, checked by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from console.domain.audit_chain import GENESIS, entry_hash, verify
from console.domain.lockout import LOCK_FOR, MAX_FAILURES, IdleLock, Lockout
from console.domain.permissions import MATRIX, Permission, Role, ack_permission, allowed, why_not

T0 = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)


def test_the_security_officer_sees_and_acknowledges_crowding_and_cameras_only() -> None:
    officer = Role.SECURITY_OFFICER
    assert {p for p in Permission if allowed(officer, p)} == {
        Permission.VIEW_CAMERAS, Permission.VIEW_OCCUPANCY, Permission.VIEW_ALERTS, Permission.ACK_CROWDING_ALERTS,
        Permission.ACK_CAMERA_ALERTS, Permission.REPORT_INCIDENTS}  # and incidents: security reports them too
    assert allowed(officer, ack_permission("incident.robbery")) and not allowed(officer, Permission.EDIT_PLANS)
    assert not allowed(officer, Permission.CHANGE_COUNTERS) and not allowed(officer, Permission.EDIT_ROSTER)
    assert not allowed(officer, Permission.EDIT_RULES)
    assert why_not(officer, Permission.CHANGE_COUNTERS) == \
        "change counters is for: lobby manager, branch manager, administrator"
    assert allowed(officer, ack_permission("crowding")) and not allowed(officer, ack_permission("long_wait"))


def test_only_the_administrator_manages_cameras_users_and_the_database() -> None:
    for p in (Permission.MANAGE_CAMERAS, Permission.MANAGE_USERS, Permission.MANAGE_DATABASE):
        assert [r for r in Role if allowed(r, p)] == [Role.ADMINISTRATOR]
    assert MATRIX[Role.ADMINISTRATOR] == frozenset(Permission)
    assert MATRIX[Role.LOBBY_MANAGER] < MATRIX[Role.BRANCH_MANAGER] < MATRIX[Role.ADMINISTRATOR]
    assert allowed(None, Permission.MANAGE_USERS)  # the demo branch runs without login


KEY = b"an audit key of thirty-two bytes"


def entries(n: int) -> list[dict]:
    chain, previous = [], GENESIS
    for i in range(1, n + 1):
        e = {"id": i, "at": T0 + timedelta(minutes=i), "user": "li.wei", "action": "counter.open",
             "entity": "counter", "entity_id": f"DEMO/{i}", "before": {"state": "closed"}, "after": {"state": "idle"}}
        e["prev_hash"], e["hash"] = previous, entry_hash(KEY, previous, e)
        previous = e["hash"]
        chain.append(e)
    return chain


def test_an_intact_chain_verifies() -> None:
    assert verify(entries(5), KEY) is None
    assert verify([], KEY) is None


def test_an_edited_entry_is_named() -> None:
    chain = entries(5)
    chain[2]["after"] = {"state": "paused"}
    broken = verify(chain, KEY)
    assert broken is not None and (broken.entry_id, broken.reason) == (3, "edited")


def test_a_deleted_entry_is_found_at_the_next_one() -> None:
    chain = entries(5)
    del chain[1]
    broken = verify(chain, KEY)
    assert broken is not None and (broken.entry_id, broken.reason) == (3, "missing before")


def test_the_hash_depends_on_every_field_and_on_the_previous_hash() -> None:
    e = entries(1)[0]
    base = entry_hash(KEY, GENESIS, e)
    for field, value in (("user", "x"), ("action", "x"), ("entity_id", "x"), ("at", T0), ("before", None)):
        assert entry_hash(KEY, GENESIS, {**e, field: value}) != base
    assert entry_hash(KEY, "1" * 64, e) != base
    naive = {**e, "at": e["at"].replace(tzinfo=None)}  # the same UTC instant stored without a zone
    assert entry_hash(KEY, GENESIS, naive) == base
    assert entry_hash(b"another key", GENESIS, e) != base  # keyed: the same entry under another key differs


def test_five_failures_lock_the_user_for_five_minutes() -> None:
    lock = Lockout()
    for i in range(MAX_FAILURES - 1):
        assert lock.failed("li.wei", T0 + timedelta(seconds=i)) is None
    until = lock.failed("li.wei", T0 + timedelta(seconds=10))
    assert until == T0 + timedelta(seconds=10) + LOCK_FOR
    assert lock.locked("li.wei", T0 + timedelta(minutes=5)) == until
    assert lock.locked("wang.fang", T0 + timedelta(minutes=1)) is None  # other users are not affected
    assert lock.failed("li.wei", T0 + timedelta(minutes=1)) == until  # a try during the lock does not extend it
    assert lock.locked("li.wei", until) is None
    lock.succeeded("li.wei")
    assert lock.failed("li.wei", until + timedelta(seconds=1)) is None  # the count started again


@pytest.mark.parametrize("idle_min, expected", [(9, False), (10, True)])
def test_the_console_locks_after_the_idle_time(idle_min: int, expected: bool) -> None:
    idle = IdleLock(timedelta(minutes=10), T0)
    idle.touch(T0 + timedelta(minutes=1))
    assert idle.should_lock(T0 + timedelta(minutes=1 + idle_min)) is expected


def test_the_admin_guides_table_is_the_matrix() -> None:
    """The administrator's guide's permission table says what the code enforces, row by row."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "docs" / "admin-guide.md").read_text(encoding="utf-8")
    header = "| Permission | Lobby manager | Security officer | Branch manager | Administrator |"
    assert header in readme
    lines = readme[readme.index(header):].splitlines()[2:]
    rows = {}
    for line in lines:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        permission = Permission(cells[0].rsplit("(`", 1)[1].rstrip("`)"))
        rows[permission] = [c == "✓" for c in cells[1:]]
    assert set(rows) == set(Permission)
    order = [Role.LOBBY_MANAGER, Role.SECURITY_OFFICER, Role.BRANCH_MANAGER, Role.ADMINISTRATOR]
    for permission, marks in rows.items():
        assert marks == [permission in MATRIX[r] for r in order], permission
