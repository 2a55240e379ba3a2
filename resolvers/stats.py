"""Report statistics and agency scorecards, over the same filter and visibility rule as the list.

Three passes at most, whatever is asked: one grouped count (`tallies`: status, category, agency,
area and month with the on-time counts, from which every count figure is summed in Python — a
million reports fall into some ten thousand groups), one for both medians, one for ratings.
`group` (the assigned agency for scorecards) splits them per agency in those same statements.
Anonymous viewers share figures for `PUBLIC_STATS_SECONDS` (see `Figures`).
"""

from __future__ import annotations

import asyncio
import weakref
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
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
from resolvers.medians import Measure, medians
from resolvers.reports import ReportCriteria, report_conditions
from schema.context import Context

# Fewer reports than this behind a rate and a scorecard withholds it: small numbers mislead.
MIN_SAMPLE = 5
ANSWERED = (ReportStatus.RESOLVED, ReportStatus.CLOSED)
# Vietnam keeps UTC+7 all year: months are counted in its local time on both backends.
VIETNAM_OFFSET_HOURS = 7
# How long anonymous viewers share one computation of a filter's figures. Everyone anonymous
# sees the same public reports, and a dashboard does not need them newer than this; the
# figures say when they were computed (`generatedAt`).
PUBLIC_STATS_SECONDS = 60

Conditions = list[ColumnElement[bool]]
# A grouping column: a mapped attribute or any column expression.
Column = ColumnElement[Any] | InstrumentedAttribute[Any]


def conditions_for(ctx: Context, criteria: ReportCriteria) -> Conditions:
    return report_conditions(ctx.actor, criteria, ctx.now())


@dataclass(frozen=True)
class Tally:
    """The matching reports of one (status, category, agency, area, month) group."""

    status: ReportStatus
    category_id: int
    agency_id: int | None
    area_id: int | None
    month: str
    reports: int
    answered: int
    on_time: int


def month_of(ctx: Context) -> ColumnElement[str]:
    """A report's calendar month of submission in Vietnam, "2026-03"."""
    report = tables.Report
    # Literal SQL, not bound parameters: PostgreSQL must see the GROUP BY expression verbatim.
    if ctx.settings.is_sqlite:
        local: ColumnElement[str] = literal_column(f"'+{VIETNAM_OFFSET_HOURS} hours'")
        return func.strftime(literal_column("'%Y-%m'"), report.submitted_at, local)
    shifted = func.timezone(literal_column("'Asia/Ho_Chi_Minh'"), report.submitted_at)
    return func.to_char(shifted, literal_column("'YYYY-MM'"))


async def tallies(ctx: Context, conditions: Conditions) -> list[Tally]:
    """Every count figure's groups, in one pass over the matching reports.

    Answered: resolved or closed, with a due date; on time: answered by the due date.
    """
    report = tables.Report
    answered = and_(
        report.status.in_(ANSWERED), report.due_at.is_not(None), report.resolved_at.is_not(None)
    )
    in_time = and_(answered, report.resolved_at <= report.due_at)
    keys = [
        report.status,
        report.category_id,
        report.assigned_agency_id,
        report.area_id,
        month_of(ctx),
    ]
    statement = (
        select(
            *keys,
            func.count(),
            func.sum(case((answered, 1), else_=0)),
            func.sum(case((in_time, 1), else_=0)),
        )
        .where(*conditions)
        .group_by(*keys)
    )
    return [
        Tally(
            status=ReportStatus(row[0]),
            category_id=int(row[1]),
            agency_id=row[2],
            area_id=row[3],
            month=str(row[4]),
            reports=int(row[5]),
            answered=int(row[6] or 0),
            on_time=int(row[7] or 0),
        )
        for row in await ctx.db.rows(statement)
    ]


def count_by(found: list[Tally], key: Callable[[Tally], Hashable]) -> dict[Any, int]:
    """How many reports per value of `key` (status, category, agency, area or month)."""
    counts: dict[Any, int] = defaultdict(int)
    for tally in found:
        counts[key(tally)] += tally.reports
    return dict(counts)


def counts_by_status(found: list[Tally]) -> dict[ReportStatus, int]:
    return count_by(found, lambda tally: tally.status)


def counts_by_month(found: list[Tally]) -> list[tuple[str, int]]:
    """Per calendar month of submission in Vietnam, "2026-03", oldest first."""
    return sorted(count_by(found, lambda tally: tally.month).items())


async def counts_by_area(
    ctx: Context, found: list[Tally], within: int | None
) -> list[tuple[int | None, int]]:
    """Per area one level below `within` (the top-level areas when it is null).

    Reports are counted per area in SQL, then rolled up along the areas' paths in Python: there
    are far fewer areas than reports. A report in `within` itself counts under `within`; one
    without an area under null.
    """
    counts = count_by(found, lambda tally: tally.area_id)
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


def on_time(found: list[Tally]) -> OnTime:
    """Answered (resolved or closed, with a due date) and answered by the due date."""
    return OnTime(sum(t.answered for t in found), sum(t.on_time for t in found))


@dataclass(frozen=True)
class Median:
    count: int = 0
    hours: float | None = None


@dataclass(frozen=True)
class Durations:
    """Median times from submission to the first response and to the resolution."""

    first_response: Median = Median()
    resolution: Median = Median()


async def durations(
    ctx: Context, conditions: Conditions, group: Column | None = None
) -> dict[Hashable, Durations]:
    """Both medians in hours (to 0.01 h), over the reports where each end is set; exact."""
    report = tables.Report
    start = report.submitted_at

    def seconds(end: Any) -> ColumnElement[float]:
        if ctx.settings.is_sqlite:
            return (func.julianday(end) - func.julianday(start)) * 86_400.0
        return cast(extract("epoch", end - start), Float)

    measures = [
        Measure(seconds(report.first_response_at), report.first_response_at.is_not(None)),
        Measure(seconds(report.resolved_at), report.resolved_at.is_not(None)),
    ]
    found = await medians(
        ctx, measures, and_(*conditions), group, postgres=not ctx.settings.is_sqlite
    )

    def median(count: int, value: float | None) -> Median:
        return Median(count, round(value / 3600, 2) if value is not None else None)

    return {key: Durations(median(*pair[0]), median(*pair[1])) for key, pair in found.items()}


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


@dataclass
class Figures:
    """The figures of one reportStats, each computed once, when first asked for.

    Several fields need the same pass (`tallies`), and strawberry resolves them concurrently:
    the lock makes the first compute it and the others wait for it. For anonymous viewers the
    values are kept per filter (and per database) for PUBLIC_STATS_SECONDS from `generated_at`,
    so every figure of a response was computed at or after `generated_at`, and at most that
    long after it.
    """

    generated_at: datetime
    values: dict[str, Any] = field(default_factory=dict)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def get(self, name: str, compute: Callable[[], Awaitable[Any]]) -> Any:
        async with self.lock:
            if name not in self.values:
                self.values[name] = await compute()
            return self.values[name]


# Per session factory (one per application and database), so that tests and several
# applications in one process never share figures; entries of a finished app go with it.
_public: weakref.WeakKeyDictionary[Any, dict[ReportCriteria, Figures]] = weakref.WeakKeyDictionary()


def figures_for(ctx: Context, criteria: ReportCriteria) -> Figures:
    """This request's figures: shared with other anonymous viewers while they are fresh."""
    now = ctx.now()
    if ctx.actor.user_id is not None or PUBLIC_STATS_SECONDS <= 0:
        return Figures(generated_at=now)
    shared = _public.setdefault(ctx.sessions, {})
    found = shared.get(criteria)
    if found is None or not _fresh(found, now):
        for key in [key for key, old in shared.items() if not _fresh(old, now)]:
            del shared[key]
        found = shared[criteria] = Figures(generated_at=now)
    return found


def _fresh(figures: Figures, now: datetime) -> bool:
    return now - figures.generated_at < timedelta(seconds=PUBLIC_STATS_SECONDS)


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
    """Every active agency (and any other with matching reports), by name; four statements."""
    report, agency = tables.Report, tables.Agency
    conditions = conditions_for(ctx, criteria)
    found = await tallies(ctx, conditions)
    per_agency: dict[int | None, list[Tally]] = defaultdict(list)
    for tally in found:
        per_agency[tally.agency_id].append(tally)
    times = await durations(ctx, conditions, report.assigned_agency_id)
    ratings = await satisfaction(ctx, conditions, by_agency=True)
    if criteria.agency_id is not None:
        which = agency.id == criteria.agency_id
    else:
        listed = [key for key in per_agency if key is not None]
        which = agency.is_active.is_(True) | agency.id.in_(listed)
    agencies = await ctx.db.scalars(select(agency).where(which).order_by(agency.name, agency.id))
    cards = []
    for row in agencies:
        ctx.loaders.agency.prime(row.id, row)
        mine = per_agency.get(row.id, [])
        timing = times.get(row.id, Durations())
        cards.append(
            Scorecard(
                agency=row,
                by_status=counts_by_status(mine),
                on_time=on_time(mine),
                first_response=timing.first_response,
                resolution=timing.resolution,
                ratings=ratings.get(row.id, {}),
            )
        )
    return cards
