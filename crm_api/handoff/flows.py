"""The handoff's use cases: each combines the services, the request's transaction, the
bot's channel and the consoles' live feed. Routes and the console socket call these.

Every flow commits its own writes before anything is published to the consoles.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from crm_api.clock import shanghai_day_start, shanghai_today
from crm_api.config import Settings
from crm_api.errors import DomainError
from crm_api.handoff import callbacks, customer_360, presence, queueing, service
from crm_api.handoff.availability import UnavailableReason, service_hours, unavailable_reason
from crm_api.handoff.bot_channel import BotChannel, agent_line, transcript_from_events
from crm_api.handoff.errors import BotChannelUnavailable, HandoffNotFound
from crm_api.handoff.feed import ConsoleFeed, handoff_event, message_event
from crm_api.handoff.greeting import join_greeting
from crm_api.handoff.models import CallbackRequest, Handoff, HandoffActivity
from crm_api.handoff.queueing import QueueTicket
from crm_api.handoff.realtime import ConsoleHub, audience
from crm_api.handoff.schemas import CallbackCreate, CustomerEvent, HandoffCreate
from crm_api.staff.models import StaffUser


def _begin_write(session: Session) -> None:
    """End the read-only transaction (login check, lookups) before writing.

    On SQLite in WAL mode a transaction that has read cannot become a writer once another
    connection has committed ("database is locked", no waiting); a transaction whose first
    statement writes waits for the lock and sees the latest rows. Every write below is
    safe to run in its own transaction: claims, transfers and closes are conditional
    UPDATEs, and one open handoff per conversation is a unique index.
    """
    session.commit()


def _ticket(
    *, session: Session, now: datetime, handoff: Handoff, settings: Settings
) -> QueueTicket:
    return queueing.ticket(
        session=session,
        now=now,
        handoff=handoff,
        default_handle_minutes=settings.handoff_avg_handle_minutes,
        window_seconds=settings.handoff_presence_seconds,
    )


# ---- the bot (service token) -----------------------------------------------------------


def request_handoff(
    *,
    session: Session,
    now: datetime,
    settings: Settings,
    request: HandoffCreate,
    feed: ConsoleFeed,
) -> QueueTicket | UnavailableReason:
    """Queue the conversation, or say why nobody can take it now.

    A conversation already in the queue stays there (and may become more urgent).
    """
    existing = queueing.active_handoff(session=session, conversation_id=request.conversation_id)
    if existing is None:
        reason = unavailable_reason(
            session=session,
            now=now,
            hours=service_hours(settings),
            window_seconds=settings.handoff_presence_seconds,
            reason=request.reason,
        )
        if reason is not None:
            return reason
    _begin_write(session)
    handoff = queueing.request_handoff(
        session=session,
        now=now,
        conversation_id=request.conversation_id,
        customer_id=request.customer_id,
        channel=request.channel,
        reason=request.reason,
        last_message=request.last_message,
    )
    queued = _ticket(session=session, now=now, handoff=handoff, settings=settings)
    session.commit()
    feed.publish({"type": "queue_changed", "handoff_id": handoff.id, "reason": handoff.reason})
    return queued


def current_ticket(
    *, session: Session, now: datetime, settings: Settings, conversation_id: str
) -> QueueTicket:
    """Place and expected wait of a conversation in the queue."""
    handoff = queueing.active_handoff(session=session, conversation_id=conversation_id)
    if handoff is None:
        raise HandoffNotFound()
    return _ticket(session=session, now=now, handoff=handoff, settings=settings)


def request_callback(
    *, session: Session, now: datetime, request: CallbackCreate, feed: ConsoleFeed
) -> CallbackRequest:
    callback = callbacks.create_callback(
        session=session,
        now=now,
        conversation_id=request.conversation_id,
        customer_id=request.customer_id,
        phone=request.phone,
        preferred_time=request.preferred_time,
        reason=request.reason,
        channel=request.channel,
    )
    session.commit()
    feed.publish({"type": "callbacks_changed"})
    return callback


def relay_customer_event(
    *, session: Session, conversation_id: str, event: CustomerEvent, feed: ConsoleFeed
) -> None:
    """A customer's message (kept as the queue preview) or typing, to the claim holder."""
    handoff = queueing.active_handoff(session=session, conversation_id=conversation_id)
    if handoff is None:
        raise HandoffNotFound()
    claimed_by = handoff.claimed_by
    if event.type == "message" and event.text:
        _begin_write(session)
        service.record_customer_message(session=session, handoff=handoff, text=event.text)
        session.commit()
        entry = {
            "from": "customer",
            "text": event.text,
            "ts": event.ts,
            "intent": event.intent,
            "confidence": event.confidence,
        }
        feed.publish(message_event(handoff.id, claimed_by, entry))
        if handoff.status == "waiting":
            feed.publish({"type": "queue_changed", "handoff_id": handoff.id})
    elif event.type == "typing":
        feed.publish(
            {
                "type": "typing",
                "handoff_id": handoff.id,
                "from": "customer",
                "_to": audience([claimed_by]),
            }
        )


# ---- the console (staff session) -------------------------------------------------------


def claim(
    *,
    session: Session,
    now: datetime,
    handoff_id: int,
    staff: StaffUser,
    channel: BotChannel,
    feed: ConsoleFeed,
) -> Handoff:
    """Take a waiting conversation; the agent greets the customer after the response."""
    _begin_write(session)
    handoff = service.claim(session=session, now=now, handoff_id=handoff_id, staff=staff)
    presence.heartbeat(session=session, staff=staff, now=now)
    session.commit()
    feed.after_response(greet_customer, channel=channel, hub=feed.hub, handoff=handoff, staff=staff)
    feed.publish(handoff_event(handoff, "queue_changed"))
    return handoff


async def greet_customer(
    *, channel: BotChannel, hub: ConsoleHub, handoff: Handoff, staff: StaffUser
) -> None:
    """The agent's first message: the customer knows a person has the whole conversation."""
    text = join_greeting(staff.display_name)
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
    entry = agent_line(staff.display_name, text, sent.get("ts"))
    await hub.publish(message_event(handoff.id, staff.id, entry))


def _audit_read(
    *, session: Session, now: datetime, staff: StaffUser, handoff: Handoff, action: str
) -> None:
    """Every staff read of customer data leaves an audit row, committed on its own."""
    _begin_write(session)
    customer_360.audit_access(
        session=session,
        now=now,
        staff=staff,
        action=action,
        handoff=handoff,
        customer_id=handoff.customer_id,
    )
    session.commit()


def read_transcript(
    *, session: Session, now: datetime, handoff_id: int, staff: StaffUser, channel: BotChannel
) -> tuple[Handoff, list[dict[str, Any]]]:
    """The whole conversation from the bot's tracker; the read is audited."""
    handoff = service.require_claim(
        session=session, handoff_id=handoff_id, staff=staff, read_only=True
    )
    _audit_read(
        session=session, now=now, staff=staff, handoff=handoff, action="handoff.view_transcript"
    )
    return handoff, transcript_from_events(channel.tracker_events(handoff.conversation_id))


def view_customer(
    *, session: Session, now: datetime, handoff_id: int, staff: StaffUser
) -> tuple[Handoff, dict[str, Any]]:
    """The customer 360 sections (none for an unverified visitor); the read is audited."""
    handoff = service.require_claim(
        session=session, handoff_id=handoff_id, staff=staff, read_only=True
    )
    sections: dict[str, Any] = {}
    if handoff.customer_id is not None:
        sections = customer_360.customer_360(
            session=session,
            customer_id=handoff.customer_id,
            today_start=shanghai_day_start(shanghai_today(now)),
        )
    _audit_read(
        session=session, now=now, staff=staff, handoff=handoff, action="handoff.view_customer"
    )
    return handoff, sections


def send_agent_message(
    *,
    session: Session,
    handoff_id: int,
    staff: StaffUser,
    text: str,
    channel: BotChannel,
    feed: ConsoleFeed,
) -> dict[str, Any]:
    """The agent's message to the customer, through the bot's channel; returns the chat line."""
    handoff = service.require_claim(session=session, handoff_id=handoff_id, staff=staff)
    text = text.strip()
    sent = channel.send_agent_message(
        handoff.conversation_id, text=text, agent_name=staff.display_name, agent_id=staff.id
    )
    entry = agent_line(staff.display_name, text, sent.get("ts"))
    feed.publish(message_event(handoff.id, handoff.claimed_by, entry))
    return entry


def add_note(
    *, session: Session, now: datetime, handoff_id: int, staff: StaffUser, body: str
) -> HandoffActivity:
    handoff = service.require_claim(session=session, handoff_id=handoff_id, staff=staff)
    _begin_write(session)
    note = service.add_note(session=session, now=now, handoff=handoff, staff=staff, body=body)
    session.commit()
    return note


def transfer(
    *,
    session: Session,
    now: datetime,
    settings: Settings,
    handoff_id: int,
    staff: StaffUser,
    to_staff_id: int | None,
    note: str | None,
    feed: ConsoleFeed,
) -> Handoff:
    """To an online colleague (`to_staff_id`), or back to the queue (None)."""
    handoff = service.require_claim(session=session, handoff_id=handoff_id, staff=staff)
    target = None
    if to_staff_id is not None:
        target = service.transfer_target(session=session, staff_id=to_staff_id)
    _begin_write(session)
    handoff = service.transfer(
        session=session,
        now=now,
        handoff=handoff,
        staff=staff,
        target=target,
        note=note,
        window_seconds=settings.handoff_presence_seconds,
    )
    session.commit()
    feed.publish(handoff_event(handoff, "queue_changed", transferred_from=staff.display_name))
    return handoff


def close(
    *,
    session: Session,
    now: datetime,
    handoff_id: int,
    staff: StaffUser,
    summary: str,
    disposition: str,
    channel: BotChannel,
    feed: ConsoleFeed,
) -> Handoff:
    """End the agent's part (summary + disposition); the bot takes the conversation back."""
    handoff = service.require_claim(session=session, handoff_id=handoff_id, staff=staff)
    _begin_write(session)
    handoff = service.close(
        session=session,
        now=now,
        handoff=handoff,
        staff=staff,
        summary=summary.strip(),
        disposition=disposition,
    )
    # The bot resumes first: if that fails nothing is committed and the agent can retry,
    # so a conversation is never closed in the CRM while still paused in Rasa.
    channel.resume_bot(handoff.conversation_id, agent_name=staff.display_name)
    session.commit()
    feed.publish(handoff_event(handoff, "closed", _to=audience([staff.id])))
    feed.publish(handoff_event(handoff, "queue_changed"))
    return handoff


# ---- the console's socket ------------------------------------------------------------------


def record_heartbeat(
    *, session: Session, staff: StaffUser, now: datetime, status: str = "online"
) -> None:
    _begin_write(session)
    presence.heartbeat(session=session, staff=staff, now=now, status=status)
    session.commit()


async def relay_agent_typing(
    *, session: Session, channel: BotChannel, staff: StaffUser, message: dict[str, Any]
) -> None:
    """The agent's typing indicator, to the customer of a conversation the agent holds;
    anything malformed or not the agent's is dropped (a socket message has no reply)."""
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
