"""Accounts (debit and credit cards), their transactions, card-loss reports, audit log."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, Literal, get_args

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from bankkit.identifiers import is_luhn_valid
from crm_api.clock import utc_now
from crm_api.database import Base, Money, UTCDateTime

if TYPE_CHECKING:
    from crm_api.customers.models import Customer

AccountType = Literal["储蓄卡", "信用卡"]
DEBIT_CARD: Final = "储蓄卡"
CREDIT_CARD: Final = "信用卡"
ACCOUNT_TYPES: tuple[AccountType, ...] = get_args(AccountType)
AccountStatus = Literal["normal", "frozen", "lost"]
ACCOUNT_STATUSES: tuple[AccountStatus, ...] = get_args(AccountStatus)
LossReason = Literal["lost", "stolen", "swallowed"]
LOSS_REASONS: tuple[LossReason, ...] = get_args(LossReason)


class Account(Base):
    """A card account.

    `balance` is the available balance of a 储蓄卡, and the amount owed (≥ 0) on a 信用卡;
    the statement fields are only set on credit cards.
    """

    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint("account_type IN ('储蓄卡', '信用卡')", name="account_type"),
        CheckConstraint("status IN ('normal', 'frozen', 'lost')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    account_type: Mapped[AccountType] = mapped_column(String(3))
    number: Mapped[str] = mapped_column(String(19), unique=True, comment="完整卡号，绝不对外返回")
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    balance: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    status: Mapped[AccountStatus] = mapped_column(String(10), default="normal")
    credit_limit: Mapped[Decimal | None] = mapped_column(Money)
    statement_amount: Mapped[Decimal | None] = mapped_column(Money)
    minimum_payment: Mapped[Decimal | None] = mapped_column(Money)
    statement_date: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    opened_on: Mapped[date] = mapped_column(Date)

    customer: Mapped[Customer] = relationship(back_populates="accounts")

    @validates("number")
    def _validate_number(self, _key: str, value: str) -> str:
        if not is_luhn_valid(value):
            raise ValueError("card number must be 16–19 digits and Luhn-valid")
        return value

    @property
    def last4(self) -> str:
        return self.number[-4:]

    @property
    def is_credit_card(self) -> bool:
        return self.account_type == CREDIT_CARD

    @property
    def available_credit(self) -> Decimal | None:
        if not self.is_credit_card or self.credit_limit is None:
            return None
        return max(self.credit_limit - self.balance, Decimal("0.00"))


class Transaction(Base):
    """A posted transaction; `amount` is signed (+ income / repayment, − spending).

    `balance_after` follows the account's `balance` meaning: available balance for a
    储蓄卡, amount owed for a 信用卡.
    """

    __tablename__ = "transactions"
    __table_args__ = (Index("ix_transactions_account_id_occurred_at", "account_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    amount: Mapped[Decimal] = mapped_column(Money)
    counterparty: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(20))
    balance_after: Mapped[Decimal] = mapped_column(Money)


class CardLossReport(Base):
    """At most one per account: reporting again returns the first report (idempotent)."""

    __tablename__ = "card_loss_reports"
    __table_args__ = (CheckConstraint("reason IN ('lost', 'stolen', 'swallowed')", name="reason"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), unique=True
    )
    reason: Mapped[LossReason] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(String(20))
    reported_by: Mapped[str] = mapped_column(String(50))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    # Embeds the row id, so it is set right after the insert is flushed.
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)


class AuditLogEntry(Base):
    """Who did what to which account. `detail` never holds full card/ID/phone numbers."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[str] = mapped_column(String(50), comment="service caller")
    action: Mapped[str] = mapped_column(String(50))
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    reference: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
