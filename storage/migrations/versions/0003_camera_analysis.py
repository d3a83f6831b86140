"""Camera analysis settings (region of interest, rate, count calibration) and counting lines.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("camera", schema=None) as batch_op:
        batch_op.add_column(sa.Column("roi", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("analysis_fps", sa.Float(), server_default="5.0", nullable=False))
        batch_op.add_column(sa.Column("calibration", sa.Text(), nullable=True))
    op.create_table(
        "counting_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("camera_ref", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("ax", sa.Float(), nullable=False),
        sa.Column("ay", sa.Float(), nullable=False),
        sa.Column("bx", sa.Float(), nullable=False),
        sa.Column("by", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["camera_ref"], ["camera.id"], name=op.f("fk_counting_line_camera_ref_camera"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_counting_line")),
        sa.UniqueConstraint("camera_ref", "name", name=op.f("uq_counting_line_camera_ref")),
    )


def downgrade() -> None:
    op.drop_table("counting_line")
    with op.batch_alter_table("camera", schema=None) as batch_op:
        batch_op.drop_column("calibration")
        batch_op.drop_column("analysis_fps")
        batch_op.drop_column("roi")
