"""Fixed-window counters for rate limits: in memory for one process, in Redis for several."""

from __future__ import annotations

import math
import time
from typing import Protocol

from redis.asyncio import Redis


class Throttle(Protocol):
    async def count(self, key: str) -> tuple[int, float]:
        """How many hits the key has in its current window, and seconds until it resets."""
        ...

    async def hit(self, key: str, window_seconds: int) -> int:
        """Add one hit; the window starts at the first hit. Returns the new count."""
        ...

    async def reset(self, key: str) -> None: ...

    async def take(self, limits: list[tuple[str, int]], window_seconds: int) -> float:
        """Count one hit on every key if none has reached its limit, atomically; else count
        nothing and return the seconds until the first full key's window resets (0.0: taken).
        """
        ...


# Both the check and the hits in one round trip, so two concurrent requests cannot both pass
# the last free slot: 0 when every key is under its limit (each then counted), else the
# milliseconds until the first full key's window resets.
TAKE_SCRIPT = """
for i = 1, #KEYS do
  if tonumber(redis.call('GET', KEYS[i]) or '0') >= tonumber(ARGV[i]) then
    return math.max(redis.call('PTTL', KEYS[i]), 1)
  end
end
for i = 1, #KEYS do
  redis.call('INCR', KEYS[i])
  redis.call('EXPIRE', KEYS[i], ARGV[#KEYS + 1], 'NX')
end
return 0
"""


class MemoryThrottle:
    """One process's counters; expired windows are swept as new ones are opened."""

    def __init__(self) -> None:
        self._windows: dict[str, tuple[int, float]] = {}

    async def count(self, key: str) -> tuple[int, float]:
        now = time.monotonic()
        count, resets_at = self._windows.get(key, (0, now))
        if resets_at <= now:
            return 0, 0.0
        return count, resets_at - now

    async def hit(self, key: str, window_seconds: int) -> int:
        now = time.monotonic()
        count, resets_at = self._windows.get(key, (0, now))
        if resets_at <= now:
            count, resets_at = 0, now + window_seconds
            if len(self._windows) > 100_000:
                self._windows = {k: v for k, v in self._windows.items() if v[1] > now}
        self._windows[key] = (count + 1, resets_at)
        return count + 1

    async def reset(self, key: str) -> None:
        self._windows.pop(key, None)

    async def take(self, limits: list[tuple[str, int]], window_seconds: int) -> float:
        # No await between the checks and the hits: atomic within the event loop.
        for key, limit in limits:
            count, resets_in = await self.count(key)
            if count >= limit:
                return max(resets_in, 0.001)
        for key, _ in limits:
            await self.hit(key, window_seconds)
        return 0.0


class RedisThrottle:
    """Counters shared by every process: INCR with an expiry set by the first hit."""

    def __init__(self, url: str, prefix: str) -> None:
        self._redis = Redis.from_url(url)
        self._prefix = f"{prefix}rl:"
        self._take = self._redis.register_script(TAKE_SCRIPT)

    async def count(self, key: str) -> tuple[int, float]:
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.get(self._prefix + key)
            pipe.pttl(self._prefix + key)
            value, ttl_ms = await pipe.execute()
        if value is None or ttl_ms is None or ttl_ms < 0:
            return 0, 0.0
        return int(value), ttl_ms / 1000

    async def hit(self, key: str, window_seconds: int) -> int:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(self._prefix + key)
            pipe.expire(self._prefix + key, window_seconds, nx=True)
            count, _ = await pipe.execute()
        return int(count)

    async def reset(self, key: str) -> None:
        await self._redis.delete(self._prefix + key)

    async def take(self, limits: list[tuple[str, int]], window_seconds: int) -> float:
        keys = [self._prefix + key for key, _ in limits]
        args = [limit for _, limit in limits]
        wait_ms = await self._take(keys=keys, args=[*args, window_seconds])
        return int(wait_ms) / 1000

    async def close(self) -> None:
        await self._redis.aclose()


def retry_after(seconds: float) -> int:
    return max(1, math.ceil(seconds))
