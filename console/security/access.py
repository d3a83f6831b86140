"""Who is using the console now, and the one guard every surface calls before a guarded action.

The window, the command line and the HTTP API all ask :func:`require` (or :func:`may`) with the ``Operator`` they
authenticated and a ``Permission`` of the matrix in ``console/domain/permissions.py``; nothing else decides.

Decisions:
- A database that holds a real branch (not the demo) requires a login on every surface; a database with only the
  demo branch runs without one (its ``Operator`` has no role and may do everything: it is simulated) and the
  window says so in its status bar.
- A real branch with no user yet has no default password: the window's first start asks for the administrator's;
  on the command line the only thing allowed then is adding that first administrator (``users add NAME --role
  administrator``), so a fresh install can be set up by script.
No Qt imports.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from console.domain.permissions import Permission, Role, allowed, why_not
from storage import repository
from storage.database import Database


@dataclass(frozen=True, slots=True)
class Operator:
    """The person the console acts for: ``username`` goes into the audit trail; ``role`` None on the demo branch."""

    username: str
    display_name: str
    role: Role | None
    read_only: bool = False  # a branch opened from the regional view (console/domain/permissions.py)

    @property
    def demo(self) -> bool:
        return self.role is None

    def may(self, permission: Permission) -> bool:
        return allowed(self.role, permission, self.read_only)


def console_user() -> str:
    """Who the audit trail names where nobody logs in (the demo branch, commands on a demo-only database): the
    operating-system account."""
    try:
        return getpass.getuser()
    except Exception:  # no login name (a service account without one)
        return "console"


def demo_operator() -> Operator:
    """The demo branch's operator: the operating-system account, no login, every action (simulated data)."""
    name = console_user()
    return Operator(name, name, None)


class AccessDenied(Exception):
    """A guarded action the operator's role may not do; the message names the user, the role and who may."""

    def __init__(self, operator: Operator, permission: Permission, what: str) -> None:
        self.operator, self.permission, self.what = operator, permission, what
        role = operator.role.value.replace("_", " ") if operator.role else "demo"
        super().__init__(f"{operator.username} ({role}) may not {what}: {why_not(operator.role, permission)}")


def require(operator: Operator, permission: Permission, what: str) -> None:
    """Raise ``AccessDenied`` unless ``operator`` may ``permission``; ``what`` is the action in a few words."""
    if not operator.may(permission):
        raise AccessDenied(operator, permission, what)


def login_required(db: Database) -> bool:
    """True when the database holds a real branch: every surface then needs a user and password."""
    return any(not b.is_demo for b in repository.list_branches(db))


def authenticate(db: Database, username: str, password: str) -> Operator:
    """The ``Operator`` of a console user whose password is right; raises ``UserError`` with one message for every
    refusal (wrong password, unknown, locked, disabled: ``UserStore.authenticate``)."""
    from console.security.users import UserStore

    record = UserStore(db).authenticate(username, password)
    return Operator(record.username, record.display_name, record.role)


def authenticator(db: Database) -> Callable[[str, str], Operator]:
    """``(username, password) → Operator``, raising ``UserError`` (one message for wrong password, unknown, locked,
    disabled)."""
    return partial(authenticate, db)


def create_first_user(db: Database, by: str, username: str, name: str, role: Role, password: str) -> Operator:
    """Add a branch's first user (its administrator) and return them as the operator."""
    from console.security.users import UserStore

    record = UserStore(db).add(username, name or username, role, password, by)
    return Operator(record.username, record.display_name, record.role)
