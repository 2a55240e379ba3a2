"""Cursors in commit order: on PostgreSQL, events that commit late are never skipped."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import tables
from models.enums import ReportEventType
from realtime.log import EventLog, Position
from schema.timeline import log_cursor
from tests.backends import Backend
from tests.factories import make_event, make_report
from tests.realtime.client import EVENT_FIELDS, WSClient
from tests.realtime.conftest import LiveServer, World, Writer

pytestmark = pytest.mark.usefixtures("requires_postgres")

Connect = Callable[..., Awaitable[WSClient]]
WRITERS = 6
EVENTS_PER_WRITER = 15


async def _insert(session: AsyncSession, report: tables.Report) -> int:
    event = await make_event(session, report, ReportEventType.MESSAGE_POSTED)
    return event.id


async def test_an_event_committed_late_is_read_after_the_events_committed_before_it(
    session_factory: async_sessionmaker[AsyncSession], writer: Writer, world: World
) -> None:
    report = await writer.report(world)
    log = EventLog(session_factory, postgres=True)
    start = await log.head()
    async with session_factory() as slow:
        await slow.begin()
        late = await _insert(slow, report)  # takes its transaction id first, commits last
        async with session_factory() as quick, quick.begin():
            early = await _insert(quick, report)
        assert early > late
        # A reader by id would hand out `early` now, then never see `late`.
        assert early not in [item.event.id for item in await log.read(start, limit=10)]
        await slow.commit()
    for _ in range(1000):  # other transactions in the cluster may hold the horizon back too
        ids = [item.event.id for item in await log.read(start, limit=10)]
        if early in ids:
            break
        await asyncio.sleep(0.01)
    assert ids[-2:] == [late, early]


async def test_a_long_transaction_in_another_database_does_not_hold_events_back(
    session_factory: async_sessionmaker[AsyncSession], world: World, backend: Backend
) -> None:
    assert backend.admin_url is not None
    other_database = make_url(backend.admin_url).set(drivername="postgresql")
    elsewhere = await asyncpg.connect(other_database.render_as_string(hide_password=False))
    try:
        long_job = elsewhere.transaction()  # an index build, a batch job: it holds an xid
        await long_job.start()
        await elsewhere.fetchval("SELECT pg_current_xact_id()")
        async with session_factory() as session, session.begin():
            event_id = await _insert(session, await make_report(session, **world.reporting()))
        log = EventLog(session_factory, postgres=True)
        assert (await log.head()) == await log.position_of(event_id)
        await long_job.rollback()
    finally:
        await elsewhere.close()


async def _write(
    sessions: async_sessionmaker[AsyncSession], report: tables.Report, seed: int
) -> list[int]:
    """Short and long transactions; some take their transaction id well before inserting."""
    rng = random.Random(seed)
    written = []
    for _ in range(EVENTS_PER_WRITER):
        async with sessions() as session, session.begin():
            if rng.random() < 0.3:
                await session.execute(text("SELECT pg_current_xact_id()"))
                await asyncio.sleep(rng.uniform(0, 0.05))
            written.append(await _insert(session, report))
            await asyncio.sleep(rng.choice([0, 0, 0.001, 0.01, 0.08]))
    return written


async def _page_until(
    log: EventLog, start: Position, done: asyncio.Event, seed: int
) -> list[Position]:
    """A reader resuming from its last cursor with small pages, until the writers are done."""
    rng = random.Random(seed)
    position, seen = start, list[Position]()
    while True:
        finished = done.is_set()
        page = await log.read(position, limit=rng.randint(1, 7))
        seen.extend(item.position for item in page)
        position = page[-1].position if page else position
        if finished and not page and not await log.has_pending(position):
            return seen
        await asyncio.sleep(rng.uniform(0, 0.01))


async def test_readers_paging_after_their_cursor_see_every_event_once_under_concurrent_writers(
    session_factory: async_sessionmaker[AsyncSession], writer: Writer, world: World
) -> None:
    report = await writer.report(world)
    log = EventLog(session_factory, postgres=True)
    start, done = await log.head(), asyncio.Event()
    readers = [asyncio.create_task(_page_until(log, start, done, seed)) for seed in range(4)]
    writers = [_write(session_factory, report, seed) for seed in range(WRITERS)]
    written = {event_id for ids in await asyncio.gather(*writers) for event_id in ids}
    done.set()
    async with asyncio.timeout(20):
        for reader in readers:
            seen = await reader
            assert seen == sorted(seen), "out of commit order"
            ids = [event_id for _, event_id in seen]
            assert len(ids) == len(set(ids)), "repeated"
            assert set(ids) == written, "lost"


async def test_subscribers_resuming_under_concurrent_writers_miss_and_repeat_nothing(
    live: LiveServer, connect: Connect, writer: Writer, world: World
) -> None:
    report = await writer.report(world)
    query = f"""
    subscription ($after: String) {{ myReportEvents(after: $after) {{ {EVENT_FIELDS} }} }}
    """

    async def write(seed: int) -> list[int]:
        rng = random.Random(seed)
        written = []
        for _ in range(EVENTS_PER_WRITER):
            async with writer.sessions() as session, session.begin():
                written.append(await _insert(session, report))
                await asyncio.sleep(rng.choice([0, 0, 0.005, 0.05]))
            await live.committed(report.id)
        return written

    async def subscribe_and_resume(cursor: str, total: int) -> list[str]:
        """Reconnect after every few events, resuming from the last cursor received."""
        seen: list[str] = []
        while len(seen) < total:
            client = await connect(world.citizen)
            feed = await client.subscribe(query, {"after": cursor})
            for _ in range(min(7, total - len(seen))):
                event = await client.event(feed)
                seen.append(event["id"])
                cursor = event["cursor"]
            await client.close()
        return seen

    first = await connect(world.citizen)
    feed = await first.subscribe(query)
    await live.subscribed()
    total = WRITERS * EVENTS_PER_WRITER
    submitted = log_cursor(*await EventLog(writer.sessions, postgres=True).head())
    readers = [asyncio.create_task(subscribe_and_resume(submitted, total)) for _ in range(3)]
    written = await asyncio.gather(*(write(seed) for seed in range(WRITERS)))
    assert sum(len(ids) for ids in written) == total
    async with asyncio.timeout(30):
        results = [await reader for reader in readers]
    for seen in results:
        assert len(seen) == len(set(seen)) == total
    assert (await first.event(feed))["type"] == "MESSAGE_POSTED"
