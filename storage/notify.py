"""Change notices on PostgreSQL: every transaction that wrote a branch's data sends ``NOTIFY branch_console,
'<branch code>'`` as it commits (``pg_notify`` inside the transaction: PostgreSQL delivers it only if the
transaction commits, and after the data is visible). Consoles reading that branch from the shared database
(``console/sources/notices.py``) read again at once instead of at their next poll. On SQLite nothing is sent: readers
poll.

The branches a transaction wrote are the ones its tasks looked up with ``storage.tasks.branch_id`` (cached in
``session.info``), so no task has to remember to announce itself.
"""

from __future__ import annotations

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

CHANNEL = "branch_console"


def install() -> None:
    """Listen on every session (idempotent); ``storage.database`` calls this when it is imported."""
    if not event.contains(Session, "before_commit", _announce):
        event.listen(Session, "before_commit", _announce)


def _announce(session: Session) -> None:
    codes = session.info.pop("branch_ids", None)
    if not codes:
        return
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for code in sorted(codes):
        session.execute(select(func.pg_notify(CHANNEL, code)))
