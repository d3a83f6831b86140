"""The audit chain with several writers at once — several console PCs or camera workers on one PostgreSQL database:
transactions that add entries and commit in an order other than their ids' still make one unbroken chain, because
the chain head is taken under a lock and each entry gets its place in the chain when its transaction commits."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from console.domain.audit_chain import verify
from storage import models as m
from storage import repository
from storage.audit import AuditSeal, seal
from tests.storage.conftest import AUDIT_KEY


def entry(n: int) -> m.AuditEntry:
    return m.AuditEntry(at=datetime(2026, 11, 29, 2, n, tzinfo=UTC), user=f"u{n}", action="test.write",
                        entity="test", entity_id=str(n), before=None, after={"n": n})


def test_writers_that_commit_out_of_id_order_keep_one_chain(db) -> None:
    with db.session() as s:  # one entry before, chained as usual
        s.add(entry(0))
    first, second = db.session_factory(), db.session_factory()
    try:
        first.add(entry(1))
        first.flush()  # gets the lower id …
        if db.engine.dialect.name == "sqlite":  # SQLite: one writer at a time, the second begins after the first
            first.commit()
            second.add(entry(2))
            second.commit()
        else:  # … but commits after the second
            second.add(entry(2))
            second.flush()
            second.commit()
            first.commit()
    finally:
        first.close()
        second.close()
    chain = repository.load_audit_chain(db)
    assert [e["entity_id"] for e in chain if e["entity"] == "test"] == (
        ["0", "1", "2"] if db.engine.dialect.name == "sqlite" else ["0", "2", "1"])
    assert verify(chain, AUDIT_KEY) is None


def test_many_threads_writing_at_once_keep_one_chain(db) -> None:
    errors: list[str] = []

    def write(n: int) -> None:
        try:
            for i in range(5):
                with db.session() as s:
                    s.add(entry(n * 10 + i))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(repr(exc))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    chain = repository.load_audit_chain(db)
    assert sum(1 for e in chain if e["entity"] == "test") == 20
    assert verify(chain, AUDIT_KEY) is None


def test_entries_chained_before_the_chain_order_keep_their_id_order(db_url) -> None:
    """Migration 0012 on a database with a chain: down to 0011 (no chain_seq) and up again gives the entries their
    places in id order, and the chain verifies."""
    from alembic import command

    from storage.database import open_database
    from storage.migrate import alembic_config, head_revision, upgrade_to

    db = open_database(db_url)
    seal(db.engine, AuditSeal(AUDIT_KEY))
    try:
        for n in range(3):
            with db.session() as s:
                s.add(entry(n))
        with db.engine.begin() as connection:
            command.downgrade(alembic_config(connection), "0011")
        upgrade_to(db.engine, db_url, head_revision())
        chain = repository.load_audit_chain(db)
        assert [e["entity_id"] for e in chain] == ["0", "1", "2"] and verify(chain, AUDIT_KEY) is None
        with db.session() as s:
            s.add(entry(3))
        assert verify(repository.load_audit_chain(db), AUDIT_KEY) is None
    finally:
        db.close()
