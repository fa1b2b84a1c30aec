"""trainer tools: retrain-and-reload runs started from the staff console

Revision ID: 0006_training_runs
Revises: 0002_complaints
Create Date: 2026-12-03

The requested_by foreign key needs staff_users, hence 0002_complaints as parent
(first written as 0001 + depends_on 0002_complaints: the same order and version rows,
but that left 0002 as a head of its own). 0007 merges the branches into one head.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_training_runs"
down_revision: str | None = "0002_complaints"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "training_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("stage", sa.String(length=10), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False, comment="0-100"),
        sa.Column("step", sa.String(length=200), nullable=True,
                  comment="what it is doing, Chinese"),
        sa.Column("owner", sa.String(length=120), nullable=False,
                  comment="host:pid:boot id of the runner"),
        sa.Column("started_at", _timestamp(), nullable=False),
        sa.Column("heartbeat_at", _timestamp(), nullable=False),
        sa.Column("finished_at", _timestamp(), nullable=True),
        sa.Column("model_file", sa.String(length=500), nullable=True, comment="archive trained"),
        sa.Column("model_id", sa.String(length=64), nullable=True, comment="Rasa model_id"),
        sa.Column("log_tail", sa.Text(), nullable=False, comment="last lines, PII masked"),
        sa.Column("error_code", sa.String(length=40), nullable=True),
        sa.Column("error", sa.Text(), nullable=True, comment="Chinese, PII masked"),
        sa.CheckConstraint("status IN ('running', 'succeeded', 'failed')",
                           name=op.f("ck_training_runs_status")),
        sa.CheckConstraint("stage IN ('queued', 'training', 'loading', 'done', 'failed')",
                           name=op.f("ck_training_runs_stage")),
        sa.ForeignKeyConstraint(["requested_by"], ["staff_users.id"], ondelete="SET NULL",
                                name=op.f("fk_training_runs_requested_by_staff_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_runs")),
    )
    # at most one run trains at a time, across every crm_api instance
    op.create_index(
        "uq_training_runs_running", "training_runs", ["status"], unique=True,
        sqlite_where=sa.text("status = 'running'"),
        postgresql_where=sa.text("status = 'running'"),
    )


def downgrade() -> None:
    op.drop_index("uq_training_runs_running", table_name="training_runs")
    op.drop_table("training_runs")
