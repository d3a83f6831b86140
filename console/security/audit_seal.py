"""The audit key and the anchor: what makes the audit trail impossible to rewrite for someone who can write only
the database file (console/domain/audit_chain.py, storage/audit.py).

Decisions:
- The key: 32 random bytes, created on the first start that needs one, kept in the secret store as
  ``AUDIT_KEY_SECRET`` (the keyring or the encrypted file; console/security/secret_store.py), never in the
  database, a log or an export. Every PC that writes the same database (a shared PostgreSQL server) needs the same
  key: ``audit key-export`` on the first PC, ``audit key-import`` on the others (administrators only). A start
  whose key did not seal the trail's newest entry logs an error naming that command.
- The anchor: ``ANCHOR_FILE`` in the data directory, one line ``TIME COUNT HASH`` appended after every commit that
  added audit entries on this PC; the closing day report prints the head too, so an auditor keeps a copy outside
  the PC. ``audit verify`` checks every anchor line against the chain.
- Trails chained before the key existed (plain SHA-256) are re-keyed once, at the start that makes the key, in one
  transaction, with an ``audit.rekeyed`` entry saying how many entries and whether the old chain was intact. Never
  later: once the key exists, a chain of plain hashes is what a forger recomputed, and ``verify`` names it.
No Qt imports.
"""

from __future__ import annotations

import logging
import secrets as random
from datetime import UTC, datetime
from pathlib import Path

from console.domain.audit_chain import GENESIS, BrokenLink, entry_hash, verify
from console.security.secret_store import SecretStore
from storage import audit, repository
from storage import models as m
from storage.database import Database

log = logging.getLogger(__name__)

AUDIT_KEY_SECRET = "audit-chain-key"
ANCHOR_FILE = "audit-anchor.log"
#: The key's length, bytes (HMAC-SHA-256's block-size-safe key of 256 bits).
KEY_BYTES = 32


class AuditKeyError(ValueError):
    """A key given to ``audit key-import`` that is not 64 hexadecimal digits."""


def audit_key(store: SecretStore, *, create: bool = True) -> bytes | None:
    """The branch's audit key from the secret store; made and stored on first use when ``create``."""
    found = store.get(AUDIT_KEY_SECRET)
    if found:
        return bytes.fromhex(found)
    if not create:
        return None
    key = random.token_bytes(KEY_BYTES)
    store.set(AUDIT_KEY_SECRET, key.hex())
    log.info("audit key created in the secret store (%s)", store.describe())
    return key


def import_key(store: SecretStore, text: str) -> bytes:
    """Store ``text`` (64 hex digits, from ``audit key-export`` on another PC) as this PC's audit key."""
    value = text.strip().lower()
    if len(value) != 2 * KEY_BYTES or any(c not in "0123456789abcdef" for c in value):
        raise AuditKeyError(f"an audit key is {2 * KEY_BYTES} hexadecimal digits (got {len(value)} characters)")
    store.set(AUDIT_KEY_SECRET, value)
    return bytes.fromhex(value)


def seal_database(db: Database, data_dir: Path, store: SecretStore) -> audit.AuditSeal:
    """Seal ``db``'s audit entries with this PC's key and anchor file, re-key a legacy trail, and log an error when
    the trail's newest entry was sealed with another key."""
    new_key = audit_key(store, create=False) is None
    key = audit_key(store)
    assert key is not None
    found = audit.AuditSeal(key, data_dir / ANCHOR_FILE)
    audit.seal(db.engine, found)
    with db.session() as s:
        # only with a key made just now: once a trail is keyed, a chain of plain hashes is a forgery, not a legacy
        rekeyed = audit.rekey(s, key) if new_key else None
        if rekeyed is not None:
            count, legacy_break = rekeyed
            s.add(m.AuditEntry(at=datetime.now(UTC), user="console", action="audit.rekeyed", entity="audit", entity_id="chain",
                               before=None, after={"entries": count, "legacy_chain": legacy_break or "intact"}))
    if rekeyed is not None:
        log.info("audit trail re-keyed: %d entries (the old chain: %s)", rekeyed[0], rekeyed[1] or "intact")
    newest = repository.newest_audit_entry(db)
    if newest is not None and newest["hash"] is not None and \
            entry_hash(key, newest["prev_hash"] or GENESIS, newest) != newest["hash"]:
        log.error("the audit trail's newest entry (%d) was not sealed with this PC's audit key: if another PC "
                  "writes this database, copy its key here (main.py audit key-export there, audit key-import "
                  "here); else the entry was changed", newest["id"])
    return found


def verify_trail(db: Database, seal: audit.AuditSeal) -> BrokenLink | None:
    """The trail checked with the key and against every anchor line (None: intact)."""
    return verify(repository.load_audit_chain(db), seal.key, audit.read_anchors(seal.anchor))


def head_of(db: Database) -> tuple[int, str]:
    """(entries in the chain, the newest entry's hash) — the anchor the closing day report prints. The chain's
    places run 1…n, so the newest entry's place is the count: one row read, not the whole trail."""
    newest = repository.newest_audit_entry(db)
    return (0, GENESIS) if newest is None else (newest["chain_seq"], newest["hash"])
