"""Customer resource schemas."""

from __future__ import annotations

from pydantic import BaseModel, Field

from bankkit.masking import mask_id_number, mask_phone
from crm_api.customers.models import Customer, Gender, Tier


class CustomerPublic(BaseModel):
    """A customer as the assistant sees it: phone and ID number masked."""

    id: int
    name: str = Field(examples=["张伟"])
    gender: Gender
    masked_phone: str = Field(examples=["138****8000"])
    masked_id_number: str = Field(examples=["110***********1234"])
    city: str = Field(examples=["北京"])
    occupation: str
    income_band: str = Field(examples=["20-50万"])
    tier: Tier

    @classmethod
    def from_customer(cls, customer: Customer) -> CustomerPublic:
        return cls(
            id=customer.id,
            name=customer.name,
            gender=customer.gender,
            masked_phone=mask_phone(customer.phone),
            masked_id_number=mask_id_number(customer.id_number),
            city=customer.city,
            occupation=customer.occupation,
            income_band=customer.income_band,
            tier=customer.tier,
        )
