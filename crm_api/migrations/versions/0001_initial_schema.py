"""initial schema: customers, accounts, transactions, card loss, audit log, OTP, SMS outbox

Revision ID: 0001
Revises:
Create Date: 2026-11-29

Hand-checked. Types are spelled out rather than imported from crm_api so this file keeps
meaning the same thing when the models change later:
- money: NUMERIC(18,2); on SQLite BIGINT holding fen (see crm_api.database.Money);
- datetimes: TIMESTAMP WITH TIME ZONE (UTC); SQLite stores naive UTC text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _money() -> sa.types.TypeEngine[Any]:
    return sa.Numeric(18, 2).with_variant(sa.BigInteger(), "sqlite")


def _timestamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("gender", sa.String(1), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("id_number", sa.String(18), nullable=False, comment="18位居民身份证号"),
        sa.Column("phone", sa.String(11), nullable=False),
        sa.Column("city", sa.String(30), nullable=False),
        sa.Column("occupation", sa.String(50), nullable=False),
        sa.Column("income_band", sa.String(30), nullable=False, comment="年收入区间"),
        sa.Column("tier", sa.String(4), nullable=False),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.CheckConstraint("gender IN ('男', '女')", name=op.f("ck_customers_gender")),
        sa.CheckConstraint("tier IN ('普通', '金卡', '白金', '私行')", name=op.f("ck_customers_tier")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        sa.UniqueConstraint("id_number", name=op.f("uq_customers_id_number")),
        sa.UniqueConstraint("phone", name=op.f("uq_customers_phone")),
    )
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("account_type", sa.String(3), nullable=False),
        sa.Column("number", sa.String(19), nullable=False, comment="完整卡号，绝不对外返回"),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("balance", _money(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("credit_limit", _money(), nullable=True),
        sa.Column("statement_amount", _money(), nullable=True),
        sa.Column("minimum_payment", _money(), nullable=True),
        sa.Column("statement_date", sa.Date(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.CheckConstraint(
            "account_type IN ('储蓄卡', '信用卡')", name=op.f("ck_accounts_account_type")
        ),
        sa.CheckConstraint("status IN ('normal', 'frozen', 'lost')", name=op.f("ck_accounts_status")),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_accounts_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("number", name=op.f("uq_accounts_number")),
    )
    op.create_index(op.f("ix_accounts_customer_id"), "accounts", ["customer_id"])

    op.create_table(
        "transactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", _timestamp(), nullable=False),
        sa.Column("amount", _money(), nullable=False),
        sa.Column("counterparty", sa.String(100), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("balance_after", _money(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_transactions_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transactions")),
    )
    op.create_index(
        "ix_transactions_account_id_occurred_at", "transactions", ["account_id", "occurred_at"]
    )

    op.create_table(
        "card_loss_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(10), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("reported_by", sa.String(50), nullable=False),
        sa.Column("reported_at", _timestamp(), nullable=False),
        sa.Column("reference", sa.String(20), nullable=True),
        sa.CheckConstraint(
            "reason IN ('lost', 'stolen', 'swallowed')", name=op.f("ck_card_loss_reports_reason")
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_card_loss_reports_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_loss_reports")),
        sa.UniqueConstraint("account_id", name=op.f("uq_card_loss_reports_account_id")),
        sa.UniqueConstraint("reference", name=op.f("uq_card_loss_reports_reference")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(50), nullable=False, comment="service caller"),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("reference", sa.String(30), nullable=True),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_audit_log_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_account_id"), "audit_log", ["account_id"])

    op.create_table(
        "otp_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(11), nullable=False),
        sa.Column(
            "code_hash", sa.String(64), nullable=False, comment="hex HMAC-SHA256(phone:code)"
        ),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("expires_at", _timestamp(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, comment="wrong tries against this code"),
        sa.Column("consumed_at", _timestamp(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_otp_codes")),
    )
    op.create_index("ix_otp_codes_phone_created_at", "otp_codes", ["phone", "created_at"])

    op.create_table(
        "otp_locks",
        sa.Column("phone", sa.String(11), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", _timestamp(), nullable=True),
        sa.Column("locked_until", _timestamp(), nullable=True),
        sa.PrimaryKeyConstraint("phone", name=op.f("pk_otp_locks")),
    )
    # Demo-only simulated SMS gateway; holds message text (codes) by design.
    op.create_table(
        "sms_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(11), nullable=False),
        sa.Column("text", sa.String(200), nullable=False),
        sa.Column("sent_at", _timestamp(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_outbox")),
    )
    op.create_index(op.f("ix_sms_outbox_phone"), "sms_outbox", ["phone"])


def downgrade() -> None:
    op.drop_table("sms_outbox")
    op.drop_table("otp_locks")
    op.drop_table("otp_codes")
    op.drop_table("audit_log")
    op.drop_table("card_loss_reports")
    op.drop_table("transactions")
    op.drop_table("accounts")
    op.drop_table("customers")
