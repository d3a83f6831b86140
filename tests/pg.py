"""A real PostgreSQL server for the storage and integration tests (issue: the same schema and migrations on
PostgreSQL as on SQLite). ``installer/bootstrap.sh test`` installs Debian's PostgreSQL, starts it on loopback and
creates the role ``console_test``; each test gets a database of its own, dropped afterwards.

``BRANCH_CONSOLE_TEST_PG``: the administrative URL (default
``postgresql+psycopg://console_test:console_test@127.0.0.1:5432/postgres``). Without a reachable server the
PostgreSQL variants are skipped with the reason — except under CI (``CI=true``), where they fail: there the server
is part of the test command.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

ADMIN_URL = os.environ.get("BRANCH_CONSOLE_TEST_PG",
                           "postgresql+psycopg://console_test:console_test@127.0.0.1:5432/postgres")
_reachable: str | None = None  # "" when reachable, else why not (checked once)


def unreachable(admin_url: str) -> str:
    """Why the server of ``admin_url`` cannot be used ("" when it can); the benchmarks word it the same way."""
    try:
        engine = create_engine(admin_url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return ""
    except Exception as exc:  # driver missing, server down, wrong password
        return (f"PostgreSQL at {make_url(admin_url).render_as_string(hide_password=True)}: not reachable: "
                f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")


def unavailable() -> str:
    """Why PostgreSQL cannot be used here ("" when it can), checked once."""
    global _reachable
    if _reachable is None:
        _reachable = unreachable(ADMIN_URL)
    return _reachable


def require() -> None:
    why = unavailable()
    if why:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the test command starts PostgreSQL, but it is not reachable: {why}")
        pytest.skip(why)


@contextmanager
def fresh_database() -> Iterator[str]:
    """The URL of a new, empty database, dropped afterwards."""
    require()
    name = f"console_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'create database "{name}"'))
    try:
        yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        for attempt in range(10):  # a backend still ending a refused login belongs to no role yet: wait for it
            try:
                with admin.connect() as conn:
                    conn.execute(text(f'drop database if exists "{name}" with (force)'))
                break
            except ProgrammingError:
                if attempt == 9:
                    raise
                time.sleep(0.5)
        admin.dispose()
