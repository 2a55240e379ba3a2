"""Open data: `GET /export/reports.csv` streams public reports, without personal data.

Rows are read in keyset batches, each in its own short session, and written as they come, so
memory stays flat and no connection is held for the whole download.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse

from models import tables
from models.base import utcnow
from models.calendar import VIETNAM_TZ
from models.enums import ReportStatus
from models.policy import ANONYMOUS
from resolvers.reports import OPEN_STATUSES, ReportCriteria, report_conditions
from schema.errors import ClientError
from schema.node import decode_int_id

BATCH = 1000
MAX_VALUES = 50
PARAMETERS = ("status", "category", "area", "area_id", "submitted_after", "submitted_before")
# No reporter, no phone, no internal notes: only what the public report page shows.
HEADER = (
    "code",
    "title",
    "description",
    "status",
    "category_code",
    "category_name",
    "area_code",
    "area_name",
    "agency",
    "latitude",
    "longitude",
    "address",
    "submitted_at",
    "due_at",
    "resolved_at",
    "closed_at",
    "overdue",
)
# Excel runs a cell that starts with these as a formula ("CSV injection"): citizens write the
# titles, so text cells starting with one get a leading apostrophe, which Excel hides.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLUS_AS_SPACE = re.compile(r" (\d\d:?\d\d)$")


class BadParameterError(ValueError):
    """A query parameter the export cannot use; its message is shown to the caller."""


@dataclass(frozen=True)
class ExportFilter:
    statuses: tuple[ReportStatus, ...] = ()
    category_codes: tuple[str, ...] = ()
    area_code: str | None = None
    area_id: int | None = None
    submitted_after: datetime | None = None
    submitted_before: datetime | None = None


def _values(params: QueryParams, name: str) -> list[str]:
    """`?status=A&status=B` and `?status=A,B` alike."""
    values = [part.strip() for raw in params.getlist(name) for part in raw.split(",")]
    values = [value for value in values if value]
    if len(values) > MAX_VALUES:
        raise BadParameterError(f"At most {MAX_VALUES} values for `{name}`.")
    return values


def _moment(params: QueryParams, name: str) -> datetime | None:
    """An ISO 8601 time with offset, or a date: that day's start in Vietnam."""
    raw = params.get(name)
    if raw is None or not raw.strip():
        return None
    # An unencoded "+" in a URL arrives as a space: "08:00:00 07:00" meant "08:00:00+07:00".
    text = _PLUS_AS_SPACE.sub(r"+\1", raw.strip())
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time.min, tzinfo=VIETNAM_TZ)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadParameterError(
            f"`{name}` must be a date (2026-01-31) or a time with offset "
            "(2026-01-31T08:00:00+07:00)."
        ) from None
    if moment.tzinfo is None:
        raise BadParameterError(f"`{name}` needs a UTC offset, e.g. 2026-01-31T08:00:00+07:00.")
    return moment


def parse_filter(params: QueryParams) -> ExportFilter:
    unknown = sorted(set(params.keys()) - set(PARAMETERS))
    if unknown:
        raise BadParameterError(
            f"Unknown parameter `{unknown[0]}`; known: {', '.join(PARAMETERS)}."
        )
    statuses = []
    for value in _values(params, "status"):
        try:
            statuses.append(ReportStatus(value.upper()))
        except ValueError:
            known = ", ".join(status.value for status in ReportStatus)
            raise BadParameterError(f"Unknown status `{value}`; one of: {known}.") from None
    area_ids = _values(params, "area_id")
    area_codes = _values(params, "area")
    if len(area_ids) + len(area_codes) > 1:
        raise BadParameterError("Give at most one area: `area` (a code) or `area_id`.")
    area_id = None
    if area_ids:
        try:
            area_id = decode_int_id(area_ids[0], "Area", "area_id")
        except ClientError as error:
            raise BadParameterError(f"`area_id`: {error.message}") from None
    found = ExportFilter(
        statuses=tuple(statuses),
        category_codes=tuple(_values(params, "category")),
        area_code=area_codes[0] if area_codes else None,
        area_id=area_id,
        submitted_after=_moment(params, "submitted_after"),
        submitted_before=_moment(params, "submitted_before"),
    )
    if (
        found.submitted_after is not None
        and found.submitted_before is not None
        and found.submitted_after >= found.submitted_before
    ):
        raise BadParameterError("`submitted_after` must be before `submitted_before`.")
    return found


async def to_criteria(session: AsyncSession, wanted: ExportFilter) -> ReportCriteria:
    """Codes to keys; an unknown code is the caller's mistake, not an empty file."""
    category_ids: list[int] = []
    if wanted.category_codes:
        category = tables.Category
        rows = await session.execute(
            select(category.code, category.id).where(category.code.in_(wanted.category_codes))
        )
        by_code: dict[str, int] = dict(rows.all())
        missing = [code for code in wanted.category_codes if code not in by_code]
        if missing:
            raise BadParameterError(f"Unknown category code `{missing[0]}`.")
        category_ids = [by_code[code] for code in wanted.category_codes]
    area_id = wanted.area_id
    if wanted.area_code is not None or area_id is not None:
        area = tables.Area
        which = area.code == wanted.area_code if area_id is None else area.id == area_id
        area_id = await session.scalar(select(area.id).where(which))
        if area_id is None:
            raise BadParameterError("Unknown area.")
    return ReportCriteria(
        statuses=wanted.statuses,
        category_ids=tuple(category_ids),
        area_id=area_id,
        submitted_after=wanted.submitted_after,
        submitted_before=wanted.submitted_before,
    )


def _text(value: str | None) -> str:
    if not value:
        return ""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _time(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value is not None else ""


def _cells(row: Any, now: datetime) -> list[object]:
    overdue = row.status in OPEN_STATUSES and row.due_at is not None and row.due_at < now
    return [
        row.code,
        _text(row.title),
        _text(row.description),
        row.status.value,
        row.category_code,
        _text(row.category_name),
        row.area_code or "",
        _text(row.area_name),
        _text(row.agency_name),
        row.latitude,
        row.longitude,
        _text(row.address),
        _time(row.submitted_at),
        _time(row.due_at),
        _time(row.resolved_at),
        _time(row.closed_at),
        "true" if overdue else "false",
    ]


def _csv(rows: Sequence[Sequence[object]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)  # RFC 4180: CRLF, quotes doubled, fields quoted as needed
    return out.getvalue().encode("utf-8")


async def stream_rows(
    sessions: async_sessionmaker[AsyncSession], criteria: ReportCriteria, now: datetime
) -> AsyncIterator[bytes]:
    """The BOM (Excel then reads UTF-8), the header, then rows oldest first, batch by batch."""
    yield "\ufeff".encode() + _csv([HEADER])
    report, category, area, agency = tables.Report, tables.Category, tables.Area, tables.Agency
    base = (
        select(
            report.id,
            report.code,
            report.title,
            report.description,
            report.status,
            category.code.label("category_code"),
            category.name.label("category_name"),
            area.code.label("area_code"),
            area.name.label("area_name"),
            agency.name.label("agency_name"),
            report.latitude,
            report.longitude,
            report.address,
            report.submitted_at,
            report.due_at,
            report.resolved_at,
            report.closed_at,
        )
        .join(category, category.id == report.category_id)
        .outerjoin(area, area.id == report.area_id)
        .outerjoin(agency, agency.id == report.assigned_agency_id)
        # The public's view whoever asks: open data is what anyone may see.
        .where(*report_conditions(ANONYMOUS, criteria, now))
        .order_by(report.submitted_at, report.id)
        .limit(BATCH)
    )
    statement = base
    while True:
        async with sessions() as session:
            batch = (await session.execute(statement)).all()
        if batch:
            yield _csv([_cells(row, now) for row in batch])
        if len(batch) < BATCH:
            return
        last = batch[-1]
        statement = base.where(
            or_(
                report.submitted_at > last.submitted_at,
                and_(report.submitted_at == last.submitted_at, report.id > last.id),
            )
        )


async def export_reports_csv(request: Request) -> Response:
    """The route handler: parameters are checked before the first byte, so errors are a 400."""
    sessions: async_sessionmaker[AsyncSession] = request.app.state.read_sessions
    try:
        wanted = parse_filter(request.query_params)
        async with sessions() as session:
            criteria = await to_criteria(session, wanted)
    except BadParameterError as error:
        return PlainTextResponse(str(error), status_code=400)
    return StreamingResponse(
        stream_rows(sessions, criteria, utcnow()),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="reports.csv"'},
    )
