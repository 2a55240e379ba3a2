"""Reading the directory: categories, agencies and the area tree."""

from __future__ import annotations

from sqlalchemy import select

from models import tables
from schema.context import Context


async def list_categories(ctx: Context) -> list[tables.Category]:
    category = tables.Category
    statement = (
        select(category)
        .where(category.is_active.is_(True))
        .order_by(category.sort_order, category.name)
    )
    return await ctx.db.scalars(statement)


async def list_agencies(ctx: Context) -> list[tables.Agency]:
    agency = tables.Agency
    statement = select(agency).where(agency.is_active.is_(True)).order_by(agency.name)
    return await ctx.db.scalars(statement)


async def list_areas(ctx: Context, parent_id: int | None) -> list[tables.Area]:
    area = tables.Area
    parent = area.parent_id.is_(None) if parent_id is None else area.parent_id == parent_id
    rows: list[tables.Area] = await ctx.db.scalars(select(area).where(parent).order_by(area.name))
    for row in rows:
        ctx.loaders.area.prime(row.id, row)
    return rows
