"""Background duties: overdue reports are marked exactly once; unrated answers close."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from models import tables
from models.base import utcnow
from models.enums import ReportEventType, ReportStatus, Satisfaction
from resolvers import deadlines, scheduler
from schema.context import Context
from tests.api.world import build_world
from tests.factories import make_report


def _context(app: Starlette) -> Context:
    state = app.state
    return Context.create(state.settings, state.sessions, state.services)


async def _count_events(sessions: async_sessionmaker[AsyncSession], kind: ReportEventType) -> int:
    async with sessions() as session:
        statement = select(func.count()).where(tables.ReportEvent.type == kind)
        return int(await session.scalar(statement) or 0)


async def test_two_schedulers_mark_each_overdue_report_exactly_once(
    app: Starlette, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(session_factory)
    past = utcnow() - timedelta(days=1)
    async with session_factory() as session, session.begin():
        for status in (ReportStatus.ASSIGNED, ReportStatus.IN_PROGRESS, ReportStatus.ASSIGNED):
            await make_report(
                session,
                reporter=world.citizen,
                category=world.category,
                status=status,
                agency=world.environment,
                due_at=past,
            )
        await make_report(
            session,
            reporter=world.citizen,
            category=world.category,
            status=ReportStatus.ASSIGNED,
            agency=world.environment,
            due_at=utcnow() + timedelta(days=3),
        )
    await asyncio.gather(
        deadlines.mark_overdue(_context(app)), deadlines.mark_overdue(_context(app))
    )
    await deadlines.mark_overdue(_context(app))  # a later pass, as after a restart
    assert await _count_events(session_factory, ReportEventType.OVERDUE) == 3


async def test_unrated_answers_close_and_dissatisfied_ones_stay(
    app: Starlette, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(session_factory)
    long_ago = utcnow() - timedelta(days=30)
    async with session_factory() as session, session.begin():
        quiet = await make_report(
            session,
            reporter=world.citizen,
            category=world.category,
            status=ReportStatus.RESOLVED,
            agency=world.environment,
        )
        unhappy = await make_report(
            session,
            reporter=world.citizen,
            category=world.category,
            status=ReportStatus.RESOLVED,
            agency=world.environment,
        )
        quiet.resolved_at = unhappy.resolved_at = long_ago
        session.add(tables.Rating(report_id=unhappy.id, satisfaction=Satisfaction.DISSATISFIED))
    closed = await scheduler.close_unrated(_context(app), timedelta(days=7))
    assert closed == 1
    async with session_factory() as session:
        assert (await session.get_one(tables.Report, quiet.id)).status is ReportStatus.CLOSED
        assert (await session.get_one(tables.Report, unhappy.id)).status is ReportStatus.RESOLVED
