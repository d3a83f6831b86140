"""The audit chain's order is the order entries were committed in (``chain_seq``), not their ids: with several
writers on one server database a transaction can commit after one that took a higher id. Entries already chained
keep their id order.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chain_seq", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_audit_entry_chain_seq"), ["chain_seq"])
    audit = sa.table("audit_entry", sa.column("id", sa.Integer), sa.column("hash", sa.String),
                     sa.column("chain_seq", sa.Integer))
    connection = op.get_bind()
    ids = connection.execute(sa.select(audit.c.id).where(audit.c.hash.is_not(None)).order_by(audit.c.id)).scalars()
    for seq, entry_id in enumerate(list(ids), start=1):
        connection.execute(audit.update().where(audit.c.id == entry_id).values(chain_seq=seq))


def downgrade() -> None:
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_entry_chain_seq"), type_="unique")
        batch_op.drop_column("chain_seq")
