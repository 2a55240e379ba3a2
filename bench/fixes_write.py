"""Experiments on the write row: a leaner `submitReport`, measured before anyone changes it.

Each function monkeypatches the application inside a `python -m bench.serve` process only
(bench.patches lists them); BENCHMARKS.md records what each one changed.
"""

from __future__ import annotations

from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from bench.fixes_read import validation_cache
from models import tables
from models.codes import format_code
from models.errors import DomainError, UserErrorCode
from models.geometry import point_in_ring
from models.reports import ReportCodeCounter
from resolvers import places, ratelimits, submission
from resolvers.throttle import RedisThrottle, retry_after
from schema.context import Context

# Both windows checked and counted in one round trip, atomically: returns 0 when within the
# limits (and counts the hit), else the milliseconds until the full window resets.
CHECK_AND_HIT = """
for i = 1, #KEYS do
  local count = tonumber(redis.call('GET', KEYS[i]) or '0')
  if count >= tonumber(ARGV[i]) then
    return math.max(redis.call('PTTL', KEYS[i]), 1)
  end
end
for i = 1, #KEYS do
  redis.call('INCR', KEYS[i])
  redis.call('EXPIRE', KEYS[i], ARGV[#KEYS + 1], 'NX')
end
return 0
"""


def _one_round_trip_limits() -> None:
    """resolvers.ratelimits.enforce: one EVAL instead of four round trips (GET+PTTL, then
    INCR+EXPIRE, for the user and again for the address), and no check-then-hit race."""
    enforce = ratelimits.enforce

    async def enforce_once(ctx: Context, operation: str) -> None:
        throttle = ctx.services.throttle
        if (
            ctx.actor.is_staff
            or ctx.actor.user_id is None
            or not isinstance(throttle, RedisThrottle)
        ):
            await enforce(ctx, operation)
            return
        limit = ratelimits.LIMITS[operation]
        prefix = throttle._prefix
        keys = [
            f"{prefix}{operation}:user:{ctx.actor.user_id}",
            f"{prefix}{operation}:ip:{ctx.client_ip}",
        ]
        redis: Redis = throttle._redis
        args = [limit.per_user, limit.per_address, limit.window_seconds]
        wait_ms = int(await redis.eval(CHECK_AND_HIT, len(keys), *keys, *args))
        if wait_ms:
            wait = retry_after(wait_ms / 1000)
            raise DomainError(UserErrorCode.RATE_LIMITED, f"Too many attempts: retry in {wait} s.")

    ratelimits.enforce = enforce_once


async def _next_code(session: AsyncSession, year: int) -> str:
    """models.codes.next_report_code in one statement (an upsert returning the new value)."""
    counter = ReportCodeCounter
    statement = (
        insert(counter)
        .values(year=year, last_value=1)
        .on_conflict_do_update(index_elements=["year"], set_={"last_value": counter.last_value + 1})
        .returning(counter.last_value)
    )
    return format_code(year, (await session.execute(statement)).scalar_one())


_bounded_areas: list[tables.Area] = []


async def _area_for_point(
    session: AsyncSession, latitude: float, longitude: float, area_id: int | None
) -> int | None:
    """resolvers.places.area_for_point over area boundaries loaded once per process."""
    if not _bounded_areas:
        rows = await session.scalars(select(tables.Area).where(tables.Area.boundary.is_not(None)))
        _bounded_areas.extend(rows)
        if not _bounded_areas:
            return await places.area_for_point(session, latitude, longitude, area_id)
    containing = [
        area
        for area in _bounded_areas
        if area.min_latitude is not None
        and area.min_latitude <= latitude <= (area.max_latitude or 0)
        and (area.min_longitude or 0) <= longitude <= (area.max_longitude or 0)
        and area.boundary
        and point_in_ring(longitude, latitude, area.boundary)
    ]
    if not containing:
        raise DomainError(
            UserErrorCode.OUTSIDE_SERVICE_AREA,
            "This point is outside the areas PhanAnh serves.",
            "latitude",
        )
    return max(containing, key=lambda area: area.depth).id


def lean_submit() -> None:
    """submitReport with 5 statements instead of 7 and 1 Redis round trip instead of 4.

    The code counter takes one upsert, the area comes from boundaries cached per process
    (areas change only by an administrator: a real cache needs their invalidation), the two
    rate-limit windows one Lua script. Includes `validation_cache`. Proposed in
    models/codes.py, resolvers/places.py and resolvers/ratelimits.py + throttle.py.
    """
    validation_cache()
    _one_round_trip_limits()
    # The use case calls these through its module's names, so that is where they are swapped.
    vars(submission)["next_report_code"] = _next_code
    vars(submission)["area_for_point"] = _area_for_point
