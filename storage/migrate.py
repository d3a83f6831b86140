"""Schema migrations with Alembic, run at start; a SQLite file is backed up before its schema changes.

The Alembic environment is built in code (no alembic.ini needed at run time): ``script_location`` is the
``storage/migrations`` folder and the connection is passed in ``config.attributes``.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine, make_url

from storage.database_url import DatabaseError, mask_url, sqlite_path

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


@dataclass(frozen=True)
class MigrationReport:
    from_revision: str | None  # None: a new, empty database
    to_revision: str
    backup_path: Path | None


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def backup_sqlite(path: Path, from_revision: str) -> Path:
    """Copy a SQLite file with the online backup API (consistent even with a WAL journal)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.bak-{from_revision}-{stamp}")
    source = sqlite3.connect(path)
    try:
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()
    return target


def upgrade_to(engine: Engine, url: str, revision: str = "head") -> MigrationReport:
    """Bring the schema to ``revision`` (for tests of older schemas); see ``upgrade_to_head``."""
    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    assert head is not None
    target = head if revision == "head" else revision
    with engine.connect() as connection:
        current = current_revision(connection)
    if current is not None:
        try:
            script.get_revision(current)
        except Exception:
            raise DatabaseError(
                f"database {mask_url(url)} has schema revision {current!r}, written by a newer version of the "
                f"console (this one knows up to {head!r}); it was not changed"
            ) from None
    if current == target:
        return MigrationReport(from_revision=current, to_revision=current, backup_path=None)
    backup = None
    path = sqlite_path(make_url(url))
    if current is not None and path is not None and path.exists():
        backup = backup_sqlite(path, current)
        log.info("backed up %s to %s before migrating from %s to %s", path, backup, current, target)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), target)
    return MigrationReport(from_revision=current, to_revision=target, backup_path=backup)


def upgrade_to_head(engine: Engine, url: str) -> MigrationReport:
    """Migrate to the newest schema; refuse (unchanged) a database from a newer console."""
    return upgrade_to(engine, url, "head")
