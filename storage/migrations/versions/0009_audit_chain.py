"""Hash chain over the audit trail: each entry stores the previous entry's hash and its own, so an edited or
deleted entry is detected (``main.py audit verify``). Entries already stored are chained in id order.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from console.domain.audit_chain import GENESIS, legacy_hash

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    audit = sa.table("audit_entry", sa.column("id", sa.Integer), sa.column("at", sa.DateTime),
                     sa.column("user", sa.String), sa.column("action", sa.String), sa.column("entity", sa.String),
                     sa.column("entity_id", sa.String), sa.column("before", sa.JSON), sa.column("after", sa.JSON),
                     sa.column("prev_hash", sa.String), sa.column("hash", sa.String))
    connection = op.get_bind()
    previous = GENESIS
    for row in connection.execute(sa.select(audit).order_by(audit.c.id)).mappings().all():
        digest = legacy_hash(previous, row)
        connection.execute(audit.update().where(audit.c.id == row["id"]).values(prev_hash=previous, hash=digest))
        previous = digest


def downgrade() -> None:
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
