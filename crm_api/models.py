"""Imports every model so `Base.metadata` is complete (Alembic, tests)."""

from crm_api.accounts.models import Account, AuditLogEntry, CardLossReport, Transaction
from crm_api.complaints.models import Complaint, ComplaintNote, FollowUpTask
from crm_api.customers.models import Customer
from crm_api.database import Base
from crm_api.handoff.models import AgentPresence, CallbackRequest, Handoff, HandoffActivity
from crm_api.otp.models import OtpCode, OtpLock, SmsOutboxMessage
from crm_api.products.models import Holding, Product
from crm_api.recommendations.models import RecommendationEvent, SalesLead
from crm_api.risk.models import RiskAssessment
from crm_api.satisfaction.models import SatisfactionIntent, SatisfactionResponse
from crm_api.staff.models import StaffSession, StaffUser
from trainer.inbox.models import InboxCursor, InboxItem
from trainer.training.models import TrainingRun

__all__ = [
    "Account",
    "AgentPresence",
    "AuditLogEntry",
    "Base",
    "CallbackRequest",
    "CardLossReport",
    "Complaint",
    "ComplaintNote",
    "Customer",
    "FollowUpTask",
    "Handoff",
    "HandoffActivity",
    "Holding",
    "InboxCursor",
    "InboxItem",
    "OtpCode",
    "OtpLock",
    "Product",
    "RecommendationEvent",
    "RiskAssessment",
    "SalesLead",
    "SatisfactionIntent",
    "SatisfactionResponse",
    "SmsOutboxMessage",
    "StaffSession",
    "StaffUser",
    "TrainingRun",
    "Transaction",
]
