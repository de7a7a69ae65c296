"""Governance: lifecycle state of rule versions, users with roles, the audit log.

Revision ID: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rule_versions") as batch:
        batch.add_column(sa.Column("state", sa.String(16), nullable=False,
                                   server_default="draft"))
        batch.add_column(sa.Column("based_on", sa.String(64)))
        batch.add_column(sa.Column("submitted_by", sa.String(128)))
        batch.add_column(sa.Column("reviewed_by", sa.String(128)))
        batch.add_column(sa.Column("effective_from", sa.DateTime(timezone=True)))
    op.create_table(
        "users",
        sa.Column("username", sa.String(128), primary_key=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("roles", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("audit_log")
    op.drop_table("users")
    with op.batch_alter_table("rule_versions") as batch:
        for column in ("effective_from", "reviewed_by", "submitted_by", "based_on", "state"):
            batch.drop_column(column)
