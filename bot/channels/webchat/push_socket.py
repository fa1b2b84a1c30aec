"""The customer page's WebSocket: pushes out (agent messages, typing, queue place, bot
resumed); typing (forwarded to the agent while paused) and pings in."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import Any

from sanic.request import Request

from bot.channels.handoff import CrmForwarder, agent_names
from bot.channels.push import PushHub
from bot.channels.webchat.api import dumps

logger = logging.getLogger(__name__)

QUEUE_UPDATE_SECONDS = 20.0  # how often a waiting customer's page is told its place
TYPING_FORWARD_GAP_SECONDS = 2.0


async def paused_tracker(request: Request, sender_id: str) -> Any:
    """The conversation's tracker while it is handed over to an agent, else None."""
    agent = getattr(request.app.ctx, "agent", None)
    tracker = (
        await agent.tracker_store.retrieve(sender_id)
        if agent is not None and agent.tracker_store
        else None
    )
    return tracker if tracker is not None and tracker.is_paused() else None


async def serve_page_socket(
    request: Request, ws: Any, sender_id: str, push: PushHub, forwarder: CrmForwarder
) -> None:
    """One customer page, until it goes away."""
    push.add(sender_id, ws)
    status_task = asyncio.ensure_future(queue_updates(request, ws, sender_id, forwarder))
    last_typing = 0.0
    try:
        while True:
            raw = await ws.recv()
            if raw is None:
                break
            try:
                message = json.loads(raw)
            except (TypeError, ValueError):
                continue
            kind = message.get("type") if isinstance(message, dict) else None
            if kind == "ping":
                await ws.send(dumps({"type": "pong"}))
            elif kind == "typing" and (time.monotonic() - last_typing > TYPING_FORWARD_GAP_SECONDS):
                last_typing = time.monotonic()
                if await paused_tracker(request, sender_id) is not None:
                    forwarder.typing(sender_id)
    except Exception as error:  # the page went away (closed, reloaded, network)
        logger.debug("webchat: socket closed sender=%s (%s)", sender_id, type(error).__name__)
    finally:
        status_task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await status_task
        push.remove(sender_id, ws)


async def queue_updates(request: Request, ws: Any, sender_id: str, forwarder: CrmForwarder) -> None:
    """While waiting for an agent, tell the page its place in the queue."""
    while True:
        tracker = await paused_tracker(request, sender_id)
        if tracker is not None:
            events = list(tracker.events)
            status = await forwarder.queue_status(sender_id)
            if status and not agent_names(events):
                await ws.send(
                    dumps(
                        {
                            "type": "queue",
                            "position": status.get("position"),
                            "expected_wait_minutes": status.get("expected_wait_minutes"),
                        }
                    )
                )
        await asyncio.sleep(QUEUE_UPDATE_SECONDS)
