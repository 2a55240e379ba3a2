"""Nothing reaches a viewer that the access policy hides from them."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import websockets
from websockets.exceptions import InvalidStatus
from websockets.typing import Origin

from models.enums import ReportEventType, ReportStatus, Visibility
from schema.node import encode_global_id
from settings import Settings
from tests.realtime.client import EVENT_FIELDS, TRANSPORT_WS, WSClient
from tests.realtime.conftest import LiveServer, World, Writer, serve

Connect = Callable[..., Awaitable[WSClient]]
E = ReportEventType
S = ReportStatus

REPORT_EVENTS = f"""
subscription ($id: ID!) {{
  reportEvents(reportId: $id) {{ {EVENT_FIELDS} message {{ body visibility }} }}
}}
"""
PUBLIC_EVENTS = f"subscription {{ publicReportEvents {{ {EVENT_FIELDS} report {{ code }} }} }}"
CONSOLE_ORIGIN = "https://console.phananh.example"


async def test_citizen_never_receives_internal_or_others_participant_events(
    live: LiveServer, connect: Connect, writer: Writer, world: World
) -> None:
    report = await writer.report(world)
    await writer.step(report, E.ASSIGNED, S.ASSIGNED, agency=world.agency)  # now public
    reporter = await connect(world.citizen)
    neighbour = await connect(world.other_citizen)
    variables = {"id": encode_global_id("Report", report.id)}
    reporter_feed = await reporter.subscribe(REPORT_EVENTS, variables)
    neighbour_feed = await neighbour.subscribe(REPORT_EVENTS, variables)
    await live.subscribed(2)
    await writer.message(report, world.officer, "Ghi chú nội bộ", Visibility.INTERNAL)
    await writer.message(report, world.officer, "Xin số nhà", Visibility.PARTICIPANTS)
    await writer.message(report, world.officer, "Đã xử lý", Visibility.PUBLIC)
    seen_by_reporter = await reporter.events(reporter_feed, 2)
    assert [e["message"]["body"] for e in seen_by_reporter] == ["Xin số nhà", "Đã xử lý"]
    seen_by_neighbour = await neighbour.event(neighbour_feed)
    assert seen_by_neighbour["message"] == {"body": "Đã xử lý", "visibility": "PUBLIC"}


async def test_public_feed_never_yields_events_of_a_report_not_public(
    live: LiveServer, connect: Connect, writer: Writer, world: World
) -> None:
    client = await connect(world.coordinator)  # the public feed is public even for staff
    feed = await client.subscribe(PUBLIC_EVENTS)
    await live.subscribed()
    hidden = await writer.report(world)  # SUBMITTED: not public yet
    await writer.message(hidden, world.citizen, "Bổ sung ảnh", Visibility.PUBLIC)
    rejected = await writer.report(world)
    await writer.step(rejected, E.REJECTED, S.REJECTED)
    shown = await writer.report(world)
    await writer.step(shown, E.ASSIGNED, S.ASSIGNED, agency=world.agency)
    await writer.message(shown, world.officer, "Nội bộ", Visibility.INTERNAL)
    await writer.step(shown, E.ACKNOWLEDGED, S.IN_PROGRESS)
    events = [(e["type"], e["report"]["code"]) for e in await client.events(feed, 2)]
    assert events == [("ASSIGNED", shown.code), ("ACKNOWLEDGED", shown.code)]
    assert await client.silent(feed, 0.3)


async def test_bad_token_in_connection_init_closes_with_4403(live: LiveServer) -> None:
    async with websockets.connect(live.url, subprotocols=[TRANSPORT_WS]) as socket:  # type: ignore[list-item]
        await socket.send('{"type": "connection_init", "payload": {"authorization": "Bearer x"}}')
        client = WSClient(socket, TRANSPORT_WS)
        assert await client.closed_with() == 4403


async def test_anonymous_visitor_cannot_follow_my_report_events(connect: Connect) -> None:
    client = await connect()
    feed = await client.subscribe(f"subscription {{ myReportEvents {{ {EVENT_FIELDS} }} }}")
    assert await client.error_codes(feed) == ["UNAUTHENTICATED"]


async def test_officer_cannot_follow_another_agencys_inbox(connect: Connect, world: World) -> None:
    client = await connect(world.officer)
    feed = await client.subscribe(
        "subscription ($id: ID) { agencyInbox(agencyId: $id) { id } }",
        {"id": encode_global_id("Agency", world.other_agency.id)},
    )
    assert await client.error_codes(feed) == ["FORBIDDEN"]


async def test_citizen_cannot_follow_the_triage_queue(connect: Connect, world: World) -> None:
    client = await connect(world.citizen)
    feed = await client.subscribe("subscription { triageQueue { id } }")
    assert await client.error_codes(feed) == ["FORBIDDEN"]


async def test_report_events_of_a_report_hidden_from_the_viewer_are_refused(
    connect: Connect, writer: Writer, world: World
) -> None:
    report = await writer.report(world)  # SUBMITTED: only its reporter and staff see it
    client = await connect(world.other_citizen)
    feed = await client.subscribe(REPORT_EVENTS, {"id": encode_global_id("Report", report.id)})
    assert await client.error_codes(feed) == ["BAD_USER_INPUT"]


@pytest.fixture
async def listed(settings: Settings) -> AsyncIterator[LiveServer]:
    """A server that lets pages on CONSOLE_ORIGIN open WebSockets (ALLOWED_ORIGINS)."""
    async with serve(dataclasses.replace(settings, allowed_origins=(CONSOLE_ORIGIN,))) as server:
        yield server


async def _acknowledged(url: str, origin: str | None) -> bool:
    """Open a socket as a page on `origin` would (None: not a browser) and initialise it."""
    async with websockets.connect(
        url,
        origin=Origin(origin) if origin else None,
        subprotocols=[TRANSPORT_WS],  # type: ignore[list-item]
    ) as socket:
        client = WSClient(socket, TRANSPORT_WS)
        await client.send({"type": "connection_init", "payload": {}})
        message = await client.receive_control()
        return bool(message["type"] == "connection_ack")


async def test_a_page_on_a_listed_origin_opens_a_websocket(listed: LiveServer) -> None:
    assert await _acknowledged(listed.url, CONSOLE_ORIGIN)


async def test_a_page_on_an_unlisted_origin_is_refused_at_the_handshake(
    listed: LiveServer,
) -> None:
    with pytest.raises(InvalidStatus) as refused:
        await _acknowledged(listed.url, "https://evil.example")
    assert refused.value.response.status_code == 403


async def test_a_client_sending_no_origin_is_not_a_browser_and_connects(listed: LiveServer) -> None:
    assert await _acknowledged(listed.url, None)


async def test_a_page_served_by_the_api_itself_connects(listed: LiveServer) -> None:
    """The console and the tracker (/console/, /track/) share the API's origin."""
    assert await _acknowledged(listed.url, f"http://127.0.0.1:{listed.port}")


async def test_without_allowed_origins_other_origins_are_refused(live: LiveServer) -> None:
    with pytest.raises(InvalidStatus) as refused:
        await _acknowledged(live.url, CONSOLE_ORIGIN)
    assert refused.value.response.status_code == 403
