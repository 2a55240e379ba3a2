"""Exact medians in SQL on both backends, per group, several measures in one pass."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from schema.context import Context

Group = ColumnElement[Any] | InstrumentedAttribute[Any] | None
# (count, median) of one measure in one group; the median is null when the count is 0.
Found = tuple[int, float | None]


@dataclass(frozen=True)
class Measure:
    """A value to take the median of, over the rows where `present` holds."""

    seconds: ColumnElement[float]
    present: ColumnElement[bool]


async def medians(
    ctx: Context,
    measures: Sequence[Measure],
    where: ColumnElement[bool],
    group: Group,
    *,
    postgres: bool,
) -> dict[Hashable, list[Found]]:
    """(count, median) of every measure per value of `group` (one entry, None, without one).

    PostgreSQL has `percentile_cont(0.5)` and FILTER, so every measure shares one pass. SQLite
    has no percentile but has window functions: number the rows per group in order and average
    the middle one or two, which is the same definition (the mean of the two middle values when
    the count is even), one statement per measure. Both stay in SQL, so no backend loads the
    durations into Python.
    """
    found: dict[Hashable, list[Found]] = {}
    if postgres:
        results = await _postgres(ctx, measures, where, group)
    else:
        results = [await _sqlite(ctx, m.seconds, and_(where, m.present), group) for m in measures]
    for index, result in enumerate(results):
        for key, value in result.items():
            found.setdefault(key, [(0, None)] * len(measures))[index] = value
    return found


async def _postgres(
    ctx: Context, measures: Sequence[Measure], where: ColumnElement[bool], group: Group
) -> list[dict[Hashable, Found]]:
    groups = [] if group is None else [group]
    columns: list[Any] = []
    for measure in measures:
        columns.append(func.count().filter(measure.present))
        median = func.percentile_cont(0.5).within_group(measure.seconds)
        columns.append(median.filter(measure.present))
    present = or_(*[measure.present for measure in measures])
    statement = select(*groups, *columns).where(where, present).group_by(*groups)
    results: list[dict[Hashable, Found]] = [{} for _ in measures]
    for row in await ctx.db.rows(statement):
        key = row[0] if group is not None else None
        values = row[len(groups) :]
        for index in range(len(measures)):
            count, value = int(values[2 * index] or 0), values[2 * index + 1]
            if count:
                results[index][key] = (count, float(value) if value is not None else None)
    return results


async def _sqlite(
    ctx: Context, seconds: ColumnElement[float], where: ColumnElement[bool], group: Group
) -> dict[Hashable, Found]:
    groups = [] if group is None else [group]
    ranked = select(
        *[g.label("g") for g in groups],
        seconds.label("s"),
        func.row_number().over(partition_by=group, order_by=seconds).label("rn"),
        func.count().over(partition_by=group).label("n"),
    ).where(where)
    inner = ranked.subquery()
    middle = or_(inner.c.rn == (inner.c.n + 1) // 2, inner.c.rn == (inner.c.n + 2) // 2)
    outer_groups = [inner.c.g] if group is not None else []
    statement = (
        select(*outer_groups, func.max(inner.c.n), func.avg(inner.c.s))
        .where(middle)
        .group_by(*outer_groups)
    )
    found: dict[Hashable, Found] = {}
    for row in await ctx.db.rows(statement):
        key = row[0] if group is not None else None
        count = int(row[-2] or 0)
        if count:
            found[key] = (count, float(row[-1]) if row[-1] is not None else None)
    return found
