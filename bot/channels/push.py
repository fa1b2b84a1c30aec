"""Push to the customers' open chat pages (WebSocket), across Rasa instances.

Each Rasa instance holds only the sockets opened to it. With ``REDIS_URL`` set, a push is
published on a Redis pub/sub channel that every instance subscribes to, and the instance
that holds the customer's socket delivers it; without Redis, pushes are delivered in this
process (one instance). The conversation state itself is in the tracker store, so any
instance can append an agent's message and any instance can hold the customer's socket.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from typing import Any

from bankkit.fanout import RedisFanout

logger = logging.getLogger(__name__)

REDIS_CHANNEL = "webchat:push"


class PushHub:
    """This instance's chat-page sockets by conversation, and the push to them."""

    def __init__(self, redis_url: str | None = None) -> None:
        self.sockets: dict[str, set[Any]] = defaultdict(set)
        self._fanout = RedisFanout(REDIS_CHANNEL, self._deliver_pushed, redis_url, logger=logger)

    async def start(self) -> None:
        await self._fanout.start()

    async def stop(self) -> None:
        await self._fanout.stop()

    async def _deliver_pushed(self, message: dict[str, Any]) -> None:
        await self.deliver(message["sender_id"], message["payload"])

    def add(self, sender_id: str, socket: Any) -> None:
        self.sockets[sender_id].add(socket)

    def remove(self, sender_id: str, socket: Any) -> None:
        sockets = self.sockets.get(sender_id)
        if sockets is not None:
            sockets.discard(socket)
            if not sockets:
                self.sockets.pop(sender_id, None)

    async def publish(self, sender_id: str, payload: dict[str, Any]) -> None:
        """Pushes ``payload`` to the conversation's sockets, on whichever instance holds them."""
        await self._fanout.publish({"sender_id": sender_id, "payload": payload})

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
