"""Experiments on the write row: a leaner `submitReport`, measured before anyone changes it.

Each function monkeypatches the application inside a `python -m bench.serve` process only
(bench.patches lists them); BENCHMARKS.md records what each one changed.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import tables
from models.errors import DomainError, UserErrorCode
from models.geometry import point_in_ring
from resolvers import places, submission

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


def cached_areas() -> None:
    """submitReport finding the area among boundaries cached per process: one statement less.

    Areas change only by an administrator: a real cache needs their invalidation across
    processes. (The other parts of the earlier `lean-submit` experiment, the one-upsert report
    code and the one-round-trip rate limits, are in the application now.)
    """
    # The use case calls it through its module's name, so that is where it is swapped.
    vars(submission)["area_for_point"] = _area_for_point
