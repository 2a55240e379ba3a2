"""Per-event work: fresh data for every event, read once however many subscribers get it."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from models.enums import ReportEventType, ReportStatus
from tests.realtime.client import WSClient
from tests.realtime.conftest import LiveServer, World, Writer

Connect = Callable[..., Awaitable[WSClient]]
E = ReportEventType
S = ReportStatus

INBOX = """
subscription {
  agencyInbox { type report { status title category { name } assignedAgency { name } } }
}
"""


@contextlib.contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    executed: list[str] = []

    def record(*args: Any) -> None:
        if args[2].lstrip().upper().startswith("SELECT"):
            executed.append(args[2])

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield executed
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def test_nested_fields_show_each_events_own_data_not_the_connections_cache(
    live: LiveServer, connect: Connect, writer: Writer, world: World
) -> None:
    report = await writer.report(world)
    client = await connect(world.officer)
    feed = await client.subscribe(INBOX)
    await live.subscribed()
    await writer.step(report, E.ASSIGNED, S.ASSIGNED, agency=world.agency)
    assigned = await client.event(feed)
    await writer.step(report, E.ACKNOWLEDGED, S.IN_PROGRESS)
    acknowledged = await client.event(feed)
    assert assigned["report"]["status"] == "ASSIGNED"
    assert acknowledged["report"]["status"] == "IN_PROGRESS"  # a cached report would say ASSIGNED


async def test_an_event_for_many_subscribers_costs_the_same_queries_as_for_one(
    live: LiveServer, connect: Connect, writer: Writer, world: World
) -> None:
    report = await writer.report(world)
    live.pump.poll_seconds = 60  # no poll in the middle of the count
    engine: AsyncEngine = live.app.state.engine
    costs: list[list[str]] = []
    for screens in (1, 20):
        clients = [await connect(world.officer) for _ in range(screens)]
        feeds = [await client.subscribe(INBOX) for client in clients]
        await live.subscribed(screens)
        with statements(engine) as executed:
            await writer.step(report, E.ASSIGNED, S.ASSIGNED, agency=world.agency)
            for client, feed in zip(clients, feeds, strict=True):
                assert (await client.event(feed))["report"]["category"]["name"] == "Môi trường"
        # Everything but the pump's own reads (how often it wakes depends on timing).
        costs.append([query for query in executed if "FROM report_events" not in query])
        for client in clients:
            await client.close()
    # One query each for categories and agencies, for one screen as for twenty.
    assert [len(queries) for queries in costs] == [2, 2], costs
