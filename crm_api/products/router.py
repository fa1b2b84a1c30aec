"""产品 / product catalogue, rate tables and holdings."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from crm_api.deps import SessionDep
from crm_api.errors import ErrorBody
from crm_api.products import service
from crm_api.products.models import ProductType
from crm_api.products.schemas import HoldingPublic, ProductPublic, RatePublic

router = APIRouter(tags=["产品 products"])


@router.get("/products", summary="产品目录（默认只列在售产品）")
def list_products(
    session: SessionDep,
    product_type: Annotated[ProductType | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=30, description="名称/子类关键词或产品代码")] = None,
    include_closed: bool = False,
) -> list[ProductPublic]:
    products = service.list_products(
        session=session, product_type=product_type, query=q, include_closed=include_closed
    )
    return [ProductPublic.from_product(p) for p in products]


@router.get("/products/rates", summary="利率表：存款挂牌利率、理财业绩比较基准、贷款利率")
def list_rates(
    session: SessionDep, product_type: Annotated[ProductType | None, Query()] = None
) -> list[RatePublic]:
    return [
        RatePublic.from_product(p)
        for p in service.rate_table(session=session, product_type=product_type)
    ]


@router.get(
    "/products/{code}",
    summary="产品详情",
    responses={404: {"model": ErrorBody, "description": "product_not_found"}},
)
def get_product(code: str, session: SessionDep) -> ProductPublic:
    return ProductPublic.from_product(service.get_product(session=session, code=code))


@router.get(
    "/customers/{customer_id}/holdings",
    summary="客户持有的产品",
    responses={404: {"model": ErrorBody, "description": "customer_not_found"}},
)
def list_holdings(customer_id: int, session: SessionDep) -> list[HoldingPublic]:
    return [
        HoldingPublic.from_holding(h)
        for h in service.list_holdings(session=session, customer_id=customer_id)
    ]
