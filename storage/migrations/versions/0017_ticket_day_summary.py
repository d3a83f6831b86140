"""Each closed day's tickets reduced to figures that add up, and its lobby peak and visitors, for period reports
(console/domain/ticket_summary.py, console/domain/camera_day.py).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ticket_day_summary",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("figures", sa.Text(), nullable=False),
        sa.Column("priority_waits", sa.LargeBinary(), nullable=False),
        sa.Column("ordinary_waits", sa.LargeBinary(), nullable=False),
        sa.Column("built_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["branch_id"], ["branch.id"], name=op.f("fk_ticket_day_summary_branch_id_branch"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_day_summary")),
        sa.UniqueConstraint("branch_id", "day", name=op.f("uq_ticket_day_summary_branch_id")),
    )
    op.create_table(
        "camera_day_summary",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("peak", sa.Integer(), nullable=True),
        sa.Column("peak_at", sa.DateTime(), nullable=True),
        sa.Column("visitors", sa.Integer(), nullable=False),
        sa.Column("exits", sa.Integer(), nullable=False),
        sa.Column("counted", sa.Boolean(), nullable=False),
        sa.Column("built_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["branch_id"], ["branch.id"], name=op.f("fk_camera_day_summary_branch_id_branch"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_camera_day_summary")),
        sa.UniqueConstraint("branch_id", "day", name=op.f("uq_camera_day_summary_branch_id")),
    )


def downgrade() -> None:
    op.drop_table("camera_day_summary")
    op.drop_table("ticket_day_summary")
