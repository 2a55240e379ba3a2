"""Faults: slow consumers, a lost or restarted Redis, shutdown. Nothing lost, nothing repeated."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import shutil
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from websockets.asyncio.client import connect as open_socket
from websockets.exceptions import ConnectionClosed

from models import tables
from models.enums import ReportEventType
from realtime.broker import Broker
from realtime.publisher import EventPublisher
from schema.node import encode_global_id
from server import WS_MAX_BYTES
from settings import Settings
from tests.factories import make_event
from tests.realtime.client import EVENT_FIELDS, WSClient
from tests.realtime.conftest import LiveServer, World, Writer, free_socket, serve
from web.graphql_view import websocket_options

Connect = Callable[..., Awaitable[WSClient]]
MY_REPORT_EVENTS = f"subscription {{ myReportEvents {{ {EVENT_FIELDS} }} }}"


async def _write_events(
    sessions: async_sessionmaker[AsyncSession], report: tables.Report, count: int
) -> list[int]:
    """`count` events in one transaction, announced by nobody."""
    async with sessions() as session, session.begin():
        events = [
            await make_event(session, report, ReportEventType.MESSAGE_POSTED) for _ in range(count)
        ]
    return [event.id for event in events]


async def test_a_subscriber_that_falls_behind_is_closed_with_1013(
    live: LiveServer, connect: Connect, writer: Writer, world: World
) -> None:
    report = await writer.report(world)
    live.pump.queue_limit = 20
    client = await connect(world.citizen)
    await client.subscribe(MY_REPORT_EVENTS)
    await live.subscribed()
    await _write_events(writer.sessions, report, 200)
    await live.committed(report.id)  # 200 events reach its queue at once: over the bound
    assert await client.closed_with() == 1013
    async with asyncio.timeout(5):
        while live.pump.subscriber_count:  # noqa: ASYNC110 (the pump has no hook for tests)
            await asyncio.sleep(0.01)


async def test_shutdown_closes_open_feeds_with_1012(
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    world: World,
    token: Callable[[tables.User], str],
) -> None:
    async with serve(settings) as server:
        client = await WSClient.connect(server.url, token(world.citizen))
        await client.subscribe(MY_REPORT_EVENTS)
        await server.subscribed()
    assert await client.closed_with() == 1012


async def test_the_legacy_protocol_can_be_switched_off(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with serve(dataclasses.replace(settings, graphql_ws_legacy=False)) as server:
        with pytest.raises(Exception, match=r"4406|403"):
            await WSClient.connect(server.url, protocol="graphql-ws")
        await (await WSClient.connect(server.url)).close()


async def test_subscriptions_per_connection_are_capped(connect: Connect, world: World) -> None:
    client = await connect(world.citizen)
    feeds = [await client.subscribe(MY_REPORT_EVENTS) for _ in range(21)]
    message = await client.message(feeds[-1])
    assert message["type"] == "error"
    assert message["payload"][0]["message"] == "Subscription limit reached"


async def test_a_socket_that_never_sends_connection_init_is_closed_with_4408(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with serve(dataclasses.replace(settings, ws_init_timeout_seconds=1)) as server:
        socket = await open_socket(server.url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
        async with asyncio.timeout(5):
            with pytest.raises(ConnectionClosed) as closed:
                await socket.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4408


async def _ping(client: WSClient, size: int) -> None:
    """A `ping` message of exactly `size` bytes."""
    frame = '{"type":"ping","payload":{"pad":""}}'
    await client.socket.send(frame.replace('""', '"' + "x" * (size - len(frame)) + '"'))


async def test_a_message_at_the_size_cap_is_read(connect: Connect) -> None:
    client = await connect()
    await _ping(client, WS_MAX_BYTES)
    assert json.loads(await client.socket.recv())["type"] == "pong"


async def test_a_message_over_the_size_cap_closes_the_socket_with_1009(connect: Connect) -> None:
    client = await connect()
    await _ping(client, WS_MAX_BYTES + 1)
    assert await client.closed_with() == 1009


def test_keep_alive_pings_are_on(settings: Settings) -> None:
    options = websocket_options(settings)
    assert options["keep_alive"] is True
    assert 15 <= options["keep_alive_interval"] <= 30


# --- Redis ------------------------------------------------------------------------------------


async def _kill_listener(url: str, name: str) -> None:
    redis = Redis.from_url(url)
    try:
        clients = await redis.client_list(_type="pubsub")
        ids = [client["id"] for client in clients if client.get("name") == name]
        assert ids, "the pump's pub/sub connection is not there"
        for client_id in ids:
            await redis.client_kill_filter(_id=client_id)
    finally:
        await redis.aclose()


async def _events_after_broker_loss(
    live: LiveServer,
    connect: Connect,
    writer: Writer,
    world: World,
    other_process: EventPublisher,
    lose_broker: Callable[[], Awaitable[None]],
    restore_broker: Callable[[], Awaitable[None]],
) -> None:
    """Events committed by another process before, during and after the broker is lost."""
    broker: Broker = live.app.state.broker
    live.pump.poll_seconds = 60  # only the broker (or its reconnection) wakes the pump now
    report = await writer.report(world)
    client = await connect(world.citizen)
    feed = await client.subscribe(MY_REPORT_EVENTS)
    await live.subscribed()

    written = await _write_events(writer.sessions, report, 1)
    await other_process.committed(report.id)
    received = [await client.event(feed)]
    subscriptions = broker.subscriptions

    await lose_broker()
    for _ in range(3):
        written += await _write_events(writer.sessions, report, 1)
        started = time.monotonic()
        await other_process.committed(report.id)  # never raises, never hangs
        assert time.monotonic() - started < 2
    await restore_broker()
    received += await client.events(feed, 3)  # caught up from the log after reconnecting
    assert broker.listening
    assert broker.subscriptions == subscriptions + 1

    written += await _write_events(writer.sessions, report, 1)
    await other_process.committed(report.id)
    received.append(await client.event(feed))
    assert [event["id"] for event in received] == [
        encode_global_id("ReportEvent", event_id) for event_id in written
    ]
    assert await client.silent(feed, 0.3)


@pytest.mark.usefixtures("requires_redis")
async def test_a_killed_pubsub_connection_is_remade_and_nothing_is_lost(
    live: LiveServer, connect: Connect, writer: Writer, world: World, settings: Settings
) -> None:
    broker: Broker = live.app.state.broker
    other_process = EventPublisher(Broker(settings.broadcast_url, settings.redis_prefix))

    async def lose() -> None:
        await _kill_listener(settings.broadcast_url, broker.listener_name)

    async def restore() -> None:
        return None  # the server reconnects by itself

    try:
        await _events_after_broker_loss(live, connect, writer, world, other_process, lose, restore)
    finally:
        await other_process.broker.disconnect()


class PrivateRedis:
    """A redis-server of this test's own, so restarting it disturbs nobody else."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            *("redis-server", "--bind", "127.0.0.1", "--port", str(self.port)),
            *("--save", "", "--appendonly", "no"),
            stdout=asyncio.subprocess.DEVNULL,
        )
        redis = Redis.from_url(self.url)
        try:
            async with asyncio.timeout(10):
                while True:
                    with contextlib.suppress(Exception):
                        if await redis.ping():
                            return
                    await asyncio.sleep(0.02)
        finally:
            await redis.aclose()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            await self.process.wait()


@pytest.fixture
async def private_redis() -> AsyncIterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true and redis-server is missing")
        pytest.skip("redis-server is not installed")
    with free_socket() as sock:
        port = sock.getsockname()[1]
    redis = PrivateRedis(port)
    await redis.start()
    try:
        yield redis
    finally:
        await redis.stop()


async def test_a_redis_restart_mid_stream_loses_nothing(
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    world: World,
    token: Callable[[tables.User], str],
    private_redis: PrivateRedis,
) -> None:
    settings = dataclasses.replace(settings, broadcast_url=private_redis.url)
    other_process = EventPublisher(Broker(private_redis.url, settings.redis_prefix))
    clients: list[WSClient] = []

    async def connect(user: tables.User | None = None) -> WSClient:
        clients.append(await WSClient.connect(server.url, token(user) if user else None))
        return clients[-1]

    try:
        async with serve(settings) as server:
            writer = Writer(session_factory, server)
            await _events_after_broker_loss(
                server,
                connect,
                writer,
                world,
                other_process,
                private_redis.stop,
                private_redis.start,
            )
            for client in clients:
                await client.close()
    finally:
        await other_process.broker.disconnect()
