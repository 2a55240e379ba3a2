"""Public reports as GeoReport service requests: the status mapping, the fields, batched reads.

Status: GeoReport v2 knows only `open` and `closed`. A report is `closed` once the agency has
answered it (RESOLVED: the answer is out and waits only for the citizen's rating), CLOSED, or
REJECTED (never public, so never listed); SUBMITTED, ASSIGNED and IN_PROGRESS are `open`.
A reopened report goes back to ASSIGNED or IN_PROGRESS and so is `open` again.

Only public reports are read here (models.policy.visible_reports for the anonymous visitor), and
no field carries personal data: no reporter name or phone, only what the public page shows.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import tables
from models.calendar import VIETNAM_TZ
from models.enums import AttachmentPurpose, ReportStatus, Visibility
from models.policy import ANONYMOUS
from open311.params import Page, Window
from resolvers.reports import ReportCriteria, report_conditions

OPEN = "open"
CLOSED = "closed"
CLOSED_STATUSES = frozenset({ReportStatus.RESOLVED, ReportStatus.CLOSED, ReportStatus.REJECTED})


def open311_status(status: ReportStatus) -> str:
    return CLOSED if status in CLOSED_STATUSES else OPEN


def statuses_for(wanted: Collection[str]) -> tuple[ReportStatus, ...]:
    """Our statuses behind a set of GeoReport ones (`open`, `closed`)."""
    return tuple(s for s in ReportStatus if open311_status(s) in wanted)


def w3c(moment: datetime | None) -> str | None:
    """Seconds and Vietnam's offset, like the examples of the spec: 2026-12-04T15:00:00+07:00."""
    if moment is None:
        return None
    return moment.astimezone(VIETNAM_TZ).isoformat(timespec="seconds")


def media_url(base_url: str, attachment_id: str | None) -> str:
    """The absolute `/media/{id}` URL, or "" (the spec's empty media_url) without a photo."""
    if attachment_id is None:
        return ""
    return f"{base_url.rstrip('/')}/media/{attachment_id}"


def public_conditions(criteria: ReportCriteria, now: datetime) -> list[ColumnElement[bool]]:
    """The visibility rule of an anonymous visitor first, then the filter (resolvers.reports)."""
    return report_conditions(ANONYMOUS, criteria, now)


async def find_requests(
    session: AsyncSession,
    now: datetime,
    *,
    codes: Sequence[str] = (),
    category_ids: Sequence[int] = (),
    statuses: Sequence[ReportStatus] = (),
    window: Window | None = None,
    page: Page,
) -> list[tables.Report]:
    """Public reports, newest first; `codes`, when given, override every other filter."""
    report = tables.Report
    if codes:
        conditions = [*public_conditions(ReportCriteria(), now), report.code.in_(codes)]
    else:
        criteria = ReportCriteria(statuses=tuple(statuses), category_ids=tuple(category_ids))
        conditions = public_conditions(criteria, now)
        if window is not None:
            conditions.append(report.submitted_at.between(window.start, window.end))
    # OFFSET is bounded here: at most 1,000 rows a page, inside a window of at most 90 days.
    statement = (
        select(report)
        .where(*conditions)
        .order_by(report.submitted_at.desc(), report.id.desc())
        .offset(page.offset)
        .limit(page.size)
    )
    return list((await session.scalars(statement)).all())


async def _by_id(session: AsyncSession, model: Any, ids: Iterable[int | None]) -> dict[int, Any]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await session.scalars(select(model).where(model.id.in_(wanted)))
    return {row.id: row for row in rows}


async def latest_public_notes(session: AsyncSession, report_ids: Collection[int]) -> dict[int, str]:
    """Each report's latest public note, in one statement: GeoReport's `status_notes`."""
    if not report_ids:
        return {}
    event = tables.ReportEvent
    with_note = [
        event.report_id.in_(report_ids),
        event.visibility == Visibility.PUBLIC,
        event.note.is_not(None),
        event.note != "",
    ]
    latest = select(func.max(event.id)).where(*with_note).group_by(event.report_id)
    rows = await session.execute(
        select(event.report_id, event.note).where(event.id.in_(latest.scalar_subquery()))
    )
    return {report_id: note for report_id, note in rows if note}


async def first_public_photos(session: AsyncSession, report_ids: Collection[int]) -> dict[int, str]:
    """Each report's first public photo (the citizen's, in upload order), in one statement."""
    if not report_ids:
        return {}
    attachment = tables.Attachment
    rows = await session.execute(
        select(attachment.report_id, attachment.id)
        .where(
            attachment.report_id.in_(report_ids),
            attachment.purpose == AttachmentPurpose.REPORT,
            attachment.visibility == Visibility.PUBLIC,
            attachment.content_type.startswith("image/"),
        )
        .order_by(attachment.report_id, attachment.position, attachment.created_at, attachment.id)
    )
    first: dict[int, str] = {}
    for report_id, attachment_id in rows:
        first.setdefault(report_id, attachment_id)
    return first


async def request_records(
    session: AsyncSession, reports: Sequence[tables.Report], base_url: str
) -> list[dict[str, Any]]:
    """The spec's fields for each report, with a fixed number of statements for any number."""
    ids = [row.id for row in reports]
    categories = await _by_id(session, tables.Category, (row.category_id for row in reports))
    agencies = await _by_id(session, tables.Agency, (row.assigned_agency_id for row in reports))
    notes = await latest_public_notes(session, ids)
    photos = await first_public_photos(session, ids)
    records = []
    for row in reports:
        category = categories[row.category_id]
        agency = agencies.get(row.assigned_agency_id) if row.assigned_agency_id else None
        records.append(
            {
                "service_request_id": row.code,
                "status": open311_status(row.status),
                "status_notes": notes.get(row.id),
                "service_name": category.name,
                "service_code": category.code,
                "description": row.description,
                "agency_responsible": agency.name if agency else None,
                "service_notice": category.notice,
                "requested_datetime": w3c(row.submitted_at),
                "updated_datetime": w3c(row.updated_at),
                "expected_datetime": w3c(row.due_at),
                "address": row.address,
                "address_id": None,
                "zipcode": None,
                "lat": row.latitude,
                "long": row.longitude,
                "media_url": media_url(base_url, photos.get(row.id)),
                # An extension, as POST accepts one: GeoReport has no title of its own.
                "title": row.title,
            }
        )
    return records
