"""One-time code request/verify schemas."""

from __future__ import annotations

from pydantic import BaseModel, Field


class OtpRequestCreate(BaseModel):
    phone: str = Field(examples=["13800138000"])


class OtpRequestPublic(BaseModel):
    expires_in: int = Field(description="seconds", examples=[300])
    masked_phone: str = Field(examples=["138****8000"])


class OtpVerifyCreate(BaseModel):
    phone: str = Field(examples=["13800138000"])
    code: str = Field(max_length=16, examples=["123456"])


class OtpVerifyPublic(BaseModel):
    customer_id: int
    name: str = Field(examples=["张伟"])
    masked_phone: str
