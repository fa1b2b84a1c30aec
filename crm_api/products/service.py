"""Catalogue look-ups, rate tables and customer holdings."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from crm_api.customers.service import get_customer
from crm_api.products.errors import ProductNotFound
from crm_api.products.models import Holding, Product, ProductType


def list_products(
    *,
    session: Session,
    product_type: ProductType | None = None,
    query: str | None = None,
    include_closed: bool = False,
) -> Sequence[Product]:
    stmt = select(Product).order_by(Product.product_type, Product.term_days, Product.id)
    if product_type:
        stmt = stmt.where(Product.product_type == product_type)
    if not include_closed:
        stmt = stmt.where(Product.sale_status == "on_sale")
    if query:
        like = f"%{query.strip()}%"
        stmt = stmt.where(
            or_(Product.name.like(like), Product.subtype.like(like), Product.code == query)
        )
    return session.scalars(stmt).all()


def get_product(*, session: Session, code: str) -> Product:
    product = session.scalar(select(Product).where(Product.code == code))
    if product is None:
        raise ProductNotFound()
    return product


def rate_table(*, session: Session, product_type: ProductType | None = None) -> Sequence[Product]:
    """On-sale products that have a rate, shortest term first."""
    stmt = (
        select(Product)
        .where(Product.sale_status == "on_sale", Product.rate.is_not(None))
        .order_by(Product.product_type, Product.term_days, Product.max_term_months, Product.id)
    )
    if product_type:
        stmt = stmt.where(Product.product_type == product_type)
    return session.scalars(stmt).all()


def list_holdings(*, session: Session, customer_id: int) -> Sequence[Holding]:
    get_customer(session=session, customer_id=customer_id)
    return session.scalars(
        select(Holding)
        .where(Holding.customer_id == customer_id, Holding.status == "active")
        .order_by(Holding.id)
    ).all()
