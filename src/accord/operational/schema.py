"""Tables of the operational store (SQLAlchemy Core). Migrations in ``migrations/`` create
them; this module is what the code reads and writes through."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

rule_versions = sa.Table(
    "rule_versions", metadata,
    sa.Column("version", sa.String(64), primary_key=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(128), nullable=False),
    sa.Column("note", sa.Text, nullable=False, default=""),
    sa.Column("catalogue", sa.Text, nullable=False),
    sa.Column("checksum", sa.String(64), nullable=False),
    sa.Column("state", sa.String(16), nullable=False, server_default="draft"),
    sa.Column("based_on", sa.String(64)),
    sa.Column("submitted_by", sa.String(128)),
    sa.Column("reviewed_by", sa.String(128)),
    sa.Column("effective_from", sa.DateTime(timezone=True)),
)

rule_files = sa.Table(
    "rule_files", metadata,
    sa.Column("version", sa.String(64), sa.ForeignKey("rule_versions.version"),
              primary_key=True),
    sa.Column("name", sa.String(255), primary_key=True),
    sa.Column("content", sa.Text, nullable=False),
)

treatments = sa.Table(
    "treatments", metadata,
    sa.Column("version", sa.String(64), sa.ForeignKey("rule_versions.version"),
              primary_key=True),
    sa.Column("id", sa.String(128), primary_key=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("channels", sa.JSON, nullable=False),
    sa.Column("placements", sa.JSON, nullable=False),
    sa.Column("valid_from", sa.DateTime(timezone=True)),
    sa.Column("valid_to", sa.DateTime(timezone=True)),
    sa.Column("value", sa.Numeric(18, 4), nullable=False),
    sa.Column("cost", sa.Numeric(18, 4), nullable=False),
    sa.Column("weight", sa.Numeric(18, 4), nullable=False),
    sa.Column("budget", sa.Numeric(18, 4)),
    sa.Column("inventory", sa.Integer),
    sa.Column("eligibility", sa.JSON, nullable=False),
    sa.Column("limits", sa.JSON, nullable=False),
    sa.Column("suppress_after_conversion_days", sa.Integer),
    sa.Column("holdout_share", sa.Float, nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
)

active_rules = sa.Table(
    "active_rules", metadata,
    sa.Column("slot", sa.Integer, primary_key=True),  # always 1: one active version
    sa.Column("version", sa.String(64), sa.ForeignKey("rule_versions.version"),
              nullable=False),
    sa.Column("activated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("activated_by", sa.String(128), nullable=False),
)

api_keys = sa.Table(
    "api_keys", metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("app", sa.String(128), nullable=False),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("scopes", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
)

users = sa.Table(
    "users", metadata,
    sa.Column("username", sa.String(128), primary_key=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("roles", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(128), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("subject", sa.String(255), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("detail", sa.JSON, nullable=False),
)
