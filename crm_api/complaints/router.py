"""投诉 / complaints: filed and read by the bot (service token); handled by staff."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response

from crm_api.complaints import presenters, service
from crm_api.complaints.schemas import (
    Assignment,
    Category,
    ComplaintCreate,
    ComplaintDetail,
    ComplaintFiled,
    ComplaintPage,
    ComplaintStatusPublic,
    FollowUpDone,
    FollowUpPublic,
    NoteCreate,
    NotePublic,
    Status,
    StatusChange,
)
from crm_api.deps import ClockDep, ComplaintStaff, SessionDep
from crm_api.errors import ErrorBody

router = APIRouter(tags=["投诉 complaints"])
staff_router = APIRouter(prefix="/staff/complaints", tags=["投诉处理 complaint handling"])

_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "complaint_not_found"}
}


@router.post(
    "/complaints",
    summary="登记投诉",
    status_code=201,
    responses={
        200: {"model": ComplaintFiled, "description": "retry of an earlier request"},
        404: {"model": ErrorBody, "description": "customer_not_found"},
        409: {"model": ErrorBody, "description": "idempotency_key_reused"},
        422: {"model": ErrorBody, "description": "contact_phone_required / validation_error"},
    },
)
def file_complaint(
    body: ComplaintCreate,
    response: Response,
    session: SessionDep,
    clock: ClockDep,
    idempotency_key: Annotated[
        str | None,
        Header(max_length=100, description="the same key again returns the same complaint"),
    ] = None,
) -> ComplaintFiled:
    """File a complaint: number, SLA deadline by category × tier. Idempotent per key."""
    filed = service.file_complaint(
        session=session, now=clock(), idempotency_key=idempotency_key, **body.model_dump()
    )
    session.commit()
    if not filed.created:
        response.status_code = 200
    return ComplaintFiled.of(filed.complaint, filed.created)


@router.get("/complaints/{number}", summary="查询投诉进度", responses=_NOT_FOUND)
def get_complaint_status(
    number: str,
    session: SessionDep,
    clock: ClockDep,
    customer_id: Annotated[int | None, Query(description="verified customer")] = None,
    phone: Annotated[str | None, Query(description="anonymous complaint's contact phone")] = None,
) -> ComplaintStatusPublic:
    """Only the complaint's owner sees it; anyone else gets 404 `complaint_not_found`."""
    complaint = service.get_customer_complaint(
        session=session, number=number, customer_id=customer_id, phone=phone
    )
    return ComplaintStatusPublic.of(complaint, clock())


@router.get(
    "/customers/{customer_id}/complaints",
    summary="客户的投诉列表",
    responses={404: {"model": ErrorBody, "description": "customer_not_found"}},
)
def list_customer_complaints(
    customer_id: int,
    session: SessionDep,
    clock: ClockDep,
    open_only: Annotated[bool, Query(description="only 已受理 / 处理中")] = False,
) -> list[ComplaintStatusPublic]:
    now = clock()
    return [
        ComplaintStatusPublic.of(c, now)
        for c in service.list_customer_complaints(
            session=session, customer_id=customer_id, open_only=open_only
        )
    ]


# ---------------------------------------------------------------- staff console


@staff_router.get("", summary="投诉列表（按权限过滤）")
def list_complaints(
    staff: ComplaintStaff,
    session: SessionDep,
    clock: ClockDep,
    status: Status | None = None,
    category: Category | None = None,
    branch: Annotated[str | None, Query(max_length=30)] = None,
    assignee_id: int | None = None,
    breached: bool | None = None,
    start: Annotated[date | None, Query(description="立案日起 (含)")] = None,
    end: Annotated[date | None, Query(description="立案日止 (含)")] = None,
    q: Annotated[str | None, Query(max_length=50, description="编号或内容关键词")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ComplaintPage:
    """Agents see their own branch only; supervisors see every branch."""
    now = clock()
    items, total = service.list_complaints(
        session=session,
        viewer=staff,
        limit=limit,
        offset=offset,
        now=now,
        filters=service.ComplaintFilter(
            status=status,
            category=category,
            branch=branch,
            assignee_id=assignee_id,
            breached=breached,
            start=start,
            end=end,
            query=q,
        ),
    )
    return presenters.page(session, items, total, now)


@staff_router.get("/{complaint_id}", summary="投诉详情", responses=_NOT_FOUND)
def get_complaint(
    complaint_id: int, staff: ComplaintStaff, session: SessionDep, clock: ClockDep
) -> ComplaintDetail:
    complaint = service.get_complaint_for_staff(
        session=session, viewer=staff, complaint_id=complaint_id
    )
    return presenters.detail(session, complaint, clock())


@staff_router.post(
    "/{complaint_id}/status",
    summary="变更状态（受理/处理/解决/关闭/重新打开）",
    responses={
        **_NOT_FOUND,
        409: {"model": ErrorBody, "description": "invalid_status_transition"},
        422: {"model": ErrorBody, "description": "resolution_required"},
    },
)
def change_status(
    complaint_id: int,
    body: StatusChange,
    staff: ComplaintStaff,
    session: SessionDep,
    clock: ClockDep,
) -> ComplaintDetail:
    now = clock()
    complaint = service.change_status(
        session=session,
        viewer=staff,
        complaint_id=complaint_id,
        status=body.status,
        note=body.note,
        resolution=body.resolution,
        now=now,
    )
    session.commit()
    return presenters.detail(session, complaint, now)


@staff_router.post(
    "/{complaint_id}/notes", summary="添加处理备注", status_code=201, responses=_NOT_FOUND
)
def add_note(
    complaint_id: int,
    body: NoteCreate,
    staff: ComplaintStaff,
    session: SessionDep,
    clock: ClockDep,
) -> NotePublic:
    note = service.add_note(
        session=session,
        viewer=staff,
        complaint_id=complaint_id,
        body=body.body,
        public=body.public,
        now=clock(),
    )
    session.commit()
    return NotePublic.of(note)


@staff_router.post(
    "/{complaint_id}/assign",
    summary="分派处理人",
    responses={**_NOT_FOUND, 422: {"model": ErrorBody, "description": "assignee_not_allowed"}},
)
def assign(
    complaint_id: int,
    body: Assignment,
    staff: ComplaintStaff,
    session: SessionDep,
    clock: ClockDep,
) -> ComplaintDetail:
    now = clock()
    complaint = service.assign(
        session=session,
        viewer=staff,
        complaint_id=complaint_id,
        assignee_id=body.assignee_id,
        now=now,
    )
    session.commit()
    return presenters.detail(session, complaint, now)


@staff_router.post(
    "/{complaint_id}/follow-up",
    summary="完成回访（可记录客户评分）",
    responses={
        404: {"model": ErrorBody, "description": "complaint_not_found / follow_up_not_found"}
    },
)
def complete_follow_up(
    complaint_id: int,
    body: FollowUpDone,
    staff: ComplaintStaff,
    session: SessionDep,
    clock: ClockDep,
) -> FollowUpPublic:
    task = service.complete_follow_up(
        session=session,
        viewer=staff,
        complaint_id=complaint_id,
        outcome=body.outcome,
        score=body.score,
        comment=body.comment,
        now=clock(),
    )
    session.commit()
    return FollowUpPublic.of(task)
