"""merge the per-domain branches (0003-0006) into one head

Revision ID: 0007_merge_domains
Revises: 0003_products, 0004_handoff, 0005_trainer_inbox, 0006_training_runs
Create Date: 2026-12-08

Products (0003) branch from 0001; handoff and the trainer tools (0004-0006) branch from
0002_complaints. This revision changes no schema: it joins those heads so that later
migrations have a single parent and `manage migrate` upgrades to "head". A database
migrated before it exists has exactly these four revisions in alembic_version and moves
to this one without running anything else.
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0007_merge_domains"
down_revision: str | Sequence[str] | None = (
    "0003_products",
    "0004_handoff",
    "0005_trainer_inbox",
    "0006_training_runs",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
