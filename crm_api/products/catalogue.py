"""The demo product catalogue: catalogue.yml, checked against `CatalogueEntry` on load.

Every row must be one the `products` table accepts and the recommender can reason about,
so a mistake in the file fails the seed with the product and field named, not later as
a constraint error or a wrong suitability check.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from crm_api.products.models import INVESTMENT_TYPES, PRODUCT_TYPES, RATE_KINDS, SALE_STATUSES

CATALOGUE_FILE = Path(__file__).with_name("catalogue.yml")


class CatalogueError(ValueError):
    """The catalogue file cannot be used; the message names every bad product and field."""


def _exact_decimal(value: object) -> object:
    # A YAML number is a binary float (0.1 + 0.2 != 0.3); money and rates are written
    # as strings and become exact decimals.
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except ArithmeticError:
            raise ValueError(f"not a decimal number: {value!r}") from None
        if not number.is_finite():
            raise ValueError(f"not a finite number: {value!r}")
        return number
    raise ValueError(f'write it as a quoted string, e.g. "{value}", so it stays exact')


ExactDecimal = Annotated[Decimal, BeforeValidator(_exact_decimal)]


def _one_of(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r}; one of: {', '.join(allowed)}")
    return value


class CatalogueEntry(BaseModel):
    """One product of catalogue.yml; the fields are the `Product` model's columns."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    code: str = Field(min_length=1, max_length=20)
    name: str = Field(min_length=1, max_length=60)
    product_type: str
    subtype: str = Field(min_length=1, max_length=20)
    risk_level: int | None = None
    term_days: int | None = Field(default=None, gt=0)
    max_term_months: int | None = Field(default=None, gt=0)
    min_amount: ExactDecimal = Field(ge=0, decimal_places=2)
    max_amount: ExactDecimal | None = Field(default=None, ge=0, decimal_places=2)
    rate: ExactDecimal | None = Field(default=None, ge=0, max_digits=7, decimal_places=4)
    rate_kind: str
    min_age: int = Field(ge=0, le=120)
    max_age: int | None = Field(default=None, ge=0, le=120)
    target_customers: str = Field(min_length=1, max_length=200)
    features: str = Field(min_length=1)
    sale_status: str

    @field_validator("product_type")
    @classmethod
    def _known_product_type(cls, value: str) -> str:
        return _one_of(value, PRODUCT_TYPES, "product type")

    @field_validator("rate_kind")
    @classmethod
    def _known_rate_kind(cls, value: str) -> str:
        return _one_of(value, RATE_KINDS, "rate kind")

    @field_validator("sale_status")
    @classmethod
    def _known_sale_status(cls, value: str) -> str:
        return _one_of(value, SALE_STATUSES, "sale status")

    @field_validator("risk_level")
    @classmethod
    def _known_risk_level(cls, value: int | None) -> int | None:
        if value is not None and not 1 <= value <= 5:
            raise ValueError(f"unknown risk level {value}; 1..5 for R1..R5, or leave it out")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> CatalogueEntry:
        if (self.rate is None) != (self.rate_kind == "none"):
            raise ValueError('a rate needs a rate_kind other than "none", and "none" no rate')
        if self.product_type in INVESTMENT_TYPES and self.risk_level is None:
            raise ValueError(f"a {self.product_type} product needs a risk_level (suitability)")
        if self.max_amount is not None and self.max_amount < self.min_amount:
            raise ValueError("max_amount is below min_amount")
        if self.max_age is not None and self.max_age < self.min_age:
            raise ValueError("max_age is below min_age")
        return self


def _problem(label: str, error: ErrorDetails) -> str:
    where = ".".join(str(part) for part in error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{label}: {where}: {message}" if where else f"{label}: {message}"


def load_catalogue(path: Path = CATALOGUE_FILE) -> list[CatalogueEntry]:
    """Every product of the file, in order.

    Raises:
        CatalogueError: unreadable YAML, or any product that fails `CatalogueEntry`
            (all of them listed), or a product code used twice.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path.name}: not valid YAML: {exc}") from None
    rows = data.get("products") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise CatalogueError(f"{path.name}: expected a top-level 'products:' list")
    entries: list[CatalogueEntry] = []
    problems: list[str] = []
    for number, row in enumerate(rows, start=1):
        code = row.get("code") if isinstance(row, dict) else None
        label = f"product {number}" + (f" ({code})" if code else "")
        try:
            entries.append(CatalogueEntry.model_validate(row))
        except ValidationError as exc:
            problems.extend(_problem(label, error) for error in exc.errors())
    seen: set[str] = set()
    for entry in entries:
        if entry.code in seen:
            problems.append(f"product code {entry.code} is used twice")
        seen.add(entry.code)
    if problems:
        raise CatalogueError(f"{path.name} is invalid:\n  " + "\n  ".join(problems))
    return entries


@lru_cache(maxsize=1)
def _shipped_catalogue() -> tuple[CatalogueEntry, ...]:
    return tuple(load_catalogue())


def catalogue_rows() -> list[dict[str, Any]]:
    """The shipped catalogue as `Product` keyword arguments (fresh dicts on every call)."""
    return [entry.model_dump() for entry in _shipped_catalogue()]
