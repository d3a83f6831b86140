"""Incidents beyond crowding: what an incident adds to its alert (drill or real, who reported it, the closing
summary), the steps of its emergency plan with when and by whom each was done, and each branch's emergency plans.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incident",
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("drill", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("raised_by", sa.String(length=100), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["alert_id"], ["alert.id"], name=op.f("fk_incident_alert_id_alert"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("alert_id", name=op.f("pk_incident")),
    )
    op.create_table(
        "incident_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("done_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(["alert_id"], ["incident.alert_id"], name=op.f("fk_incident_step_alert_id_incident"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_step")),
        sa.UniqueConstraint("alert_id", "position", name=op.f("uq_incident_step_alert_id")),
    )
    op.create_table(
        "emergency_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["branch_id"], ["branch.id"], name=op.f("fk_emergency_plan_branch_id_branch"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emergency_plan")),
        sa.UniqueConstraint("branch_id", "kind", name=op.f("uq_emergency_plan_branch_id")),
    )


def downgrade() -> None:
    op.drop_table("emergency_plan")
    op.drop_table("incident_step")
    op.drop_table("incident")
