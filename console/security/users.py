"""Console users (who logs in, with which role) and their passwords: Argon2id hashes (argon2-cffi's defaults, type
ID), never the password itself; five failed passwords in a row lock the user for five minutes (stored, so a restart
does not clear it). A refused login gets one answer in the same time whatever the cause, so nobody can probe
which user names exist (``UserStore.authenticate``). No default user and no default password exist: a real branch's
first start asks for the administrator's. No Qt here: the login dialog and the ``users`` command share it.
"""

from __future__ import annotations

import base64
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from argon2.low_level import ARGON2_VERSION
from sqlalchemy import select

from console.domain.lockout import LOCK_FOR, MAX_FAILURES, after_failure
from console.domain.permissions import Role
from storage import models as m
from storage.database import Database

log = logging.getLogger(__name__)

HASHER = PasswordHasher()  # Argon2id, time cost 3, 64 MiB, parallelism 4 (the library's RFC 9106 low-memory profile)
USERNAME = re.compile(r"^[A-Za-z0-9_.-]{2,64}$")
MIN_LENGTH = 10

LOCK_MINUTES = int(LOCK_FOR.total_seconds() // 60)
#: The one answer to every refused login (see ``UserStore.authenticate``): it names no user and no cause.
LOGIN_REFUSED = (f"user name or password is wrong, or the user is locked or disabled (after {MAX_FAILURES} wrong "
                 f"passwords a user is locked for {LOCK_MINUTES} minutes)")


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii").rstrip("=")


def dummy_hash(hasher: PasswordHasher = HASHER) -> str:
    """A well-formed hash with ``hasher``'s type and parameters but a random salt and digest, for logins of a name
    that is no user: verifying a password against it costs the same KDF as against a user's hash, so the answer
    takes as long. Built without running the KDF (no start-up cost, and a command-line run pays no second KDF for
    it); no password matches it (its digest is random bytes, not the hash of anything), and it is never accepted
    anyway."""
    return (f"$argon2{hasher.type.name.lower()}$v={ARGON2_VERSION}$m={hasher.memory_cost},t={hasher.time_cost},"
            f"p={hasher.parallelism}${_b64(os.urandom(hasher.salt_len))}${_b64(os.urandom(hasher.hash_len))}")


DUMMY_HASH = dummy_hash()


def _verify(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``: one Argon2id computation either way."""
    try:
        return HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


class UserError(Exception):
    """A refused user change or login; the message names the user and the reason, never the password — except a
    refused login, whose message is always ``LOGIN_REFUSED`` (see ``UserStore.authenticate``).

    ``reason`` is a code the window words in its language: "login" (any refused login: unknown user, wrong password,
    locked or disabled user alike), and for user management "unknown", "weak", "exists", "name", "last_admin"."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason


def password_problem(password: str) -> str | None:
    if len(password) < MIN_LENGTH:
        return f"a password needs at least {MIN_LENGTH} characters"
    if not (re.search(r"[A-Za-z]", password) and re.search(r"[0-9]", password)):
        return "a password needs letters and digits"
    return None


@dataclass(frozen=True, slots=True)
class UserRecord:
    username: str
    display_name: str
    role: Role
    active: bool
    locked_until: datetime | None


def _record(r: m.ConsoleUser) -> UserRecord:
    return UserRecord(r.username, r.display_name, Role(r.role), r.active, r.locked_until)


class UserStore:
    """Reads and writes users directly (logins happen before the window and its writer exist); each change is one
    transaction with its audit entry."""

    def __init__(self, db: Database, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.db = db
        self.clock = clock

    def users(self) -> list[UserRecord]:
        with self.db.session() as s:
            return [_record(r) for r in s.scalars(select(m.ConsoleUser).order_by(m.ConsoleUser.username))]

    def has_users(self) -> bool:
        return bool(self.users())

    def add(self, username: str, display_name: str, role: Role, password: str, by: str) -> UserRecord:
        if not USERNAME.match(username):
            raise UserError(f"user name {username!r} must be 2–64 letters, digits, '.', '_' or '-'", "name")
        if (problem := password_problem(password)) is not None:
            raise UserError(f"password for {username!r} refused: {problem}", "weak")
        now = self.clock()
        with self.db.session() as s:
            if s.scalar(select(m.ConsoleUser).where(m.ConsoleUser.username == username)) is not None:
                raise UserError(f"user {username!r} exists already", "exists")
            row = m.ConsoleUser(username=username, display_name=display_name.strip() or username, role=role.value,
                                password_hash=HASHER.hash(password), active=True, failed_logins=0, created_at=now)
            s.add(row)
            s.add(m.AuditEntry(at=now, user=by, action="user.add", entity="user", entity_id=username, before=None,
                               after={"role": role.value, "display_name": row.display_name}))
            s.flush()
            return _record(row)

    def set_password(self, username: str, password: str, by: str) -> None:
        if (problem := password_problem(password)) is not None:
            raise UserError(f"password for {username!r} refused: {problem}", "weak")
        with self.db.session() as s:
            row = self._row(s, username)
            row.password_hash = HASHER.hash(password)
            row.failed_logins, row.locked_until = 0, None
            s.add(m.AuditEntry(at=self.clock(), user=by, action="user.password", entity="user", entity_id=username,
                               before=None, after=None))

    def set_role(self, username: str, role: Role, by: str) -> None:
        with self.db.session() as s:
            row = self._row(s, username)
            before = row.role
            if role is not Role.ADMINISTRATOR:
                self._keep_an_administrator(s, row)
            row.role = role.value
            s.add(m.AuditEntry(at=self.clock(), user=by, action="user.role", entity="user", entity_id=username,
                               before={"role": before}, after={"role": role.value}))

    def set_active(self, username: str, active: bool, by: str) -> None:
        """Disable a user (they can no longer log in; their audit entries stay) or enable them again."""
        with self.db.session() as s:
            row = self._row(s, username)
            if not active:
                self._keep_an_administrator(s, row)
            before = row.active
            row.active = active
            if active:
                row.failed_logins, row.locked_until = 0, None
            s.add(m.AuditEntry(at=self.clock(), user=by, action="user.enable" if active else "user.disable",
                               entity="user", entity_id=username, before={"active": before}, after={"active": active}))

    @staticmethod
    def _keep_an_administrator(s, row: m.ConsoleUser) -> None:
        """Refuse to demote or disable the last active administrator: nobody could manage users afterwards."""
        if row.role != Role.ADMINISTRATOR.value or not row.active:
            return
        others = s.scalars(select(m.ConsoleUser).where(m.ConsoleUser.role == Role.ADMINISTRATOR.value,
                                                       m.ConsoleUser.active.is_(True),
                                                       m.ConsoleUser.username != row.username)).all()
        if not others:
            raise UserError(f"{row.username!r} is the only administrator; make another user administrator first",
                            "last_admin")

    @staticmethod
    def _row(s, username: str) -> m.ConsoleUser:
        row = s.scalar(select(m.ConsoleUser).where(m.ConsoleUser.username == username))
        if row is None:
            raise UserError(f"unknown user {username!r}", "unknown")
        return row

    def authenticate(self, username: str, password: str) -> UserRecord:
        """The user when the password is right and the user active and not locked; else ``UserError(LOGIN_REFUSED,
        "login")``.

        Decisions (no user-name probing: the answer must not tell whether a name is a user):
        - One answer for every refusal — unknown user, wrong password, disabled user, locked user — with the same
          message and reason, and no count of tries left (a count exists only for a real user). The window, the
          command line and the HTTP API show or send exactly that.
        - "Locked" and "disabled" are not told even to someone who gives the right password: telling it then would
          answer differently for the right password, so guesses during a lock would still find the password (the
          lock would stop logging in, not guessing). The message says a user may be locked or disabled and how the
          lock works, so the person who knows their password knows to wait or ask an administrator.
        - The same time: every attempt costs one Argon2id verification — against the user's hash, or for a name
          that is no user against ``DUMMY_HASH`` (the same parameters) — and the password is verified before any
          other check, so a disabled or locked user does not answer faster either.
        - The lockout stays: a wrong password of an active user that is not locked counts on the user's row (stored,
          with its ``user.login_failed`` audit entry as before) and the fifth locks for five minutes, during which
          even the right password is refused. An attempt during the lock or for a disabled user does not count
          (as before). A name that is no user stores nothing: no row, no audit entry (anyone could fill them).
        - The administrator still sees the real cause: each refusal is one INFO line in console.log naming the
          user name and the cause (unknown user, wrong password, disabled, locked until when); never the password.
          The window's and a command's stderr show warnings only, so the caller never reads it there (``serve``
          shows INFO lines on stderr for the service manager's journal).
        """
        now = self.clock()
        with self.db.session() as s:
            row = s.scalar(select(m.ConsoleUser).where(m.ConsoleUser.username == username))
            right = _verify(row.password_hash if row is not None else DUMMY_HASH, password)
            if row is None:
                cause = "no such user"
            elif not row.active:
                cause = "the user is disabled" + (" (the password was right)" if right else "")
            elif row.locked_until is not None and now < row.locked_until:
                cause = (f"the user is locked until {row.locked_until.isoformat(timespec='seconds')}"
                         + (" (the password was right)" if right else " (a wrong password, not counted)"))
            elif not right:
                row.failed_logins, row.locked_until = after_failure(row.failed_logins, now)
                s.add(m.AuditEntry(at=now, user=username, action="user.login_failed", entity="user",
                                   entity_id=username, before=None, after={"locked": row.locked_until is not None}))
                cause = (f"a wrong password; the user is now locked for {LOCK_MINUTES} min"
                         if row.locked_until is not None else f"a wrong password ({row.failed_logins} in a row)")
                s.commit()
            else:
                row.failed_logins, row.locked_until = 0, None
                if HASHER.check_needs_rehash(row.password_hash):
                    row.password_hash = HASHER.hash(password)
                s.add(m.AuditEntry(at=now, user=username, action="user.login", entity="user", entity_id=username,
                                   before=None, after=None))
                return _record(row)
            log.info("login refused for %r: %s", username, cause)
            raise UserError(LOGIN_REFUSED, "login")
