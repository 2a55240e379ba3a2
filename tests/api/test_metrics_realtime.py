"""GET /metrics for live delivery: subscriptions, events delivered, lag, closes, reconnects.

Each test runs a real uvicorn server with a real WebSocket client. Counters are process-wide
(other tests move them too), so tests compare a scrape before with one after.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import tables
from models.base import utcnow
from models.enums import ReportEventType
from models.tokens import issue_access_token
from settings import Settings
from tests.backends import Backend
from tests.factories import make_category, make_event, make_report, make_user
from tests.realtime.client import EVENT_FIELDS, WSClient
from tests.realtime.conftest import LiveServer, serve

MY_REPORT_EVENTS = f"subscription {{ myReportEvents {{ {EVENT_FIELDS} }} }}"


async def _scrape(server: LiveServer) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as http:
        response = await http.get("/metrics")
    assert response.status_code == 200
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def _value(
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


class Subscribed:
    def __init__(
        self, server: LiveServer, client: WSClient, feed: str, report: tables.Report, token: str
    ) -> None:
        self.token = token
        self.server = server
        self.client = client
        self.feed = feed
        self.report = report


@pytest.fixture
async def subscribed(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Subscribed]:
    """A citizen subscribed to `myReportEvents` on a live server, with a report of theirs."""
    async with session_factory() as session, session.begin():
        citizen = await make_user(session)
        report = await make_report(session, reporter=citizen, category=await make_category(session))
    token = issue_access_token(settings.secret_key, citizen.id, citizen.role, None, utcnow())[0]
    async with serve(settings) as server:
        await server.committed(report.id)
        await server.settled()
        client = await WSClient.connect(server.url, token)
        try:
            feed = await client.subscribe(MY_REPORT_EVENTS)
            await server.subscribed()
            yield Subscribed(server, client, feed, report, token)
        finally:
            await client.close()


async def _write_events(
    session_factory: async_sessionmaker[AsyncSession], live: Subscribed, count: int
) -> None:
    async with session_factory() as session, session.begin():
        for _ in range(count):
            await make_event(session, live.report, ReportEventType.MESSAGE_POSTED)
    await live.server.committed(live.report.id)


async def test_an_open_subscription_and_an_event_delivered_to_it_are_counted(
    subscribed: Subscribed, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    before = await _scrape(subscribed.server)
    assert _value(before, "phananh_subscriptions_open") == 1
    assert _value(before, "phananh_websockets_open") >= 1

    await _write_events(session_factory, subscribed, 1)
    await subscribed.client.event(subscribed.feed)
    after = await _scrape(subscribed.server)

    delivered = "phananh_events_delivered_total"
    assert _value(after, delivered, source="live") - _value(before, delivered, source="live") == 1
    lag = "phananh_event_delivery_lag_seconds_count"
    assert _value(after, lag) - _value(before, lag) == 1
    announced = "phananh_events_announced_total"
    assert _value(after, announced) - _value(before, announced) == 1


async def test_an_event_sent_to_a_shared_feed_is_counted_once_per_subscription(
    subscribed: Subscribed, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    second = await WSClient.connect(subscribed.server.url, subscribed.token)
    try:
        feed = await second.subscribe(MY_REPORT_EVENTS)  # the same feed: one group (schema.fanout)
        await subscribed.server.subscribed(2)
        before = await _scrape(subscribed.server)
        await _write_events(session_factory, subscribed, 1)
        await subscribed.client.event(subscribed.feed)
        await second.event(feed)
        after = await _scrape(subscribed.server)
    finally:
        await second.close()
    delivered = "phananh_events_delivered_total"
    assert _value(after, delivered, source="live") - _value(before, delivered, source="live") == 2


async def test_a_closed_subscription_is_no_longer_counted(subscribed: Subscribed) -> None:
    await subscribed.client.close()
    async with asyncio.timeout(10):
        while subscribed.server.pump.subscriber_count:  # noqa: ASYNC110 (no hook for tests)
            await asyncio.sleep(0.01)
    assert _value(await _scrape(subscribed.server), "phananh_subscriptions_open") == 0


async def test_a_subscriber_closed_for_falling_behind_is_counted_by_close_code(
    subscribed: Subscribed, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    server = subscribed.server
    server.pump.queue_limit = 20  # for feeds started from now on
    slow = await WSClient.connect(server.url, subscribed.token)
    try:
        # Named differently, so that it gets a feed of its own (schema.fanout groups by query).
        await slow.subscribe(f"subscription Slow {{ myReportEvents {{ {EVENT_FIELDS} }} }}")
        await server.subscribed(2)
        before = await _scrape(server)
        await _write_events(session_factory, subscribed, 60)  # over the bound at once
        assert await slow.closed_with() == 1013
        after = await _scrape(server)
    finally:
        await slow.close()
    closed = "phananh_feeds_closed_total"
    assert _value(after, closed, code="1013") - _value(before, closed, code="1013") == 1


async def test_readiness_checks_are_exported(subscribed: Subscribed) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{subscribed.server.port}") as http:
        assert (await http.get("/readyz")).status_code == 200
    samples = await _scrape(subscribed.server)
    for check in ("database", "migrations", "broker"):
        assert _value(samples, "phananh_ready", check=check) == 1
    assert _value(samples, "phananh_broker_listening") == 1


async def test_a_broker_reconnect_is_counted(subscribed: Subscribed, backend: Backend) -> None:
    if not backend.broadcast_url.startswith("redis"):
        pytest.skip("needs Redis (TEST_BROADCAST_URL)")
    broker = subscribed.server.app.state.broker
    async with asyncio.timeout(10):
        while not broker.listening:  # noqa: ASYNC110 (no hook for tests)
            await asyncio.sleep(0.01)
    before = await _scrape(subscribed.server)
    subscriptions = broker.subscriptions
    redis = Redis.from_url(backend.broadcast_url)
    try:
        for client in await redis.client_list(_type="pubsub"):
            if client.get("name") == broker.listener_name:
                await redis.client_kill_filter(_id=client["id"])
    finally:
        await redis.aclose()
    async with asyncio.timeout(10):
        while broker.subscriptions == subscriptions:  # noqa: ASYNC110 (no hook for tests)
            await asyncio.sleep(0.01)
    after = await _scrape(subscribed.server)
    reconnects = "phananh_broker_reconnects_total"
    assert _value(after, reconnects) - _value(before, reconnects) == 1
