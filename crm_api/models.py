"""Imports every model so `Base.metadata` is complete (Alembic, tests)."""

from crm_api.accounts.models import Account, AuditLogEntry, CardLossReport, Transaction
from crm_api.complaints.models import Complaint, ComplaintNote, FollowUpTask
from crm_api.customers.models import Customer
from crm_api.database import Base
from crm_api.demo.models import SmsOutboxMessage
from crm_api.handoff.models import (  # noqa: F401  (issue 6: handoff)
    AgentPresence,
    CallbackRequest,
    Handoff,
    HandoffActivity,
)
from crm_api.otp.models import OtpCode, OtpLock
from crm_api.products.models import Holding, Product  # noqa: F401  (issue 5: products)
from crm_api.recommendations.models import RecommendationEvent, SalesLead  # noqa: F401
from crm_api.risk.models import RiskAssessment  # noqa: F401
from crm_api.satisfaction.models import SatisfactionIntent, SatisfactionResponse
from crm_api.staff.models import StaffSession, StaffUser
from trainer.inbox.models import InboxCursor, InboxItem  # noqa: F401  (issue 7: trainer)
from trainer.training.models import TrainingRun  # noqa: F401  (issue 7: retraining)

__all__ = [
    "Account",
    "AuditLogEntry",
    "Base",
    "CardLossReport",
    "Complaint",
    "ComplaintNote",
    "FollowUpTask",
    "Customer",
    "OtpCode",
    "OtpLock",
    "SatisfactionIntent",
    "SatisfactionResponse",
    "SmsOutboxMessage",
    "StaffSession",
    "StaffUser",
    "Transaction",
]
