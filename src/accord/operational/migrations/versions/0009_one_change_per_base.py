"""One change per base version: a unique index on ``rule_versions.based_on``.

A draft must be based on the newest version, so two versions based on the same one mean
two people saved at once and one of them did not see the other's change. The check in
Python read the newest version outside the transaction that saved (SQLite's driver begins
a transaction only at the first write), so both were saved; the index makes the database
refuse the second. ``NULL`` (the first version, or rules installed without governance) is
not constrained.

Revision ID: 0009_one_change_per_base
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_one_change_per_base"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    forks = op.get_bind().execute(sa.text(
        "SELECT based_on, COUNT(*) FROM rule_versions WHERE based_on IS NOT NULL "
        "GROUP BY based_on HAVING COUNT(*) > 1")).all()
    if forks:
        named = ", ".join(f"{base} ({count} versions)" for base, count in forks)
        raise RuntimeError(
            "cannot add the one-change-per-base rule: versions saved at once by an earlier "
            f"Accord share a base ({named}); clear based_on of all but the first of each "
            "(they were not based on the newest version) and migrate again")
    op.create_index("ux_rule_versions_based_on", "rule_versions", ["based_on"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_rule_versions_based_on", table_name="rule_versions")
