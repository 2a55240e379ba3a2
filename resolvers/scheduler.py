"""Background duties: deadline notices (resolvers.deadlines), closing answers nobody rated.

Every process runs the loop; a PostgreSQL advisory lock (SQLite: its single writer) lets one
pass at a time do the work, and the rows themselves record what was done, so a restart or a
second scheduler never emits an event twice.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy import or_, select

from models import tables
from models.enums import ReportStatus, Satisfaction
from models.errors import DomainError
from models.workflow import SYSTEM_ACTOR, Action
from resolvers import deadlines
from resolvers.workflow import Step, act
from schema.context import Context
from schema.errors import ClientError

logger = logging.getLogger("phananh.scheduler")

BATCH = 500


async def close_unrated(ctx: Context, after: timedelta) -> int:
    """Close answered reports the citizen did not rate in time; a dissatisfied one stays open."""
    cutoff = ctx.now() - after
    report, rating = tables.Report, tables.Rating
    async with ctx.sessions() as session, session.begin():
        if not await deadlines.take_duties_lock(session):
            return 0
        ids = (
            await session.scalars(
                select(report.id)
                .outerjoin(rating, rating.report_id == report.id)
                .where(
                    report.status == ReportStatus.RESOLVED,
                    report.resolved_at < cutoff,
                    or_(rating.id.is_(None), rating.satisfaction != Satisfaction.DISSATISFIED),
                )
                .limit(BATCH)
            )
        ).all()
    closed = 0
    for report_id in ids:
        try:
            await act(ctx, report_id, Action.CLOSE, _auto_close, actor=SYSTEM_ACTOR)
            closed += 1
        except (DomainError, ClientError):
            continue  # it changed meanwhile (rated, reopened): nothing to close
    return closed


async def _auto_close(step: Step) -> None:
    step.report.closed_at = step.now
    step.note = "Tự động đóng: người phản ánh không đánh giá trong thời hạn."


async def run_forever(ctx: Context, interval: float, close_after: timedelta) -> None:
    """The loop each process runs until it is cancelled at shutdown."""
    while True:
        try:
            overdue = await deadlines.mark_overdue(ctx)
            await deadlines.warn_approaching(ctx)
            closed = await close_unrated(ctx, close_after)
            if overdue or closed:
                logger.info("scheduler: %d overdue, %d closed", overdue, closed)
        except asyncio.CancelledError:
            raise
        except Exception:  # a database outage must not end the loop
            logger.exception("scheduler pass failed")
        await asyncio.sleep(interval)
