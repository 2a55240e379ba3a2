"""Deadline warnings: one DEADLINE_APPROACHING event per open report, whoever runs the task."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from models import tables
from models.base import utcnow
from models.enums import ReportEventType, ReportStatus, Visibility
from resolvers import deadlines
from schema.context import Context
from tests.api.world import World, build_world
from tests.factories import make_report


def _context(app: Starlette) -> Context:
    state = app.state
    return Context.create(state.settings, state.sessions, state.services)


async def _warned(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[int, Visibility]]:
    async with sessions() as session:
        event = tables.ReportEvent
        rows = await session.execute(
            select(event.report_id, event.visibility)
            .where(event.type == ReportEventType.DEADLINE_APPROACHING)
            .order_by(event.report_id)
        )
        return [(row[0], row[1]) for row in rows]


async def _due_in(
    sessions: async_sessionmaker[AsyncSession],
    world: World,
    hours: float,
    status: ReportStatus = ReportStatus.ASSIGNED,
) -> tables.Report:
    async with sessions() as session, session.begin():
        return await make_report(
            session,
            reporter=world.citizen,
            category=world.category,
            status=status,
            agency=world.environment,
            due_at=utcnow() + timedelta(hours=hours),
        )


async def test_two_callers_warn_each_approaching_deadline_exactly_once(
    app: Starlette, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(session_factory)
    soon = await _due_in(session_factory, world, 3)
    acknowledged = await _due_in(session_factory, world, 20, ReportStatus.IN_PROGRESS)
    await _due_in(session_factory, world, 30)  # not yet
    await _due_in(session_factory, world, -2)  # already overdue: that is another event
    await _due_in(session_factory, world, 5, ReportStatus.RESOLVED)  # answered
    counts = await asyncio.gather(
        deadlines.warn_approaching(_context(app)), deadlines.warn_approaching(_context(app))
    )
    assert sorted(counts) in ([0, 2], [1, 1])
    assert await deadlines.warn_approaching(_context(app)) == 0  # a later pass, after a restart
    assert await _warned(session_factory) == [
        (soon.id, Visibility.INTERNAL),
        (acknowledged.id, Visibility.INTERNAL),
    ]


async def test_the_warning_window_is_configurable(
    app: Starlette, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(session_factory)
    later = await _due_in(session_factory, world, 36)
    assert await deadlines.warn_approaching(_context(app)) == 0
    assert await deadlines.warn_approaching(_context(app), timedelta(hours=48)) == 1
    assert [report_id for report_id, _ in await _warned(session_factory)] == [later.id]
