"""Reading reports: the filtered, keyset-paginated list, single reads and counts."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import aliased

from models import policy, tables
from models.codes import is_report_code
from models.enums import ReportStatus
from models.text import search_terms
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
    terms: tuple[str, ...] = field(default=(), init=False)

    def __post_init__(self) -> None:
        if self.search is not None:
            object.__setattr__(self, "terms", tuple(search_terms(self.search)))
        if self.near is not None:
            validate_circle(self.near)


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


def _near_conditions(circle: GeoCircle) -> list[ColumnElement[bool]]:
    """A bounding box the (latitude, longitude) index can use, then the circle itself.

    Equirectangular distance is exact enough at city scale and needs only arithmetic, which
    SQLite and PostgreSQL both have.
    """
    cos_lat = max(math.cos(math.radians(circle.latitude)), 0.01)
    dlat = circle.radius_meters / METERS_PER_DEGREE
    dlon = dlat / cos_lat
    report = tables.Report
    dy = (report.latitude - circle.latitude) * METERS_PER_DEGREE
    dx = (report.longitude - circle.longitude) * (METERS_PER_DEGREE * cos_lat)
    return [
        report.latitude.between(circle.latitude - dlat, circle.latitude + dlat),
        report.longitude.between(circle.longitude - dlon, circle.longitude + dlon),
        dx * dx + dy * dy <= circle.radius_meters**2,
    ]


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
        ancestor = aliased(tables.Area)
        prefix = select(ancestor.path).where(ancestor.id == criteria.area_id).scalar_subquery()
        inside = select(tables.Area.id).where(tables.Area.path.startswith(prefix, autoescape=False))
        conditions.append(report.area_id.in_(inside))
    for term in criteria.terms:
        conditions.append(report.search_text.contains(term, autoescape=True))
    if criteria.near is not None:
        conditions.extend(_near_conditions(criteria.near))
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


@dataclass(frozen=True)
class ReportPage:
    rows: list[tables.Report]
    has_next: bool
    conditions: list[ColumnElement[bool]]


async def list_reports(
    ctx: Context, criteria: ReportCriteria, first: int, after: tuple[int, int] | None
) -> ReportPage:
    """Newest first, by (submitted_at, id) descending: keyset pagination, never OFFSET."""
    report = tables.Report
    conditions = report_conditions(ctx.actor, criteria, ctx.now())
    statement = select(report).where(*conditions)
    if after is not None:
        moment, last_id = _from_micros(after[0]), after[1]
        statement = statement.where(
            or_(
                report.submitted_at < moment,
                and_(report.submitted_at == moment, report.id < last_id),
            )
        )
    statement = statement.order_by(report.submitted_at.desc(), report.id.desc()).limit(first + 1)
    rows = await ctx.db.scalars(statement)
    for row in rows:
        ctx.loaders.report.prime(row.id, row)
    return ReportPage(rows=rows[:first], has_next=len(rows) > first, conditions=conditions)


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
