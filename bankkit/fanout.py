"""Fan-out of JSON messages to every process of a service, through Redis pub/sub.

Each process holds only the WebSocket connections opened to it. With a Redis URL, a
published message goes to a Redis pub/sub channel that every process subscribes to, and
each process hands it to its own ``deliver`` callback (which sends it to the sockets that
process holds); without one, the message is delivered in this process only, which is all
a single instance needs. The bot's push to chat pages and the CRM's staff-console feed
both run on this.

Written against what redis-py's ``redis.asyncio`` offers in both environments (4.6 in the
bot's, 8.x in the CRM's). redis is the optional extra ``fanout`` and is imported only
when a URL is configured.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

__all__ = ["Deliver", "RedisFanout"]

Deliver = Callable[[Any], Awaitable[object]]

_RETRY_SECONDS = 1.0


def _closer(resource: Any) -> Any:
    # redis-py 5 renamed close() to aclose() and deprecated the old name; 4.6 has only close()
    return getattr(resource, "aclose", None) or resource.close


class RedisFanout:
    """Publishes JSON messages to every subscribed process, or straight to ``deliver``.

    Args:
        channel: the Redis pub/sub channel, one per kind of feed.
        deliver: called with each decoded message, in every process.
        redis_url: where Redis is; None or empty delivers in this process only.
        logger: where to report Redis trouble (the caller's, so the lines say whose feed).
    """

    def __init__(
        self,
        channel: str,
        deliver: Deliver,
        redis_url: str | None = None,
        *,
        logger: logging.Logger | None = None,
    ) -> None:
        self.channel = channel
        self.redis_url = redis_url or None
        self._deliver = deliver
        self._log = logger or logging.getLogger(__name__)
        self._redis: Any = None
        self._pubsub: Any = None
        self._listener: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Subscribes and starts listening; nothing to do without a Redis URL. Idempotent."""
        if not self.redis_url or self._listener is not None:
            return
        import redis.asyncio as aioredis

        self._redis = aioredis.from_url(self.redis_url)
        self._pubsub = self._redis.pubsub()
        await self._pubsub.subscribe(self.channel)
        self._listener = asyncio.create_task(self._listen(self._pubsub))
        self._log.info("fan-out through Redis channel %s", self.channel)

    async def stop(self) -> None:
        """Stops listening and closes the Redis connections (safe to call twice)."""
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
            self._listener = None
        if self._pubsub is not None:
            with contextlib.suppress(Exception):
                await _closer(self._pubsub)()
        if self._redis is not None:
            with contextlib.suppress(Exception):
                # 4.6's from_url leaves the pool open on close(): close it explicitly
                await _closer(self._redis)(close_connection_pool=True)
        self._pubsub = self._redis = None

    async def _listen(self, pubsub: Any) -> None:
        while True:
            try:
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        await self._deliver(json.loads(message["data"]))
            except asyncio.CancelledError:
                raise
            except Exception:  # keep listening after a Redis hiccup or a bad message
                self._log.exception("Redis listener on %s failed; retrying", self.channel)
                await asyncio.sleep(_RETRY_SECONDS)

    async def publish(self, message: Any) -> None:
        """Sends ``message`` to every process (or delivers it here when Redis fails or is off).

        Values JSON cannot encode (datetimes, Decimals) are sent as their ``str``.
        """
        if self._redis is not None:
            try:
                text = json.dumps(message, ensure_ascii=False, default=str)
                await self._redis.publish(self.channel, text)
                return
            except Exception:
                self._log.exception("Redis publish on %s failed; delivering locally", self.channel)
        await self._deliver(message)
