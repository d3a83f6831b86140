"""The audit trail's hash chain: each entry's hash covers its own fields and the previous entry's hash, so an
edited entry, a deleted one or one inserted out of order breaks the chain at that point.

``entry_hash`` is SHA-256 over the previous hash and a canonical JSON form of the entry (sorted keys, UTC times in
ISO 8601 with microseconds, no whitespace). ``verify`` walks the entries in id order and returns the first broken
link (or None when intact). Plain functions: storage computes the hash when it writes, the CLI and the Audit panel
verify.
"""

from __future__ import annotations

import hashlib
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


def entry_hash(previous: str, entry: Mapping[str, Any]) -> str:
    return hashlib.sha256((previous + "\n" + canonical(entry)).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class BrokenLink:
    entry_id: int
    reason: str  # "edited" (its hash does not match its fields) or "missing before" (an entry was removed)


def verify(entries: Iterable[Mapping[str, Any]]) -> BrokenLink | None:
    """Entries (with ``id``, the hashed fields, ``prev_hash`` and ``hash``) in chain order (the order they were
    committed in); the first broken link."""
    previous = GENESIS
    for e in entries:
        if e.get("prev_hash") != previous:
            return BrokenLink(int(e["id"]), "missing before")
        if entry_hash(previous, e) != e.get("hash"):
            return BrokenLink(int(e["id"]), "edited")
        previous = str(e["hash"])
    return None
