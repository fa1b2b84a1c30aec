"""Fan-out through Redis pub/sub, and straight delivery without it (both environments)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import pytest

from bankkit.fanout import RedisFanout

REDIS_URL = "redis://127.0.0.1:6379/0"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def deliver(self, message: Any) -> None:
        self.messages.append(message)

    async def wait_for(self, count: int) -> list[Any]:
        for _ in range(100):
            if len(self.messages) >= count:
                break
            await asyncio.sleep(0.02)
        return self.messages


@pytest.fixture
async def redis_url() -> AsyncIterator[str]:
    redis = pytest.importorskip("redis.asyncio")
    probe = redis.from_url(REDIS_URL)
    try:
        await probe.ping()
    except Exception as exc:  # pragma: no cover - depends on the machine
        pytest.skip(f"Redis not reachable: {exc}")
    finally:
        close = getattr(probe, "aclose", None) or probe.close
        await close(close_connection_pool=True)
    yield REDIS_URL


def channel() -> str:
    # one channel per test, so parallel runs on a shared Redis do not see each other
    return f"bankkit-test:{uuid.uuid4().hex}"


async def test_without_redis_a_message_is_delivered_in_this_process() -> None:
    inbox = Inbox()
    fanout = RedisFanout(channel(), inbox.deliver, None)
    await fanout.start()  # nothing to start
    await fanout.publish({"type": "message", "text": "您好"})
    assert inbox.messages == [{"type": "message", "text": "您好"}]
    await fanout.stop()


async def test_a_message_reaches_every_subscribed_process(redis_url: str) -> None:
    name = channel()
    inbox_a, inbox_b = Inbox(), Inbox()
    a = RedisFanout(name, inbox_a.deliver, redis_url)
    b = RedisFanout(name, inbox_b.deliver, redis_url)
    await a.start()
    await b.start()
    try:
        await asyncio.sleep(0.2)  # subscriptions settle
        await a.publish({"when": date(2024, 5, 15), "text": "您好"})
        # dates travel as text; the publisher's own process gets it from Redis too
        expected = [{"when": "2024-05-15", "text": "您好"}]
        assert await inbox_b.wait_for(1) == expected
        assert await inbox_a.wait_for(1) == expected
    finally:
        await a.stop()
        await b.stop()
        await b.stop()  # stopping twice is harmless


async def test_the_listener_survives_a_message_it_cannot_deliver(redis_url: str) -> None:
    seen: list[Any] = []

    async def deliver(message: Any) -> None:
        seen.append(message)
        if message == "bad":
            raise KeyError("sender_id")

    fanout = RedisFanout(channel(), deliver, redis_url)
    await fanout.start()
    try:
        await asyncio.sleep(0.2)
        await fanout.publish("bad")
        await fanout.publish("good")  # waits in the subscription while the listener recovers
        for _ in range(200):
            if "good" in seen:
                break
            await asyncio.sleep(0.02)
        assert seen == ["bad", "good"]
    finally:
        await fanout.stop()


async def test_a_failed_publish_is_delivered_locally(redis_url: str) -> None:
    inbox = Inbox()
    fanout = RedisFanout(channel(), inbox.deliver, redis_url)
    await fanout.start()
    try:

        class Broken:
            async def publish(self, *_: Any) -> None:
                raise ConnectionError("redis went away")

        real, fanout._redis = fanout._redis, Broken()
        await fanout.publish({"n": 1})
        assert inbox.messages == [{"n": 1}]
        fanout._redis = real
    finally:
        await fanout.stop()
