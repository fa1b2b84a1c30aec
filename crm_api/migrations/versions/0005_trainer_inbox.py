"""trainer tools: the NLU inbox and its read cursor over Rasa's tracker store

Revision ID: 0005_trainer_inbox
Revises: 0002_complaints
Create Date: 2026-12-03

The reviewer foreign key needs staff_users, hence 0002_complaints as parent
(first written as 0001 + depends_on 0002_complaints: the same order and version rows,
but that left 0002 as a head of its own). 0007 merges the branches into one head.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_trainer_inbox"
down_revision: str | None = "0002_complaints"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "nlu_inbox_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text_key", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False, comment="customer text, PII masked"),
        sa.Column("predicted_intent", sa.String(length=100), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("entities", sa.JSON(), nullable=False),
        sa.Column("intent_ranking", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False,
                  comment="fallback/handoff/low_confidence/other"),
        sa.Column("priority", sa.Integer(), nullable=False, comment="higher is reviewed first"),
        sa.Column("occurrences", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=True,
                  comment="latest sender"),
        sa.Column("channel", sa.String(length=40), nullable=True),
        sa.Column("first_seen_at", _timestamp(), nullable=False),
        sa.Column("last_seen_at", _timestamp(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("final_intent", sa.String(length=100), nullable=True),
        sa.Column("final_entities", sa.JSON(), nullable=True),
        sa.Column("written_to", sa.String(length=200), nullable=True,
                  comment="data file written"),
        sa.Column("reviewed_by", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", _timestamp(), nullable=True),
        sa.CheckConstraint("status IN ('new', 'accepted', 'discarded')",
                           name=op.f("ck_nlu_inbox_items_status")),
        sa.ForeignKeyConstraint(["reviewed_by"], ["staff_users.id"], ondelete="SET NULL",
                                name=op.f("fk_nlu_inbox_items_reviewed_by_staff_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nlu_inbox_items")),
        sa.UniqueConstraint("text_key", name=op.f("uq_nlu_inbox_items_text_key")),
    )
    op.create_index("ix_nlu_inbox_status_priority", "nlu_inbox_items",
                    ["status", "priority", "last_seen_at"])
    op.create_table(
        "nlu_inbox_cursor",
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.Column("synced_at", _timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_nlu_inbox_cursor")),
    )


def downgrade() -> None:
    op.drop_table("nlu_inbox_cursor")
    op.drop_index("ix_nlu_inbox_status_priority", table_name="nlu_inbox_items")
    op.drop_table("nlu_inbox_items")
