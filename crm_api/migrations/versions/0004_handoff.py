"""human handoff: queue, activities (notes, claims, transfers), agent presence, callbacks

Revision ID: 0004_handoff
Revises: 0002_complaints
Create Date: 2026-11-29

The foreign key to staff_users needs that table, hence 0002_complaints as parent
(first written as 0001 + depends_on 0002_complaints: the same order and version rows,
but that left 0002 as a head of its own). 0007 merges the branches into one head.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_handoff"
down_revision: str | None = "0002_complaints"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=100), nullable=False,
                  comment="Rasa sender id"),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False, comment="web / app"),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("customer_tier", sa.String(length=4), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False, comment="urgency + tier points"),
        sa.Column("rank_key", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("last_message", sa.String(length=200), nullable=True,
                  comment="masked preview"),
        sa.Column("claimed_by", sa.Integer(), nullable=True),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("claimed_at", _timestamp(), nullable=True),
        sa.Column("closed_at", _timestamp(), nullable=True),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("disposition", sa.String(length=30), nullable=True),
        sa.CheckConstraint("status IN ('waiting', 'claimed', 'closed', 'cancelled')",
                           name=op.f("ck_handoffs_status")),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], ondelete="SET NULL",
                                name=op.f("fk_handoffs_customer_id_customers")),
        sa.ForeignKeyConstraint(["claimed_by"], ["staff_users.id"], ondelete="SET NULL",
                                name=op.f("fk_handoffs_claimed_by_staff_users")),
        sa.ForeignKeyConstraint(["closed_by"], ["staff_users.id"], ondelete="SET NULL",
                                name=op.f("fk_handoffs_closed_by_staff_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoffs")),
    )
    op.create_index(op.f("ix_handoffs_customer_id"), "handoffs", ["customer_id"])
    op.create_index(op.f("ix_handoffs_claimed_by"), "handoffs", ["claimed_by"])
    op.create_index("ix_handoffs_status_rank", "handoffs", ["status", "rank_key"])
    op.create_index(
        "uq_handoffs_active_conversation", "handoffs", ["conversation_id"], unique=True,
        sqlite_where=sa.text("status IN ('waiting', 'claimed')"),
        postgresql_where=sa.text("status IN ('waiting', 'claimed')"),
    )
    op.create_table(
        "handoff_activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False,
                  comment="note/claimed/transferred/…"),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.ForeignKeyConstraint(["handoff_id"], ["handoffs.id"], ondelete="CASCADE",
                                name=op.f("fk_handoff_activities_handoff_id_handoffs")),
        sa.ForeignKeyConstraint(["staff_id"], ["staff_users.id"], ondelete="SET NULL",
                                name=op.f("fk_handoff_activities_staff_id_staff_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_activities")),
    )
    op.create_index(op.f("ix_handoff_activities_handoff_id"), "handoff_activities",
                    ["handoff_id"])
    op.create_table(
        "agent_presence",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False,
                  comment="online/away/offline"),
        sa.Column("last_seen_at", _timestamp(), nullable=False),
        sa.Column("online_since", _timestamp(), nullable=True),
        sa.ForeignKeyConstraint(["staff_id"], ["staff_users.id"], ondelete="CASCADE",
                                name=op.f("fk_agent_presence_staff_id_staff_users")),
        sa.PrimaryKeyConstraint("staff_id", name=op.f("pk_agent_presence")),
    )
    op.create_table(
        "callback_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=100), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("phone", sa.String(length=11), nullable=True, comment="number to call back"),
        sa.Column("preferred_time", sa.String(length=50), nullable=False,
                  comment="客户说的方便时间"),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("handled_by", sa.Integer(), nullable=True),
        sa.Column("handled_at", _timestamp(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.CheckConstraint("status IN ('open', 'done', 'cancelled')",
                           name=op.f("ck_callback_requests_status")),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], ondelete="SET NULL",
                                name=op.f("fk_callback_requests_customer_id_customers")),
        sa.ForeignKeyConstraint(["handled_by"], ["staff_users.id"], ondelete="SET NULL",
                                name=op.f("fk_callback_requests_handled_by_staff_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callback_requests")),
    )
    op.create_index(op.f("ix_callback_requests_customer_id"), "callback_requests",
                    ["customer_id"])


def downgrade() -> None:
    op.drop_table("callback_requests")
    op.drop_table("agent_presence")
    op.drop_index(op.f("ix_handoff_activities_handoff_id"), table_name="handoff_activities")
    op.drop_table("handoff_activities")
    op.drop_index("uq_handoffs_active_conversation", table_name="handoffs")
    op.drop_index("ix_handoffs_status_rank", table_name="handoffs")
    op.drop_index(op.f("ix_handoffs_claimed_by"), table_name="handoffs")
    op.drop_index(op.f("ix_handoffs_customer_id"), table_name="handoffs")
    op.drop_table("handoffs")
