"""Complaint schemas: what the bot files and reads, what the staff console works with."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from bankkit.complaints import ComplaintCategory, ComplaintStatus
from bankkit.masking import mask_phone
from crm_api.complaints.models import Complaint, ComplaintNote, ContactMethod, FollowUpTask
from crm_api.schemas import LocalDateTime

# one spelling of the six categories and four statuses (shared with the actions)
Category = ComplaintCategory
Status = ComplaintStatus


class ComplaintCreate(BaseModel):
    """Filed by the bot. Verified customers send `customer_id`; anonymous visitors must
    leave a `contact_phone`."""

    category: Category
    description: str = Field(min_length=1, max_length=2000)
    contact_method: ContactMethod
    channel: str = Field(default="web", max_length=20, examples=["web", "app"])
    customer_id: int | None = None
    contact_name: str | None = Field(default=None, max_length=50)
    contact_phone: str | None = Field(default=None, max_length=20, examples=["13800138000"])
    account_ref: str | None = Field(default=None, max_length=100, examples=["储蓄卡 尾号1234"])
    occurred_text: str | None = Field(default=None, max_length=50, examples=["昨天下午"])
    conversation_id: str | None = Field(default=None, max_length=100)


class ComplaintFiled(BaseModel):
    number: str = Field(examples=["TS202611290001"])
    status: Status
    category: Category
    created_at: LocalDateTime
    due_at: LocalDateTime
    sla_hours: int = Field(description="promised response time in hours")
    created: bool = Field(description="false when this was a retry of an earlier request")

    @classmethod
    def of(cls, complaint: Complaint, created: bool) -> ComplaintFiled:
        return cls(
            number=complaint.number,
            status=complaint.status,
            category=complaint.category,
            created_at=complaint.created_at,
            due_at=complaint.due_at,
            sla_hours=complaint.sla_hours,
            created=created,
        )


class ComplaintStatusPublic(BaseModel):
    """What the customer may be told about their complaint."""

    number: str
    category: Category
    status: Status
    created_at: LocalDateTime
    due_at: LocalDateTime
    sla_breached: bool
    latest_note: str | None = Field(description="handler's latest note for the customer")
    latest_note_at: LocalDateTime | None
    resolution: str | None

    @classmethod
    def of(cls, complaint: Complaint, now: datetime) -> ComplaintStatusPublic:
        note = complaint.latest_public_note()
        return cls(
            number=complaint.number,
            category=complaint.category,
            status=complaint.status,
            created_at=complaint.created_at,
            due_at=complaint.due_at,
            sla_breached=complaint.is_breached(now),
            latest_note=note.body if note else None,
            latest_note_at=note.created_at if note else None,
            resolution=complaint.resolution,
        )


class NotePublic(BaseModel):
    id: int
    author_name: str
    kind: str
    body: str
    public: bool
    created_at: LocalDateTime

    @classmethod
    def of(cls, note: ComplaintNote) -> NotePublic:
        return cls(
            id=note.id,
            author_name=note.author_name,
            kind=note.kind,
            body=note.body,
            public=note.public,
            created_at=note.created_at,
        )


class FollowUpPublic(BaseModel):
    id: int
    status: str
    due_at: LocalDateTime
    completed_at: LocalDateTime | None
    outcome: str | None

    @classmethod
    def of(cls, task: FollowUpTask) -> FollowUpPublic:
        return cls(
            id=task.id,
            status=task.status,
            due_at=task.due_at,
            completed_at=task.completed_at,
            outcome=task.outcome,
        )


class ComplaintSummary(BaseModel):
    id: int
    number: str
    category: Category
    status: Status
    branch: str
    customer_id: int | None
    customer_tier: str
    masked_phone: str | None
    channel: str
    assignee_id: int | None
    assignee_name: str | None
    created_at: LocalDateTime
    due_at: LocalDateTime
    resolved_at: LocalDateTime | None
    sla_hours: int
    sla_breached: bool
    reopen_count: int
    summary: str = Field(description="first 60 characters of the description")

    @classmethod
    def of(cls, c: Complaint, now: datetime, assignee_name: str | None) -> ComplaintSummary:
        return cls(
            id=c.id,
            number=c.number,
            category=c.category,
            status=c.status,
            branch=c.branch,
            customer_id=c.customer_id,
            customer_tier=c.customer_tier,
            masked_phone=mask_phone(c.contact_phone) if c.contact_phone else None,
            channel=c.channel,
            assignee_id=c.assignee_id,
            assignee_name=assignee_name,
            created_at=c.created_at,
            due_at=c.due_at,
            resolved_at=c.resolved_at,
            sla_hours=c.sla_hours,
            sla_breached=c.is_breached(now),
            reopen_count=c.reopen_count,
            summary=c.description[:60],
        )


class ComplaintDetail(ComplaintSummary):
    description: str
    contact_name: str | None
    contact_phone: str | None = Field(description="full number: staff call the customer back")
    contact_method: ContactMethod
    customer_name: str | None
    account_ref: str | None
    occurred_text: str | None
    conversation_id: str | None
    resolution: str | None
    closed_at: LocalDateTime | None
    notes: list[NotePublic]
    follow_ups: list[FollowUpPublic]
    allowed_transitions: list[Status]


class ComplaintPage(BaseModel):
    items: list[ComplaintSummary]
    total: int


class StatusChange(BaseModel):
    status: Status
    note: str | None = Field(default=None, max_length=2000)
    resolution: str | None = Field(
        default=None, max_length=2000, description="required when resolving"
    )


class NoteCreate(BaseModel):
    body: str = Field(min_length=1, max_length=2000)
    public: bool = Field(default=False, description="may be read out to the customer")


class Assignment(BaseModel):
    assignee_id: int


class FollowUpDone(BaseModel):
    outcome: str = Field(min_length=1, max_length=2000)
    score: int | None = Field(default=None, ge=1, le=5, description="客户对处理结果的评分")
    comment: str | None = Field(default=None, max_length=2000)
