"""complaints, notes, follow-ups (回访), satisfaction surveys, staff users and sessions

Revision ID: 0002_complaints
Revises: 0001
Create Date: 2026-11-29

Types spelled out (see 0001): datetimes are TIMESTAMP WITH TIME ZONE (UTC; naive UTC text
on SQLite). Dashboard indexes: satisfaction (survey_day, channel, score) and the intents'
(survey_day, intent, channel, score) let the GROUP BY queries read only the index.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_complaints"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=50), nullable=False),
        sa.Column("display_name", sa.String(length=50), nullable=False, comment="如 小李"),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column(
            "branch", sa.String(length=30), nullable=False, comment="所属机构，如 北京分行 / 总行"
        ),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", _timestamp(), nullable=True),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("last_login_at", _timestamp(), nullable=True),
        sa.CheckConstraint(
            "role IN ('agent', 'supervisor', 'trainer')", name=op.f("ck_staff_users_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_users")),
        sa.UniqueConstraint("username", name=op.f("uq_staff_users_username")),
    )
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False, comment="TS+日期+4位序号"),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("contact_name", sa.String(length=50), nullable=True),
        sa.Column("contact_phone", sa.String(length=11), nullable=True),
        sa.Column("contact_method", sa.String(length=10), nullable=False),
        sa.Column("category", sa.String(length=10), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("account_ref", sa.String(length=100), nullable=True, comment="涉及的账户或交易"),
        sa.Column(
            "occurred_text", sa.String(length=50), nullable=True, comment="客户所说的发生时间"
        ),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("conversation_id", sa.String(length=100), nullable=True),
        sa.Column("idempotency_key", sa.String(length=100), nullable=True),
        sa.Column("request_fingerprint", sa.String(length=64), nullable=True),
        sa.Column("customer_tier", sa.String(length=4), nullable=False, comment="立案时的客户等级"),
        sa.Column("branch", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("sla_hours", sa.Integer(), nullable=False),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("updated_at", _timestamp(), nullable=False),
        sa.Column("due_at", _timestamp(), nullable=False),
        sa.Column("resolved_at", _timestamp(), nullable=True),
        sa.Column("closed_at", _timestamp(), nullable=True),
        sa.Column("reopen_count", sa.Integer(), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "category IN ('服务态度', '收费', '系统故障', '业务办理', '产品', '其他')",
            name=op.f("ck_complaints_category"),
        ),
        sa.CheckConstraint(
            "contact_method IN ('电话', '短信', '手机银行消息')",
            name=op.f("ck_complaints_contact_method"),
        ),
        sa.CheckConstraint(
            "status IN ('已受理', '处理中', '已解决', '已关闭')", name=op.f("ck_complaints_status")
        ),
        sa.CheckConstraint(
            "customer_id IS NOT NULL OR contact_phone IS NOT NULL",
            name=op.f("ck_complaints_contact_known"),
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["staff_users.id"],
            name=op.f("fk_complaints_assignee_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_complaints_customer_id_customers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_complaints_idempotency_key")),
        sa.UniqueConstraint("number", name=op.f("uq_complaints_number")),
    )
    op.create_index(op.f("ix_complaints_assignee_id"), "complaints", ["assignee_id"], unique=False)
    op.create_index("ix_complaints_branch_status", "complaints", ["branch", "status"], unique=False)
    op.create_index("ix_complaints_created_at", "complaints", ["created_at"], unique=False)
    op.create_index(op.f("ix_complaints_customer_id"), "complaints", ["customer_id"], unique=False)
    op.create_index("ix_complaints_status_due_at", "complaints", ["status", "due_at"], unique=False)
    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("expires_at", _timestamp(), nullable=False),
        sa.Column("revoked_at", _timestamp(), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_users.id"],
            name=op.f("fk_staff_sessions_staff_id_staff_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_sessions_token_hash")),
    )
    op.create_index(
        op.f("ix_staff_sessions_staff_id"), "staff_sessions", ["staff_id"], unique=False
    )
    op.create_table(
        "complaint_follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("due_at", _timestamp(), nullable=False),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("completed_at", _timestamp(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('待回访', '已完成')", name=op.f("ck_complaint_follow_ups_status")
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"],
            ["staff_users.id"],
            name=op.f("fk_complaint_follow_ups_assignee_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_complaint_follow_ups_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_follow_ups")),
    )
    op.create_index(
        op.f("ix_complaint_follow_ups_complaint_id"),
        "complaint_follow_ups",
        ["complaint_id"],
        unique=False,
    )
    op.create_table(
        "complaint_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.String(length=50), nullable=False),
        sa.Column(
            "kind",
            sa.String(length=20),
            nullable=False,
            comment="note | status | assignment | created",
        ),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["staff_users.id"],
            name=op.f("fk_complaint_notes_author_id_staff_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_complaint_notes_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_notes")),
    )
    op.create_index(
        op.f("ix_complaint_notes_complaint_id"), "complaint_notes", ["complaint_id"], unique=False
    )
    op.create_table(
        "satisfaction_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "reference",
            sa.String(length=120),
            nullable=True,
            comment="client reference; a retry returns the same row",
        ),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("conversation_id", sa.String(length=100), nullable=True),
        sa.Column("complaint_id", sa.Integer(), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("human_involved", sa.Boolean(), nullable=False),
        sa.Column("score", sa.SmallInteger(), nullable=True, comment="CSAT 1–5"),
        sa.Column("nps_score", sa.SmallInteger(), nullable=True, comment="推荐意愿 0–10"),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("answered_at", _timestamp(), nullable=True),
        sa.Column("survey_day", sa.Date(), nullable=True, comment="answer day, Beijing time"),
        sa.CheckConstraint(
            "kind IN ('conversation', 'complaint')", name=op.f("ck_satisfaction_responses_kind")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'answered')", name=op.f("ck_satisfaction_responses_status")
        ),
        sa.CheckConstraint(
            "nps_score IS NULL OR nps_score BETWEEN 0 AND 10",
            name=op.f("ck_satisfaction_responses_nps_score"),
        ),
        sa.CheckConstraint(
            "score IS NULL OR score BETWEEN 1 AND 5", name=op.f("ck_satisfaction_responses_score")
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_satisfaction_responses_complaint_id_complaints"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_satisfaction_responses_customer_id_customers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_satisfaction_responses")),
        sa.UniqueConstraint("reference", name=op.f("uq_satisfaction_responses_reference")),
    )
    op.create_index(
        "ix_satisfaction_answered_at", "satisfaction_responses", ["answered_at"], unique=False
    )
    op.create_index(
        "ix_satisfaction_day_channel_score",
        "satisfaction_responses",
        ["survey_day", "channel", "score"],
        unique=False,
    )
    op.create_index(
        "ix_satisfaction_day_channel_nps",
        "satisfaction_responses",
        ["survey_day", "channel", "nps_score"],
        unique=False,
    )
    op.create_index(
        "ix_satisfaction_low_comments",
        "satisfaction_responses",
        ["answered_at"],
        unique=False,
        sqlite_where=sa.text("score <= 2 AND comment IS NOT NULL"),
        postgresql_where=sa.text("score <= 2 AND comment IS NOT NULL"),
    )
    op.create_index(
        op.f("ix_satisfaction_responses_complaint_id"),
        "satisfaction_responses",
        ["complaint_id"],
        unique=False,
    )
    op.create_table(
        "satisfaction_intents",
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("intent", sa.String(length=50), nullable=False),
        sa.Column("survey_day", sa.Date(), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("score", sa.SmallInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["satisfaction_responses.id"],
            name=op.f("fk_satisfaction_intents_response_id_satisfaction_responses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("response_id", "intent", name=op.f("pk_satisfaction_intents")),
    )
    op.create_index(
        "ix_satisfaction_intents_day_intent",
        "satisfaction_intents",
        ["survey_day", "intent", "channel", "score"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("satisfaction_intents")
    op.drop_table("satisfaction_responses")
    op.drop_table("complaint_notes")
    op.drop_table("complaint_follow_ups")
    op.drop_table("staff_sessions")
    op.drop_table("complaints")
    op.drop_table("staff_users")
