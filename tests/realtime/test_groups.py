"""Grouped feeds (schema.fanout): identical subscriptions share one stream, and lose nothing."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable

import pytest
import websockets
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import tables
from models.enums import ReportEventType, ReportStatus, Visibility
from schema.fanout import FeedGroups
from schema.node import encode_global_id
from tests.factories import make_event
from tests.realtime.client import EVENT_FIELDS, TRANSPORT_WS, WSClient
from tests.realtime.conftest import LiveServer, World, Writer

Connect = Callable[..., Awaitable[WSClient]]
E = ReportEventType
S = ReportStatus

PUBLIC_EVENTS = f"""
subscription ($after: String) {{
  publicReportEvents(after: $after) {{ {EVENT_FIELDS} report {{ code }} }}
}}
"""
REPORT_EVENTS = f"""
subscription ($id: ID!) {{
  reportEvents(reportId: $id) {{ {EVENT_FIELDS} message {{ body visibility }} }}
}}
"""
AGENCY_INBOX = f"subscription {{ agencyInbox {{ {EVENT_FIELDS} }} }}"


def groups(live: LiveServer) -> FeedGroups:
    found: FeedGroups = live.app.state.feed_groups
    return found


async def _public_report(writer: Writer, world: World) -> tables.Report:
    report = await writer.report(world)
    await writer.step(report, E.ASSIGNED, S.ASSIGNED, agency=world.agency)  # now public
    return report


async def _write_notes(
    sessions: async_sessionmaker[AsyncSession], report: tables.Report, notes: list[str]
) -> list[str]:
    """Public events with these notes in one transaction; their global ids."""
    async with sessions() as session, session.begin():
        events = [await make_event(session, report, E.MESSAGE_POSTED, note=n) for n in notes]
    return [encode_global_id("ReportEvent", event.id) for event in events]


async def test_identical_subscriptions_share_one_feed_and_each_gets_every_event_once(
    live: LiveServer, connect: Connect, writer: Writer, world: World
) -> None:
    report = await _public_report(writer, world)
    clients = [await connect() for _ in range(3)]
    feeds = [await client.subscribe(PUBLIC_EVENTS) for client in clients]
    await live.subscribed(3)
    assert (live.pump.subscriber_count, len(groups(live))) == (1, 1)
    written = await _write_notes(writer.sessions, report, ["một", "hai", "ba"])
    await live.committed(report.id)
    for client, feed in zip(clients, feeds, strict=True):
        assert [event["id"] for event in await client.events(feed, 3)] == written
        assert await client.silent(feed, 0.2)


async def test_different_viewers_are_never_grouped_and_each_sees_only_its_own(
    live: LiveServer, connect: Connect, writer: Writer, world: World
) -> None:
    report = await _public_report(writer, world)
    variables = {"id": encode_global_id("Report", report.id)}
    viewers = {
        "anonymous": await connect(),
        "second anonymous": await connect(),
        "reporter": await connect(world.citizen),
        "officer": await connect(world.officer),
    }
    feeds = {
        name: await client.subscribe(REPORT_EVENTS, variables) for name, client in viewers.items()
    }
    await live.subscribed(4)
    assert live.pump.subscriber_count == 3  # the two anonymous visitors are one viewer
    await writer.message(report, world.officer, "Ghi chú nội bộ", Visibility.INTERNAL)
    await writer.message(report, world.officer, "Xin số nhà", Visibility.PARTICIPANTS)
    await writer.message(report, world.officer, "Đã xử lý", Visibility.PUBLIC)
    expected = {
        "anonymous": ["Đã xử lý"],
        "second anonymous": ["Đã xử lý"],
        "reporter": ["Xin số nhà", "Đã xử lý"],
        "officer": ["Ghi chú nội bộ", "Xin số nhà", "Đã xử lý"],
    }
    for name, bodies in expected.items():
        events = await viewers[name].events(feeds[name], len(bodies))
        assert [event["message"]["body"] for event in events] == bodies, name
        assert await viewers[name].silent(feeds[name], 0.2), name


async def test_a_member_leaving_does_not_disturb_the_others(
    live: LiveServer, connect: Connect, writer: Writer, world: World
) -> None:
    report = await _public_report(writer, world)
    clients = [await connect() for _ in range(3)]
    feeds = [await client.subscribe(PUBLIC_EVENTS) for client in clients]
    await live.subscribed(3)
    await clients[0].send({"id": feeds[0], "type": "complete"})
    await clients[1].close()
    async with asyncio.timeout(5):
        while live.feeds > 1:  # noqa: ASYNC110 (no hook for tests)
            await asyncio.sleep(0.005)
    written = await _write_notes(writer.sessions, report, ["một"])
    await live.committed(report.id)
    assert [event["id"] for event in await clients[2].events(feeds[2], 1)] == written
    assert await clients[0].silent(feeds[0], 0.2)
    await clients[2].send({"id": feeds[2], "type": "complete"})  # the last one out
    async with asyncio.timeout(5):
        while live.pump.subscriber_count or len(groups(live)):  # noqa: ASYNC110
            await asyncio.sleep(0.005)


async def _stalled_client(live: LiveServer) -> WSClient:
    """A client that soon stops reading: a tiny receive buffer, one message queued at most,
    and no compression (the large frames must fill the buffers)."""
    raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.connect(("127.0.0.1", live.port))
    raw.setblocking(False)
    connection = await websockets.connect(
        live.url,
        subprotocols=[TRANSPORT_WS],  # type: ignore[list-item]
        sock=raw,
        max_queue=1,
        compression=None,
        close_timeout=2,
    )
    client = WSClient(connection, TRANSPORT_WS)
    await client.send({"type": "connection_init", "payload": {}})
    assert (await client.receive_control())["type"] == "connection_ack"
    return client


async def test_a_stalled_member_is_closed_with_1013_while_the_others_keep_receiving(
    live: LiveServer, connect: Connect, writer: Writer, world: World
) -> None:
    report = await _public_report(writer, world)
    groups(live).outbox_limit = 3
    stalled = await _stalled_client(live)
    await stalled.subscribe(PUBLIC_EVENTS)
    reader = await connect()
    feed = await reader.subscribe(PUBLIC_EVENTS)
    await live.subscribed(2)
    # Large frames, one event at a time, until the stalled socket's buffers are full, its
    # sends block, and three frames wait for it: the reader's outbox never holds more than one.
    for _ in range(400):
        written = await _write_notes(writer.sessions, report, ["ổ gà " * 8000])
        await live.committed(report.id)
        assert [event["id"] for event in await reader.events(feed, 1)] == written
        if live.feeds == 1:
            break
    assert await stalled.closed_with() == 1013
    # The group goes on without it.
    more = await _write_notes(writer.sessions, report, ["một"])
    await live.committed(report.id)
    assert [event["id"] for event in await reader.events(feed, 1)] == more
    assert live.pump.subscriber_count == 1


async def test_the_groups_own_overflow_closes_every_member_with_1013(
    live: LiveServer, connect: Connect, writer: Writer, world: World
) -> None:
    report = await _public_report(writer, world)
    live.pump.queue_limit = 20
    clients = [await connect() for _ in range(2)]
    for client in clients:
        await client.subscribe(PUBLIC_EVENTS)
    await live.subscribed(2)
    await _write_notes(writer.sessions, report, ["một"] * 200)
    await live.committed(report.id)  # 200 events reach the group's queue at once: over the bound
    assert [await client.closed_with() for client in clients] == [1013, 1013]


async def test_a_member_resuming_with_after_joins_the_group_and_loses_nothing(
    live: LiveServer, connect: Connect, writer: Writer, world: World
) -> None:
    report = await _public_report(writer, world)
    founder = await connect()
    founder_feed = await founder.subscribe(PUBLIC_EVENTS)
    await live.subscribed()
    written = await _write_notes(writer.sessions, report, ["một"])
    await live.committed(report.id)
    cursor = (await founder.event(founder_feed))["cursor"]

    async def write_while_joining() -> list[str]:
        ids: list[str] = []
        for index in range(20):
            ids += await _write_notes(writer.sessions, report, [f"sự kiện {index}"])
            await live.committed(report.id)
            await asyncio.sleep(0.005)
        return ids

    writing = asyncio.create_task(write_while_joining())
    await asyncio.sleep(0.03)
    resumed = await connect()
    resumed_feed = await resumed.subscribe(PUBLIC_EVENTS, {"after": cursor})
    written += await writing
    events = await resumed.events(resumed_feed, len(written) - 1)
    assert [event["id"] for event in events] == written[1:]
    assert await resumed.silent(resumed_feed, 0.3)
    assert live.pump.subscriber_count == 1  # it joined the founder's group
    later = await _write_notes(writer.sessions, report, ["sau"])
    await live.committed(report.id)
    assert [event["id"] for event in await resumed.events(resumed_feed, 1)] == later


async def test_a_members_bad_cursor_reaches_only_that_member(
    live: LiveServer, connect: Connect, writer: Writer, world: World
) -> None:
    report = await _public_report(writer, world)
    founder = await connect()
    founder_feed = await founder.subscribe(PUBLIC_EVENTS)
    await live.subscribed()
    other = await connect()
    bad = await other.subscribe(PUBLIC_EVENTS, {"after": "not a cursor"})
    assert await other.error_codes(bad) == ["BAD_USER_INPUT"]
    written = await _write_notes(writer.sessions, report, ["một"])
    await live.committed(report.id)
    assert [event["id"] for event in await founder.events(founder_feed, 1)] == written
    assert live.feeds == 1


async def test_a_refused_subscription_is_answered_on_each_socket_alone(
    live: LiveServer, connect: Connect, world: World
) -> None:
    clients = [await connect(world.citizen) for _ in range(3)]
    feeds = [await client.subscribe(AGENCY_INBOX) for client in clients]
    for client, feed in zip(clients, feeds, strict=True):
        assert await client.error_codes(feed) == ["FORBIDDEN"]
    assert (live.pump.subscriber_count, len(groups(live))) == (0, 0)


EVERY_FEED = {
    "reportEvents": "($report: ID!) { reportEvents(reportId: $report)",
    "myReportEvents": "{ myReportEvents",
    "agencyInbox": "($agency: ID!) { agencyInbox(agencyId: $agency)",
    "triageQueue": "{ triageQueue",
    "publicReportEvents": "{ publicReportEvents",
    "followedReportEvents": "{ followedReportEvents",
}


@pytest.mark.parametrize("field", sorted(EVERY_FEED))
async def test_every_feed_is_shared_by_identical_subscriptions(
    live: LiveServer, connect: Connect, writer: Writer, world: World, field: str
) -> None:
    report = await _public_report(writer, world)
    query = f"subscription {EVERY_FEED[field]} {{ id }} }}"
    variables = {
        "report": encode_global_id("Report", report.id),
        "agency": encode_global_id("Agency", world.agency.id),
    }
    variables = {name: value for name, value in variables.items() if f"${name}" in query}
    clients = [await connect(world.coordinator) for _ in range(2)]
    for client in clients:
        await client.subscribe(query, variables)
    await live.subscribed(2)
    assert (live.pump.subscriber_count, len(groups(live))) == (1, 1)
