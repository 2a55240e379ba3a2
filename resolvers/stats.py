"""Report statistics and agency scorecards, over the same filter and visibility rule as the list.

Each figure is one grouped statement; `group` (the assigned agency for scorecards) splits it per
agency in that same statement, so a scorecard list costs the same few statements at any size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    and_,
    case,
    cast,
    extract,
    func,
    literal_column,
    select,
)
from sqlalchemy.orm import InstrumentedAttribute

from models import tables
from models.enums import ReportStatus, Satisfaction
from models.routing import lineage
from resolvers.medians import median_seconds
from resolvers.reports import ReportCriteria, report_conditions
from schema.context import Context

# Fewer reports than this behind a rate and a scorecard withholds it: small numbers mislead.
MIN_SAMPLE = 5
ANSWERED = (ReportStatus.RESOLVED, ReportStatus.CLOSED)
# Vietnam keeps UTC+7 all year: months are counted in its local time on both backends.
VIETNAM_OFFSET_HOURS = 7

Conditions = list[ColumnElement[bool]]
# A grouping column: a mapped attribute or any column expression.
Column = ColumnElement[Any] | InstrumentedAttribute[Any]


def conditions_for(ctx: Context, criteria: ReportCriteria) -> Conditions:
    return report_conditions(ctx.actor, criteria, ctx.now())


def _grouped(group: Column | None) -> list[Column]:
    return [] if group is None else [group]


def _key(row: tuple[Any, ...], group: Column | None) -> Hashable:
    return row[0] if group is not None else None


async def count_by(ctx: Context, conditions: Conditions, column: Column) -> dict[Any, int]:
    """How many matching reports per value of `column` (status, category, agency or area)."""
    statement = select(column, func.count()).where(*conditions).group_by(column)
    return {row[0]: int(row[1]) for row in await ctx.db.rows(statement)}


async def counts_by_status(
    ctx: Context, conditions: Conditions, group: Column | None = None
) -> dict[Hashable, dict[ReportStatus, int]]:
    report = tables.Report
    columns = [*_grouped(group), report.status]
    statement = select(*columns, func.count()).where(*conditions).group_by(*columns)
    found: dict[Hashable, dict[ReportStatus, int]] = defaultdict(dict)
    for row in await ctx.db.rows(statement):
        found[_key(row, group)][ReportStatus(row[-2])] = int(row[-1])
    return found


async def counts_by_month(ctx: Context, conditions: Conditions) -> list[tuple[str, int]]:
    """Per calendar month of submission in Vietnam, "2026-03", oldest first."""
    report = tables.Report
    # Literal SQL, not bound parameters: PostgreSQL must see the GROUP BY expression verbatim.
    if ctx.settings.is_sqlite:
        local: ColumnElement[str] = literal_column(f"'+{VIETNAM_OFFSET_HOURS} hours'")
        month = func.strftime(literal_column("'%Y-%m'"), report.submitted_at, local)
    else:
        shifted = func.timezone(literal_column("'Asia/Ho_Chi_Minh'"), report.submitted_at)
        month = func.to_char(shifted, literal_column("'YYYY-MM'"))
    statement = select(month, func.count()).where(*conditions).group_by(month).order_by(month)
    return [(str(row[0]), int(row[1])) for row in await ctx.db.rows(statement)]


async def counts_by_area(
    ctx: Context, conditions: Conditions, within: int | None
) -> list[tuple[int | None, int]]:
    """Per area one level below `within` (the top-level areas when it is null).

    Reports are counted per area in SQL, then rolled up along the areas' paths in Python: there
    are far fewer areas than reports. A report in `within` itself counts under `within`; one
    without an area under null.
    """
    counts = await count_by(ctx, conditions, tables.Report.area_id)
    area = tables.Area
    depth = 0
    if within is not None:
        depth = int(await ctx.db.scalar(select(area.depth).where(area.id == within)) or 0) + 1
    known = [key for key in counts if key is not None]
    paths = dict(await ctx.db.rows(select(area.id, area.path).where(area.id.in_(known))))
    rolled: dict[int | None, int] = defaultdict(int)
    for area_id, count in counts.items():
        chain = lineage(paths[area_id]) if area_id in paths else []
        rolled[chain[min(depth, len(chain) - 1)] if chain else None] += count
    return sorted(rolled.items(), key=lambda item: (-item[1], item[0] is None, item[0] or 0))


@dataclass(frozen=True)
class OnTime:
    answered: int = 0
    on_time: int = 0


async def on_time(
    ctx: Context, conditions: Conditions, group: Column | None = None
) -> dict[Hashable, OnTime]:
    """Answered (resolved or closed, with a due date) and answered by the due date."""
    report = tables.Report
    in_time = func.sum(case((report.resolved_at <= report.due_at, 1), else_=0))
    statement = (
        select(*_grouped(group), func.count(), in_time)
        .where(
            *conditions,
            report.status.in_(ANSWERED),
            report.due_at.is_not(None),
            report.resolved_at.is_not(None),
        )
        .group_by(*_grouped(group))
    )
    return {
        _key(row, group): OnTime(int(row[-2]), int(row[-1] or 0))
        for row in await ctx.db.rows(statement)
        if row[-2]
    }


@dataclass(frozen=True)
class Median:
    count: int = 0
    hours: float | None = None


async def median_hours(
    ctx: Context,
    conditions: Conditions,
    start: Any,
    end: Any,
    group: Column | None = None,
) -> dict[Hashable, Median]:
    """The median of `end - start` in hours (to 0.01 h) over reports where `end` is set."""
    if ctx.settings.is_sqlite:
        seconds: ColumnElement[float] = (func.julianday(end) - func.julianday(start)) * 86_400.0
    else:
        seconds = cast(extract("epoch", end - start), Float)
    where = and_(*conditions, end.is_not(None))
    found = await median_seconds(ctx, seconds, where, group, postgres=not ctx.settings.is_sqlite)
    return {
        key: Median(count, round(value / 3600, 2) if value is not None else None)
        for key, (count, value) in found.items()
    }


async def satisfaction(
    ctx: Context, conditions: Conditions, by_agency: bool = False
) -> dict[Hashable, dict[Satisfaction, int]]:
    """Ratings of matching reports per satisfaction; per rated agency for scorecards."""
    rating = tables.Rating
    columns: list[Column] = [rating.agency_id] if by_agency else []
    columns.append(rating.satisfaction)
    statement = (
        select(*columns, func.count())
        .join(tables.Report, tables.Report.id == rating.report_id)
        .where(*conditions)
        .group_by(*columns)
    )
    found: dict[Hashable, dict[Satisfaction, int]] = defaultdict(dict)
    for row in await ctx.db.rows(statement):
        found[row[0] if by_agency else None][Satisfaction(row[-2])] = int(row[-1])
    return found


@dataclass(frozen=True)
class Scorecard:
    """One agency's figures over the matching reports assigned to it (ratings: rated to it)."""

    agency: tables.Agency
    by_status: dict[ReportStatus, int]
    on_time: OnTime
    first_response: Median
    resolution: Median
    ratings: dict[Satisfaction, int]

    @property
    def reports(self) -> int:
        return sum(self.by_status.values())


async def agency_scorecards(ctx: Context, criteria: ReportCriteria) -> list[Scorecard]:
    """Every active agency (and any other with matching reports), by name; five statements."""
    report, agency = tables.Report, tables.Agency
    conditions = conditions_for(ctx, criteria)
    group = report.assigned_agency_id
    statuses = await counts_by_status(ctx, conditions, group)
    answered = await on_time(ctx, conditions, group)
    start = report.submitted_at
    first = await median_hours(ctx, conditions, start, report.first_response_at, group)
    resolved = await median_hours(ctx, conditions, start, report.resolved_at, group)
    ratings = await satisfaction(ctx, conditions, by_agency=True)
    if criteria.agency_id is not None:
        which = agency.id == criteria.agency_id
    else:
        which = agency.is_active.is_(True) | agency.id.in_([k for k in statuses if k is not None])
    agencies = await ctx.db.scalars(select(agency).where(which).order_by(agency.name, agency.id))
    cards = []
    for row in agencies:
        ctx.loaders.agency.prime(row.id, row)
        cards.append(
            Scorecard(
                agency=row,
                by_status=statuses.get(row.id, {}),
                on_time=answered.get(row.id, OnTime()),
                first_response=first.get(row.id, Median()),
                resolution=resolved.get(row.id, Median()),
                ratings=ratings.get(row.id, {}),
            )
        )
    return cards
