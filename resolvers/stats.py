"""Report statistics over the same filter and visibility rule as the report list."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from models import tables
from models.enums import ReportStatus
from resolvers.reports import ReportCriteria, report_conditions
from schema.context import Context


@dataclass(frozen=True)
class StatusCounts:
    total: int
    by_status: dict[ReportStatus, int]


async def report_stats(ctx: Context, criteria: ReportCriteria) -> StatusCounts:
    report = tables.Report
    statement = (
        select(report.status, func.count())
        .where(*report_conditions(ctx.actor, criteria, ctx.now()))
        .group_by(report.status)
    )
    counts = {ReportStatus(row[0]): int(row[1]) for row in await ctx.db.rows(statement)}
    by_status = {status: counts.get(status, 0) for status in ReportStatus}
    return StatusCounts(total=sum(by_status.values()), by_status=by_status)
