"""Console users in a real SQLite file: Argon2id hashes (never the password), password rules, lockout after five
wrong passwords for five minutes on a fake clock (stored, so a new store — a restart — still sees it), audit
entries without secrets, clear messages for an unknown user in user management, and no user-name probing at login:
one answer in the same time for an unknown user, a wrong password and a locked or disabled user, the real cause in
console.log only."""

from __future__ import annotations

import logging
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import extract_parameters

from console.domain.permissions import Role
from console.security.users import DUMMY_HASH, HASHER, LOGIN_REFUSED, UserError, UserStore
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


def refusal(store: UserStore, username: str, password: str) -> tuple[str, str]:
    """The (message, reason) of a refused login."""
    with pytest.raises(UserError) as refused:
        store.authenticate(username, password)
    return str(refused.value), refused.value.reason


def locked_until(store: UserStore, username: str) -> datetime | None:
    return next(u.locked_until for u in store.users() if u.username == username)


def test_five_wrong_passwords_lock_for_five_minutes_across_restarts(db) -> None:
    now = [T0]
    store = UserStore(db, lambda: now[0])
    store.add("li.wei", "Li Wei", Role.LOBBY_MANAGER, SECRET, by="admin")
    assert store.authenticate("li.wei", SECRET).username == "li.wei"
    for _ in range(4):
        assert refusal(store, "li.wei", "wrong-password-1") == (LOGIN_REFUSED, "login")  # no tries-left count
        assert locked_until(store, "li.wei") is None
    assert refusal(store, "li.wei", "wrong-password-1") == (LOGIN_REFUSED, "login")
    assert locked_until(store, "li.wei") == T0 + timedelta(minutes=5)  # stored on the user's row
    restarted = UserStore(db, lambda: now[0])
    now[0] = T0 + timedelta(minutes=4)
    # the right password does not open a lock, and is answered like any refusal (no oracle during the lock)
    assert refusal(restarted, "li.wei", SECRET) == (LOGIN_REFUSED, "login")
    assert refusal(restarted, "li.wei", "wrong-password-1") == (LOGIN_REFUSED, "login")  # not counted: lock unchanged
    assert locked_until(restarted, "li.wei") == T0 + timedelta(minutes=5)
    now[0] = T0 + timedelta(minutes=5, seconds=1)
    assert restarted.authenticate("li.wei", SECRET).locked_until is None
    for _ in range(4):  # the count started again: four more wrong ones do not lock
        refusal(restarted, "li.wei", "nope-nope-1")
    assert locked_until(restarted, "li.wei") is None
    assert restarted.authenticate("li.wei", SECRET).username == "li.wei"
    assert refusal(restarted, "zhang", SECRET) == (LOGIN_REFUSED, "login")
    actions = [a.action for a in repository.load_audit(db)]
    assert actions.count("user.login_failed") == 9 and actions.count("user.login") == 3


def test_an_unknown_user_and_a_wrong_password_get_one_answer(db, caplog: pytest.LogCaptureFixture) -> None:
    """Unknown name, wrong password, locked user (wrong or right password) and disabled user: the same message and
    reason, naming neither the user nor a count; console.log has the real cause, never the password; an unknown
    name stores nothing."""
    now = [T0]
    store = UserStore(db, lambda: now[0])
    store.add("wang", "Wang", Role.ADMINISTRATOR, SECRET, by="setup")
    store.add("li.wei", "Li Wei", Role.LOBBY_MANAGER, SECRET, by="wang")
    store.add("zhou", "Zhou Ting", Role.LOBBY_MANAGER, SECRET, by="wang")
    store.set_active("zhou", False, by="wang")
    audit_before = len(repository.load_audit(db))
    with caplog.at_level(logging.INFO, logger="console.security.users"):
        unknown = refusal(store, "ghost", "Wrong2026pass")
        assert len(repository.load_audit(db)) == audit_before and len(store.users()) == 3  # nothing stored
        wrong = refusal(store, "li.wei", "Wrong2026pass")
        assert unknown == wrong == (LOGIN_REFUSED, "login")
        assert "ghost" not in unknown[0] and "li.wei" not in wrong[0] and "left" not in wrong[0]
        assert refusal(store, "zhou", SECRET) == refusal(store, "zhou", "Wrong2026pass") == unknown  # disabled
        for _ in range(4):
            refusal(store, "li.wei", "Wrong2026pass")
        assert locked_until(store, "li.wei") is not None
        assert refusal(store, "li.wei", "Wrong2026pass") == refusal(store, "li.wei", SECRET) == unknown  # locked
    causes = [r.getMessage() for r in caplog.records if r.name == "console.security.users"]
    assert causes[0] == "login refused for 'ghost': no such user"
    assert causes[1] == "login refused for 'li.wei': a wrong password (1 in a row)"
    assert causes[2] == "login refused for 'zhou': the user is disabled (the password was right)"
    assert causes[-3] == "login refused for 'li.wei': a wrong password; the user is now locked for 5 min"
    assert causes[-2].startswith("login refused for 'li.wei': the user is locked until 2026-11-29T02:05:00")
    assert causes[-1].endswith("(the password was right)")
    assert all(r.levelno == logging.INFO for r in caplog.records if r.name == "console.security.users")
    assert "Wrong2026pass" not in caplog.text and SECRET not in caplog.text


def test_the_dummy_hash_has_the_users_parameters() -> None:
    """An unknown name is verified against a hash of the same KDF and cost as a user's, that nothing matches."""
    assert extract_parameters(DUMMY_HASH) == extract_parameters(HASHER.hash(SECRET))
    assert not HASHER.check_needs_rehash(DUMMY_HASH)
    with pytest.raises(Exception, match="does not match"):
        HASHER.verify(DUMMY_HASH, SECRET)


@pytest.mark.slow
def test_an_unknown_user_takes_as_long_as_a_wrong_password(tmp_path: Path) -> None:
    """Median over 15 tries each, interleaved on one SQLite file; the ratio of the medians of one run (a loaded
    machine slows both alike). The clock moves six minutes per try, so the known user never gets locked and every
    try of theirs is a counted wrong password. Without the dummy hash the ratio is about 0.003 (no KDF for an
    unknown name)."""
    db = open_database(f"sqlite:///{tmp_path / 'timing.db'}")
    try:
        now = [T0]
        store = UserStore(db, lambda: now[0])
        store.add("li.wei", "Li Wei", Role.LOBBY_MANAGER, SECRET, by="setup")

        def timed(username: str) -> float:
            now[0] += timedelta(minutes=6)
            start = time.perf_counter()
            with pytest.raises(UserError):
                store.authenticate(username, "Wrong2026pass")
            return time.perf_counter() - start

        timed("ghost"), timed("li.wei")  # warm-up: connections, caches
        unknown, wrong = [], []
        for i in range(15):
            unknown.append(timed(f"ghost{i}"))
            wrong.append(timed("li.wei"))
        ratio = statistics.median(unknown) / statistics.median(wrong)
        assert 0.5 <= ratio <= 2.0, (ratio, unknown, wrong)
    finally:
        db.close()


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
    assert refusal(store, "zhou", SECRET) == (LOGIN_REFUSED, "login")  # the right password of a disabled user
    store.set_active("zhou", True, by="wang")
    assert store.authenticate("zhou", SECRET).active
    store.set_role("zhou", Role.ADMINISTRATOR, by="wang")
    store.set_role("wang", Role.BRANCH_MANAGER, by="zhou")  # another administrator exists now
    audit = [(a.action, a.user, a.before, a.after) for a in repository.load_audit(db)]
    assert ("user.disable", "wang", {"active": True}, {"active": False}) in audit
    assert ("user.enable", "wang", {"active": False}, {"active": True}) in audit
