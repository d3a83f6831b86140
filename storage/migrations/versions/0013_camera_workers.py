"""Headless camera workers: who analyses each camera (``analysed_by``: the console or a worker on another PC), and
camera state changes keyed by camera and time, so a worker that writes its buffered changes again after a lost
connection stores each one once. Duplicates already stored are reduced to their first row. And an index giving a
branch's newest ticket event at once (readers of many branches on one server ask it every few seconds).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("camera", schema=None) as batch_op:
        batch_op.add_column(sa.Column("analysed_by", sa.String(length=16), server_default="console", nullable=False))
    health = sa.table("camera_health", sa.column("id", sa.Integer), sa.column("branch_id", sa.Integer),
                      sa.column("camera_id", sa.String), sa.column("at", sa.DateTime))
    first = (sa.select(sa.func.min(health.c.id))
             .group_by(health.c.branch_id, health.c.camera_id, health.c.at).scalar_subquery())
    op.get_bind().execute(health.delete().where(health.c.id.not_in(first)))
    with op.batch_alter_table("camera_health", schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f("uq_camera_health_branch_id"), ["branch_id", "camera_id", "at"])
    op.create_index("ix_ticket_event_branch_id", "ticket_event", ["branch_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_ticket_event_branch_id", table_name="ticket_event")
    with op.batch_alter_table("camera_health", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_camera_health_branch_id"), type_="unique")
    with op.batch_alter_table("camera", schema=None) as batch_op:
        batch_op.drop_column("analysed_by")
