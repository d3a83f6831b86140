"""Alert lifecycle and rules: an alert's threshold, figures, escalation and who resolved it; the branch's editable
alert rules; deliveries of alerts to chat webhooks and e-mail with their state.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.add_column(sa.Column("value", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("threshold", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("detail", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("escalated", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("resolved_by", sa.String(length=100), nullable=True))
        batch_op.create_index("ix_alert_branch_state", ["branch_id", "state"], unique=False)
    op.create_table(
        "alert_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.String(length=64), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["branch_id"], ["branch.id"], name=op.f("fk_alert_rule_branch_id_branch"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_rule")),
        sa.UniqueConstraint("branch_id", "rule_id", name=op.f("uq_alert_rule_branch_id")),
    )
    op.create_table(
        "alert_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("target", sa.String(length=300), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["alert_id"], ["alert.id"], name=op.f("fk_alert_delivery_alert_id_alert"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_delivery")),
    )


def downgrade() -> None:
    op.drop_table("alert_delivery")
    op.drop_table("alert_rule")
    with op.batch_alter_table("alert", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_branch_state")
        for name in ("resolved_by", "escalated", "detail", "threshold", "value"):
            batch_op.drop_column(name)
