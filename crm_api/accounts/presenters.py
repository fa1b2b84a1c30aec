"""Account answers built from the service's results: transaction pages and card-loss
reports."""

from __future__ import annotations

from crm_api.accounts.schemas import (
    AccountPublic,
    CardLossResult,
    TransactionPage,
    TransactionPublic,
)
from crm_api.accounts.service import CardLossOutcome, TransactionPageResult


def transaction_page(result: TransactionPageResult) -> TransactionPage:
    return TransactionPage(
        items=[TransactionPublic.model_validate(t) for t in result.items],
        total=result.total,
        income_total=result.income_total,
        spending_total=result.spending_total,
        start=result.start,
        end=result.end,
    )


def card_loss(outcome: CardLossOutcome) -> CardLossResult:
    # the reference embeds the report's id, so it is set once the report is flushed
    if outcome.report.reference is None:
        raise ValueError("a card-loss report without its reference")
    return CardLossResult(
        account=AccountPublic.from_account(outcome.account),
        already_reported=outcome.already_reported,
        reported_at=outcome.report.reported_at,
        reference=outcome.report.reference,
    )
