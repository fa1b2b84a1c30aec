"""Satisfaction schemas."""

from __future__ import annotations

from pydantic import BaseModel, Field, model_validator

from crm_api.satisfaction.models import SatisfactionResponse
from crm_api.schemas import LocalDateTime


class SatisfactionCreate(BaseModel):
    """A rating from the bot. `reference` makes the call idempotent: the bot sends
    `<conversation id>:<turn>`; sending it again with a `comment` adds the reason."""

    reference: str = Field(min_length=1, max_length=120, examples=["c0ffee:12"])
    channel: str = Field(max_length=20, examples=["web", "app"])
    score: int | None = Field(default=None, ge=1, le=5, description="CSAT 1–5")
    nps_score: int | None = Field(default=None, ge=0, le=10, description="推荐意愿 0–10")
    comment: str | None = Field(default=None, max_length=2000)
    conversation_id: str | None = Field(default=None, max_length=100)
    customer_id: int | None = None
    complaint_number: str | None = Field(default=None, max_length=16)
    intents: list[str] = Field(
        default_factory=list, max_length=50, examples=[["check_balance", "complain"]]
    )
    human_involved: bool = False

    @model_validator(mode="after")
    def _something_to_record(self) -> SatisfactionCreate:
        if self.score is None and self.nps_score is None and not self.comment:
            raise ValueError("score, nps_score or comment is required")
        return self


class SatisfactionPublic(BaseModel):
    id: int
    reference: str | None
    kind: str
    score: int | None
    nps_score: int | None
    comment: str | None
    answered_at: LocalDateTime | None
    created: bool

    @classmethod
    def of(cls, row: SatisfactionResponse, created: bool) -> SatisfactionPublic:
        return cls(
            id=row.id,
            reference=row.reference,
            kind=row.kind,
            score=row.score,
            nps_score=row.nps_score,
            comment=row.comment,
            answered_at=row.answered_at,
            created=created,
        )
