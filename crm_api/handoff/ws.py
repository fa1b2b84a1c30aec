"""The staff console's live feed: one WebSocket per open console. It receives the hub's
events and sends heartbeats (presence) and the agent's typing indicator."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, WebSocket, WebSocketDisconnect
from sqlalchemy.orm import Session

from crm_api.clock import Clock
from crm_api.deps import STAFF_COOKIE, get_clock
from crm_api.errors import DomainError
from crm_api.handoff import flows
from crm_api.handoff.bot_channel import BotChannel
from crm_api.handoff.presence import HANDLER_ROLES
from crm_api.handoff.realtime import ConsoleClient, ConsoleHub, audience
from crm_api.staff import service as staff_service
from crm_api.staff.models import StaffUser

router = APIRouter()

SessionMaker = Callable[[], AbstractContextManager[Session]]


def _same_origin(websocket: WebSocket) -> bool:
    """Browsers always send Origin on WebSocket upgrades; refuse other sites' pages."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True  # not a browser (API client with a bearer token)
    return urlsplit(origin).netloc == websocket.headers.get("host")


def get_session_maker(websocket: WebSocket) -> SessionMaker:
    """Short sessions for a long-lived socket (one per received message), so an open
    console does not hold a pooled database connection."""
    factory: SessionMaker = websocket.app.state.session_factory
    return factory


def _ws_staff(session: Session, token: str | None, now: datetime) -> StaffUser | None:
    if not token:
        return None
    try:
        return staff_service.authenticate(session=session, token=token, now=now)
    except DomainError:
        return None


@router.websocket("/ws")
async def console_feed(
    websocket: WebSocket,
    sessions: Annotated[SessionMaker, Depends(get_session_maker)],
    clock: Annotated[Clock, Depends(get_clock)],
) -> None:
    """Live events for the console; the console sends heartbeats and typing indicators.

    Auth: the console's session cookie (or `?token=` for API clients). Close code 4401:
    not logged in / session expired (the console shows the login again).
    """
    token = websocket.query_params.get("token") or websocket.cookies.get(STAFF_COOKIE)
    with sessions() as session:
        staff = _ws_staff(session, token, clock())
        if staff is not None and staff.role in HANDLER_ROLES:
            flows.record_heartbeat(session=session, staff=staff, now=clock())
            staff_id, role = staff.id, staff.role
    if staff is None or not _same_origin(websocket) or staff.role not in HANDLER_ROLES:
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
                    flows.record_heartbeat(
                        session=session,
                        staff=staff,
                        now=clock(),
                        status="away" if message.get("away") else "online",
                    )
                    await websocket.send_text(json.dumps({"type": "heartbeat_ack"}))
                else:
                    await flows.relay_agent_typing(
                        session=session, channel=channel, staff=staff, message=message
                    )
    except WebSocketDisconnect:
        pass
    finally:
        hub.remove(client)
