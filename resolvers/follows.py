"""Following: users follow reports and areas, unfollow them, and list what they follow.

Following is idempotent: the unique keys of `follows` make a second follow (even a concurrent
one) a no-op, and unfollowing what is not followed changes nothing. Live delivery reads the same
table with every batch of events (realtime.log), so a change counts from the next event on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from models import policy, tables
from models.errors import DomainError, UserErrorCode
from resolvers.guards import require_signed_in
from schema.context import Context
from schema.errors import forbidden

_follow = tables.Follow


@dataclass(frozen=True)
class Followed:
    """One entry of a following list: the follow's id (its cursor), when, and what."""

    follow_id: int
    followed_at: datetime
    report: tables.Report | None
    area: tables.Area | None


@dataclass(frozen=True)
class FollowingPage:
    entries: list[Followed]
    has_next: bool


async def _insert(session: AsyncSession, user_id: int, target: str, target_id: int) -> None:
    """Insert the follow unless it exists; a concurrent twin is absorbed by the unique key."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    await session.execute(
        insert(_follow)
        .values(user_id=user_id, **{target: target_id})
        .on_conflict_do_nothing(index_elements=[target, "user_id"])
    )


async def _visible_report(session: AsyncSession, ctx: Context, report_id: int) -> tables.Report:
    report = await session.get(tables.Report, report_id)
    if report is None or not policy.can_see_report(ctx.actor, report):
        raise DomainError(UserErrorCode.NOT_FOUND, "No such report.", "reportId")
    return report


async def _area(session: AsyncSession, area_id: int) -> tables.Area:
    area = await session.get(tables.Area, area_id)
    if area is None:
        raise DomainError(UserErrorCode.NOT_FOUND, "No such area.", "areaId")
    return area


async def follow_report(ctx: Context, report_id: int) -> tables.Report:
    """Follow a report the viewer may see; its events then reach `followedReportEvents`."""
    user_id = require_signed_in(ctx.actor)
    async with ctx.sessions() as session, session.begin():
        report = await _visible_report(session, ctx, report_id)
        await _insert(session, user_id, "report_id", report_id)
    ctx.loaders.follows_report.prime((user_id, report_id), True, force=True)
    return report


async def unfollow_report(ctx: Context, report_id: int) -> tables.Report | None:
    """Stop following a report. A report the viewer can no longer see (rejected since) can
    still be unfollowed; it is then not returned."""
    user_id = require_signed_in(ctx.actor)
    async with ctx.sessions() as session, session.begin():
        removed = await session.execute(
            delete(_follow).where(_follow.user_id == user_id, _follow.report_id == report_id)
        )
        report = await session.get(tables.Report, report_id)
        visible = report is not None and policy.can_see_report(ctx.actor, report)
        if not visible and not _rowcount(removed):
            raise DomainError(UserErrorCode.NOT_FOUND, "No such report.", "reportId")
    ctx.loaders.follows_report.prime((user_id, report_id), False, force=True)
    return report if visible else None


async def follow_area(ctx: Context, area_id: int) -> tables.Area:
    """Follow an area: every report in it or in an area below it."""
    user_id = require_signed_in(ctx.actor)
    async with ctx.sessions() as session, session.begin():
        area = await _area(session, area_id)
        await _insert(session, user_id, "area_id", area_id)
    ctx.loaders.follows_area.prime((user_id, area_id), True, force=True)
    return area


async def unfollow_area(ctx: Context, area_id: int) -> tables.Area:
    user_id = require_signed_in(ctx.actor)
    async with ctx.sessions() as session, session.begin():
        area = await _area(session, area_id)
        await session.execute(
            delete(_follow).where(_follow.user_id == user_id, _follow.area_id == area_id)
        )
    ctx.loaders.follows_area.prime((user_id, area_id), False, force=True)
    return area


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _own_follows(ctx: Context, user_id: int) -> list[ColumnElement[bool]]:
    """The user's follows of areas and of reports the user may still see."""
    if not policy.may_see_follows(ctx.actor, user_id):
        raise forbidden("Only you can see what you follow.")
    return [
        _follow.user_id == user_id,
        or_(_follow.area_id.is_not(None), policy.visible_reports(ctx.actor)),
    ]


async def list_following(
    ctx: Context, user_id: int, first: int, after_id: int | None
) -> FollowingPage:
    """What the user follows, newest follow first, keyset-paginated on the follow's id."""
    statement = (
        select(_follow, tables.Report, tables.Area)
        .outerjoin(tables.Report, tables.Report.id == _follow.report_id)
        .outerjoin(tables.Area, tables.Area.id == _follow.area_id)
        .where(*_own_follows(ctx, user_id))
        .order_by(_follow.id.desc())
        .limit(first + 1)
    )
    if after_id is not None:
        statement = statement.where(_follow.id < after_id)
    rows = await ctx.db.rows(statement)
    entries = []
    for follow, report, area in rows[:first]:
        if report is not None:
            ctx.loaders.report.prime(report.id, report)
            ctx.loaders.follows_report.prime((user_id, report.id), True)
        if area is not None:
            ctx.loaders.area.prime(area.id, area)
            ctx.loaders.follows_area.prime((user_id, area.id), True)
        entries.append(Followed(follow.id, follow.created_at, report, area))
    return FollowingPage(entries, len(rows) > first)


async def count_following(ctx: Context, user_id: int) -> int:
    statement = (
        select(func.count())
        .select_from(_follow)
        .outerjoin(tables.Report, tables.Report.id == _follow.report_id)
        .where(*_own_follows(ctx, user_id))
    )
    return int(await ctx.db.scalar(statement) or 0)
