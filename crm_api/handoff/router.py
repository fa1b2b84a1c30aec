"""转人工 / human handoff routes: the bot's requests (service token) and the staff
console's queue, claims, live chat, notes, transfers, closing and supervision.

The use cases are in flows.py, the live feed's socket in ws.py, the responses are built
by presenters.py.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from crm_api.clock import shanghai_day_start, shanghai_today
from crm_api.deps import ClockDep, SessionDep, SettingsDep
from crm_api.errors import ErrorBody
from crm_api.handoff import callbacks, flows, overview, presence, presenters, queueing, service, ws
from crm_api.handoff.availability import service_hours
from crm_api.handoff.deps import BotChannelDep, ConsoleFeedDep, HandoffStaff, SupervisorStaff
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
    Transcript,
    TransferRequest,
)

router = APIRouter(prefix="/handoff", tags=["转人工 handoff (bot)"])
staff_router = APIRouter(prefix="/handoff", tags=["转人工 handoff (console)"])

_NOT_YOURS: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorBody, "description": "handoff_not_yours / forbidden"},
    404: {"model": ErrorBody, "description": "handoff_not_found"},
}


# ---- the bot (service token) -----------------------------------------------------------


@router.post("/requests", summary="机器人申请转人工（排队或提示预约回电）")
def request_handoff(
    body: HandoffCreate,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    feed: ConsoleFeedDep,
) -> HandoffTicket:
    """Queues the conversation, or says why nobody can take it now.

    Fraud is queued whenever someone is online, even outside service hours: it cannot wait.
    """
    outcome = flows.request_handoff(
        session=session, now=clock(), settings=settings, request=body, feed=feed
    )
    return presenters.ticket(outcome, service_hours(settings))


@router.get("/requests/{conversation_id}", summary="会话当前的排队位置")
def queue_status(
    conversation_id: str, session: SessionDep, clock: ClockDep, settings: SettingsDep
) -> HandoffTicket:
    queued = flows.current_ticket(
        session=session, now=clock(), settings=settings, conversation_id=conversation_id
    )
    return presenters.ticket(queued, service_hours(settings))


@router.post("/callbacks", summary="登记预约回电", status_code=201)
def create_callback(
    body: CallbackCreate, session: SessionDep, clock: ClockDep, feed: ConsoleFeedDep
) -> CallbackPublic:
    callback = flows.request_callback(session=session, now=clock(), request=body, feed=feed)
    return presenters.callback(callback)


@router.post(
    "/conversations/{conversation_id}/events",
    status_code=202,
    summary="转人工期间客户的消息/正在输入（渠道转发）",
    responses={404: {"model": ErrorBody, "description": "handoff_not_found"}},
)
def customer_event(
    conversation_id: str, body: CustomerEvent, session: SessionDep, feed: ConsoleFeedDep
) -> dict[str, str]:
    flows.relay_customer_event(
        session=session, conversation_id=conversation_id, event=body, feed=feed
    )
    return {"status": "accepted"}


# ---- the console (staff session) -------------------------------------------------------


@staff_router.get("/config", summary="快捷回复与结束原因代码")
def console_config(staff: HandoffStaff, settings: SettingsDep) -> ConsoleConfig:
    return presenters.console_config(staff, service_hours(settings))


@staff_router.get("/queue", summary="排队中的会话（按优先级）")
def queue(staff: HandoffStaff, session: SessionDep, clock: ClockDep) -> list[HandoffSummary]:
    now = clock()
    return [
        presenters.summary(session, h, now, reveal_name=False, position=i)
        for i, h in enumerate(queueing.list_waiting(session=session), start=1)
    ]


@staff_router.get("/mine", summary="我接入中的会话（主管：全部）")
def my_conversations(
    staff: HandoffStaff, session: SessionDep, clock: ClockDep
) -> list[HandoffSummary]:
    now = clock()
    rows = service.list_claimed(
        session=session, staff=None if staff.role == "supervisor" else staff
    )
    return [presenters.summary(session, h, now, reveal_name=True) for h in rows]


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
    channel: BotChannelDep,
    feed: ConsoleFeedDep,
) -> HandoffDetail:
    now = clock()
    handoff = flows.claim(
        session=session, now=now, handoff_id=handoff_id, staff=staff, channel=channel, feed=feed
    )
    return presenters.detail(session, handoff, now)


@staff_router.get("/{handoff_id}", summary="会话详情", responses=_NOT_YOURS)
def detail(
    handoff_id: int, staff: HandoffStaff, session: SessionDep, clock: ClockDep
) -> HandoffDetail:
    handoff = service.require_claim(
        session=session, handoff_id=handoff_id, staff=staff, read_only=True
    )
    return presenters.detail(session, handoff, clock())


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
    handoff, entries = flows.read_transcript(
        session=session, now=clock(), handoff_id=handoff_id, staff=staff, channel=channel
    )
    return presenters.transcript(handoff, entries)


@staff_router.get("/{handoff_id}/customer", summary="客户360视图", responses=_NOT_YOURS)
def customer_view(
    handoff_id: int, staff: HandoffStaff, session: SessionDep, clock: ClockDep
) -> Customer360:
    handoff, sections = flows.view_customer(
        session=session, now=clock(), handoff_id=handoff_id, staff=staff
    )
    return presenters.customer_view(handoff, sections)


@staff_router.post(
    "/{handoff_id}/messages", summary="坐席发消息给客户", status_code=201, responses=_NOT_YOURS
)
def send_message(
    handoff_id: int,
    body: AgentMessage,
    staff: HandoffStaff,
    session: SessionDep,
    channel: BotChannelDep,
    feed: ConsoleFeedDep,
) -> dict[str, Any]:
    return flows.send_agent_message(
        session=session,
        handoff_id=handoff_id,
        staff=staff,
        text=body.text,
        channel=channel,
        feed=feed,
    )


@staff_router.post(
    "/{handoff_id}/notes", summary="内部备注（客户不可见）", status_code=201, responses=_NOT_YOURS
)
def add_note(
    handoff_id: int, body: NoteCreate, staff: HandoffStaff, session: SessionDep, clock: ClockDep
) -> ActivityPublic:
    note = flows.add_note(
        session=session, now=clock(), handoff_id=handoff_id, staff=staff, body=body.body
    )
    return presenters.activity(note, staff_name=staff.display_name)


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
    feed: ConsoleFeedDep,
) -> HandoffDetail:
    now = clock()
    handoff = flows.transfer(
        session=session,
        now=now,
        settings=settings,
        handoff_id=handoff_id,
        staff=staff,
        to_staff_id=body.to_staff_id,
        note=body.note,
        feed=feed,
    )
    return presenters.detail(session, handoff, now)


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
    feed: ConsoleFeedDep,
) -> HandoffDetail:
    now = clock()
    handoff = flows.close(
        session=session,
        now=now,
        handoff_id=handoff_id,
        staff=staff,
        summary=body.summary,
        disposition=body.disposition,
        channel=channel,
        feed=feed,
    )
    return presenters.detail(session, handoff, now)


@staff_router.get("/stats/overview", summary="主管看板：在线坐席、排队、等待时间、处理量")
def stats(
    staff: SupervisorStaff, session: SessionDep, clock: ClockDep, settings: SettingsDep
) -> dict[str, Any]:
    now = clock()
    return overview.stats(
        session=session,
        now=now,
        window_seconds=settings.handoff_presence_seconds,
        day_start=shanghai_day_start(shanghai_today(now)),
    )


@staff_router.get("/callbacks/open", summary="待回电")
def open_callbacks(staff: HandoffStaff, session: SessionDep) -> list[CallbackPublic]:
    return [presenters.callback(c) for c in callbacks.list_callbacks(session=session)]


@staff_router.get("/staff/online", summary="在线同事（转接用）")
def online(
    staff: HandoffStaff, session: SessionDep, clock: ClockDep, settings: SettingsDep
) -> list[dict[str, Any]]:
    return [
        presenters.colleague(s)
        for s in presence.online_staff(
            session=session, now=clock(), window_seconds=settings.handoff_presence_seconds
        )
        if s.id != staff.id
    ]


staff_router.include_router(ws.router)
