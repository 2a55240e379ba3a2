"""Deadline warnings: one DEADLINE_APPROACHING event per open report shortly before it is due.

Runs in resolvers.scheduler's loop the way its duties do: a PostgreSQL advisory lock lets one
process at a time work (SQLite: its single writer), and `deadline_warned_at` records the warning
in the same transaction as its event, so a second process or a restart never warns twice.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from models import tables
from models.enums import ReportEventType, ReportStatus, Visibility
from resolvers.labels import SYSTEM_LABEL
from schema.context import Context

# About one working day: agencies get a day's notice before the deadline.
DEFAULT_WARNING = timedelta(hours=24)
OPEN = (ReportStatus.ASSIGNED, ReportStatus.IN_PROGRESS)
BATCH = 500
# Its own key (the scheduler's is 7_355_608): resolvers.scheduler imports this module, so it
# cannot import the scheduler's lock back.
DEADLINES_LOCK = 7_355_609


async def _take_lock(session: AsyncSession) -> bool:
    if session.get_bind().dialect.name != "postgresql":
        return True
    return bool(await session.scalar(text(f"SELECT pg_try_advisory_xact_lock({DEADLINES_LOCK})")))


async def warn_approaching(ctx: Context, before: timedelta = DEFAULT_WARNING) -> int:
    """Warn the agency of each open report due within `before` from now, exactly once."""
    now = ctx.now()
    report = tables.Report
    async with ctx.sessions() as session, session.begin():
        if not await _take_lock(session):
            return 0
        rows = (
            await session.scalars(
                select(report)
                .where(
                    report.status.in_(OPEN),
                    report.due_at > now,
                    report.due_at <= now + before,
                    report.deadline_warned_at.is_(None),
                )
                .order_by(report.due_at)
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            )
        ).all()
        for row in rows:
            row.deadline_warned_at = now
            session.add(
                tables.ReportEvent(
                    report_id=row.id,
                    type=ReportEventType.DEADLINE_APPROACHING,
                    at=now,
                    actor_label=SYSTEM_LABEL,
                    from_status=row.status,
                    to_status=row.status,
                    note="Sắp đến hạn xử lý.",
                    # A reminder for the staff handling it, not a step of the public timeline.
                    visibility=Visibility.INTERNAL,
                    agency_id=row.assigned_agency_id,
                )
            )
    for row in rows:
        await ctx.services.events.committed(row.id)
    return len(rows)
