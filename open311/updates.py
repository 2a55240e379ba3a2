"""The `servicerequestupdates` extension as FixMyStreet reads it: public timelines, public reports.

Each public timeline event of a public report is one `request_update`: its `status` is the
report's GeoReport status right after the event, its `description` the event's public note (or
the public message it carries), its `media_url` the first public photo of that message.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models import tables
from models.enums import ReportStatus, Visibility
from open311.params import Page, Window
from open311.records import media_url, open311_status, public_conditions, w3c
from resolvers.reports import ReportCriteria


async def _first_message_photos(
    session: AsyncSession, message_ids: Collection[int]
) -> dict[int, str]:
    if not message_ids:
        return {}
    attachment = tables.Attachment
    rows = await session.execute(
        select(attachment.message_id, attachment.id)
        .where(
            attachment.message_id.in_(message_ids),
            attachment.visibility == Visibility.PUBLIC,
            attachment.content_type.startswith("image/"),
        )
        .order_by(attachment.message_id, attachment.position, attachment.id)
    )
    first: dict[int, str] = {}
    for message_id, attachment_id in rows:
        if message_id is not None:
            first.setdefault(message_id, attachment_id)
    return first


async def list_updates(
    session: AsyncSession,
    now: datetime,
    base_url: str,
    *,
    codes: Sequence[str] = (),
    window: Window | None = None,
    page: Page,
) -> list[dict[str, Any]]:
    """Oldest first, as a partner replays them; `codes`, when given, override the window."""
    event, report, message = tables.ReportEvent, tables.Report, tables.Message
    earlier = aliased(tables.ReportEvent)
    # The status after the event: its own target status, else the last one before it.
    status_then = (
        select(earlier.to_status)
        .where(
            earlier.report_id == event.report_id,
            earlier.id <= event.id,
            earlier.to_status.is_not(None),
        )
        .order_by(earlier.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    conditions = [*public_conditions(ReportCriteria(), now), event.visibility == Visibility.PUBLIC]
    if codes:
        conditions.append(report.code.in_(codes))
    elif window is not None:
        conditions.append(event.at.between(window.start, window.end))
    statement = (
        select(
            event.id,
            event.at,
            event.note,
            event.message_id,
            report.code,
            report.status,
            status_then,
            message.body,
        )
        .join(report, report.id == event.report_id)
        # Only a public message's body may be shown; others leave the description empty.
        .outerjoin(
            message,
            and_(message.id == event.message_id, message.visibility == Visibility.PUBLIC),
        )
        .where(*conditions)
        .order_by(event.at, event.id)
        .offset(page.offset)
        .limit(page.size)
    )
    rows = (await session.execute(statement)).all()
    photos = await _first_message_photos(
        session, {row[3] for row in rows if row[3] is not None and row[7] is not None}
    )
    updates = []
    for event_id, at, note, message_id, code, current, then, body in rows:
        status = ReportStatus(then) if then is not None else current
        updates.append(
            {
                "update_id": str(event_id),
                "service_request_id": code,
                "status": open311_status(status),
                "updated_datetime": w3c(at),
                "description": note or body or "",
                "media_url": media_url(
                    base_url, photos.get(message_id) if message_id is not None else None
                ),
            }
        )
    return updates
