"""Camera health (one row per change of a camera's capture state) and counting-line crossings per sample period.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "camera_health",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["branch_id"], ["branch.id"], name=op.f("fk_camera_health_branch_id_branch"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_camera_health")),
    )
    with op.batch_alter_table("camera_health", schema=None) as batch_op:
        batch_op.create_index("ix_camera_health_branch_at", ["branch_id", "at"], unique=False)
    op.create_table(
        "line_crossing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.String(length=64), nullable=False),
        sa.Column("line", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("in_count", sa.Integer(), nullable=False),
        sa.Column("out_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["branch_id"], ["branch.id"], name=op.f("fk_line_crossing_branch_id_branch"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_line_crossing")),
        sa.UniqueConstraint("branch_id", "camera_id", "line", "at", name=op.f("uq_line_crossing_branch_id")),
    )
    with op.batch_alter_table("line_crossing", schema=None) as batch_op:
        batch_op.create_index("ix_line_crossing_branch_at", ["branch_id", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("line_crossing", schema=None) as batch_op:
        batch_op.drop_index("ix_line_crossing_branch_at")
    op.drop_table("line_crossing")
    with op.batch_alter_table("camera_health", schema=None) as batch_op:
        batch_op.drop_index("ix_camera_health_branch_at")
    op.drop_table("camera_health")
