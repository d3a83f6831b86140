"""Console users (who logs in, with which role) and their passwords: Argon2id hashes (argon2-cffi's defaults, type
ID), never the password itself; five failed passwords in a row lock the user for five minutes (stored, so a restart
does not clear it). No default user and no default password exist: a real branch's first start asks for the
administrator's. No Qt here: the login dialog and the ``users`` command share it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select

from console.domain.lockout import MAX_FAILURES, after_failure
from console.domain.permissions import Role
from storage import models as m
from storage.database import Database

HASHER = PasswordHasher()  # Argon2id, time cost 3, 64 MiB, parallelism 4 (the library's RFC 9106 low-memory profile)
USERNAME = re.compile(r"^[A-Za-z0-9_.-]{2,64}$")
MIN_LENGTH = 10


class UserError(Exception):
    """A refused user change or login; the message names the user and the reason, never the password.

    ``reason`` is a code the window words in its language ("unknown", "disabled", "locked", "wrong", "weak",
    "exists", "name", "last_admin"); ``value`` its figure (minutes locked, tries left) where it has one."""

    def __init__(self, message: str, reason: str = "", value: int = 0) -> None:
        super().__init__(message)
        self.reason, self.value = reason, value


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
        """The user when the password is right; UserError otherwise (wrong password, unknown or locked user)."""
        now = self.clock()
        with self.db.session() as s:
            row = s.scalar(select(m.ConsoleUser).where(m.ConsoleUser.username == username))
            if row is None:
                raise UserError(f"unknown user {username!r}", "unknown")
            if not row.active:
                raise UserError(f"user {username!r} is disabled; ask an administrator", "disabled")
            if row.locked_until is not None and now < row.locked_until:
                minutes = max(1, math.ceil((row.locked_until - now).total_seconds() / 60))
                raise UserError(f"{username!r} is locked after {MAX_FAILURES} wrong passwords; try again in "
                                f"{minutes} min or ask an administrator", "locked", minutes)
            try:
                HASHER.verify(row.password_hash, password)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                row.failed_logins, row.locked_until = after_failure(row.failed_logins, now)
                s.add(m.AuditEntry(at=now, user=username, action="user.login_failed", entity="user",
                                   entity_id=username, before=None, after={"locked": row.locked_until is not None}))
                left = MAX_FAILURES - row.failed_logins
                if row.locked_until is not None:
                    message, left = f"wrong password for {username!r}; the user is now locked for 5 min", 0
                else:
                    message = f"wrong password for {username!r} ({left} tries left before a 5-minute lock)"
                s.commit()
                raise UserError(message, "wrong", left) from None
            row.failed_logins, row.locked_until = 0, None
            if HASHER.check_needs_rehash(row.password_hash):
                row.password_hash = HASHER.hash(password)
            s.add(m.AuditEntry(at=now, user=username, action="user.login", entity="user", entity_id=username,
                               before=None, after=None))
            return _record(row)
