"""Exact medians in SQL on both backends, per group in one statement."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from schema.context import Context


async def median_seconds(
    ctx: Context,
    seconds: ColumnElement[float],
    where: ColumnElement[bool],
    group: ColumnElement[Any] | InstrumentedAttribute[Any] | None,
    *,
    postgres: bool,
) -> dict[Hashable, tuple[int, float | None]]:
    """(count, median of `seconds`) per value of `group` (one entry, None, without a group).

    PostgreSQL has `percentile_cont(0.5)`. SQLite has no percentile but has window functions:
    number the rows per group in order and average the middle one or two, which is the same
    definition (the mean of the two middle values when the count is even). Both stay in SQL, so
    no backend loads the durations into Python.
    """
    groups = [] if group is None else [group]
    if postgres:
        median = func.percentile_cont(0.5).within_group(seconds)
        statement = select(*groups, func.count(), median).where(where).group_by(*groups)
    else:
        partition = group if group is not None else None
        ranked = select(
            *[g.label("g") for g in groups],
            seconds.label("s"),
            func.row_number().over(partition_by=partition, order_by=seconds).label("rn"),
            func.count().over(partition_by=partition).label("n"),
        ).where(where)
        inner = ranked.subquery()
        middle = or_(inner.c.rn == (inner.c.n + 1) // 2, inner.c.rn == (inner.c.n + 2) // 2)
        outer_groups = [inner.c.g] if group is not None else []
        statement = (
            select(*outer_groups, func.max(inner.c.n), func.avg(inner.c.s))
            .where(middle)
            .group_by(*outer_groups)
        )
    found: dict[Hashable, tuple[int, float | None]] = {}
    for row in await ctx.db.rows(statement):
        key = row[0] if group is not None else None
        count = int(row[-2] or 0)
        if count:
            found[key] = (count, float(row[-1]) if row[-1] is not None else None)
    return found
