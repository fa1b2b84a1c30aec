"""What an agent sees of the customer (profile, masked accounts, recent transactions,
complaints, satisfaction, products) and the audit row each such staff read leaves."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_api.accounts.models import Account, Transaction
from crm_api.customers.models import Customer
from crm_api.handoff.models import Handoff
from crm_api.staff.audit import record_staff_action
from crm_api.staff.models import StaffUser


def audit_access(
    *,
    session: Session,
    now: datetime,
    staff: StaffUser,
    action: str,
    handoff: Handoff,
    customer_id: int | None,
) -> None:
    """Every staff read of customer data leaves a row in the audit log."""
    record_staff_action(
        session=session,
        staff=staff,
        action=action,
        now=now,
        reference=f"HO{handoff.id}",
        customer_id=customer_id,
        conversation_id=handoff.conversation_id,
    )


def _masked_card(number: str) -> str:
    return f"尾号{number[-4:]}"


def customer_360(*, session: Session, customer_id: int, today_start: datetime) -> dict[str, Any]:
    """Profile, accounts (masked), recent transactions, complaints, satisfaction, products."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        return {}
    accounts = list(
        session.scalars(
            select(Account).where(Account.customer_id == customer_id).order_by(Account.id)
        )
    )
    account_labels = {a.id: f"{a.account_type}{_masked_card(a.number)}" for a in accounts}
    transactions = list(
        session.scalars(
            select(Transaction)
            .where(Transaction.account_id.in_(list(account_labels) or [-1]))
            .order_by(Transaction.occurred_at.desc())
            .limit(10)
        )
    )
    result: dict[str, Any] = {
        "profile": {
            "customer_id": customer.id,
            "name": customer.name,
            "gender": customer.gender,
            "age": today_start.year - customer.birth_date.year,
            "tier": customer.tier,
            "city": customer.city,
            "occupation": customer.occupation,
            "phone": f"{customer.phone[:3]}****{customer.phone[-4:]}",
            "customer_since": customer.created_at.date().isoformat(),
        },
        "accounts": [
            {
                "id": a.id,
                "label": account_labels[a.id],
                "account_type": a.account_type,
                "status": a.status,
                "balance": str(a.balance),
                "credit_limit": str(a.credit_limit) if a.credit_limit is not None else None,
            }
            for a in accounts
        ],
        "transactions": [
            {
                "occurred_at": t.occurred_at,
                "account": account_labels.get(t.account_id, ""),
                "amount": str(t.amount),
                "counterparty": t.counterparty,
                "channel": t.channel,
                "category": t.category,
            }
            for t in transactions
        ],
        "complaints": [],
        "satisfaction": [],
        "holdings": [],
        "recommendations": [],
    }
    result.update(_optional_sections(session=session, customer_id=customer_id))
    return result


def _optional_sections(*, session: Session, customer_id: int) -> dict[str, Any]:
    """Sections owned by other domains; each is skipped if its module is not installed."""
    sections: dict[str, Any] = {}
    try:
        from crm_api.complaints.models import Complaint

        sections["complaints"] = [
            {
                "number": c.number,
                "category": c.category,
                "status": c.status,
                "created_at": c.created_at,
                "description": c.description[:80],
            }
            for c in session.scalars(
                select(Complaint)
                .where(Complaint.customer_id == customer_id, Complaint.closed_at.is_(None))
                .order_by(Complaint.created_at.desc())
                .limit(5)
            )
        ]
    except ImportError:  # pragma: no cover - complaints not installed
        pass
    try:
        from crm_api.satisfaction.models import SatisfactionResponse

        sections["satisfaction"] = [
            {
                "score": s.score,
                "channel": s.channel,
                "comment": s.comment,
                "answered_at": s.answered_at,
            }
            for s in session.scalars(
                select(SatisfactionResponse)
                .where(
                    SatisfactionResponse.customer_id == customer_id,
                    SatisfactionResponse.score.is_not(None),
                )
                .order_by(SatisfactionResponse.created_at.desc())
                .limit(5)
            )
        ]
    except ImportError:  # pragma: no cover
        pass
    try:
        from crm_api.products.models import Holding
        from crm_api.recommendations.models import RecommendationEvent

        sections["holdings"] = [
            {
                "product": h.product.name,
                "product_type": h.product.product_type,
                "amount": str(h.amount),
                "started_on": h.started_on.isoformat(),
            }
            for h in session.scalars(
                select(Holding)
                .where(Holding.customer_id == customer_id, Holding.status == "active")
                .limit(10)
            )
        ]
        seen: set[int] = set()
        recommended = []
        for event in session.scalars(
            select(RecommendationEvent)
            .where(RecommendationEvent.customer_id == customer_id)
            .order_by(RecommendationEvent.created_at.desc())
            .limit(20)
        ):
            if event.product_id in seen:
                continue
            seen.add(event.product_id)
            recommended.append(
                {
                    "product": event.product.name,
                    "product_type": event.product.product_type,
                    "reasons": list(event.reasons or [])[:2],
                    "interest": event.interest,
                }
            )
        sections["recommendations"] = recommended[:5]
    except ImportError:  # pragma: no cover
        pass
    return sections
