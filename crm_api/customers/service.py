"""Customer look-ups."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankkit.identifiers import normalise_phone
from crm_api.customers.errors import CustomerNotFound, InvalidPhone
from crm_api.customers.models import Customer


def parse_phone(raw: str) -> str:
    """The 11-digit phone in `raw`, or `InvalidPhone`."""
    phone = normalise_phone(raw)
    if phone is None:
        raise InvalidPhone()
    return phone


def get_customer(*, session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise CustomerNotFound()
    return customer


def find_customer_by_phone(*, session: Session, phone: str) -> Customer | None:
    return session.scalar(select(Customer).where(Customer.phone == phone))


def get_customer_by_phone(*, session: Session, phone: str) -> Customer:
    """The customer with this (raw) phone; `InvalidPhone` or `CustomerNotFound` otherwise."""
    customer = find_customer_by_phone(session=session, phone=parse_phone(phone))
    if customer is None:
        raise CustomerNotFound()
    return customer
