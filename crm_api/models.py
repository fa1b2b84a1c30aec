"""Imports every model so `Base.metadata` is complete (Alembic, tests)."""

from crm_api.accounts.models import Account, AuditLogEntry, CardLossReport, Transaction
from crm_api.customers.models import Customer
from crm_api.database import Base
from crm_api.demo.models import SmsOutboxMessage
from crm_api.otp.models import OtpCode, OtpLock

__all__ = [
    "Account",
    "AuditLogEntry",
    "Base",
    "CardLossReport",
    "Customer",
    "OtpCode",
    "OtpLock",
    "SmsOutboxMessage",
    "Transaction",
]
