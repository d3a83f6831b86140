"""Database URLs: parsed, shown with the password masked, and the file of a SQLite URL; and the error every
database problem is reported with. Apart from ``storage/database.py`` so the migrations (``storage/migrate.py``),
which opening the database runs, need not import it back."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError


class DatabaseError(Exception):
    """The database cannot be used; the message names it (password hidden) and says why."""


def parse_url(url: str) -> URL:
    try:
        return make_url(url)
    except ArgumentError:
        raise DatabaseError(f"database URL {url!r} is not a valid SQLAlchemy URL "
                            "(for example sqlite:///path/console.db or postgresql+psycopg://user@host/db)") from None


def mask_url(url: str) -> str:
    """The URL with any password replaced by ***."""
    return parse_url(url).render_as_string(hide_password=True)


def sqlite_path(url: URL) -> Path | None:
    """The file of a file-based SQLite URL; None for other databases and in-memory SQLite."""
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        return None
    return Path(url.database)
