"""Customer ratings (评价器): a ticket's score from the counter's rating device, 1–5, from the feed's ``rated``
events or the ``rating`` column of an imported ticket log.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ticket") as batch:
        batch.add_column(sa.Column("rating", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ticket") as batch:
        batch.drop_column("rating")
