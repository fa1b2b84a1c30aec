"""转人工 / human handoff: the bot's requests (service token) and the staff console's
queue, claims, live chat, notes, transfers, closing, supervision and live feed."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, BackgroundTasks, Depends, Request, WebSocket, WebSocketDisconnect
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from crm_api.clock import Clock, shanghai_day_start, shanghai_today
from crm_api.config import Settings
from crm_api.deps import (
    STAFF_COOKIE,
    ClockDep,
    SessionDep,
    SettingsDep,
    get_clock,
    require_role,
)
from crm_api.errors import DomainError, ErrorBody
from crm_api.handoff import service
from crm_api.handoff.bot_channel import BotChannel, transcript_from_events
from crm_api.handoff.errors import BotChannelUnavailable, HandoffNotFound, TransferTargetInvalid
from crm_api.handoff.models import CallbackRequest, Handoff
from crm_api.handoff.realtime import ConsoleClient, ConsoleHub, audience
from crm_api.handoff.schemas import (
    ActivityPublic,
    AgentMessage,
    CallbackCreate,
    CallbackPublic,
    CloseRequest,
    ConsoleConfig,
    Customer360,
    CustomerEvent,
    HandoffCreate,
    HandoffDetail,
    HandoffSummary,
    HandoffTicket,
    NoteCreate,
    Option,
    Transcript,
    TransferRequest,
)
from crm_api.staff import service as staff_service
from crm_api.staff.models import StaffUser

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/handoff", tags=["转人工 handoff (bot)"])
staff_router = APIRouter(prefix="/handoff", tags=["转人工 handoff (console)"])

HandoffStaff = Annotated[StaffUser, Depends(require_role("agent", "supervisor"))]
SupervisorStaff = Annotated[StaffUser, Depends(require_role("supervisor"))]

QUICK_REPLIES = [
    "您好，我是人工客服{agent}，很高兴为您服务。",
    "请稍等，我马上为您查询。",
    "为了您的资金安全，请不要向任何人透露密码和短信验证码。",
    "已为您记录，我们会在1个工作日内给您回复。",
    "如果已经转账给对方，请立即拨打110报警，并尽快冻结相关银行卡。",
    "请问还有其他可以帮您的吗？",
    "感谢您的耐心等待，祝您生活愉快！",
]
JOIN_GREETING = "您好，我是人工客服{agent}，已经看到您前面的对话内容，马上为您处理。"
_NOT_YOURS: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorBody, "description": "handoff_not_yours / forbidden"},
    404: {"model": ErrorBody, "description": "handoff_not_found"},
}


def get_hub(request: Request) -> ConsoleHub:
    hub: ConsoleHub = request.app.state.console_hub
    return hub


def get_bot_channel(request: Request) -> BotChannel:
    channel: BotChannel = request.app.state.bot_channel
    return channel


HubDep = Annotated[ConsoleHub, Depends(get_hub)]
BotChannelDep = Annotated[BotChannel, Depends(get_bot_channel)]


def _begin_write(session: Session) -> None:
    """End the read-only transaction (login check, lookups) before writing.

    On SQLite in WAL mode a transaction that has read cannot become a writer once another
    connection has committed ("database is locked", no waiting); a transaction whose first
    statement writes waits for the lock and sees the latest rows. Every write below is
    safe to run in its own transaction: claims, transfers and closes are conditional
    UPDATEs, and one open handoff per conversation is a unique index.
    """
    session.commit()


def _hours(settings: Settings) -> service.ServiceHours:
    return service.ServiceHours.parse(settings.handoff_service_hours)


def _staff_names(session: Session, *ids: int | None) -> dict[int, str]:
    names: dict[int, str] = {}
    for staff_id in {i for i in ids if i is not None}:
        staff = session.get(StaffUser, staff_id)
        if staff is not None:
            names[staff_id] = staff.display_name
    return names


def _summary(
    session: Session,
    handoff: Handoff,
    now: datetime,
    *,
    reveal_name: bool,
    position: int | None = None,
) -> dict[str, Any]:
    from crm_api.customers.models import Customer

    customer = session.get(Customer, handoff.customer_id) if handoff.customer_id else None
    if customer is None:
        label = "访客（未验证身份）"
    else:
        label = customer.name if reveal_name else service.mask_name(customer.name)
    names = _staff_names(session, handoff.claimed_by)
    return {
        "id": handoff.id,
        "conversation_id": handoff.conversation_id,
        "customer_label": label,
        "customer_tier": handoff.customer_tier,
        "channel": handoff.channel,
        "reason": handoff.reason,
        "reason_label": service.REASON_LABELS.get(handoff.reason, handoff.reason),
        "priority": handoff.priority,
        "status": handoff.status,
        "position": position,
        "waiting_seconds": int(((handoff.claimed_at or now) - handoff.created_at).total_seconds()),
        "last_message": handoff.last_message,
        "claimed_by": handoff.claimed_by,
        "claimed_by_name": names.get(handoff.claimed_by) if handoff.claimed_by else None,
        "created_at": handoff.created_at,
        "claimed_at": handoff.claimed_at,
    }


def _detail(session: Session, handoff: Handoff, now: datetime) -> HandoffDetail:
    acts = service.activities(session=session, handoff=handoff)
    names = _staff_names(session, *(a.staff_id for a in acts))
    return HandoffDetail(
        **_summary(session, handoff, now, reveal_name=True),
        customer_id=handoff.customer_id,
        summary=handoff.summary,
        disposition=handoff.disposition,
        activities=[
            ActivityPublic(
                id=a.id,
                kind=a.kind,
                body=a.body,
                staff_name=names.get(a.staff_id) if a.staff_id else None,
                created_at=a.created_at,
            )
            for a in acts
        ],
    )


def _handoff_event(handoff: Handoff, kind: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "handoff_id": handoff.id,
        "status": handoff.status,
        "claimed_by": handoff.claimed_by,
        **extra,
    }


# ---- the bot (service token) -----------------------------------------------------------


@router.post("/requests", summary="机器人申请转人工（排队或提示预约回电）")
def request_handoff(
    body: HandoffCreate,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    hub: HubDep,
    tasks: BackgroundTasks,
) -> HandoffTicket:
    """Queues the conversation, or says why nobody can take it now.

    Fraud is queued whenever someone is online, even outside service hours: it cannot wait.
    """
    now = clock()
    hours = _hours(settings)
    existing = service.active_handoff(session=session, conversation_id=body.conversation_id)
    if existing is None:
        reason = service.unavailable_reason(
            session=session,
            now=now,
            hours=hours,
            window_seconds=settings.handoff_presence_seconds,
        )
        if reason == "outside_hours" and body.reason == "fraud":
            online = service.online_staff(
                session=session, now=now, window_seconds=settings.handoff_presence_seconds
            )
            reason = None if online else reason
        if reason is not None:
            return HandoffTicket(
                status="unavailable",
                unavailable_reason=reason,  # type: ignore[arg-type]
                service_hours=hours.label(),
            )
    _begin_write(session)
    handoff = service.request_handoff(
        session=session,
        now=now,
        conversation_id=body.conversation_id,
        customer_id=body.customer_id,
        channel=body.channel,
        reason=body.reason,
        last_message=body.last_message,
    )
    queued = service.ticket(
        session=session,
        now=now,
        handoff=handoff,
        default_handle_minutes=settings.handoff_avg_handle_minutes,
        window_seconds=settings.handoff_presence_seconds,
    )
    session.commit()
    tasks.add_task(
        hub.publish, {"type": "queue_changed", "handoff_id": handoff.id, "reason": handoff.reason}
    )
    return HandoffTicket(
        status="queued",
        handoff_id=handoff.id,
        position=queued.position,
        expected_wait_minutes=queued.expected_wait_minutes,
        service_hours=hours.label(),
    )


@router.get("/requests/{conversation_id}", summary="会话当前的排队位置")
def queue_status(
    conversation_id: str, session: SessionDep, clock: ClockDep, settings: SettingsDep
) -> HandoffTicket:
    handoff = service.active_handoff(session=session, conversation_id=conversation_id)
    if handoff is None:
        raise HandoffNotFound()
    queued = service.ticket(
        session=session,
        now=clock(),
        handoff=handoff,
        default_handle_minutes=settings.handoff_avg_handle_minutes,
        window_seconds=settings.handoff_presence_seconds,
    )
    return HandoffTicket(
        status="queued",
        handoff_id=handoff.id,
        position=queued.position,
        expected_wait_minutes=queued.expected_wait_minutes,
        service_hours=_hours(settings).label(),
    )


def _callback_public(callback: CallbackRequest) -> CallbackPublic:
    public = CallbackPublic.model_validate(callback)
    if callback.phone:
        public.phone_masked = f"{callback.phone[:3]}****{callback.phone[-4:]}"
    return public


@router.post("/callbacks", summary="登记预约回电", status_code=201)
def create_callback(
    body: CallbackCreate,
    session: SessionDep,
    clock: ClockDep,
    hub: HubDep,
    tasks: BackgroundTasks,
) -> CallbackPublic:
    callback = service.create_callback(
        session=session,
        now=clock(),
        conversation_id=body.conversation_id,
        customer_id=body.customer_id,
        phone=body.phone,
        preferred_time=body.preferred_time,
        reason=body.reason,
        channel=body.channel,
    )
    session.commit()
    tasks.add_task(hub.publish, {"type": "callbacks_changed"})
    return _callback_public(callback)


@router.post(
    "/conversations/{conversation_id}/events",
    status_code=202,
    summary="转人工期间客户的消息/正在输入（渠道转发）",
    responses={404: {"model": ErrorBody, "description": "handoff_not_found"}},
)
def customer_event(
    conversation_id: str,
    body: CustomerEvent,
    session: SessionDep,
    hub: HubDep,
    tasks: BackgroundTasks,
) -> dict[str, str]:
    handoff = service.active_handoff(session=session, conversation_id=conversation_id)
    if handoff is None:
        raise HandoffNotFound()
    to = audience([handoff.claimed_by])
    if body.type == "message" and body.text:
        _begin_write(session)
        service.record_customer_message(session=session, handoff=handoff, text=body.text)
        session.commit()
        tasks.add_task(
            hub.publish,
            {
                "type": "message",
                "handoff_id": handoff.id,
                "_to": to,
                "entry": {
                    "from": "customer",
                    "text": body.text,
                    "ts": body.ts,
                    "intent": body.intent,
                    "confidence": body.confidence,
                },
            },
        )
        if handoff.status == "waiting":
            tasks.add_task(hub.publish, {"type": "queue_changed", "handoff_id": handoff.id})
    elif body.type == "typing":
        tasks.add_task(
            hub.publish, {"type": "typing", "handoff_id": handoff.id, "from": "customer", "_to": to}
        )
    return {"status": "accepted"}


# ---- the console (staff session) -------------------------------------------------------


@staff_router.get("/config", summary="快捷回复与结束原因代码")
def console_config(staff: HandoffStaff, settings: SettingsDep) -> ConsoleConfig:
    return ConsoleConfig(
        quick_replies=[q.format(agent=staff.display_name) for q in QUICK_REPLIES],
        dispositions=[Option(code=c, label=label) for c, label in service.DISPOSITIONS.items()],
        service_hours=_hours(settings).label(),
    )


@staff_router.get("/queue", summary="排队中的会话（按优先级）")
def queue(staff: HandoffStaff, session: SessionDep, clock: ClockDep) -> list[HandoffSummary]:
    now = clock()
    return [
        HandoffSummary(**_summary(session, h, now, reveal_name=False, position=i))
        for i, h in enumerate(service.list_waiting(session=session), start=1)
    ]


@staff_router.get("/mine", summary="我接入中的会话（主管：全部）")
def my_conversations(
    staff: HandoffStaff, session: SessionDep, clock: ClockDep
) -> list[HandoffSummary]:
    now = clock()
    rows = service.list_claimed(
        session=session, staff=None if staff.role == "supervisor" else staff
    )
    return [HandoffSummary(**_summary(session, h, now, reveal_name=True)) for h in rows]


@staff_router.post(
    "/{handoff_id}/claim",
    summary="接入会话（并发时只有一人成功）",
    responses={
        409: {"model": ErrorBody, "description": "handoff_already_claimed / handoff_closed"}
    },
)
def claim(
    handoff_id: int,
    staff: HandoffStaff,
    session: SessionDep,
    clock: ClockDep,
    hub: HubDep,
    channel: BotChannelDep,
    tasks: BackgroundTasks,
) -> HandoffDetail:
    now = clock()
    _begin_write(session)
    handoff = service.claim(session=session, now=now, handoff_id=handoff_id, staff=staff)
    service.heartbeat(session=session, staff=staff, now=now)
    session.commit()
    tasks.add_task(_greet_customer, channel, handoff, staff, hub)
    tasks.add_task(hub.publish, _handoff_event(handoff, "queue_changed"))
    return _detail(session, handoff, now)


async def _greet_customer(
    channel: BotChannel, handoff: Handoff, staff: StaffUser, hub: ConsoleHub
) -> None:
    """The agent's first message: the customer knows a person has the whole conversation."""
    text = JOIN_GREETING.format(agent=staff.display_name)
    try:
        sent = await run_in_threadpool(
            channel.send_agent_message,
            handoff.conversation_id,
            text=text,
            agent_name=staff.display_name,
            agent_id=staff.id,
        )
    except DomainError:
        return
    await hub.publish(
        {
            "type": "message",
            "handoff_id": handoff.id,
            "_to": audience([staff.id]),
            "entry": {
                "from": "agent",
                "agent": staff.display_name,
                "text": text,
                "ts": sent.get("ts"),
            },
        }
    )


@staff_router.get("/{handoff_id}", summary="会话详情", responses=_NOT_YOURS)
def detail(
    handoff_id: int, staff: HandoffStaff, session: SessionDep, clock: ClockDep
) -> HandoffDetail:
    handoff = service.require_claim(
        session=session, handoff_id=handoff_id, staff=staff, read_only=True
    )
    return _detail(session, handoff, clock())


@staff_router.get(
    "/{handoff_id}/transcript", summary="完整对话记录（含意图与置信度）", responses=_NOT_YOURS
)
def transcript(
    handoff_id: int,
    staff: HandoffStaff,
    session: SessionDep,
    clock: ClockDep,
    channel: BotChannelDep,
) -> Transcript:
    handoff = service.require_claim(
        session=session, handoff_id=handoff_id, staff=staff, read_only=True
    )
    _begin_write(session)
    service.audit_access(
        session=session,
        now=clock(),
        staff=staff,
        action="handoff.view_transcript",
        handoff=handoff,
        customer_id=handoff.customer_id,
    )
    session.commit()
    entries = transcript_from_events(channel.tracker_events(handoff.conversation_id))
    return Transcript(
        handoff_id=handoff.id, conversation_id=handoff.conversation_id, entries=entries
    )


@staff_router.get("/{handoff_id}/customer", summary="客户360视图", responses=_NOT_YOURS)
def customer_view(
    handoff_id: int, staff: HandoffStaff, session: SessionDep, clock: ClockDep
) -> Customer360:
    now = clock()
    handoff = service.require_claim(
        session=session, handoff_id=handoff_id, staff=staff, read_only=True
    )
    sections: dict[str, Any] = {}
    if handoff.customer_id is not None:
        sections = service.customer_360(
            session=session,
            customer_id=handoff.customer_id,
            today_start=shanghai_day_start(shanghai_today(now)),
        )
    _begin_write(session)
    service.audit_access(
        session=session,
        now=now,
        staff=staff,
        action="handoff.view_customer",
        handoff=handoff,
        customer_id=handoff.customer_id,
    )
    session.commit()
    return Customer360(
        handoff_id=handoff.id,
        customer_id=handoff.customer_id,
        verified=handoff.customer_id is not None,
        sections=sections,
    )


@staff_router.post(
    "/{handoff_id}/messages", summary="坐席发消息给客户", status_code=201, responses=_NOT_YOURS
)
def send_message(
    handoff_id: int,
    body: AgentMessage,
    staff: HandoffStaff,
    session: SessionDep,
    channel: BotChannelDep,
    hub: HubDep,
    tasks: BackgroundTasks,
) -> dict[str, Any]:
    handoff = service.require_claim(session=session, handoff_id=handoff_id, staff=staff)
    text = body.text.strip()
    sent = channel.send_agent_message(
        handoff.conversation_id, text=text, agent_name=staff.display_name, agent_id=staff.id
    )
    entry = {"from": "agent", "agent": staff.display_name, "text": text, "ts": sent.get("ts")}
    tasks.add_task(
        hub.publish,
        {
            "type": "message",
            "handoff_id": handoff.id,
            "_to": audience([handoff.claimed_by]),
            "entry": entry,
        },
    )
    return entry


@staff_router.post(
    "/{handoff_id}/notes", summary="内部备注（客户不可见）", status_code=201, responses=_NOT_YOURS
)
def add_note(
    handoff_id: int, body: NoteCreate, staff: HandoffStaff, session: SessionDep, clock: ClockDep
) -> ActivityPublic:
    handoff = service.require_claim(session=session, handoff_id=handoff_id, staff=staff)
    _begin_write(session)
    note = service.add_note(
        session=session, now=clock(), handoff=handoff, staff=staff, body=body.body
    )
    session.commit()
    return ActivityPublic(
        id=note.id,
        kind=note.kind,
        body=note.body,
        staff_name=staff.display_name,
        created_at=note.created_at,
    )


@staff_router.post(
    "/{handoff_id}/transfer",
    summary="转给其他坐席或退回队列",
    responses={**_NOT_YOURS, 422: {"model": ErrorBody, "description": "transfer_target_invalid"}},
)
def transfer(
    handoff_id: int,
    body: TransferRequest,
    staff: HandoffStaff,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    hub: HubDep,
    tasks: BackgroundTasks,
) -> HandoffDetail:
    now = clock()
    handoff = service.require_claim(session=session, handoff_id=handoff_id, staff=staff)
    target = None
    if body.to_staff_id is not None:
        target = session.get(StaffUser, body.to_staff_id)
        if target is None or not target.active or target.role not in service.HANDLER_ROLES:
            raise TransferTargetInvalid()
    _begin_write(session)
    handoff = service.transfer(
        session=session,
        now=now,
        handoff=handoff,
        staff=staff,
        target=target,
        note=body.note,
        window_seconds=settings.handoff_presence_seconds,
    )
    session.commit()
    tasks.add_task(
        hub.publish, _handoff_event(handoff, "queue_changed", transferred_from=staff.display_name)
    )
    return _detail(session, handoff, now)


@staff_router.post(
    "/{handoff_id}/close",
    summary="结束人工服务（小结+结束原因），机器人恢复",
    responses={**_NOT_YOURS, 502: {"model": ErrorBody, "description": "bot_channel_unavailable"}},
)
def close(
    handoff_id: int,
    body: CloseRequest,
    staff: HandoffStaff,
    session: SessionDep,
    clock: ClockDep,
    channel: BotChannelDep,
    hub: HubDep,
    tasks: BackgroundTasks,
) -> HandoffDetail:
    now = clock()
    handoff = service.require_claim(session=session, handoff_id=handoff_id, staff=staff)
    _begin_write(session)
    handoff = service.close(
        session=session,
        now=now,
        handoff=handoff,
        staff=staff,
        summary=body.summary.strip(),
        disposition=body.disposition,
    )
    # The bot resumes first: if that fails nothing is committed and the agent can retry,
    # so a conversation is never closed in the CRM while still paused in Rasa.
    channel.resume_bot(handoff.conversation_id, agent_name=staff.display_name)
    session.commit()
    tasks.add_task(hub.publish, _handoff_event(handoff, "closed", _to=audience([staff.id])))
    tasks.add_task(hub.publish, _handoff_event(handoff, "queue_changed"))
    return _detail(session, handoff, now)


@staff_router.get("/stats/overview", summary="主管看板：在线坐席、排队、等待时间、处理量")
def stats(
    staff: SupervisorStaff, session: SessionDep, clock: ClockDep, settings: SettingsDep
) -> dict[str, Any]:
    now = clock()
    return service.stats(
        session=session,
        now=now,
        window_seconds=settings.handoff_presence_seconds,
        day_start=shanghai_day_start(shanghai_today(now)),
    )


@staff_router.get("/callbacks/open", summary="待回电")
def open_callbacks(staff: HandoffStaff, session: SessionDep) -> list[CallbackPublic]:
    return [_callback_public(c) for c in service.list_callbacks(session=session)]


@staff_router.get("/staff/online", summary="在线同事（转接用）")
def online(
    staff: HandoffStaff, session: SessionDep, clock: ClockDep, settings: SettingsDep
) -> list[dict[str, Any]]:
    return [
        {"id": s.id, "display_name": s.display_name, "role": s.role}
        for s in service.online_staff(
            session=session, now=clock(), window_seconds=settings.handoff_presence_seconds
        )
        if s.id != staff.id
    ]


# ---- live feed ---------------------------------------------------------------------------


def _same_origin(websocket: WebSocket) -> bool:
    """Browsers always send Origin on WebSocket upgrades; refuse other sites' pages."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True  # not a browser (API client with a bearer token)
    return urlsplit(origin).netloc == websocket.headers.get("host")


def get_session_maker(websocket: WebSocket) -> Callable[[], AbstractContextManager[Session]]:
    """Short sessions for a long-lived socket (one per received message), so an open
    console does not hold a pooled database connection."""
    factory: Callable[[], AbstractContextManager[Session]] = websocket.app.state.session_factory
    return factory


@staff_router.websocket("/ws")
async def console_feed(
    websocket: WebSocket,
    sessions: Annotated[Callable[[], AbstractContextManager[Session]], Depends(get_session_maker)],
    clock: Annotated[Clock, Depends(get_clock)],
) -> None:
    """Live events for the console; the console sends heartbeats and typing indicators.

    Auth: the console's session cookie (or `?token=` for API clients). Close code 4401:
    not logged in / session expired (the console shows the login again).
    """
    token = websocket.query_params.get("token") or websocket.cookies.get(STAFF_COOKIE)
    with sessions() as session:
        staff = _ws_staff(session, token, clock())
        if staff is not None and staff.role in service.HANDLER_ROLES:
            _begin_write(session)
            service.heartbeat(session=session, staff=staff, now=clock())
            session.commit()
            staff_id, role = staff.id, staff.role
    if staff is None or not _same_origin(websocket) or staff.role not in service.HANDLER_ROLES:
        await websocket.close(code=4401)
        return
    hub: ConsoleHub = websocket.app.state.console_hub
    channel: BotChannel = websocket.app.state.bot_channel
    await websocket.accept()
    client = ConsoleClient(websocket, staff_id, role)
    hub.add(client)
    await hub.publish({"type": "presence_changed", "_to": audience([])})
    try:
        while True:
            raw = await websocket.receive_text()
            try:
                message = json.loads(raw)
            except ValueError:
                continue
            kind = message.get("type") if isinstance(message, dict) else None
            if kind not in ("heartbeat", "typing"):
                continue
            with sessions() as session:
                # the login session may expire or be revoked while the socket is open
                staff = _ws_staff(session, token, clock())
                if staff is None:
                    await websocket.close(code=4401)
                    return
                if kind == "heartbeat":
                    _begin_write(session)
                    service.heartbeat(
                        session=session,
                        staff=staff,
                        now=clock(),
                        status="away" if message.get("away") else "online",
                    )
                    session.commit()
                    await websocket.send_text(json.dumps({"type": "heartbeat_ack"}))
                else:
                    await _relay_typing(session, channel, staff, message)
    except WebSocketDisconnect:
        pass
    finally:
        hub.remove(client)


def _ws_staff(session: Session, token: str | None, now: datetime) -> StaffUser | None:
    if not token:
        return None
    try:
        return staff_service.authenticate(session=session, token=token, now=now)
    except DomainError:
        return None


async def _relay_typing(
    session: Session, channel: BotChannel, staff: StaffUser, message: dict[str, Any]
) -> None:
    try:
        handoff = service.require_claim(
            session=session, handoff_id=int(message["handoff_id"]), staff=staff
        )
        await run_in_threadpool(
            channel.send_typing,
            handoff.conversation_id,
            agent_name=staff.display_name,
            typing=bool(message.get("typing", True)),
        )
    except (DomainError, KeyError, ValueError, TypeError, BotChannelUnavailable):
        return
