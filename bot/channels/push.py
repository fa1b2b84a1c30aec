"""Push to the customers' open chat pages (WebSocket), across Rasa instances.

Each Rasa instance holds only the sockets opened to it. With ``REDIS_URL`` set, a push is
published on a Redis pub/sub channel that every instance subscribes to, and the instance
that holds the customer's socket delivers it; without Redis, pushes are delivered in this
process (one instance). The conversation state itself is in the tracker store, so any
instance can append an agent's message and any instance can hold the customer's socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from typing import Any

logger = logging.getLogger(__name__)

REDIS_CHANNEL = "webchat:push"


class PushHub:
    def __init__(self, redis_url: str | None = None) -> None:
        self.redis_url = redis_url or None
        self.sockets: dict[str, set[Any]] = defaultdict(set)
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
        logger.info("webchat: push fan-out through Redis")

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
            self._listener = None
        if self._redis is not None:
            with contextlib.suppress(Exception):
                await self._redis.close()
            self._redis = None

    async def _listen(self, pubsub: Any) -> None:
        while True:
            try:
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        data = json.loads(message["data"])
                        await self.deliver(data["sender_id"], data["payload"])
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("webchat: redis listener failed; retrying")
                await asyncio.sleep(1)

    def add(self, sender_id: str, socket: Any) -> None:
        self.sockets[sender_id].add(socket)

    def remove(self, sender_id: str, socket: Any) -> None:
        sockets = self.sockets.get(sender_id)
        if sockets is not None:
            sockets.discard(socket)
            if not sockets:
                self.sockets.pop(sender_id, None)

    async def publish(self, sender_id: str, payload: dict[str, Any]) -> None:
        if self._redis is not None:
            try:
                await self._redis.publish(
                    REDIS_CHANNEL,
                    json.dumps({"sender_id": sender_id, "payload": payload}, ensure_ascii=False),
                )
                return
            except Exception:
                logger.exception("webchat: redis publish failed; delivering locally")
        await self.deliver(sender_id, payload)

    async def deliver(self, sender_id: str, payload: dict[str, Any]) -> int:
        """Sends to this instance's sockets of the conversation; returns how many."""
        text = json.dumps(payload, ensure_ascii=False)
        delivered = 0
        for socket in list(self.sockets.get(sender_id, ())):
            try:
                await socket.send(text)
                delivered += 1
            except Exception:
                self.remove(sender_id, socket)
        return delivered
