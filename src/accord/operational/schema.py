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
    # one change per base: two drafts saved at once on the same base, one is refused
    sa.Index("ux_rule_versions_based_on", "based_on", unique=True),
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

user_tokens = sa.Table(
    "user_tokens", metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("username", sa.String(128), sa.ForeignKey("users.username"), nullable=False),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True)),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
)

simulation_reports = sa.Table(
    "simulation_reports", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("version", sa.String(64), sa.ForeignKey("rule_versions.version"),
              nullable=False, index=True),
    sa.Column("against", sa.String(64)),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("report", sa.JSON),
)

# ---- campaigns (accord.campaigns; migration 0004_campaigns) ------------------------------

campaigns = sa.Table(
    "campaigns", metadata,
    sa.Column("name", sa.String(128), primary_key=True),
    sa.Column("owner", sa.String(128), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("spec", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

# ---- DMN models (accord.dmn.repository; migration 0007_dmn_models) -----------------------

dmn_model_versions = sa.Table(
    "dmn_model_versions", metadata,
    sa.Column("model", sa.String(128), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("main", sa.String(255), nullable=False),
    sa.Column("checksum", sa.String(64), nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(128), nullable=False),
)

dmn_model_files = sa.Table(
    "dmn_model_files", metadata,
    sa.Column("model", sa.String(128), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(255), primary_key=True),
    sa.Column("content", sa.Text, nullable=False),
    sa.ForeignKeyConstraint(["model", "version"],
                            ["dmn_model_versions.model", "dmn_model_versions.version"]),
)

dmn_model_pins = sa.Table(
    "dmn_model_pins", metadata,
    sa.Column("model", sa.String(128), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("pinned_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("pinned_by", sa.String(128), nullable=False),
    sa.ForeignKeyConstraint(["model", "version"],
                            ["dmn_model_versions.model", "dmn_model_versions.version"]),
)

# Capacity planning (migration 0005_capacity): see accord.capacity.repository.
capacity_resources = sa.Table(
    "capacity_resources", metadata,
    sa.Column("name", sa.String(128), primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("spec", sa.JSON, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_by", sa.String(128), nullable=False),
)

capacity_plans = sa.Table(
    "capacity_plans", metadata,
    sa.Column("campaign_id", sa.String(128), primary_key=True),
    sa.Column("plan", sa.JSON, nullable=False),
    sa.Column("proof", sa.String(32), nullable=False),
    sa.Column("finish_at", sa.DateTime(timezone=True)),
    sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("saved_by", sa.String(128), nullable=False),
)

capacity_overrides = sa.Table(
    "capacity_overrides", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("campaign_id", sa.String(128), nullable=False, index=True),
    sa.Column("resource", sa.String(128), nullable=False),
    sa.Column("by", sa.String(128), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)

capacity_dead_letters = sa.Table(
    "capacity_dead_letters", metadata,
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

capacity_notices = sa.Table(
    "capacity_notices", metadata,
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)

# ---- web sessions and login throttling (accord.web; migration 0008_web_sessions) ---------

web_sessions = sa.Table(
    "web_sessions", metadata,
    # the SHA-256 of the session id the cookie carries: a copy of the table opens no session
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column("username", sa.String(128), nullable=False, index=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
)

login_attempts = sa.Table(
    "login_attempts", metadata,
    # "user:<name>" or "address:<ip>": one row per thing that is throttled
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("locked_until", sa.DateTime(timezone=True)),
)
