"""The audit trail's anchor outside the database: each commit that chained entries appends the new head to the
anchor file; a rolled-back transaction takes no place in the chain; the closing day report prints the head."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from console.app.report_service import report_sections
from console.domain.audit_chain import Anchor, verify
from storage import models as m
from storage import repository
from storage.audit import AuditSeal, read_anchors, seal
from storage.database import Database
from tests.storage.conftest import AUDIT_KEY, BRANCH


def entry(n: int) -> m.AuditEntry:
    return m.AuditEntry(at=datetime(2026, 11, 29, 2, n, tzinfo=UTC), user=f"u{n}", action="test.write",
                        entity="test", entity_id=str(n), before=None, after={"n": n})


def test_each_commit_anchors_its_head_and_a_rollback_leaves_no_gap(db: Database, tmp_path: Path) -> None:
    anchor = tmp_path / "audit-anchor.log"
    seal(db.engine, AuditSeal(AUDIT_KEY, anchor))
    start = len(repository.load_audit_chain(db))
    with db.session() as s:
        s.add_all([entry(1), entry(2)])
    with pytest.raises(RuntimeError), db.session() as s:
        s.add(entry(3))
        s.flush()
        raise RuntimeError("the transaction fails after its entry was flushed")
    with db.session() as s:
        s.add(entry(4))
    chain = repository.load_audit_chain(db)
    assert [e["entity_id"] for e in chain[start:]] == ["1", "2", "4"]
    heads = read_anchors(anchor)
    assert heads == [Anchor(start + 2, chain[start + 1]["hash"]), Anchor(start + 3, chain[-1]["hash"])]
    assert verify(chain, AUDIT_KEY, heads) is None
    assert verify(chain[:-1], AUDIT_KEY, heads).reason == "truncated"  # the newest entry deleted
    assert oct(anchor.stat().st_mode & 0o777) == "0o600"


def test_the_closing_report_prints_the_head(db: Database) -> None:
    with db.session() as s:
        s.add_all([entry(1), entry(2)])
    title, header, rows = report_sections(db, repository.load_branch(db, BRANCH.code),
                                          datetime(2026, 11, 29).date())[-1]
    figures = dict(rows)
    with db.session() as s:  # independently: the chained rows and the hash of the one with the highest place
        count = s.scalar(select(func.count()).select_from(m.AuditEntry).where(m.AuditEntry.hash.is_not(None)))
        newest = s.scalar(select(m.AuditEntry.hash).order_by(m.AuditEntry.chain_seq.desc()).limit(1))
    assert (title, header) == ("Audit trail", ["figure", "value"])
    assert figures["entries"] == count >= 2 and figures["head_hash"] == newest
