"""Privacy: alert snapshots (paths of head-blurred stills) and the statistics kept when raw data is purged after the
retention period (occupancy and line crossings per half-hour, tickets per day and per half-hour), with how far each
branch has been purged.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _branch_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["branch_id"], ["branch.id"], name=op.f(f"fk_{table}_branch_id_branch"),
                                   ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "alert_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.String(length=64), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("taken_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["alert_id"], ["alert.id"], name=op.f("fk_alert_snapshot_alert_id_alert"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_snapshot")),
    )
    with op.batch_alter_table("alert_snapshot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_snapshot_alert_id"), ["alert_id"], unique=False)
        batch_op.create_index("ix_alert_snapshot_taken", ["taken_at"], unique=False)
    op.create_table(
        "occupancy_stat",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("slot", sa.Time(), nullable=False),
        sa.Column("zone", sa.String(length=100), nullable=False),
        sa.Column("samples", sa.Integer(), nullable=False),
        sa.Column("mean", sa.Float(), nullable=False),
        sa.Column("peak", sa.Integer(), nullable=False),
        sa.Column("peak_at", sa.DateTime(), nullable=False),
        _branch_fk("occupancy_stat"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_occupancy_stat")),
        sa.UniqueConstraint("branch_id", "day", "zone", "slot", name=op.f("uq_occupancy_stat_branch_id")),
    )
    op.create_table(
        "crossing_stat",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("slot", sa.Time(), nullable=False),
        sa.Column("camera_id", sa.String(length=64), nullable=False),
        sa.Column("line", sa.String(length=100), nullable=False),
        sa.Column("in_count", sa.Integer(), nullable=False),
        sa.Column("out_count", sa.Integer(), nullable=False),
        _branch_fk("crossing_stat"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crossing_stat")),
        sa.UniqueConstraint("branch_id", "day", "camera_id", "line", "slot", name=op.f("uq_crossing_stat_branch_id")),
    )
    op.create_table(
        "ticket_day_stat",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("service_type", sa.String(length=32), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False)
          for name in ("issued", "served", "no_show", "abandoned", "open", "called")),
        *(sa.Column(name, sa.Float(), nullable=True) for name in ("avg_wait_s", "p90_wait_s", "max_wait_s")),
        sa.Column("within_target", sa.Integer(), nullable=False),
        sa.Column("target_wait_s", sa.Float(), nullable=False),
        sa.Column("handled", sa.Integer(), nullable=False),
        sa.Column("avg_handling_s", sa.Float(), nullable=True),
        sa.Column("max_handling_s", sa.Float(), nullable=True),
        sa.Column("cycles", sa.Integer(), nullable=False),
        sa.Column("cycle_sum_s", sa.Float(), nullable=False),
        _branch_fk("ticket_day_stat"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_day_stat")),
        sa.UniqueConstraint("branch_id", "day", "service_type", name=op.f("uq_ticket_day_stat_branch_id")),
    )
    op.create_table(
        "ticket_slot_stat",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("slot", sa.Time(), nullable=False),
        sa.Column("service_type", sa.String(length=32), nullable=False),
        sa.Column("issued", sa.Integer(), nullable=False),
        sa.Column("served", sa.Integer(), nullable=False),
        sa.Column("called", sa.Integer(), nullable=False),
        sa.Column("wait_sum_s", sa.Float(), nullable=False),
        _branch_fk("ticket_slot_stat"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_slot_stat")),
        sa.UniqueConstraint("branch_id", "day", "service_type", "slot", name=op.f("uq_ticket_slot_stat_branch_id")),
    )
    op.create_table(
        "retention_mark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("purged_before", sa.Date(), nullable=False),
        sa.Column("purged_at", sa.DateTime(), nullable=False),
        _branch_fk("retention_mark"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_mark")),
        sa.UniqueConstraint("branch_id", name=op.f("uq_retention_mark_branch_id")),
    )


def downgrade() -> None:
    for table in ("retention_mark", "ticket_slot_stat", "ticket_day_stat", "crossing_stat", "occupancy_stat"):
        op.drop_table(table)
    with op.batch_alter_table("alert_snapshot", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_snapshot_taken")
        batch_op.drop_index(batch_op.f("ix_alert_snapshot_alert_id"))
    op.drop_table("alert_snapshot")
