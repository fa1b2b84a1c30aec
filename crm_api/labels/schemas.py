"""The console's labels in one response."""

from __future__ import annotations

from pydantic import BaseModel, Field

from bankkit.complaints import ComplaintCategory, ComplaintStatus


class ConsoleLabels(BaseModel):
    complaint_categories: list[ComplaintCategory] = Field(description="in the console's order")
    complaint_statuses: list[ComplaintStatus] = Field(description="in workflow order")
    roles: dict[str, str] = Field(examples=[{"agent": "坐席"}], description="role → 中文")
    intents: dict[str, str] = Field(
        examples=[{"check_balance": "查余额"}], description="intent → 中文 (data/intent_labels.yml)"
    )
