"""The retention purge on PostgreSQL does exactly what it does on SQLite (whose result tests/storage/test_retention.py
checks against an independent computation): the same seeded days, the same purge, the same rows left and the
same statistics kept, row by row."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from storage.database import open_database
from storage.retention import RAW_TABLES, purge
from storage.retention import STAT_MODELS as STATS
from tests.pg import fresh_database
from tests.storage.test_retention import NOW, seed_url


def outcome(url: str) -> tuple[dict, dict, dict]:
    db = open_database(url)
    try:
        result = purge(db, 7, now=NOW, user="test")
        with db.session() as s:
            stats = {}
            for table in STATS:
                columns = [c for c in table.__table__.columns if c.key not in ("id", "branch_id")]
                rows = s.execute(select(*columns)).all()
                stats[table.__tablename__] = sorted(tuple(round(v, 6) if isinstance(v, float) else v for v in r)
                                                    for r in rows)
            left = {name: s.query(model).count() for name, (model, _) in RAW_TABLES.items()}
        return (result.before, result.after, result.first_day_kept), left, stats
    finally:
        db.close()


def test_postgresql_purges_and_summarises_like_sqlite(tmp_path: Path) -> None:
    sqlite_url = f"sqlite:///{tmp_path / 'console.db'}"
    seed_url(sqlite_url)
    with fresh_database() as pg_url:
        seed_url(pg_url)
        on_sqlite, on_pg = outcome(sqlite_url), outcome(pg_url)
    counts, left, stats = on_pg
    assert left == on_sqlite[1] and all(n > 0 for n in left.values())
    assert counts == on_sqlite[0] and counts[0] != counts[1]  # rows before, after, first day kept: all alike
    for table, rows in stats.items():
        assert rows, table
        assert rows == on_sqlite[2][table], table
