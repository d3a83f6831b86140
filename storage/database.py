"""Opening the database: URL resolution, engine set-up, connection check and migration at start.

A database that cannot be opened gives a ``DatabaseError`` whose message names the (password-masked) URL or file
and the reason; nothing is created or changed in that case (a missing SQLite file is created only once its folder
is known to be writable, and a file that is not SQLite is left as it is).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from storage.database_url import DatabaseError, mask_url, parse_url, sqlite_path

APP_DIR_NAME = "branch-lobby-console"


def default_data_dir() -> Path:
    """``BRANCH_CONSOLE_DATA_DIR`` if set, else the user's data directory for the console."""
    override = os.environ.get("BRANCH_CONSOLE_DATA_DIR")
    if override:
        return Path(override)
    return Path(user_data_dir(APP_DIR_NAME, appauthor=False))


def resolve_database_url(cli_url: str | None, data_dir: Path) -> str:
    """``cli_url``, else ``BRANCH_CONSOLE_DB``, else the SQLite file ``console.db`` in ``data_dir``."""
    if cli_url:
        return cli_url
    env = os.environ.get("BRANCH_CONSOLE_DB")
    if env:
        return env
    return f"sqlite:///{(data_dir / 'console.db').as_posix()}"


def _check_sqlite_file(path: Path) -> None:
    parent = path.parent
    if parent.exists() and not parent.is_dir():
        raise DatabaseError(f"database file {path}: {parent} is not a directory")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseError(f"database file {path}: cannot create folder {parent} ({exc.strerror or exc})") from None
    if not os.access(parent, os.W_OK):
        raise DatabaseError(f"database file {path}: folder {parent} is not writable")
    if path.exists():
        if path.is_dir():
            raise DatabaseError(f"database file {path} is a directory")
        with path.open("rb") as f:
            header = f.read(16)
        if header and header != b"SQLite format 3\x00":
            raise DatabaseError(f"database file {path} is not a SQLite database (left unchanged)")


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@dataclass
class Database:
    """An open database: engine, session factory and what migrating it at start did."""

    url: str
    engine: Engine
    session_factory: sessionmaker[Session]
    migration: Any = None  # storage.migrate.MigrationReport

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def describe(self) -> str:
        path = sqlite_path(make_url(self.url))
        if path is not None:
            return f"SQLite {path}"
        return mask_url(self.url)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A short session committed on success and rolled back on error."""
        session = self.session_factory()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def close(self) -> None:
        self.engine.dispose()


def _install_session_listeners() -> None:
    """The audit hash chain (storage/audit.py), then the change notices on PostgreSQL (storage/notify.py)."""
    from storage import audit, notify

    audit.install()
    notify.install()


_install_session_listeners()


def create_db_engine(url: str) -> Engine:
    parsed = parse_url(url)
    path = sqlite_path(parsed)
    if path is not None:
        _check_sqlite_file(path)
    try:
        if parsed.get_backend_name() == "sqlite":
            engine = create_engine(parsed, connect_args={"check_same_thread": False, "timeout": 30})
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(parsed, pool_pre_ping=True)
    except (NoSuchModuleError, ImportError) as exc:
        raise DatabaseError(f"database URL {mask_url(url)}: no driver for it is installed ({exc})") from None
    except (ArgumentError, SQLAlchemyError, ValueError, TypeError) as exc:
        raise DatabaseError(f"database URL {mask_url(url)} cannot be used: {exc}") from None
    return engine


def driver_reason(exc: BaseException, url: str) -> str:
    """The first line of the database driver's reason for ``exc``, with the URL's password masked."""
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    reason = lines[0] if lines else type(exc).__name__
    password = parse_url(url).password
    return reason.replace(str(password), "***") if password else reason


def open_database(url: str, *, migrate: bool = True) -> Database:
    """Open (and by default migrate) the database at ``url``; ``DatabaseError`` names the problem."""
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except SQLAlchemyError as exc:
        engine.dispose()
        raise DatabaseError(f"database {mask_url(url)} cannot be opened: {driver_reason(exc, url)}") from None
    db = Database(url=url, engine=engine, session_factory=sessionmaker(engine, expire_on_commit=False))
    if migrate:
        from storage.migrate import upgrade_to_head  # here: Alembic is loaded only when a database is opened

        try:
            db.migration = upgrade_to_head(engine, url)
        except DatabaseError:
            engine.dispose()
            raise
        except SQLAlchemyError as exc:
            engine.dispose()
            raise DatabaseError(f"database {mask_url(url)} could not be migrated: {exc}") from None
    return db
