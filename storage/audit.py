"""Every audit entry is chained when its transaction commits (``console/domain/audit_chain.py``): a session that
added audit entries hashes them, in id order, onto the newest hashed entry just before committing. One listener on
every SQLAlchemy session, so no code path that writes an audit entry can skip it.

Concurrent writers (several PCs on one PostgreSQL database): the chain head is read and extended under a
transaction-scoped advisory lock, so two transactions never chain onto the same entry, and each entry's place in
the chain (``chain_seq``) is given at commit — a transaction may commit after one that took a higher id, so ids are
not the chain's order. On SQLite the writing transaction holds the database's write lock from its flush to its
commit, which serializes the same way.
"""

from __future__ import annotations

from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from console.domain.audit_chain import GENESIS, entry_hash
from storage import models as m

#: The advisory lock key that serializes chaining on PostgreSQL (any constant the console uses for nothing else).
CHAIN_LOCK = 0x41554449  # "AUDI"


def fields(row: m.AuditEntry) -> dict:
    return {"id": row.id, "at": row.at, "user": row.user, "action": row.action, "entity": row.entity,
            "entity_id": row.entity_id, "before": row.before, "after": row.after}


def install() -> None:
    """Listen on every session (idempotent); ``storage.database`` calls this when it is imported."""
    if not event.contains(Session, "before_flush", _mark):
        event.listen(Session, "before_flush", _mark)
        event.listen(Session, "before_commit", _chain)


def _mark(session: Session, _context, _instances) -> None:
    if any(isinstance(o, m.AuditEntry) for o in session.new):
        session.info["audit_added"] = True


def _chain(session: Session) -> None:
    if not session.info.get("audit_added") and not any(isinstance(o, m.AuditEntry) for o in session.new):
        return
    session.flush()
    session.info.pop("audit_added", None)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("select pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})  # until commit
    unhashed = session.scalars(select(m.AuditEntry).where(m.AuditEntry.hash.is_(None))
                               .order_by(m.AuditEntry.id)).all()
    if not unhashed:
        return
    head = session.execute(select(m.AuditEntry.hash, m.AuditEntry.chain_seq)
                           .where(m.AuditEntry.chain_seq == select(func.max(m.AuditEntry.chain_seq))
                                  .scalar_subquery())).first()
    previous, seq = (head[0], head[1]) if head is not None else (GENESIS, 0)
    for row in unhashed:
        seq += 1
        row.prev_hash = previous
        row.hash = entry_hash(previous, fields(row))
        row.chain_seq = seq
        previous = row.hash
    session.flush()
