"""Capacity planning: the resource registry, throttled plans, preflight overrides,
notification dead letters and reminders already sent.

Revision ID: 0005_capacity
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_capacity"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "capacity_resources",
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("spec", sa.JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(128), nullable=False),
    )
    op.create_table(
        "capacity_plans",
        sa.Column("campaign_id", sa.String(128), primary_key=True),
        sa.Column("plan", sa.JSON, nullable=False),
        sa.Column("proof", sa.String(32), nullable=False),
        sa.Column("finish_at", sa.DateTime(timezone=True)),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("saved_by", sa.String(128), nullable=False),
    )
    op.create_table(
        "capacity_overrides",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("campaign_id", sa.String(128), nullable=False, index=True),
        sa.Column("resource", sa.String(128), nullable=False),
        sa.Column("by", sa.String(128), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "capacity_dead_letters",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("target", sa.String(512), nullable=False),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("campaign_id", sa.String(128), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "capacity_notices",
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in ("capacity_notices", "capacity_dead_letters", "capacity_overrides",
                  "capacity_plans", "capacity_resources"):
        op.drop_table(table)
