"""The demo data set: seeded once, and every report consistent with its timeline and its area."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime
from itertools import pairwise

from sqlalchemy import FromClause, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.demo import seed_demo
from models.enums import ReportEventType, ReportStatus, Visibility
from models.tables import (
    Agency,
    Area,
    Category,
    Holiday,
    Message,
    Rating,
    Report,
    ReportEvent,
    Routing,
    User,
    agency_categories,
)

SEEDED_MODELS = (
    Agency,
    Area,
    Category,
    Holiday,
    Message,
    Rating,
    Report,
    ReportEvent,
    Routing,
    User,
)
SEEDED_TABLES: list[FromClause] = [agency_categories, *(model.__table__ for model in SEEDED_MODELS)]


async def _row_counts(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with sessions() as session:
        return {
            str(table): await session.scalar(select(func.count()).select_from(table)) or 0
            for table in SEEDED_TABLES
        }


async def _reports(sessions: async_sessionmaker[AsyncSession]) -> list[Report]:
    async with sessions() as session:
        return list((await session.scalars(select(Report).order_by(Report.id))).all())


async def _events_by_report(
    sessions: async_sessionmaker[AsyncSession],
) -> dict[int, list[ReportEvent]]:
    async with sessions() as session:
        events = (await session.scalars(select(ReportEvent).order_by(ReportEvent.id))).all()
    by_report: dict[int, list[ReportEvent]] = defaultdict(list)
    for event in events:
        by_report[event.report_id].append(event)
    return by_report


def _inside(ring: list[list[float]], longitude: float, latitude: float) -> bool:
    """Ray casting: an edge crossed by the ray going east from the point flips the answer."""
    inside = False
    for (x0, y0), (x1, y1) in pairwise(ring):
        if (y0 > latitude) != (y1 > latitude):
            crossing = x0 + (latitude - y0) * (x1 - x0) / (y1 - y0)
            if longitude < crossing:
                inside = not inside
    return inside


async def test_seeding_twice_inserts_the_data_once(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    assert await seed_demo(session_factory) is True
    counts = await _row_counts(session_factory)

    assert await seed_demo(session_factory) is False

    assert await _row_counts(session_factory) == counts
    assert all(counts.values()), counts


async def test_every_status_has_at_least_three_reports(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await seed_demo(session_factory)

    statuses = Counter(report.status for report in await _reports(session_factory))

    assert {status: statuses[status] for status in ReportStatus if statuses[status] < 3} == {}


async def test_a_report_is_public_exactly_when_it_has_been_forwarded(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await seed_demo(session_factory)
    events = await _events_by_report(session_factory)

    for report in await _reports(session_factory):
        forwarded = any(event.type is ReportEventType.ASSIGNED for event in events[report.id])
        assert report.is_public is forwarded, report.code
        if report.status is ReportStatus.REJECTED:
            assert not report.is_public, report.code


async def test_events_are_in_time_order_and_end_in_the_report_status(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await seed_demo(session_factory)
    events = await _events_by_report(session_factory)

    for report in await _reports(session_factory):
        timeline = events[report.id]
        assert timeline[0].type is ReportEventType.SUBMITTED, report.code
        assert all(a.at <= b.at for a, b in pairwise(timeline)), report.code
        moves = [event for event in timeline if event.to_status is not None]
        assert moves[-1].to_status is report.status, report.code
        assert report.updated_at == timeline[-1].at, report.code


async def test_no_timestamp_lies_in_the_future(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await seed_demo(session_factory)
    now = datetime.now(UTC)

    events = await _events_by_report(session_factory)

    assert max(event.at for timeline in events.values() for event in timeline) <= now


async def test_internal_messages_have_internal_events(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await seed_demo(session_factory)
    async with session_factory() as session:
        pairs = (
            await session.execute(
                select(Message.visibility, ReportEvent.visibility).join(
                    ReportEvent, ReportEvent.message_id == Message.id
                )
            )
        ).all()
        messages = await session.scalar(select(func.count()).select_from(Message))

    assert len(pairs) == messages
    internal = [event for message, event in pairs if message is Visibility.INTERNAL]
    assert len(internal) >= 2
    assert set(internal) == {Visibility.INTERNAL}
    assert all(message is event for message, event in pairs)


async def test_every_report_lies_inside_its_area(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await seed_demo(session_factory)
    async with session_factory() as session:
        areas = {area.id: area for area in (await session.scalars(select(Area))).all()}

    for report in await _reports(session_factory):
        assert report.area_id is not None, report.code
        boundary = areas[report.area_id].boundary
        assert boundary is not None, report.code
        assert _inside(boundary, report.longitude, report.latitude), report.code
