"""Resume: `after` replays every missed event in order, then goes on live, repeating nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import tables
from models.enums import ReportEventType, ReportStatus, Visibility
from schema.node import encode_global_id
from settings import Settings
from tests.factories import make_message
from tests.realtime.client import EVENT_FIELDS, LEGACY_WS, TRANSPORT_WS, WSClient
from tests.realtime.conftest import LiveServer, World, Writer, serve

Connect = Callable[..., Awaitable[WSClient]]
E = ReportEventType
S = ReportStatus

MY_REPORT_EVENTS = f"""
subscription ($after: String) {{ myReportEvents(after: $after) {{ {EVENT_FIELDS} }} }}
"""
REPORT_EVENTS = f"""
subscription ($id: ID!, $after: String) {{
  reportEvents(reportId: $id, after: $after) {{ {EVENT_FIELDS} }}
}}
"""
TIMELINE = "query ($id: ID!) { node(id: $id) { ... on Report { timeline { edges { cursor } } } } }"


async def _resume_without_loss_or_repetition(
    live: LiveServer, connect: Connect, writer: Writer, world: World, protocol: str
) -> None:
    report = await writer.report(world)
    client = await connect(world.citizen, protocol)
    feed = await client.subscribe(MY_REPORT_EVENTS)
    await live.subscribed()
    await writer.message(report, world.citizen, "một", Visibility.PUBLIC)
    seen = await client.event(feed)
    await client.close()

    for body in ("hai", "ba", "bốn"):
        await writer.message(report, world.citizen, body, Visibility.PUBLIC)
    client = await connect(world.citizen, protocol)
    feed = await client.subscribe(MY_REPORT_EVENTS, {"after": seen["cursor"]})
    replayed = await client.events(feed, 3)
    await writer.message(report, world.officer, "năm", Visibility.PUBLIC)
    live_event = await client.event(feed)
    notes = [event["id"] for event in [seen, *replayed, live_event]]
    assert len(set(notes)) == 5
    cursors = [event["cursor"] for event in [*replayed, live_event]]
    assert len(set(cursors)) == 4
    assert await client.silent(feed, 0.3)


async def test_resume_replays_missed_events_then_goes_live(
    live: LiveServer, connect: Connect, writer: Writer, world: World
) -> None:
    await _resume_without_loss_or_repetition(live, connect, writer, world, TRANSPORT_WS)


async def test_resume_works_on_the_legacy_graphql_ws_protocol(
    live: LiveServer, connect: Connect, writer: Writer, world: World
) -> None:
    await _resume_without_loss_or_repetition(live, connect, writer, world, LEGACY_WS)


async def test_resume_continues_across_a_server_restart(
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    world: World,
    token: Callable[[tables.User], str],
) -> None:
    async with serve(settings) as first:
        report = await Writer(session_factory, first).report(world)
        client = await WSClient.connect(first.url, token(world.citizen))
        feed = await client.subscribe(REPORT_EVENTS, {"id": encode_global_id("Report", report.id)})
        await first.subscribed()
        await Writer(session_factory, first).message(
            report, world.citizen, "một", Visibility.PUBLIC
        )
        cursor = (await client.event(feed))["cursor"]
    assert await client.closed_with() == 1012

    async with session_factory() as session, session.begin():  # written while no server runs
        for body in ("hai", "ba"):
            await make_message(session, report, world.officer, body)

    async with serve(settings) as second:
        client = await WSClient.connect(second.url, token(world.citizen))
        variables = {"id": encode_global_id("Report", report.id), "after": cursor}
        feed = await client.subscribe(REPORT_EVENTS, variables)
        missed = await client.events(feed, 2)
        await Writer(session_factory, second).message(
            report, world.citizen, "bốn", Visibility.PUBLIC
        )
        after_restart = await client.event(feed)
        await client.close()
    assert [e["type"] for e in [*missed, after_restart]] == ["MESSAGE_POSTED"] * 3
    assert len({e["cursor"] for e in [*missed, after_restart]}) == 3


async def test_a_timeline_edge_cursor_resumes_a_subscription(
    live: LiveServer,
    connect: Connect,
    writer: Writer,
    world: World,
    token: Callable[[tables.User], str],
) -> None:
    report = await writer.report(world)
    await writer.step(report, E.ASSIGNED, S.ASSIGNED, agency=world.agency)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{live.port}") as http:
        response = await http.post(
            "/graphql",
            json={"query": TIMELINE, "variables": {"id": encode_global_id("Report", report.id)}},
            headers={"Authorization": f"Bearer {token(world.citizen)}"},
        )
    first_edge = response.json()["data"]["node"]["timeline"]["edges"][0]["cursor"]
    client = await connect(world.citizen)
    variables = {"id": encode_global_id("Report", report.id), "after": first_edge}
    feed = await client.subscribe(REPORT_EVENTS, variables)
    assert (await client.event(feed))["type"] == "ASSIGNED"


async def test_a_malformed_cursor_is_refused(connect: Connect, world: World) -> None:
    client = await connect(world.citizen)
    feed = await client.subscribe(MY_REPORT_EVENTS, {"after": "not-a-cursor"})
    assert await client.error_codes(feed) == ["BAD_USER_INPUT"]
