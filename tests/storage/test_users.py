"""Console users in a real SQLite file: Argon2id hashes (never the password), password rules, lockout after five
wrong passwords for five minutes on a fake clock (stored, so a new store — a restart — still sees it), audit
entries without secrets, and clear messages for an unknown user."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from console.domain.permissions import Role
from console.security.users import UserError, UserStore
from storage import repository
from storage.database import open_database

T0 = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
SECRET = "Lobby2026secret"


@pytest.fixture
def db(db_url: str):
    """A SQLite file and a PostgreSQL database (tests/conftest.py ``db_url``)."""
    database = open_database(db_url)
    yield database
    database.close()


def test_passwords_are_argon2id_hashes_and_rules_apply(db, tmp_path: Path) -> None:
    store = UserStore(db, lambda: T0)
    assert not store.has_users()
    user = store.add("admin", "Wu Gang", Role.ADMINISTRATOR, SECRET, by="setup")
    assert user.role is Role.ADMINISTRATOR and store.has_users()
    with db.session() as s:
        from storage import models as m

        stored = s.query(m.ConsoleUser).one().password_hash
    assert stored.startswith("$argon2id$") and SECRET not in stored
    if db.engine.dialect.name == "sqlite":  # the file's bytes (a server keeps its own files)
        raw = (tmp_path / "console.db").read_bytes()
        assert SECRET.encode() not in raw
    for bad, why in (("short1", "at least 10 characters"), ("onlyletterspassword", "letters and digits")):
        with pytest.raises(UserError, match=why):
            store.add("li.wei", "Li Wei", Role.LOBBY_MANAGER, bad, by="admin")
    with pytest.raises(UserError, match="exists already"):
        store.add("admin", "x", Role.ADMINISTRATOR, SECRET, by="setup")
    with pytest.raises(UserError, match="user name 'a b'"):
        store.add("a b", "x", Role.ADMINISTRATOR, SECRET, by="setup")
    audit = repository.load_audit(db)
    assert [(a.action, a.entity_id) for a in audit] == [("user.add", "admin")]
    assert SECRET not in repr(audit) and "argon2" not in repr(audit)


def test_five_wrong_passwords_lock_for_five_minutes_across_restarts(db) -> None:
    now = [T0]
    store = UserStore(db, lambda: now[0])
    store.add("li.wei", "Li Wei", Role.LOBBY_MANAGER, SECRET, by="admin")
    assert store.authenticate("li.wei", SECRET).username == "li.wei"
    for i in range(4):
        with pytest.raises(UserError, match=f"{4 - i} tries left"):
            store.authenticate("li.wei", "wrong-password-1")
    with pytest.raises(UserError, match="now locked for 5 min"):
        store.authenticate("li.wei", "wrong-password-1")
    restarted = UserStore(db, lambda: now[0])
    now[0] = T0 + timedelta(minutes=4)
    with pytest.raises(UserError, match="locked after 5 wrong passwords; try again in 1 min"):
        restarted.authenticate("li.wei", SECRET)  # the right password does not open a lock
    now[0] = T0 + timedelta(minutes=5, seconds=1)
    assert restarted.authenticate("li.wei", SECRET).locked_until is None
    with pytest.raises(UserError, match="4 tries left"):  # the count started again
        restarted.authenticate("li.wei", "nope-nope-1")
    with pytest.raises(UserError, match="unknown user 'zhang'"):
        restarted.authenticate("zhang", SECRET)
    actions = [a.action for a in repository.load_audit(db)]
    assert actions.count("user.login_failed") == 6 and actions.count("user.login") == 2


def test_password_and_role_changes_are_audited(db) -> None:
    store = UserStore(db, lambda: T0)
    store.add("zhou", "Zhou Ting", Role.SECURITY_OFFICER, SECRET, by="admin")
    store.set_role("zhou", Role.LOBBY_MANAGER, by="admin")
    store.set_password("zhou", "NewPassword42", by="admin")
    assert store.authenticate("zhou", "NewPassword42").role is Role.LOBBY_MANAGER
    with pytest.raises(UserError, match="unknown user 'nobody'"):
        store.set_role("nobody", Role.ADMINISTRATOR, by="admin")
    audit = [(a.action, a.before, a.after) for a in repository.load_audit(db)]
    assert ("user.role", {"role": "security_officer"}, {"role": "lobby_manager"}) in audit
    assert ("user.password", None, None) in audit


def test_disabled_users_cannot_log_in_and_the_last_administrator_stays(db) -> None:
    store = UserStore(db, lambda: T0)
    store.add("wang", "Wang", Role.ADMINISTRATOR, SECRET, by="setup")
    store.add("zhou", "Zhou Ting", Role.LOBBY_MANAGER, SECRET, by="wang")
    with pytest.raises(UserError, match="'wang' is the only administrator") as refused:
        store.set_role("wang", Role.BRANCH_MANAGER, by="wang")
    assert refused.value.reason == "last_admin"
    with pytest.raises(UserError, match="only administrator"):
        store.set_active("wang", False, by="wang")
    store.set_active("zhou", False, by="wang")
    with pytest.raises(UserError, match="'zhou' is disabled") as disabled:
        store.authenticate("zhou", SECRET)
    assert disabled.value.reason == "disabled"
    store.set_active("zhou", True, by="wang")
    assert store.authenticate("zhou", SECRET).active
    store.set_role("zhou", Role.ADMINISTRATOR, by="wang")
    store.set_role("wang", Role.BRANCH_MANAGER, by="zhou")  # another administrator exists now
    audit = [(a.action, a.user, a.before, a.after) for a in repository.load_audit(db)]
    assert ("user.disable", "wang", {"active": True}, {"active": False}) in audit
    assert ("user.enable", "wang", {"active": False}, {"active": True}) in audit
