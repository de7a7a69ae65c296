"""Personal API tokens of users (CLI and automation), and the simulation reports stored with
rule proposals.

Revision ID: 0003_user_tokens
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_user_tokens"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_tokens",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("username", sa.String(128), sa.ForeignKey("users.username"),
                  nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "simulation_reports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("version", sa.String(64), sa.ForeignKey("rule_versions.version"),
                  nullable=False),
        sa.Column("against", sa.String(64)),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("report", sa.JSON),
    )
    op.create_index("ix_simulation_reports_version", "simulation_reports", ["version"])


def downgrade() -> None:
    op.drop_index("ix_simulation_reports_version", "simulation_reports")
    op.drop_table("simulation_reports")
    op.drop_table("user_tokens")
