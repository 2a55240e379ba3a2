"""Deadline notices: OVERDUE once a report passes its due date, DEADLINE_APPROACHING before.

Both are the same duty with another condition: find open reports whose marker column is empty,
set it and write the event in one transaction. A PostgreSQL advisory lock lets one process at a
time do a pass (SQLite: its single writer) and `SKIP LOCKED` plus the marker make a second
process or a restart never send a notice twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import ColumnElement, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from models import tables
from models.enums import ReportEventType, ReportStatus, Visibility
from resolvers.labels import SYSTEM_LABEL
from schema.context import Context

# About one working day: agencies get a day's notice before the deadline.
DEFAULT_WARNING = timedelta(hours=24)
OPEN = (ReportStatus.ASSIGNED, ReportStatus.IN_PROGRESS)
BATCH = 500
# An arbitrary constant shared by every PhanAnh process: the background duties' advisory lock.
DUTIES_LOCK = 7_355_608


async def take_duties_lock(session: AsyncSession) -> bool:
    """True if this transaction may do a background pass now (held until it ends)."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    return bool(await session.scalar(text(f"SELECT pg_try_advisory_xact_lock({DUTIES_LOCK})")))


@dataclass(frozen=True)
class Notice:
    event_type: ReportEventType
    note: str
    visibility: Visibility
    marker: InstrumentedAttribute[object]


OVERDUE = Notice(
    ReportEventType.OVERDUE,
    "Quá hạn xử lý.",
    # Overdue is public: transparency about late answers is the point of the timeline.
    Visibility.PUBLIC,
    tables.Report.overdue_notified_at,
)
APPROACHING = Notice(
    ReportEventType.DEADLINE_APPROACHING,
    "Sắp đến hạn xử lý.",
    # A reminder for the staff handling it, not a step of the public timeline.
    Visibility.INTERNAL,
    tables.Report.deadline_warned_at,
)


async def _notify_once(ctx: Context, notice: Notice, due: ColumnElement[bool]) -> int:
    now = ctx.now()
    report = tables.Report
    async with ctx.sessions() as session, session.begin():
        if not await take_duties_lock(session):
            return 0
        rows = (
            await session.scalars(
                select(report)
                .where(report.status.in_(OPEN), due, notice.marker.is_(None))
                .order_by(report.due_at)
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            )
        ).all()
        for row in rows:
            setattr(row, notice.marker.key, now)
            session.add(
                tables.ReportEvent(
                    report_id=row.id,
                    type=notice.event_type,
                    at=now,
                    actor_label=SYSTEM_LABEL,
                    from_status=row.status,
                    to_status=row.status,
                    note=notice.note,
                    visibility=notice.visibility,
                    agency_id=row.assigned_agency_id,
                )
            )
    for row in rows:
        await ctx.services.events.committed(row.id)
    return len(rows)


async def mark_overdue(ctx: Context) -> int:
    """One OVERDUE event per report past its due date, to its agency and the triage queue."""
    return await _notify_once(ctx, OVERDUE, tables.Report.due_at < ctx.now())


async def warn_approaching(ctx: Context, before: timedelta = DEFAULT_WARNING) -> int:
    """Warn the agency of each open report due within `before` from now, exactly once."""
    now = ctx.now()
    due = tables.Report.due_at
    return await _notify_once(ctx, APPROACHING, (due > now) & (due <= now + before))
