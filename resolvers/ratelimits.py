"""Rate limits per user and per address, for the operations a script could flood."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

from models.errors import DomainError, UserErrorCode
from resolvers.throttle import retry_after
from schema.context import Context


@dataclass(frozen=True)
class Limit:
    per_user: int
    per_address: int
    window_seconds: int


# Citizens only: staff work through many reports a day and are accountable by name.
LIMITS = {
    "submit": Limit(per_user=10, per_address=30, window_seconds=3600),
    "message": Limit(per_user=60, per_address=200, window_seconds=3600),
    "rating": Limit(per_user=30, per_address=100, window_seconds=3600),
}


async def check(ctx: Context, key: str, limit: int) -> None:
    """Refuse with RATE_LIMITED (and when to retry) once `key` reached `limit`, counting
    nothing: logins count only their failures, after the attempt."""
    count, resets_in = await ctx.services.throttle.count(key)
    if count >= limit:
        _refuse(resets_in)


async def take(ctx: Context, limits: list[tuple[str, int]], window_seconds: int) -> None:
    """Count this attempt on every key, or refuse it (counting nothing) if one is full."""
    wait = await ctx.services.throttle.take(limits, window_seconds)
    if wait:
        _refuse(wait)


async def enforce(ctx: Context, operation: str) -> None:
    if ctx.actor.is_staff or ctx.actor.user_id is None:
        return  # staff are exempt; anonymous callers are refused by the use case itself
    limit = LIMITS[operation]
    await take(
        ctx,
        [
            (f"{operation}:user:{ctx.actor.user_id}", limit.per_user),
            (f"{operation}:ip:{ctx.client_ip}", limit.per_address),
        ],
        limit.window_seconds,
    )


def _refuse(seconds: float) -> NoReturn:
    raise DomainError(
        UserErrorCode.RATE_LIMITED, f"Too many attempts: retry in {retry_after(seconds)} s."
    )
