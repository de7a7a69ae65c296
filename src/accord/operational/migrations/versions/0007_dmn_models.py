"""DMN models deployed as decision services: versions, their files, the pinned version.

Revision ID: 0007_dmn_models
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_dmn_models"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dmn_model_versions",
        sa.Column("model", sa.String(128), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("main", sa.String(255), nullable=False),
        sa.Column("checksum", sa.String(64), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
    )
    op.create_table(
        "dmn_model_files",
        sa.Column("model", sa.String(128), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(255), primary_key=True),
        sa.Column("content", sa.Text, nullable=False),
        sa.ForeignKeyConstraint(["model", "version"],
                                ["dmn_model_versions.model", "dmn_model_versions.version"]),
    )
    op.create_table(
        "dmn_model_pins",
        sa.Column("model", sa.String(128), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("pinned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pinned_by", sa.String(128), nullable=False),
        sa.ForeignKeyConstraint(["model", "version"],
                                ["dmn_model_versions.model", "dmn_model_versions.version"]),
    )


def downgrade() -> None:
    op.drop_table("dmn_model_pins")
    op.drop_table("dmn_model_files")
    op.drop_table("dmn_model_versions")
