"""Counter requests from the board (open, pause, close, staff, service types), for the ticketing system to act on.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "counter_command",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("counter_id", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("staff_id", sa.String(length=32), nullable=True),
        sa.Column("service_types", sa.JSON(), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("requested_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["branch_id"], ["branch.id"], name=op.f("fk_counter_command_branch_id_branch"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_counter_command")),
    )
    with op.batch_alter_table("counter_command", schema=None) as batch_op:
        batch_op.create_index("ix_counter_command_branch_at", ["branch_id", "requested_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("counter_command", schema=None) as batch_op:
        batch_op.drop_index("ix_counter_command_branch_at")
    op.drop_table("counter_command")
