"""What the staff consoles' live feed is told, and when: events raised while handling a
request are published once its response has been sent (after its commit)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.background import BackgroundTasks

from crm_api.handoff.models import Handoff
from crm_api.handoff.realtime import ConsoleHub, audience


class ConsoleFeed:
    """The console events of one request, sent after its response."""

    def __init__(self, hub: ConsoleHub, tasks: BackgroundTasks) -> None:
        self.hub = hub
        self._tasks = tasks

    def publish(self, event: dict[str, Any]) -> None:
        self._tasks.add_task(self.hub.publish, event)

    def after_response(self, func: Callable[..., Awaitable[None]], **kwargs: Any) -> None:
        """Run `func` after the response, in order with the events published."""
        self._tasks.add_task(func, **kwargs)


def handoff_event(handoff: Handoff, kind: str, **extra: Any) -> dict[str, Any]:
    """A change of a handoff's state (queued, claimed, transferred, closed)."""
    return {
        "type": kind,
        "handoff_id": handoff.id,
        "status": handoff.status,
        "claimed_by": handoff.claimed_by,
        **extra,
    }


def message_event(
    handoff_id: int, to_staff_id: int | None, entry: dict[str, Any]
) -> dict[str, Any]:
    """A chat line for the console of the agent holding the claim (and supervisors)."""
    return {
        "type": "message",
        "handoff_id": handoff_id,
        "_to": audience([to_staff_id]),
        "entry": entry,
    }
