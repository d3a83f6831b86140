"""The audit trail's keyed hash chain: each entry's hash covers its own fields and the previous entry's hash, keyed
with the audit key (HMAC-SHA-256), so an edited entry, a deleted one or one inserted anywhere breaks the chain at
that point — and nobody without the key, which is kept in the secret store and never in the database, can compute
a chain that passes. An anchor kept outside the database (the chain head: count and hash, after every commit that
added entries; console/security/audit_seal.py) shows when the newest entries were cut off.

``entry_hash`` is HMAC-SHA-256 under the key over the previous hash and a canonical JSON form of the entry (sorted
keys, UTC times in ISO 8601 with microseconds, no whitespace). ``legacy_hash`` is the plain SHA-256 of the same
text, as trails were chained before they were keyed (re-keyed once, see storage/audit.py ``rekey``). ``verify``
walks the entries in chain order and returns the first broken link (or None when intact). Plain functions: storage
computes the hash when it writes, the command line and the Audit panel verify.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


def canonical(entry: Mapping[str, Any]) -> str:
    """The fields that are hashed, in one fixed text form."""
    def norm(value: Any) -> Any:
        if isinstance(value, datetime):
            at = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
            return at.astimezone(UTC).isoformat(timespec="microseconds")
        if isinstance(value, Mapping):
            return {str(k): norm(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [norm(v) for v in value]
        return value

    fields = {k: norm(entry.get(k)) for k in ("id", "at", "user", "action", "entity", "entity_id", "before", "after")}
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def entry_hash(key: bytes, previous: str, entry: Mapping[str, Any]) -> str:
    """The entry's keyed hash (64 hex digits)."""
    return hmac.new(key, (previous + "\n" + canonical(entry)).encode("utf-8"), hashlib.sha256).hexdigest()


def legacy_hash(previous: str, entry: Mapping[str, Any]) -> str:
    """The plain SHA-256 an entry carried before the trail was keyed (anyone could recompute it)."""
    return hashlib.sha256((previous + "\n" + canonical(entry)).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Anchor:
    """The chain head as checkpointed outside the database: ``count`` entries, the newest with ``hash``."""

    count: int
    hash: str


@dataclass(frozen=True, slots=True)
class BrokenLink:
    """The first place the trail is not what was written. ``entry_id``: the entry named (for "truncated", the
    newest entry left, or 0 when none is left). ``reason``: "edited" (its hash does not match its fields under the
    key: changed, inserted with a forged hash, or hashed with another key), "missing before" (entries before it
    were deleted or the order changed), "not sealed" (an entry written into the database without the key: no
    hash), "truncated" (the anchor names a longer chain or another head: the newest entries were deleted)."""

    entry_id: int
    reason: str
    detail: str = ""


def verify(entries: Iterable[Mapping[str, Any]], key: bytes, anchors: Iterable[Anchor] = ()) -> BrokenLink | None:
    """Entries (with ``id``, the hashed fields, ``prev_hash`` and ``hash``) in chain order (the order they were
    committed in, unsealed ones last); ``anchors``: the checkpoints kept outside the database (each must be a
    point of the chain: the entry at that count has that hash). The first broken link, or None when intact."""
    previous = GENESIS
    heads: dict[int, tuple[int, str]] = {}  # count → (entry id, hash)
    count = 0
    last_id = 0
    entries = list(entries)
    for n, e in enumerate(entries):
        if e.get("hash") is None:
            return BrokenLink(int(e["id"]), "not sealed")
        if e.get("prev_hash") != previous:
            return BrokenLink(int(e["id"]), "missing before")
        if not hmac.compare_digest(entry_hash(key, previous, e), str(e.get("hash"))):
            rest = entries[n:]
            forged = sum(1 for r in rest if r.get("hash") is None or not hmac.compare_digest(
                entry_hash(key, str(r.get("prev_hash")), r), str(r.get("hash"))))
            return BrokenLink(int(e["id"]), "edited", f"{forged} of the {len(rest)} entries from this one on fail "
                                                      "the key check" if forged > 1 else "")
        previous = str(e["hash"])
        count += 1
        last_id = int(e["id"])
        heads[count] = (last_id, previous)
    for anchor in anchors:
        found = heads.get(anchor.count)
        if found is None:
            return BrokenLink(last_id, "truncated", f"the anchor outside the database names entry {anchor.count} "
                                                    f"of the chain (hash {anchor.hash[:16]}…); the database holds "
                                                    f"only {count}")
        if not hmac.compare_digest(found[1], anchor.hash):
            return BrokenLink(found[0], "truncated", f"entry {anchor.count} of the chain has another hash than the "
                                                     f"anchor outside the database recorded ({anchor.hash[:16]}…): "
                                                     "entries up to it were deleted and others written since")
    return None
