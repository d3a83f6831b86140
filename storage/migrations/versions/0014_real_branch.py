"""A real branch's set-up: waiting-area seats, opening hours per weekday, the ticketing system's business names and
flexible counters (弹性窗口). And tickets identified by (branch, business day, ticket id): ticketing systems restart
their numbers every morning, so the same ticket id on two days is two tickets. Stored tickets and events get the
branch-local date of their time (``issued_at``, ``at``) in the branch's time zone. And the lease of the headless
service (``main.py serve``) that runs a branch's ticket feed, alerts and reports without a window.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from __future__ import annotations

from datetime import UTC, date
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

BATCH = 5000


def _fill_business_day(table_name: str, time_column: str, days: dict[tuple[int, str], date] | None = None
                       ) -> dict[tuple[int, str], date]:
    """Set ``business_day`` of every row of ``table_name`` to ``days``' entry for its (branch, ticket id) when there
    is one, else the branch-local date of ``time_column``; return each (branch, ticket id)'s day."""
    connection = op.get_bind()
    branch = sa.table("branch", sa.column("id", sa.Integer), sa.column("timezone", sa.String))
    table = sa.table(table_name, sa.column("id", sa.Integer), sa.column("branch_id", sa.Integer),
                     sa.column("ticket_id", sa.String), sa.column(time_column, sa.DateTime),
                     sa.column("business_day", sa.Date))
    zones = {bid: ZoneInfo(tz) for bid, tz in connection.execute(sa.select(branch.c.id, branch.c.timezone))}
    days = days or {}
    seen: dict[tuple[int, str], date] = {}
    last = 0
    while True:
        rows = connection.execute(sa.select(table.c.id, table.c.branch_id, table.c.ticket_id, table.c[time_column])
                                  .where(table.c.id > last).order_by(table.c.id).limit(BATCH)).all()
        if not rows:
            return seen
        for row_id, bid, ticket_id, at in rows:
            day = days.get((bid, ticket_id)) or at.replace(tzinfo=UTC).astimezone(zones[bid]).date()
            seen[(bid, ticket_id)] = day
            connection.execute(table.update().where(table.c.id == row_id).values(business_day=day))
        last = rows[-1][0]


def upgrade() -> None:
    with op.batch_alter_table("branch", schema=None) as batch_op:
        batch_op.add_column(sa.Column("waiting_seats", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("week_hours", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("service_names", sa.JSON(), nullable=True))
    with op.batch_alter_table("counter", schema=None) as batch_op:
        batch_op.add_column(sa.Column("flexible", sa.Boolean(), server_default=sa.false(), nullable=False))
    # a stored ticket's day is the local date of its issue, and its events belong to that day (a ticket closed
    # after midnight included); events without a ticket take the local date of their time
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("business_day", sa.Date(), nullable=True))
    ticket_days = _fill_business_day("ticket", "issued_at")
    with op.batch_alter_table("ticket_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("business_day", sa.Date(), nullable=True))
    _fill_business_day("ticket_event", "at", ticket_days)
    with op.batch_alter_table("ticket_event", schema=None) as batch_op:
        batch_op.alter_column("business_day", existing_type=sa.Date(), nullable=False)
        batch_op.drop_index("ix_ticket_event_branch_ticket")
        batch_op.create_index("ix_ticket_event_branch_ticket", ["branch_id", "business_day", "ticket_id"],
                              unique=False)
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.alter_column("business_day", existing_type=sa.Date(), nullable=False)
        batch_op.drop_constraint("uq_ticket_branch_id", type_="unique")
        batch_op.create_unique_constraint("uq_ticket_branch_id", ["branch_id", "business_day", "ticket_id"])


    op.create_table(
        "service_lease",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("renewed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["branch_id"], ["branch.id"], name=op.f("fk_service_lease_branch_id_branch"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_lease")),
        sa.UniqueConstraint("branch_id", name=op.f("uq_service_lease_branch_id")),
    )


def downgrade() -> None:
    op.drop_table("service_lease")
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_constraint("uq_ticket_branch_id", type_="unique")
        batch_op.create_unique_constraint("uq_ticket_branch_id", ["branch_id", "ticket_id"])
        batch_op.drop_column("business_day")
    with op.batch_alter_table("ticket_event", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_event_branch_ticket")
        batch_op.create_index("ix_ticket_event_branch_ticket", ["branch_id", "ticket_id"], unique=False)
        batch_op.drop_column("business_day")
    with op.batch_alter_table("counter", schema=None) as batch_op:
        batch_op.drop_column("flexible")
    # not in batch mode: rebuilding the branch table on SQLite would delete what refers to it (ON DELETE CASCADE)
    for column in ("service_names", "week_hours", "waiting_seats"):
        op.drop_column("branch", column)
