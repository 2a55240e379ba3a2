"""Where a report belongs: its area from the map point, the suggested agency, the calendar."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import tables
from models.calendar import WorkCalendar
from models.errors import DomainError, UserErrorCode
from models.geometry import point_in_ring
from models.routing import lineage, nearest_agency


async def area_for_point(
    session: AsyncSession, latitude: float, longitude: float, area_id: int | None
) -> int | None:
    """The deepest area whose boundary holds the point, when areas have boundaries.

    Without any boundaries on file the client's `area_id` is taken as given (or none); with
    boundaries, a point outside every area is outside the service area and refused.
    """
    area = tables.Area
    candidates = (
        await session.scalars(
            select(area).where(
                area.boundary.is_not(None),
                area.min_latitude <= latitude,
                area.max_latitude >= latitude,
                area.min_longitude <= longitude,
                area.max_longitude >= longitude,
            )
        )
    ).all()
    containing = [
        row
        for row in candidates
        if row.boundary and point_in_ring(longitude, latitude, row.boundary)
    ]
    if containing:
        return max(containing, key=lambda row: row.depth).id
    has_boundaries = await session.scalar(
        select(area.id).where(area.boundary.is_not(None)).limit(1)
    )
    if has_boundaries is not None:
        raise DomainError(
            UserErrorCode.OUTSIDE_SERVICE_AREA,
            "This point is outside the areas PhanAnh serves.",
            "latitude",
        )
    if area_id is not None and await session.get(area, area_id) is None:
        raise DomainError(UserErrorCode.NOT_FOUND, "No such area.", "areaId")
    return area_id


async def suggested_agency_id(
    session: AsyncSession, category_id: int, area_id: int | None
) -> int | None:
    """The routing rule of the nearest area at or above the report's area, if any."""
    if area_id is None:
        return None
    path = await session.scalar(select(tables.Area.path).where(tables.Area.id == area_id))
    if not path:
        return None
    ancestors = lineage(path)
    rules = (
        await session.execute(
            select(tables.Routing.area_id, tables.Routing.agency_id).where(
                tables.Routing.category_id == category_id, tables.Routing.area_id.in_(ancestors)
            )
        )
    ).all()
    return nearest_agency(ancestors, {row[0]: row[1] for row in rules})


async def work_calendar(session: AsyncSession) -> WorkCalendar:
    days = (await session.scalars(select(tables.Holiday.day))).all()
    return WorkCalendar(holidays=frozenset(days))
