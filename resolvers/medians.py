"""Medians: exact in SQL on both backends, per group, several measures in one pass; or
approximate, interpolated in a histogram of the roll-up (models.tallies)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from models.tallies import EDGES
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


def histogram_median(buckets: Mapping[int, int]) -> Found:
    """(count, median) from a histogram: bucket (an index into EDGES) -> how many values.

    The same definition as the exact median (the middle value, or the mean of the middle two),
    each middle value placed in its bucket as if the bucket's values were spread evenly. A
    value so placed stays in its bucket, so it is off by less than that bucket's width: under
    35 % of the value (edges grow 1.35-fold), under a minute in the first bucket; so is their
    mean. The last bucket (past a year) is open-ended: its lower edge stands for its values.
    """
    counts = sorted((bucket, amount) for bucket, amount in buckets.items() if amount > 0)
    count = sum(amount for _, amount in counts)
    if not count:
        return 0, None
    ranks = [(count + 1) // 2] if count % 2 else [count // 2, count // 2 + 1]
    values = [_value_at(counts, rank) for rank in ranks]
    return count, sum(values) / len(values)


def _value_at(counts: list[tuple[int, int]], rank: int) -> float:
    """The rank-th smallest value (from 1), spread evenly inside its bucket."""
    seen = 0
    for bucket, amount in counts:
        if seen + amount >= rank:
            low = EDGES[bucket]
            high = EDGES[bucket + 1] if bucket + 1 < len(EDGES) else low
            return low + (rank - seen - 0.5) / amount * (high - low)
        seen += amount
    return float(EDGES[counts[-1][0]])
