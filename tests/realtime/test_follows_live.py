"""Live following: `followedReportEvents` over a real WebSocket, and the public feed's map filters.

Follows are made through the real `followReport` / `followArea` mutations over HTTP, against
the same uvicorn server that serves the WebSocket. Where a test shows that an event was *not*
sent, it writes a later event the feed must send and checks that this one comes next.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from models import tables
from models.enums import ReportEventType, ReportStatus, Visibility
from realtime.log import START, EventLog
from schema.node import encode_global_id
from tests.backends import Backend
from tests.factories import make_report
from tests.realtime.client import EVENT_FIELDS, WSClient
from tests.realtime.conftest import LiveServer, World, Writer

Connect = Callable[..., Awaitable[WSClient]]
E = ReportEventType
S = ReportStatus

FOLLOWED = f"""
subscription ($after: String) {{
  followedReportEvents(after: $after) {{
    {EVENT_FIELDS} message {{ body }} report {{ code viewerIsFollowing }}
  }}
}}
"""
PUBLIC_EVENTS = f"""
subscription ($filter: ReportFilter, $after: String) {{
  publicReportEvents(filter: $filter, after: $after) {{ {EVENT_FIELDS} report {{ code }} }}
}}
"""
MUTATIONS = {
    "followReport": "followReport(input: {reportId: $id}) { userErrors { code } }",
    "unfollowReport": "unfollowReport(input: {reportId: $id}) { userErrors { code } }",
    "followArea": "followArea(input: {areaId: $id}) { userErrors { code } }",
    "unfollowArea": "unfollowArea(input: {areaId: $id}) { userErrors { code } }",
}


class Follower:
    """Calls the follow mutations over HTTP on the live server, as a signed-in user."""

    def __init__(self, http: httpx.AsyncClient, token: Callable[[tables.User], str]) -> None:
        self.http = http
        self.token = token

    async def _call(self, user: tables.User, name: str, global_id: str) -> None:
        response = await self.http.post(
            "/graphql",
            json={
                "query": f"mutation ($id: ID!) {{ {MUTATIONS[name]} }}",
                "variables": {"id": global_id},
            },
            headers={"Authorization": f"Bearer {self.token(user)}"},
        )
        body: dict[str, Any] = response.json()
        assert body.get("data", {}).get(name) == {"userErrors": []}, body

    async def report(self, user: tables.User, report: tables.Report) -> None:
        await self._call(user, "followReport", gid("Report", report.id))

    async def unfollow_report(self, user: tables.User, report: tables.Report) -> None:
        await self._call(user, "unfollowReport", gid("Report", report.id))

    async def area(self, user: tables.User, area: tables.Area) -> None:
        await self._call(user, "followArea", gid("Area", area.id))


@pytest.fixture
async def follow(live: LiveServer, token: Callable[[tables.User], str]) -> AsyncIterator[Follower]:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{live.port}") as http:
        yield Follower(http, token)


def gid(type_name: str, key: int) -> str:
    return encode_global_id(type_name, key)


def _seen(event: dict[str, Any]) -> tuple[str, str]:
    return (event["type"], event["report"]["code"])


async def test_followed_report_events_sends_events_of_followed_reports_only(
    live: LiveServer, connect: Connect, writer: Writer, world: World, follow: Follower
) -> None:
    followed = await writer.report(world, area=world.ward)
    other = await writer.report(world, area=world.ward)
    await writer.step(followed, E.ASSIGNED, S.ASSIGNED, agency=world.agency)
    await follow.report(world.other_citizen, followed)
    client = await connect(world.other_citizen)
    feed = await client.subscribe(FOLLOWED)
    await live.subscribed()
    await writer.step(other, E.ASSIGNED, S.ASSIGNED, agency=world.agency)
    await writer.step(followed, E.ACKNOWLEDGED, S.IN_PROGRESS)
    event = await client.event(feed)
    assert _seen(event) == ("ACKNOWLEDGED", followed.code)
    assert event["report"]["viewerIsFollowing"] is True


async def test_following_an_area_sends_events_of_reports_in_areas_below_it(
    live: LiveServer, connect: Connect, writer: Writer, world: World, follow: Follower
) -> None:
    in_block = await writer.report(world, area=world.block)  # the block lies inside the ward
    elsewhere = await writer.report(world, area=world.other_ward)
    await follow.area(world.other_citizen, world.ward)
    client = await connect(world.other_citizen)
    feed = await client.subscribe(FOLLOWED)
    await live.subscribed()
    await writer.step(elsewhere, E.ASSIGNED, S.ASSIGNED, agency=world.agency)
    await writer.step(in_block, E.ASSIGNED, S.ASSIGNED, agency=world.agency)
    event = await client.event(feed)
    assert _seen(event) == ("ASSIGNED", in_block.code)
    assert event["report"]["viewerIsFollowing"] is False  # followed through its area only


async def test_a_private_event_of_a_followed_report_does_not_reach_another_citizen(
    live: LiveServer, connect: Connect, writer: Writer, world: World, follow: Follower
) -> None:
    report = await writer.report(world, area=world.ward)
    await writer.step(report, E.ASSIGNED, S.ASSIGNED, agency=world.agency)
    await follow.report(world.other_citizen, report)
    client = await connect(world.other_citizen)
    feed = await client.subscribe(FOLLOWED)
    await live.subscribed()
    await writer.message(report, world.officer, "Số điện thoại của anh?", Visibility.PARTICIPANTS)
    await writer.message(report, world.officer, "Ghi chú nội bộ", Visibility.INTERNAL)
    await writer.step(report, E.ACKNOWLEDGED, S.IN_PROGRESS)
    assert _seen(await client.event(feed)) == ("ACKNOWLEDGED", report.code)


async def test_the_reporter_following_their_report_also_gets_participant_events(
    live: LiveServer, connect: Connect, writer: Writer, world: World, follow: Follower
) -> None:
    report = await writer.report(world, area=world.ward)  # by world.citizen, not yet public
    await follow.report(world.citizen, report)
    client = await connect(world.citizen)
    feed = await client.subscribe(FOLLOWED)
    await live.subscribed()
    await writer.message(report, world.coordinator, "Ghi chú nội bộ", Visibility.INTERNAL)
    await writer.message(report, world.coordinator, "Xin thêm ảnh", Visibility.PARTICIPANTS)
    event = await client.event(feed)
    assert (*_seen(event), event["message"]) == (
        "MESSAGE_POSTED",
        report.code,
        {"body": "Xin thêm ảnh"},
    )


async def test_an_officer_following_a_report_of_their_agency_gets_internal_events(
    live: LiveServer, connect: Connect, writer: Writer, world: World, follow: Follower
) -> None:
    ours = await writer.report(world, area=world.ward)
    await writer.step(ours, E.ASSIGNED, S.ASSIGNED, agency=world.agency)
    await follow.report(world.officer, ours)
    client = await connect(world.officer)
    feed = await client.subscribe(FOLLOWED)
    await live.subscribed()
    await writer.message(ours, world.officer, "Ghi chú nội bộ", Visibility.INTERNAL)
    event = await client.event(feed)
    assert (*_seen(event), event["message"]) == (
        "MESSAGE_POSTED",
        ours.code,
        {"body": "Ghi chú nội bộ"},
    )


async def test_following_while_subscribed_takes_effect_for_the_next_event(
    live: LiveServer, connect: Connect, writer: Writer, world: World, follow: Follower
) -> None:
    report = await writer.report(world, area=world.ward)
    await writer.step(report, E.ASSIGNED, S.ASSIGNED, agency=world.agency)
    client = await connect(world.other_citizen)
    feed = await client.subscribe(FOLLOWED)
    await live.subscribed()
    await writer.step(report, E.ACKNOWLEDGED, S.IN_PROGRESS)  # not followed yet
    await live.settled()
    await follow.report(world.other_citizen, report)
    await writer.step(report, E.RESOLVED, S.RESOLVED)
    assert _seen(await client.event(feed)) == ("RESOLVED", report.code)


async def test_unfollowing_mid_stream_stops_delivery(
    live: LiveServer, connect: Connect, writer: Writer, world: World, follow: Follower
) -> None:
    dropped = await writer.report(world, area=world.ward)
    kept = await writer.report(world, area=world.other_ward)
    for report in (dropped, kept):
        await writer.step(report, E.ASSIGNED, S.ASSIGNED, agency=world.agency)
        await follow.report(world.other_citizen, report)
    client = await connect(world.other_citizen)
    feed = await client.subscribe(FOLLOWED)
    await live.subscribed()
    await writer.step(dropped, E.ACKNOWLEDGED, S.IN_PROGRESS)
    assert _seen(await client.event(feed)) == ("ACKNOWLEDGED", dropped.code)
    await follow.unfollow_report(world.other_citizen, dropped)
    await writer.step(dropped, E.RESOLVED, S.RESOLVED)
    await writer.step(kept, E.ACKNOWLEDGED, S.IN_PROGRESS)
    assert _seen(await client.event(feed)) == ("ACKNOWLEDGED", kept.code)


async def test_resume_with_after_replays_followed_events_only(
    live: LiveServer, connect: Connect, writer: Writer, world: World, follow: Follower
) -> None:
    public = {"status": S.ASSIGNED, "agency": world.agency}
    followed = await writer.report(world, area=world.other_ward, **public)
    in_area = await writer.report(world, area=world.block, **public)
    unfollowed = await writer.report(world, area=world.other_ward, **public)
    await follow.report(world.other_citizen, followed)
    await follow.area(world.other_citizen, world.ward)
    client = await connect(world.other_citizen)
    feed = await client.subscribe(FOLLOWED)
    await live.subscribed()
    await writer.step(followed, E.ACKNOWLEDGED, S.IN_PROGRESS)
    seen = await client.event(feed)
    await client.close()

    await writer.step(unfollowed, E.ACKNOWLEDGED, S.IN_PROGRESS)
    await writer.step(in_area, E.ACKNOWLEDGED, S.IN_PROGRESS)
    await writer.step(followed, E.RESOLVED, S.RESOLVED)
    await live.settled()
    client = await connect(world.other_citizen)
    feed = await client.subscribe(FOLLOWED, {"after": seen["cursor"]})
    replayed = [_seen(event) for event in await client.events(feed, 2)]
    assert replayed == [("ACKNOWLEDGED", in_area.code), ("RESOLVED", followed.code)]
    await writer.step(unfollowed, E.RESOLVED, S.RESOLVED)
    await writer.step(in_area, E.RESOLVED, S.RESOLVED)
    assert _seen(await client.event(feed)) == ("RESOLVED", in_area.code)


async def test_two_followers_of_one_report_each_get_its_events(
    live: LiveServer, connect: Connect, writer: Writer, world: World, follow: Follower
) -> None:
    report = await writer.report(world, area=world.ward)
    await writer.step(report, E.ASSIGNED, S.ASSIGNED, agency=world.agency)
    await follow.report(world.other_citizen, report)
    await follow.area(world.other_officer, world.ward)
    first = await connect(world.other_citizen)
    second = await connect(world.other_officer)
    feeds = [await first.subscribe(FOLLOWED), await second.subscribe(FOLLOWED)]
    await live.subscribed(2)
    await writer.step(report, E.ACKNOWLEDGED, S.IN_PROGRESS)
    assert _seen(await first.event(feeds[0])) == ("ACKNOWLEDGED", report.code)
    assert _seen(await second.event(feeds[1])) == ("ACKNOWLEDGED", report.code)


async def test_anonymous_visitors_cannot_subscribe_to_followed_events(connect: Connect) -> None:
    client = await connect()
    feed = await client.subscribe(FOLLOWED)
    assert await client.error_codes(feed) == ["UNAUTHENTICATED"]


# --- The public feed's map filters -------------------------------------------------------------

INSIDE = (17.4689, 106.6222)  # Đồng Hới
OUTSIDE = (17.4650, 106.6500)  # about 3 km east


async def test_public_feed_sends_events_inside_the_bbox_only(
    live: LiveServer, connect: Connect, writer: Writer, world: World
) -> None:
    inside = await writer.report(world, latitude=INSIDE[0], longitude=INSIDE[1])
    outside = await writer.report(world, latitude=OUTSIDE[0], longitude=OUTSIDE[1])
    client = await connect()
    box = {"south": 17.46, "west": 106.61, "north": 17.48, "east": 106.63}
    feed = await client.subscribe(PUBLIC_EVENTS, {"filter": {"bbox": box}})
    await live.subscribed()
    await writer.step(outside, E.ASSIGNED, S.ASSIGNED, agency=world.agency)
    await writer.step(inside, E.ASSIGNED, S.ASSIGNED, agency=world.agency)
    assert _seen(await client.event(feed)) == ("ASSIGNED", inside.code)


async def test_public_feed_sends_events_inside_the_near_circle_only(
    live: LiveServer, connect: Connect, writer: Writer, world: World
) -> None:
    inside = await writer.report(world, latitude=INSIDE[0], longitude=INSIDE[1])
    outside = await writer.report(world, latitude=OUTSIDE[0], longitude=OUTSIDE[1])
    client = await connect()
    circle = {"latitude": INSIDE[0], "longitude": INSIDE[1] + 0.001, "radiusMeters": 500}
    feed = await client.subscribe(PUBLIC_EVENTS, {"filter": {"near": circle}})
    await live.subscribed()
    await writer.step(outside, E.ASSIGNED, S.ASSIGNED, agency=world.agency)
    await writer.step(inside, E.ASSIGNED, S.ASSIGNED, agency=world.agency)
    assert _seen(await client.event(feed)) == ("ASSIGNED", inside.code)


async def test_public_feed_resumes_with_the_bbox_applied(
    live: LiveServer, connect: Connect, writer: Writer, world: World
) -> None:
    inside = await writer.report(world, latitude=INSIDE[0], longitude=INSIDE[1])
    outside = await writer.report(world, latitude=OUTSIDE[0], longitude=OUTSIDE[1])
    box = {"south": 17.46, "west": 106.61, "north": 17.48, "east": 106.63}
    client = await connect()
    feed = await client.subscribe(PUBLIC_EVENTS, {"filter": {"bbox": box}})
    await live.subscribed()
    await writer.step(inside, E.ASSIGNED, S.ASSIGNED, agency=world.agency)
    seen = await client.event(feed)
    await client.close()

    await writer.step(outside, E.ASSIGNED, S.ASSIGNED, agency=world.agency)
    await writer.step(inside, E.ACKNOWLEDGED, S.IN_PROGRESS)
    await live.settled()
    client = await connect()
    feed = await client.subscribe(PUBLIC_EVENTS, {"filter": {"bbox": box}, "after": seen["cursor"]})
    assert _seen(await client.event(feed)) == ("ACKNOWLEDGED", inside.code)


# --- The followers lookup ----------------------------------------------------------------------


async def test_a_feed_starting_while_followers_are_looked_up_gets_its_own(
    engine: AsyncEngine,
    backend: Backend,
    session_factory: async_sessionmaker[AsyncSession],
    world: World,
) -> None:
    async with session_factory() as session, session.begin():
        report = await make_report(session, reporter=world.citizen, category=world.category)
        session.add(tables.Follow(user_id=world.other_citizen.id, report_id=report.id))
    log = EventLog(session_factory, postgres=backend.is_postgres)
    feeds = contextlib.ExitStack()
    started: list[int] = []

    def feed_starts_during_the_lookup(*args: Any) -> None:
        # What a feed's start does in another task while the read awaits this statement.
        if "FROM follows" in args[2] and not started:
            started.append(1)
            feeds.enter_context(log.following(world.other_citizen.id))

    event.listen(engine.sync_engine, "before_cursor_execute", feed_starts_during_the_lookup)
    try:
        with feeds, log.following(world.coordinator.id):  # a feed already open
            (item,) = await log.read(START, limit=10)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", feed_starts_during_the_lookup)
    assert (started, item.followers) == ([1], frozenset({world.other_citizen.id}))
