"""Rate limits per user and per address, for the operations a script could flood."""

from __future__ import annotations

from dataclasses import dataclass

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


async def check(ctx: Context, key: str, limit: int, window: int, *, hit: bool = True) -> None:
    """Refuse with RATE_LIMITED (and when to retry) once `key` reached `limit`; else count it
    (unless `hit` is false: logins count only their failures)."""
    throttle = ctx.services.throttle
    count, resets_in = await throttle.count(key)
    if count >= limit:
        wait = retry_after(resets_in)
        raise DomainError(UserErrorCode.RATE_LIMITED, f"Too many attempts: retry in {wait} s.")
    if hit:
        await throttle.hit(key, window)


async def enforce(ctx: Context, operation: str) -> None:
    if ctx.actor.is_staff or ctx.actor.user_id is None:
        return  # staff are exempt; anonymous callers are refused by the use case itself
    limit = LIMITS[operation]
    await check(ctx, f"{operation}:user:{ctx.actor.user_id}", limit.per_user, limit.window_seconds)
    await check(ctx, f"{operation}:ip:{ctx.client_ip}", limit.per_address, limit.window_seconds)
