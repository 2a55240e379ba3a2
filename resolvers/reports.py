"""Reading reports: the filtered, keyset-paginated list, single reads and counts."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, and_, cast, func, literal_column, or_, select
from sqlalchemy.orm import aliased

from models import policy, tables
from models.codes import is_report_code
from models.enums import ReportStatus
from models.text import search_terms
from resolvers.search import relevance, top_rank
from schema.context import Context
from schema.errors import bad_input, unauthenticated

OPEN_STATUSES = (ReportStatus.ASSIGNED, ReportStatus.IN_PROGRESS)
METERS_PER_DEGREE = 111_320.0
MAX_RADIUS_METERS = 100_000.0


@dataclass(frozen=True)
class GeoCircle:
    latitude: float
    longitude: float
    radius_meters: float


@dataclass(frozen=True)
class GeoBox:
    """A map window; it may not cross the antimeridian (Vietnam is far from it)."""

    south: float
    west: float
    north: float
    east: float


@dataclass(frozen=True)
class ReportCriteria:
    """A validated ReportFilter, with database keys instead of global ids."""

    statuses: tuple[ReportStatus, ...] = ()
    category_ids: tuple[int, ...] = ()
    agency_id: int | None = None
    area_id: int | None = None
    search: str | None = None
    near: GeoCircle | None = None
    mine: bool = False
    overdue: bool | None = None
    submitted_after: datetime | None = None
    submitted_before: datetime | None = None
    bbox: GeoBox | None = None
    terms: tuple[str, ...] = field(default=(), init=False)

    def __post_init__(self) -> None:
        if self.search is not None:
            object.__setattr__(self, "terms", tuple(search_terms(self.search)))
        if self.near is not None:
            validate_circle(self.near)
        if self.bbox is not None:
            validate_box(self.bbox)


def validate_circle(circle: GeoCircle) -> None:
    if not -90 <= circle.latitude <= 90:
        raise bad_input("latitude must be between -90 and 90.", field="near.latitude")
    if not -180 <= circle.longitude <= 180:
        raise bad_input("longitude must be between -180 and 180.", field="near.longitude")
    if not 0 < circle.radius_meters <= MAX_RADIUS_METERS:
        raise bad_input(
            f"radiusMeters must be above 0 and at most {MAX_RADIUS_METERS:.0f}.",
            field="near.radiusMeters",
        )


def validate_box(box: GeoBox) -> None:
    if not -90 <= box.south <= box.north <= 90:
        raise bad_input("bbox needs -90 <= south <= north <= 90.", field="bbox")
    if not -180 <= box.west <= box.east <= 180:
        raise bad_input(
            "bbox needs -180 <= west <= east <= 180 (a box may not cross the antimeridian).",
            field="bbox",
        )


def _cos_lat(circle: GeoCircle) -> float:
    return max(math.cos(math.radians(circle.latitude)), 0.01)


def squared_meters(circle: GeoCircle) -> ColumnElement[float]:
    """Equirectangular squared distance from the centre: exact enough at city scale, and only
    arithmetic, which SQLite and PostgreSQL both have."""
    report = tables.Report
    dy = (report.latitude - circle.latitude) * METERS_PER_DEGREE
    dx = (report.longitude - circle.longitude) * (METERS_PER_DEGREE * _cos_lat(circle))
    return dx * dx + dy * dy


def distance_key(circle: GeoCircle) -> ColumnElement[int]:
    """The squared distance in whole dm²: an integer, so that it can sit in a cursor. Even from
    across the globe it fits a bigint (a keyset condition may meet rows outside the circle)."""
    return cast(squared_meters(circle) * 100, BigInteger)


def meters_between(circle: GeoCircle, latitude: float, longitude: float) -> float:
    """The same distance as `squared_meters`, in Python, for one point."""
    dy = (latitude - circle.latitude) * METERS_PER_DEGREE
    dx = (longitude - circle.longitude) * METERS_PER_DEGREE * _cos_lat(circle)
    return math.hypot(dx, dy)


def _near_conditions(circle: GeoCircle) -> list[ColumnElement[bool]]:
    """A bounding box the (latitude, longitude) index can use, then the circle itself."""
    dlat = circle.radius_meters / METERS_PER_DEGREE
    dlon = dlat / _cos_lat(circle)
    report = tables.Report
    return [
        report.latitude.between(circle.latitude - dlat, circle.latitude + dlat),
        report.longitude.between(circle.longitude - dlon, circle.longitude + dlon),
        squared_meters(circle) <= circle.radius_meters**2,
    ]


def area_subtree(area_id: int) -> Any:
    """The ids of an area and of every area below it, as a subquery."""
    ancestor = aliased(tables.Area)
    prefix = select(ancestor.path).where(ancestor.id == area_id).scalar_subquery()
    return select(tables.Area.id).where(tables.Area.path.startswith(prefix, autoescape=False))


def report_conditions(
    actor: policy.Actor, criteria: ReportCriteria, now: datetime
) -> list[ColumnElement[bool]]:
    """The WHERE clause of a report list: the visibility rule first, then the filter."""
    report = tables.Report
    conditions: list[ColumnElement[bool]] = [policy.visible_reports(actor)]
    if criteria.statuses:
        conditions.append(report.status.in_(criteria.statuses))
    if criteria.category_ids:
        conditions.append(report.category_id.in_(criteria.category_ids))
    if criteria.agency_id is not None:
        conditions.append(report.assigned_agency_id == criteria.agency_id)
    if criteria.area_id is not None:
        conditions.append(report.area_id.in_(area_subtree(criteria.area_id)))
    for term in criteria.terms:
        conditions.append(report.search_text.contains(term, autoescape=True))
    if criteria.near is not None:
        conditions.extend(_near_conditions(criteria.near))
    if criteria.bbox is not None:
        box = criteria.bbox
        conditions.append(report.latitude.between(box.south, box.north))
        conditions.append(report.longitude.between(box.west, box.east))
    if criteria.mine:
        if actor.user_id is None:
            raise unauthenticated("Sign in to list your own reports.")
        conditions.append(report.reporter_id == actor.user_id)
    if criteria.overdue is not None:
        late = and_(report.status.in_(OPEN_STATUSES), report.due_at < now)
        conditions.append(late if criteria.overdue else ~late)
    if criteria.submitted_after is not None:
        conditions.append(report.submitted_at >= criteria.submitted_after)
    if criteria.submitted_before is not None:
        conditions.append(report.submitted_at < criteria.submitted_before)
    return conditions


def _micros(moment: datetime) -> int:
    delta = moment.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _from_micros(value: int) -> datetime:
    try:
        return datetime.fromtimestamp(value / 1_000_000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise bad_input("Malformed cursor.", field="after") from None


def report_cursor_values(row: tables.Report) -> tuple[int, int]:
    return (_micros(row.submitted_at), row.id)


class ReportOrder(enum.Enum):
    """A list's order; the value is its cursors' kind, so a cursor cannot cross orders."""

    NEWEST = "r"  # (submitted_at, id) descending
    RELEVANCE = "rs"  # (search rank, submitted_at, id) descending
    DISTANCE = "rd"  # (squared distance in dm², id) ascending

    @property
    def arity(self) -> int:
        return 3 if self is ReportOrder.RELEVANCE else 2


def report_order(criteria: ReportCriteria) -> ReportOrder:
    """Best matches first when searching, else nearest first around `near`, else newest first."""
    if criteria.terms:
        return ReportOrder.RELEVANCE
    if criteria.near is not None:
        return ReportOrder.DISTANCE
    return ReportOrder.NEWEST


@dataclass(frozen=True)
class ReportPage:
    rows: list[tables.Report]
    keys: list[tuple[int, ...]]  # each row's cursor values, in `order`
    has_next: bool
    order: ReportOrder
    conditions: list[ColumnElement[bool]]


def _sort_key(order: ReportOrder, criteria: ReportCriteria) -> ColumnElement[int]:
    """The computed leading sort column; a constant for the newest-first order."""
    if order is ReportOrder.RELEVANCE:
        return relevance(criteria.terms)
    if order is ReportOrder.DISTANCE:
        assert criteria.near is not None
        return distance_key(criteria.near)
    return literal_column("0")


def _newer_than(moment_micros: int, last_id: int) -> ColumnElement[bool]:
    report = tables.Report
    moment = _from_micros(moment_micros)
    return or_(
        report.submitted_at < moment, and_(report.submitted_at == moment, report.id < last_id)
    )


def _after(order: ReportOrder, key: ColumnElement[int], after: tuple[int, ...]) -> Any:
    """Rows strictly past the cursor `after` in `order`."""
    if order is ReportOrder.NEWEST:
        return _newer_than(after[0], after[1])
    if order is ReportOrder.RELEVANCE:
        return or_(key < after[0], and_(key == after[0], _newer_than(after[1], after[2])))
    return or_(key > after[0], and_(key == after[0], tables.Report.id > after[1]))


def _order_by(order: ReportOrder, key: ColumnElement[int]) -> list[Any]:
    report = tables.Report
    if order is ReportOrder.DISTANCE:
        return [key, report.id]
    newest = [report.submitted_at.desc(), report.id.desc()]
    return [key.desc(), *newest] if order is ReportOrder.RELEVANCE else newest


def _cursor(order: ReportOrder, row: tables.Report, key: int) -> tuple[int, ...]:
    if order is ReportOrder.NEWEST:
        return report_cursor_values(row)
    if order is ReportOrder.RELEVANCE:
        return (key, *report_cursor_values(row))
    return (key, row.id)


async def list_reports(
    ctx: Context, criteria: ReportCriteria, first: int, after: tuple[int, ...] | None
) -> ReportPage:
    """One page in `report_order(criteria)`: keyset pagination in every order, never OFFSET.

    Rank and distance are computed per matching row, so a page costs a pass over the matches
    (a top-N sort), not over the table: the filter's indexes bound the work.
    """
    order = report_order(criteria)
    conditions = report_conditions(ctx.actor, criteria, ctx.now())
    key = _sort_key(order, criteria)
    statement = select(tables.Report, key).where(*conditions)
    if after is not None:
        statement = statement.where(_after(order, key, after))
    statement = statement.order_by(*_order_by(order, key)).limit(first + 1)
    if order is ReportOrder.DISTANCE:
        assert criteria.near is not None
        rows = await _nearest(ctx, statement, criteria.near, first + 1, after)
    elif order is ReportOrder.RELEVANCE:
        rows = await _best_first(ctx, criteria, statement, first + 1, after)
    else:
        rows = list(await ctx.db.rows(statement))
    found = [(row, _cursor(order, row, int(value))) for row, value in rows]
    for row, _ in found:
        ctx.loaders.report.prime(row.id, row)
    return ReportPage(
        rows=[row for row, _ in found[:first]],
        keys=[values for _, values in found[:first]],
        has_next=len(found) > first,
        order=order,
        conditions=conditions,
    )


# The nearest-first page looks in a disc this share of the radius first, then widens it.
FIRST_RING = 1 / 16
RING_GROWTH = 4


async def _nearest(
    ctx: Context,
    statement: Any,
    circle: GeoCircle,
    wanted: int,
    after: tuple[int, ...] | None,
) -> list[Any]:
    """The page of `statement` (nearest first within `circle`), read ring by ring.

    A dense 500 m circle holds thousands of reports and the (latitude, longitude) index can only
    bound it by a box, so ordering all of them costs a heap read each. A smaller disc around the
    centre (past the cursor's distance) usually holds the page already: when it yields `wanted`
    rows, every row outside it is farther (its distance key is larger), so they are exactly the
    first rows of the whole circle. Otherwise the disc widens, up to the circle itself.
    """
    radius = circle.radius_meters
    reached = math.sqrt(after[0] / 100) if after is not None and after[0] > 0 else 0.0
    ring = min(radius, reached + radius * FIRST_RING)
    while True:
        if ring >= radius:
            return list(await ctx.db.rows(statement))
        limit = int(ring * ring * 100)
        disc = GeoCircle(circle.latitude, circle.longitude, ring + 1.0)
        bounded = statement.where(*_near_conditions(disc), distance_key(circle) <= limit)
        rows = list(await ctx.db.rows(bounded))
        if len(rows) >= wanted:
            return rows
        ring = min(radius, reached + (ring - reached) * RING_GROWTH)


# How many of the newest matching reports the best-first page looks among first.
RECENT_ROWS = 3000


async def _best_first(
    ctx: Context,
    criteria: ReportCriteria,
    statement: Any,
    wanted: int,
    after: tuple[int, ...] | None,
) -> list[Any]:
    """The page of `statement` (best matches first), from the newest reports when it can.

    Short Vietnamese syllables ("o", "ga") match most reports as substrings, so ranking every
    match costs a pass over most of the table. But the best possible rank comes first and ties go
    newest first: among the newest RECENT_ROWS reports that pass the rest of the filter (an index
    walk), the first `wanted` with the best possible rank are the page whenever there are that
    many — any other report with that rank is older. Otherwise every match is ranked.
    """
    best = top_rank(criteria.terms)
    if after is not None and after[0] != best:
        return list(await ctx.db.rows(statement))
    report = tables.Report
    rest = report_conditions(ctx.actor, replace(criteria, search=None), ctx.now())
    newest = select(report).where(*rest).order_by(report.submitted_at.desc(), report.id.desc())
    if after is not None:
        newest = newest.where(_newer_than(after[1], after[2]))
    recent = aliased(report, newest.limit(RECENT_ROWS).subquery())
    rank = relevance(criteria.terms, recent)
    words = [recent.search_text.contains(term, autoescape=True) for term in criteria.terms]
    tier = (
        select(recent, rank)
        .where(*words, rank == best)
        .order_by(recent.submitted_at.desc(), recent.id.desc())
        .limit(wanted)
    )
    rows = list(await ctx.db.rows(tier))
    if len(rows) >= wanted:
        return rows
    return list(await ctx.db.rows(statement))


async def count_reports(ctx: Context, conditions: object) -> int:
    assert isinstance(conditions, list)
    statement = select(func.count()).select_from(tables.Report).where(*conditions)
    return int(await ctx.db.scalar(statement) or 0)


async def get_report(
    ctx: Context, report_id: int | None = None, code: str | None = None
) -> tables.Report | None:
    """One report by key or public code; null when unknown or not visible to the viewer."""
    if report_id is not None:
        row = await ctx.loaders.report.load(report_id)
    elif code is not None:
        if not is_report_code(code):
            raise bad_input("A report code looks like PA-2026-000123.", field="code")
        statement = select(tables.Report).where(tables.Report.code == code.strip().upper())
        found = await ctx.db.scalars(statement)
        row = found[0] if found else None
    else:
        raise bad_input("Give the report's id or its code.")
    if row is None or not policy.can_see_report(ctx.actor, row):
        return None
    return row
