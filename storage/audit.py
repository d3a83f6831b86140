"""Every audit entry is chained when its transaction commits (``console/domain/audit_chain.py``): a session that
added audit entries hashes them, in id order, onto the newest hashed entry just before committing. One listener on
every SQLAlchemy session, so no code path that writes an audit entry can skip it.

Concurrent writers: on SQLite the inserting transaction holds the write lock from its flush to its commit, so no
other process can append in between. (A server database needs the chain head locked; see the PostgreSQL issue.)
"""

from __future__ import annotations

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from console.domain.audit_chain import GENESIS, entry_hash
from storage import models as m


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
    unhashed = session.scalars(select(m.AuditEntry).where(m.AuditEntry.hash.is_(None))
                               .order_by(m.AuditEntry.id)).all()
    if not unhashed:
        return
    previous = session.scalar(select(m.AuditEntry.hash).where(m.AuditEntry.hash.is_not(None))
                              .order_by(m.AuditEntry.id.desc()).limit(1)) or GENESIS
    for row in unhashed:
        row.prev_hash = previous
        row.hash = entry_hash(previous, fields(row))
        previous = row.hash
    session.flush()
