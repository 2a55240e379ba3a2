"""Report statistics and agency scorecards, over the same filter and visibility rule as the list.

Three passes at most, whatever is asked: one grouped count (`tallies`: status, category, agency,
area and month with the on-time counts, from which every count figure is summed in Python — a
million reports fall into some ten thousand groups), one for both medians, one for ratings.
`group` (the assigned agency for scorecards) splits them per agency in those same statements.
When the filter is one the roll-up covers (`_rolled_up`: status, category, agency, area and
whole months of submission), each pass reads the roll-up
(models.tallies) instead of the reports: counts and ratings exactly, medians from duration
histograms once `EXACT_BELOW` reports match (approximate within one bucket, see
resolvers.medians.histogram_median); below that, or for other filters, medians are exact.
Anonymous viewers share figures for `STATS_CACHE_SECONDS` (see `Figures`).
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
    not_,
    select,
)
from sqlalchemy.orm import InstrumentedAttribute

from models import policy, tables
from models.enums import ReportStatus, Satisfaction
from models.routing import lineage
from models.tallies import FIRST_RESPONSE, RESOLUTION, bucket_of, local_time
from resolvers.medians import Measure, histogram_median, medians
from resolvers.reports import ReportCriteria, area_subtree, report_conditions
from schema.context import Context

# Fewer reports than this behind a rate and a scorecard withholds it: small numbers mislead.
MIN_SAMPLE = 5
ANSWERED = (ReportStatus.RESOLVED, ReportStatus.CLOSED)
# Vietnam keeps UTC+7 all year: months are counted in its local time on both backends.
VIETNAM_OFFSET_HOURS = 7
# Fewer matching reports than this and the medians are exact (a sort of that many durations is
# cheap); from it on, over a filter the roll-up covers, they come from its histograms.
EXACT_BELOW = 20_000

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


async def tallies(ctx: Context, criteria: ReportCriteria, conditions: Conditions) -> list[Tally]:
    """Every count figure's groups: from the roll-up when the filter allows, else one pass.

    The roll-up (models.tallies) is kept by status, category, agency, area and month, so a
    filter on those alone is answered from it, whatever the number of reports. A citizen also
    sees their own reports before they are public: those few are counted from the reports.
    """
    if not _rolled_up(criteria):
        return await count_tallies(ctx, conditions)
    found = await _from_tallies(ctx, criteria)
    own = _own_unshown(ctx, conditions)
    if own is not None:
        found += await count_tallies(ctx, own)
    return found


def _own_unshown(ctx: Context, conditions: Conditions) -> Conditions | None:
    """A citizen's matching reports the public does not see (absent from public roll-ups)."""
    actor, report = ctx.actor, tables.Report
    if actor.user_id is None or actor.is_staff:
        return None
    shown = policy.publicly_shown(report.is_public, report.status)
    return [*conditions, report.reporter_id == actor.user_id, not_(shown)]


def _covered(ctx: Context, criteria: ReportCriteria, table: Any) -> Conditions:
    """The roll-up rows (of any of the three tables: same key columns) the filter selects."""
    actor = ctx.actor
    visible = policy.visible_rows(
        actor, is_public=table.is_public, status=table.status, agency_id=table.agency_id
    )
    conditions = [visible]
    if criteria.statuses:
        conditions.append(table.status.in_(criteria.statuses))
    if criteria.category_ids:
        conditions.append(table.category_id.in_(criteria.category_ids))
    if criteria.agency_id is not None:
        conditions.append(table.agency_id == criteria.agency_id)
    if criteria.area_id is not None:
        conditions.append(table.area_id.in_(area_subtree(criteria.area_id)))
    # Only month starts reach here (_rolled_up): from that month on, before that month.
    if criteria.submitted_after is not None:
        conditions.append(table.month >= _month_start(criteria.submitted_after))
    if criteria.submitted_before is not None:
        conditions.append(table.month < _month_start(criteria.submitted_before))
    return conditions


def _rolled_up(criteria: ReportCriteria) -> bool:
    """Whether the roll-up, keyed by month, holds exactly the reports the filter selects."""
    return not (
        criteria.terms
        or criteria.near is not None
        or criteria.bbox is not None
        or criteria.mine
        or criteria.overdue is not None
        or (criteria.submitted_after is not None and _month_start(criteria.submitted_after) is None)
        or (
            criteria.submitted_before is not None
            and _month_start(criteria.submitted_before) is None
        )
    )


def _month_start(moment: datetime) -> str | None:
    """The month ("2026-03") that `moment` starts, in Vietnam's time; None mid-month."""
    local = local_time(moment)
    if (local.day, local.hour, local.minute, local.second, local.microsecond) != (1, 0, 0, 0, 0):
        return None
    return local.strftime("%Y-%m")


async def _from_tallies(ctx: Context, criteria: ReportCriteria) -> list[Tally]:
    tally = tables.ReportTally
    keys = [tally.status, tally.category_id, tally.agency_id, tally.area_id, tally.month]
    reports = func.sum(tally.reports)
    statement = (
        select(*keys, reports, func.sum(tally.answered), func.sum(tally.on_time))
        .where(*_covered(ctx, criteria, tally))
        .group_by(*keys)
        .having(reports != 0)
    )
    return [
        Tally(
            status=ReportStatus(row[0]),
            category_id=int(row[1]),
            agency_id=row[2] or None,
            area_id=row[3] or None,
            month=str(row[4]),
            reports=int(row[5]),
            answered=int(row[6] or 0),
            on_time=int(row[7] or 0),
        )
        for row in await ctx.db.rows(statement)
    ]


async def count_tallies(ctx: Context, conditions: Conditions) -> list[Tally]:
    """The groups of `tallies` counted from the matching reports, in one pass.

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
    ctx: Context,
    criteria: ReportCriteria,
    conditions: Conditions,
    reports: int,
    by_agency: bool = False,
) -> dict[Hashable, Durations]:
    """Both medians in hours (to 0.01 h), over the reports where each end is set.

    `reports` is how many reports the filter selects: from `EXACT_BELOW` on, over a filter the
    roll-up covers, the medians come from its histograms; otherwise they are exact.
    """
    if _rolled_up(criteria) and reports >= EXACT_BELOW:
        return await _histogram_durations(ctx, criteria, conditions, by_agency)
    group = tables.Report.assigned_agency_id if by_agency else None
    return await exact_durations(ctx, conditions, group)


async def exact_durations(
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
    return {key: Durations(_median(*pair[0]), _median(*pair[1])) for key, pair in found.items()}


def _median(count: int, seconds: float | None) -> Median:
    return Median(count, round(seconds / 3600, 2) if seconds is not None else None)


async def _histogram_durations(
    ctx: Context, criteria: ReportCriteria, conditions: Conditions, by_agency: bool
) -> dict[Hashable, Durations]:
    """Both medians interpolated in the roll-up's histograms (one statement), per agency.

    A citizen's own reports the public does not see are few: bucketed here from the reports.
    """
    table = tables.ReportDurationTally
    columns: list[Column] = [table.agency_id] if by_agency else []
    statement = (
        select(*columns, table.measure, table.bucket, func.sum(table.reports))
        .where(*_covered(ctx, criteria, table))
        .group_by(*columns, table.measure, table.bucket)
    )
    # Group -> measure -> bucket -> reports.
    found: dict[Hashable, dict[int, dict[int, int]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(int))
    )
    for row in await ctx.db.rows(statement):
        key = (row[0] or None) if by_agency else None
        found[key][int(row[-3])][int(row[-2])] += int(row[-1] or 0)
    own = _own_unshown(ctx, conditions)
    if own is not None:
        report = tables.Report
        mine = select(
            report.assigned_agency_id,
            report.submitted_at,
            report.first_response_at,
            report.resolved_at,
        ).where(*own)
        for agency_id, start, *ends in await ctx.db.rows(mine):
            key = agency_id if by_agency else None
            for measure, end in zip((FIRST_RESPONSE, RESOLUTION), ends, strict=True):
                if end is not None:
                    found[key][measure][bucket_of((end - start).total_seconds())] += 1
    return {
        key: Durations(
            _median(*histogram_median(measures[FIRST_RESPONSE])),
            _median(*histogram_median(measures[RESOLUTION])),
        )
        for key, measures in found.items()
    }


async def satisfaction(
    ctx: Context, criteria: ReportCriteria, conditions: Conditions, by_agency: bool = False
) -> dict[Hashable, dict[Satisfaction, int]]:
    """Ratings of matching reports per satisfaction; per rated agency for scorecards.

    From the roll-up's rating counts when it covers the filter (exact either way).
    """
    rating = tables.Rating
    found: dict[Hashable, dict[Satisfaction, int]] = defaultdict(lambda: defaultdict(int))
    own: Conditions | None = conditions
    if _rolled_up(criteria):
        rolled = tables.ReportRatingTally
        grouped: list[Column] = [rolled.rated_agency_id] if by_agency else []
        grouped.append(rolled.satisfaction)
        statement = (
            select(*grouped, func.sum(rolled.ratings))
            .where(*_covered(ctx, criteria, rolled))
            .group_by(*grouped)
        )
        for row in await ctx.db.rows(statement):
            if row[-1]:
                key = (row[0] or None) if by_agency else None
                found[key][Satisfaction(row[-2])] += int(row[-1])
        own = _own_unshown(ctx, conditions)
    if own is not None:
        columns: list[Column] = [rating.agency_id] if by_agency else []
        columns.append(rating.satisfaction)
        statement = (
            select(*columns, func.count())
            .join(tables.Report, tables.Report.id == rating.report_id)
            .where(*own)
            .group_by(*columns)
        )
        for row in await ctx.db.rows(statement):
            found[row[0] if by_agency else None][Satisfaction(row[-2])] += int(row[-1])
    return {key: dict(counts) for key, counts in found.items()}


@dataclass
class Figures:
    """The figures of one reportStats, each computed once, when first asked for.

    Several fields need the same pass (`tallies`), and strawberry resolves them concurrently:
    the lock makes the first compute it and the others wait for it. For anonymous viewers the
    values are kept per filter (and per database) for `stats_cache_seconds` from `generated_at`,
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
    # Everyone anonymous sees the same public reports, and a dashboard does not need them newer
    # than a minute; signed-in viewers see their own reports too, and staff act on the figures.
    seconds = ctx.settings.stats_cache_seconds
    if ctx.actor.user_id is not None or seconds <= 0:
        return Figures(generated_at=now)
    shared = _public.setdefault(ctx.sessions, {})
    found = shared.get(criteria)
    ttl = timedelta(seconds=seconds)
    if found is None or now - found.generated_at >= ttl:
        for key in [key for key, old in shared.items() if now - old.generated_at >= ttl]:
            del shared[key]
        found = shared[criteria] = Figures(generated_at=now)
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
    """Every active agency (and any other with matching reports), by name; four statements."""
    agency = tables.Agency
    conditions = conditions_for(ctx, criteria)
    found = await tallies(ctx, criteria, conditions)
    per_agency: dict[int | None, list[Tally]] = defaultdict(list)
    for tally in found:
        per_agency[tally.agency_id].append(tally)
    total = sum(tally.reports for tally in found)
    times = await durations(ctx, criteria, conditions, total, by_agency=True)
    ratings = await satisfaction(ctx, criteria, conditions, by_agency=True)
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
