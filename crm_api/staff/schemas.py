"""Staff login and profile schemas (never a password hash)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from crm_api.schemas import LocalDateTime
from crm_api.staff.models import StaffRole


class StaffPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str = Field(examples=["小李"])
    role: StaffRole
    branch: str = Field(examples=["北京分行"])


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=50)
    password: str = Field(min_length=1, max_length=200)


class LoginResult(BaseModel):
    token: str = Field(description="Bearer token for the API; the console uses the cookie")
    expires_at: LocalDateTime
    staff: StaffPublic
