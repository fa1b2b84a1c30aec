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
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from starlette.websockets import WebSocket

from bankkit.fanout import RedisFanout

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
    """This process's console connections, and the event feed to them across processes."""

    def __init__(self, redis_url: str | None = None) -> None:
        self.clients: set[ConsoleClient] = set()
        self._fanout = RedisFanout(REDIS_CHANNEL, self.deliver, redis_url, logger=logger)

    async def start(self) -> None:
        await self._fanout.start()

    async def stop(self) -> None:
        await self._fanout.stop()

    def add(self, client: ConsoleClient) -> None:
        self.clients.add(client)

    def remove(self, client: ConsoleClient) -> None:
        self.clients.discard(client)

    async def publish(self, event: dict[str, Any]) -> None:
        """Sends ``event`` to the consoles of its audience (``_to``), in every process."""
        await self._fanout.publish(event)

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
