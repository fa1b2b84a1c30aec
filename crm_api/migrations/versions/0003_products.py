"""products, holdings, risk assessments, recommendation log, sales leads

Revision ID: 0003_products
Revises: 0001
Create Date: 2026-11-29

A branch from 0001 beside 0002; 0007 merges the branches into one head. Types spelled out
as in 0001: money NUMERIC(18,2) (BIGINT fen on SQLite), datetimes TIMESTAMP WITH TIME
ZONE (UTC).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003_products"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _money() -> sa.types.TypeEngine[Any]:
    return sa.Numeric(18, 2).with_variant(sa.BigInteger(), "sqlite")


def _timestamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "products",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(20), nullable=False, comment="产品代码"),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("product_type", sa.String(4), nullable=False),
        sa.Column("subtype", sa.String(20), nullable=False, comment="如 房贷/车贷、货币基金、重疾险"),
        sa.Column("risk_level", sa.Integer(), nullable=True, comment="R1–R5；存款、贷款、信用卡为空"),
        sa.Column("term_days", sa.Integer(), nullable=True, comment="期限（天）；开放式/无期限为空"),
        sa.Column("max_term_months", sa.Integer(), nullable=True, comment="贷款最长期限（月）"),
        sa.Column("min_amount", _money(), nullable=False, comment="起购/起贷金额"),
        sa.Column("max_amount", _money(), nullable=True, comment="贷款最高额度"),
        sa.Column("rate", sa.Numeric(7, 4), nullable=True, comment="年化百分比"),
        sa.Column("rate_kind", sa.String(12), nullable=False),
        sa.Column("min_age", sa.Integer(), nullable=False),
        sa.Column("max_age", sa.Integer(), nullable=True),
        sa.Column("target_customers", sa.String(200), nullable=False),
        sa.Column("features", sa.Text(), nullable=False, comment="产品特点，给客户看的简介"),
        sa.Column("sale_status", sa.String(10), nullable=False),
        sa.CheckConstraint(
            "product_type IN ('定期存款', '大额存单', '理财', '基金', '贷款', '信用卡', '保险')",
            name=op.f("ck_products_product_type"),
        ),
        sa.CheckConstraint(
            "sale_status IN ('on_sale', 'closed', 'upcoming')", name=op.f("ck_products_sale_status")
        ),
        sa.CheckConstraint(
            "risk_level IS NULL OR risk_level BETWEEN 1 AND 5", name=op.f("ck_products_risk_level")
        ),
        sa.CheckConstraint(
            "rate_kind IN ('fixed', 'benchmark', 'historical', 'loan', 'none')",
            name=op.f("ck_products_rate_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.UniqueConstraint("code", name=op.f("uq_products_code")),
    )
    op.create_index(
        "ix_products_product_type_sale_status", "products", ["product_type", "sale_status"]
    )
    op.create_table(
        "product_holdings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("amount", _money(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.CheckConstraint("status IN ('active', 'matured')", name=op.f("ck_product_holdings_status")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], ondelete="CASCADE",
            name=op.f("fk_product_holdings_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], ondelete="CASCADE",
            name=op.f("fk_product_holdings_product_id_products"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_holdings")),
    )
    op.create_index(
        "ix_product_holdings_customer_id_product_id", "product_holdings",
        ["customer_id", "product_id"],
    )
    op.create_index(op.f("ix_product_holdings_product_id"), "product_holdings", ["product_id"])
    op.create_table(
        "risk_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_version", sa.String(20), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("risk_level", sa.Integer(), nullable=False, comment="1..5 = C1 保守型 … C5 激进型"),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("assessed_at", _timestamp(), nullable=False),
        sa.Column("expires_at", _timestamp(), nullable=False),
        sa.CheckConstraint("risk_level BETWEEN 1 AND 5", name=op.f("ck_risk_assessments_risk_level")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], ondelete="CASCADE",
            name=op.f("fk_risk_assessments_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_assessments")),
    )
    op.create_index(
        "ix_risk_assessments_customer_id_assessed_at", "risk_assessments",
        ["customer_id", "assessed_at"],
    )
    op.create_table(
        "recommendation_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.String(32), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False, comment="请求参数：类型、金额、期限"),
        sa.Column("model_version", sa.String(40), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("interest", sa.String(20), nullable=True),
        sa.Column("interest_at", _timestamp(), nullable=True),
        sa.CheckConstraint(
            "interest IS NULL OR interest IN ('interested', 'not_interested', 'viewed_details')",
            name=op.f("ck_recommendation_events_interest"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], ondelete="CASCADE",
            name=op.f("fk_recommendation_events_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], ondelete="CASCADE",
            name=op.f("fk_recommendation_events_product_id_products"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation_events")),
    )
    op.create_index(
        op.f("ix_recommendation_events_request_id"), "recommendation_events", ["request_id"]
    )
    op.create_index(
        "ix_recommendation_events_customer_id_created_at", "recommendation_events",
        ["customer_id", "created_at"],
    )
    op.create_table(
        "sales_leads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=True),
        sa.Column("amount", _money(), nullable=True, comment="客户提到的金额"),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("note", sa.String(200), nullable=True),
        sa.Column("created_at", _timestamp(), nullable=False),
        sa.Column("reference", sa.String(20), nullable=True),
        sa.CheckConstraint(
            "status IN ('new', 'contacted', 'converted', 'closed')",
            name=op.f("ck_sales_leads_status"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], ondelete="CASCADE",
            name=op.f("fk_sales_leads_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], ondelete="CASCADE",
            name=op.f("fk_sales_leads_product_id_products"),
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"], ["recommendation_events.id"], ondelete="SET NULL",
            name=op.f("fk_sales_leads_recommendation_id_recommendation_events"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_leads")),
        sa.UniqueConstraint("reference", name=op.f("uq_sales_leads_reference")),
    )
    op.create_index(
        "ix_sales_leads_customer_id_product_id", "sales_leads", ["customer_id", "product_id"]
    )


def downgrade() -> None:
    op.drop_table("sales_leads")
    op.drop_table("recommendation_events")
    op.drop_table("risk_assessments")
    op.drop_table("product_holdings")
    op.drop_table("products")
