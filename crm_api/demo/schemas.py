"""Demo-only schemas."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from crm_api.schemas import LocalDateTime


class SmsOutboxPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True, title="SmsOutboxMessage")

    phone: str = Field(examples=["13800138000"])
    text: str
    sent_at: LocalDateTime


class AppTokenCreate(BaseModel):
    phone: str = Field(examples=["13800138000"])


class AppTokenPublic(BaseModel):
    token: str
    customer_id: int
