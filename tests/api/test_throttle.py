"""Rate-limit windows: one attempt is counted on every key or on none, also under concurrency."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest

from resolvers.throttle import MemoryThrottle, RedisThrottle, Throttle
from tests.backends import Backend


@pytest.fixture
async def throttle(backend: Backend) -> AsyncIterator[Throttle]:
    """The throttle this run's broker implies: Redis when the suite runs on Redis."""
    if backend.broadcast_url.startswith("redis"):
        shared = RedisThrottle(backend.broadcast_url, f"test-{uuid.uuid4().hex}:")
        yield shared
        await shared.close()
    else:
        yield MemoryThrottle()


async def test_concurrent_attempts_never_pass_the_limit(throttle: Throttle) -> None:
    waits = await asyncio.gather(*(throttle.take([("submit:user:1", 10)], 60) for _ in range(25)))
    assert sum(1 for wait in waits if wait == 0) == 10


async def test_a_refused_attempt_counts_on_no_key(throttle: Throttle) -> None:
    for _ in range(3):
        assert await throttle.take([("user:7", 100), ("ip:a", 3)], 60) == 0
    assert await throttle.take([("user:7", 100), ("ip:a", 3)], 60) > 0
    assert (await throttle.count("user:7"))[0] == 3


async def test_a_refusal_says_when_the_window_resets(throttle: Throttle) -> None:
    assert await throttle.take([("rating:user:9", 1)], 60) == 0
    wait = await throttle.take([("rating:user:9", 1)], 60)
    assert 58 < wait <= 60
