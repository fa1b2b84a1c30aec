"""标签 / labels: the Chinese names the console shows, so it keeps no copy of them."""

from __future__ import annotations

from fastapi import APIRouter

from bankkit.complaints import COMPLAINT_CATEGORIES, COMPLAINT_STATUSES
from crm_api.deps import CurrentStaff
from crm_api.labels.schemas import ConsoleLabels
from crm_api.labels.service import intent_labels
from crm_api.staff.models import ROLE_LABELS

router = APIRouter(prefix="/labels", tags=["员工 staff"])


@router.get("", response_model=ConsoleLabels, summary="工作台显示用的中文标签")
def labels(_staff: CurrentStaff) -> ConsoleLabels:
    """Complaint categories and statuses, staff roles, and the intents' Chinese names."""
    return ConsoleLabels(
        complaint_categories=list(COMPLAINT_CATEGORIES),
        complaint_statuses=list(COMPLAINT_STATUSES),
        roles={role: label for role, label in ROLE_LABELS.items()},
        intents=intent_labels(),
    )
