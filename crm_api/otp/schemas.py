"""One-time code request/verify schemas."""

from __future__ import annotations

from pydantic import BaseModel, Field

from bankkit.masking import mask_phone
from crm_api.customers.models import Customer


class OtpRequestCreate(BaseModel):
    phone: str = Field(examples=["13800138000"])


class OtpRequestPublic(BaseModel):
    expires_in: int = Field(description="seconds", examples=[300])
    masked_phone: str = Field(examples=["138****8000"])

    @classmethod
    def of(cls, customer: Customer, expires_in: int) -> OtpRequestPublic:
        return cls(expires_in=expires_in, masked_phone=mask_phone(customer.phone))


class OtpVerifyCreate(BaseModel):
    phone: str = Field(examples=["13800138000"])
    code: str = Field(max_length=16, examples=["123456"])


class OtpVerifyPublic(BaseModel):
    customer_id: int
    name: str = Field(examples=["张伟"])
    masked_phone: str

    @classmethod
    def of(cls, customer: Customer) -> OtpVerifyPublic:
        return cls(
            customer_id=customer.id, name=customer.name, masked_phone=mask_phone(customer.phone)
        )
