"""Live feed of the staff console: a fan-out hub of WebSocket connections.

Each crm_api process keeps only its own open sockets. An event is published either
straight to the local sockets (one process, the default) or, with `REDIS_URL` set, to a
Redis pub/sub channel that every crm_api process subscribes to, so an event raised by
one instance reaches a console connected to another. Nothing else is kept in memory:
queue, claims and presence live in the database.

Events carry an audience (`_to`): all staff, or the staff ids holding a claim plus
supervisors. Messages of a conversation never reach an agent who has not claimed it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from starlette.websockets import WebSocket

logger = logging.getLogger(__name__)

REDIS_CHANNEL = "crm:handoff:console"


@dataclass(eq=False)
class ConsoleClient:
    websocket: WebSocket
    staff_id: int
    role: str
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


def audience(
    staff_ids: list[int | None] | None = None, *, supervisors: bool = True
) -> dict[str, Any]:
    """`_to` of an event for the given staff (and supervisors); None staff ids are dropped."""
    return {"staff_ids": [s for s in staff_ids or [] if s is not None], "supervisors": supervisors}


def _allowed(client: ConsoleClient, to: dict[str, Any] | None) -> bool:
    if to is None:
        return True
    if to.get("supervisors") and client.role == "supervisor":
        return True
    return client.staff_id in (to.get("staff_ids") or [])


class ConsoleHub:
    def __init__(self, redis_url: str | None = None) -> None:
        self.redis_url = redis_url or None
        self.clients: set[ConsoleClient] = set()
        self._redis: Any = None
        self._listener: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if not self.redis_url or self._listener is not None:
            return
        import redis.asyncio as aioredis

        self._redis = aioredis.from_url(self.redis_url)
        pubsub = self._redis.pubsub()
        await pubsub.subscribe(REDIS_CHANNEL)
        self._listener = asyncio.create_task(self._listen(pubsub))
        logger.info("handoff.hub redis fan-out on")

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
            self._listener = None
        if self._redis is not None:
            with contextlib.suppress(Exception):
                await self._redis.aclose()
            self._redis = None

    async def _listen(self, pubsub: Any) -> None:
        while True:
            try:
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        await self.deliver(json.loads(message["data"]))
            except asyncio.CancelledError:
                raise
            except Exception:  # keep listening after a Redis hiccup
                logger.exception("handoff.hub redis listener failed; retrying")
                await asyncio.sleep(1)

    def add(self, client: ConsoleClient) -> None:
        self.clients.add(client)

    def remove(self, client: ConsoleClient) -> None:
        self.clients.discard(client)

    async def publish(self, event: dict[str, Any]) -> None:
        if self._redis is not None:
            try:
                await self._redis.publish(
                    REDIS_CHANNEL, json.dumps(event, ensure_ascii=False, default=str)
                )
                return
            except Exception:
                logger.exception("handoff.hub redis publish failed; delivering locally")
        await self.deliver(event)

    async def deliver(self, event: dict[str, Any]) -> None:
        to = event.get("_to")
        payload = {k: v for k, v in event.items() if k != "_to"}
        text = json.dumps(payload, ensure_ascii=False, default=str)
        for client in list(self.clients):
            if not _allowed(client, to):
                continue
            try:
                async with client.lock:
                    await client.websocket.send_text(text)
            except Exception:
                self.clients.discard(client)
