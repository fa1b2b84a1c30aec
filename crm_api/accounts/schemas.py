"""Account, transaction, statement and card-loss schemas. Card numbers only ever masked."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bankkit.masking import mask_card_number
from crm_api.accounts.models import Account, AccountStatus, AccountType, LossReason
from crm_api.schemas import LocalDateTime, MoneyStr

ZERO = Decimal("0.00")


class AccountPublic(BaseModel):
    id: int
    account_type: AccountType
    masked_number: str = Field(examples=["尾号1234"])
    last4: str = Field(examples=["1234"])
    status: AccountStatus
    currency: Literal["CNY"] = "CNY"
    balance: MoneyStr = Field(description="储蓄卡: 可用余额; 信用卡: 当前欠款 (≥0)")
    credit_limit: MoneyStr | None = None
    available_credit: MoneyStr | None = None
    opened_on: date

    @classmethod
    def from_account(cls, account: Account) -> AccountPublic:
        return cls(
            id=account.id,
            account_type=account.account_type,
            masked_number=mask_card_number(account.number),
            last4=account.last4,
            status=account.status,
            balance=account.balance,
            credit_limit=account.credit_limit if account.is_credit_card else None,
            available_credit=account.available_credit,
            opened_on=account.opened_on,
        )


class TransactionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True, title="Transaction")

    id: int
    occurred_at: LocalDateTime
    amount: MoneyStr = Field(description="+ 收入/还款, − 支出")
    counterparty: str
    channel: str = Field(examples=["手机银行", "ATM", "POS", "网银", "柜面", "快捷支付"])
    category: str = Field(examples=["工资", "餐饮", "购物", "转账", "还款", "缴费", "取现"])
    balance_after: MoneyStr = Field(description="交易后余额 (信用卡为交易后欠款)")


class TransactionPage(BaseModel):
    items: list[TransactionPublic] = Field(description="newest first")
    total: int = Field(description="transactions in the whole range")
    income_total: MoneyStr = Field(description="sum of positive amounts in the whole range")
    spending_total: MoneyStr = Field(description="sum of spending in the whole range, positive")
    start: date
    end: date


class CreditCardStatement(BaseModel):
    account_id: int
    masked_number: str
    statement_date: date
    due_date: date
    statement_amount: MoneyStr
    minimum_payment: MoneyStr
    credit_limit: MoneyStr
    available_credit: MoneyStr
    current_balance: MoneyStr = Field(description="当前欠款 (includes unbilled spending)")

    @classmethod
    def of(cls, account: Account) -> CreditCardStatement:
        """The statement of a credit card that has one (`get_statement_account` checks)."""
        if account.statement_date is None or account.due_date is None:
            raise ValueError("a statement of an account without a statement")
        if account.credit_limit is None:
            raise ValueError("a statement of an account without a credit limit")
        return cls(
            account_id=account.id,
            masked_number=mask_card_number(account.number),
            statement_date=account.statement_date,
            due_date=account.due_date,
            statement_amount=account.statement_amount or ZERO,
            minimum_payment=account.minimum_payment or ZERO,
            credit_limit=account.credit_limit,
            available_credit=account.available_credit or ZERO,
            current_balance=account.balance,
        )


class CardLossCreate(BaseModel):
    reason: LossReason = Field(
        description="lost/stolen → status lost (挂失); swallowed (ATM吞卡) → status frozen"
    )
    channel: str = Field(default="web", min_length=1, max_length=20, examples=["web", "app"])


class CardLossResult(BaseModel):
    account: AccountPublic
    already_reported: bool
    reported_at: LocalDateTime
    reference: str = Field(examples=["GS20261129000123"])
