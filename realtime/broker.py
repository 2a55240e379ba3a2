"""The pub/sub broker behind live events: in-memory by default, Redis when several processes run."""

from __future__ import annotations

import asyncio
import logging

from broadcaster import Broadcast
from redis.asyncio import Redis

logger = logging.getLogger("phananh.broker")

READY_TIMEOUT_SECONDS = 2.0


class Broker:
    """A thin wrapper over broadcaster that can also answer "is the broker reachable?"."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.broadcast = Broadcast(url)
        self._redis: Redis | None = Redis.from_url(url) if url.startswith("redis") else None

    async def connect(self) -> None:
        await self.broadcast.connect()

    async def disconnect(self) -> None:
        await self.broadcast.disconnect()
        if self._redis is not None:
            await self._redis.aclose()

    async def is_ready(self) -> bool:
        if self._redis is None:
            return True
        try:
            async with asyncio.timeout(READY_TIMEOUT_SECONDS):
                return bool(await self._redis.ping())
        except Exception as exc:  # redis raises its own error classes for a lost connection
            logger.warning("broker not reachable: %s", exc)
            return False
