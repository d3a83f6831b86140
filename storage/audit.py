"""Every audit entry is chained when its transaction commits (``console/domain/audit_chain.py``): a session that
added audit entries hashes them, in id order, onto the newest hashed entry just before committing, with the audit
key of the database's seal (``seal``). One listener on every SQLAlchemy session, so no code path that writes an
audit entry can skip it.

Decisions:
- The key is never in the database: the console reads it from its secret store and seals the ``Database`` it
  opens (console/security/audit_seal.py). A session of a database without a seal (a tool that opened the file
  directly) leaves its entries without a hash; ``verify`` names them "not sealed". A session chains only the
  entries it added itself, never unhashed rows it finds, so a row slipped into the database is never sealed.
- After each commit that chained entries, the new head (count and hash) is appended to the seal's anchor file
  outside the database (append-only, one line per commit); ``verify`` checks each anchor against the chain, so
  deleting the newest entries is seen too.
- Concurrent writers (several PCs on one PostgreSQL database): the chain head is read and extended under a
  transaction-scoped advisory lock, so two transactions never chain onto the same entry, and each entry's place in
  the chain (``chain_seq``) is given at commit — a transaction may commit after one that took a higher id, so ids
  are not the chain's order. On SQLite the writing transaction holds the database's write lock from its flush to
  its commit, which serializes the same way.
"""

from __future__ import annotations

import logging
import os
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import event, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from console.domain.audit_chain import GENESIS, Anchor, entry_hash, legacy_hash
from storage import models as m

log = logging.getLogger(__name__)

#: The advisory lock key that serializes chaining on PostgreSQL (any constant the console uses for nothing else).
CHAIN_LOCK = 0x41554449  # "AUDI"


@dataclass(frozen=True)
class AuditSeal:
    """What chains a database's audit entries: the HMAC ``key`` (bytes from the secret store) and the ``anchor``
    file the chain heads are appended to (None: no anchor is kept, e.g. a test)."""

    key: bytes
    anchor: Path | None = None


_seals: weakref.WeakKeyDictionary[Engine, AuditSeal] = weakref.WeakKeyDictionary()


def seal(engine: Engine, audit_seal: AuditSeal) -> None:
    """Chain the audit entries written through ``engine`` with ``audit_seal`` from now on."""
    _seals[engine] = audit_seal


def seal_of(engine: Engine) -> AuditSeal | None:
    return _seals.get(engine)


def fields(row: m.AuditEntry) -> dict:
    return {"id": row.id, "at": row.at, "user": row.user, "action": row.action, "entity": row.entity,
            "entity_id": row.entity_id, "before": row.before, "after": row.after}


def install() -> None:
    """Listen on every session (idempotent); ``storage.database`` calls this when it is imported."""
    if not event.contains(Session, "before_flush", _mark):
        event.listen(Session, "before_flush", _mark)
        event.listen(Session, "before_commit", _chain)
        event.listen(Session, "after_commit", _anchor)
        event.listen(Session, "after_rollback", _forget)


def _mark(session: Session, _context, _instances) -> None:
    added = [o for o in session.new if isinstance(o, m.AuditEntry)]
    if added:
        session.info.setdefault("audit_added", []).extend(added)


def _forget(session: Session) -> None:
    """A rolled-back transaction's entries were never written: they take no place in the chain."""
    session.info.pop("audit_added", None)
    session.info.pop("audit_head", None)


def _chain(session: Session) -> None:
    pending = [o for o in session.new if isinstance(o, m.AuditEntry)]
    if not session.info.get("audit_added") and not pending:
        return
    session.flush()
    rows = [r for r in session.info.pop("audit_added", [])
            if r in session and r.hash is None and r.id is not None]
    audit_seal = _seals.get(session.get_bind())
    if audit_seal is None or not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("select pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})  # until commit
    head = session.execute(select(m.AuditEntry.hash, m.AuditEntry.chain_seq)
                           .where(m.AuditEntry.chain_seq == select(func.max(m.AuditEntry.chain_seq))
                                  .scalar_subquery())).first()
    previous, seq = (head[0], head[1]) if head is not None else (GENESIS, 0)
    for row in sorted(rows, key=lambda r: r.id):
        seq += 1
        row.prev_hash = previous
        row.hash = entry_hash(audit_seal.key, previous, fields(row))
        row.chain_seq = seq
        previous = row.hash
    session.flush()
    session.info["audit_head"] = (audit_seal, Anchor(seq, previous))


def _anchor(session: Session) -> None:
    found = session.info.pop("audit_head", None)
    if found is None or found[0].anchor is None:
        return
    audit_seal, head = found
    append_anchor(audit_seal.anchor, head)


def append_anchor(path: Path, head: Anchor) -> None:
    """One line ``TIME COUNT HASH`` at the end of the anchor file (created readable by its owner only). A failure
    is logged, never raised: the entries are committed already, and the next commit anchors a later head."""
    line = f"{datetime.now(UTC).isoformat(timespec='seconds')} {head.count} {head.hash}\n"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode("ascii"))
        finally:
            os.close(fd)
    except OSError as exc:
        log.error("audit anchor %s could not be written: %s", path, exc.strerror or exc)


def read_anchors(path: Path | None) -> list[Anchor]:
    """The heads in the anchor file, oldest first (none when there is no file); a line that is not ``TIME COUNT
    HASH`` is an anchor nothing can match, so ``verify`` reports it."""
    if path is None or not path.exists():
        return []
    anchors = []
    for line in path.read_text(encoding="ascii", errors="replace").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1].isdigit():
            anchors.append(Anchor(int(parts[1]), parts[2]))
        elif line.strip():
            anchors.append(Anchor(-1, line.strip()[:64]))
    return anchors


def rekey(session: Session, key: bytes) -> tuple[int, str | None] | None:
    """Re-key a trail chained with plain SHA-256 (before the audit key existed): every entry's hash recomputed with
    the key, in chain order. None when the trail is empty or keyed already (its newest entry is not a plain hash);
    else (entries re-keyed, the legacy chain's first break or None). A legacy chain that was already broken is
    re-keyed all the same — the break is recorded in the ``audit.rekeyed`` entry the caller adds, not hidden."""
    order = (m.AuditEntry.chain_seq.is_(None), m.AuditEntry.chain_seq, m.AuditEntry.id)  # as load_audit_chain
    rows = session.scalars(select(m.AuditEntry).where(m.AuditEntry.hash.is_not(None)).order_by(*order)).all()
    if not rows:
        return None
    newest = rows[-1]
    if newest.hash != legacy_hash(newest.prev_hash or GENESIS, fields(newest)):
        return None
    legacy_break = None
    previous = GENESIS
    for r in rows:  # the legacy chain's own check (plain hashes), before they are replaced
        if r.prev_hash != previous or r.hash != legacy_hash(previous, fields(r)):
            legacy_break = f"entry {r.id}"
            break
        previous = r.hash
    previous = GENESIS
    for seq, r in enumerate(rows, start=1):
        r.prev_hash = previous
        r.hash = entry_hash(key, previous, fields(r))
        r.chain_seq = seq
        previous = r.hash
    session.flush()
    return len(rows), legacy_break
