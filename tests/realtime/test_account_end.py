"""A connection's rights end with its account's: disabled by an administrator, or token expired.

Either way the server closes the whole connection with 4403, as for a refused token.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta

import httpx
import pytest
import websockets
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import tables
from models.base import utcnow
from models.enums import ReportEventType, ReportStatus, Role
from models.tokens import ACCESS_TOKEN_LIFETIME, issue_access_token
from schema.node import encode_global_id
from settings import Settings
from tests.factories import make_user
from tests.realtime import test_processes
from tests.realtime.client import EVENT_FIELDS, TRANSPORT_WS, WSClient
from tests.realtime.conftest import LiveServer, World, Writer

# A fixture: two server processes sharing the database and Redis.
two_servers = test_processes.two_servers

Connect = Callable[..., Awaitable[WSClient]]
Token = Callable[[tables.User], str]

SET_USER_ACTIVE = """
mutation ($input: SetUserActiveInput!) { setUserActive(input: $input) { userErrors { code } } }
"""
INBOX = f"subscription {{ agencyInbox {{ {EVENT_FIELDS} }} }}"
TRIAGE = f"subscription {{ triageQueue {{ {EVENT_FIELDS} }} }}"
TRIAGE_WITH_CODE = f"subscription {{ triageQueue {{ {EVENT_FIELDS} report {{ code }} }} }}"
PUBLIC = f"subscription {{ publicReportEvents {{ {EVENT_FIELDS} }} }}"
MINE = f"subscription {{ myReportEvents {{ {EVENT_FIELDS} }} }}"
# The token's expiry is counted in whole seconds: this leaves 2 to 3 seconds to connect.
SHORT_LIFETIME = timedelta(seconds=3)


@pytest.fixture
async def admin(session_factory: async_sessionmaker[AsyncSession]) -> tables.User:
    async with session_factory() as session, session.begin():
        return await make_user(session, Role.ADMIN)


async def disable(base_url: str, admin_token: str, user: tables.User) -> None:
    """What an administrator's console does, through the API of the server at `base_url`."""
    variables = {"input": {"userId": encode_global_id("User", user.id), "active": False}}
    async with httpx.AsyncClient(base_url=base_url) as http:
        response = await http.post(
            "/graphql",
            json={"query": SET_USER_ACTIVE, "variables": variables},
            headers={"Authorization": f"Bearer {admin_token}"},
        )
    assert response.json()["data"]["setUserActive"]["userErrors"] == [], response.text


def http_url(live: LiveServer) -> str:
    return f"http://127.0.0.1:{live.port}"


def short_lived_token(settings: Settings, user: tables.User) -> str:
    """A token that expires `SHORT_LIFETIME` from now, as if issued 15 minutes ago."""
    issued = utcnow() - ACCESS_TOKEN_LIFETIME + SHORT_LIFETIME
    return issue_access_token(settings.secret_key, user.id, user.role, user.agency_id, issued)[0]


async def test_disabling_an_account_closes_its_connections_with_4403(
    live: LiveServer, connect: Connect, world: World, admin: tables.User, token: Token
) -> None:
    following = await connect(world.officer)
    await following.subscribe(INBOX)
    idle = await connect(world.officer)  # no subscription: it could still start one
    await live.subscribed()
    await disable(http_url(live), token(admin), world.officer)
    assert await following.closed_with() == 4403
    assert await idle.closed_with() == 4403


async def test_disabling_an_account_leaves_other_accounts_connected(
    live: LiveServer,
    connect: Connect,
    writer: Writer,
    world: World,
    admin: tables.User,
    token: Token,
) -> None:
    coordinator = await connect(world.coordinator)
    queue = await coordinator.subscribe(TRIAGE_WITH_CODE)
    officer = await connect(world.officer)
    await live.subscribed()
    await disable(http_url(live), token(admin), world.officer)
    assert await officer.closed_with() == 4403
    report = await writer.report(world)
    event = await coordinator.event(queue)
    assert (event["type"], event["report"]["code"]) == ("SUBMITTED", report.code)


async def test_a_disabled_account_cannot_connect_again(
    live: LiveServer, world: World, admin: tables.User, token: Token
) -> None:
    officer_token = token(world.officer)
    await disable(http_url(live), token(admin), world.officer)
    client = await _open(live.url, officer_token)
    assert await client.closed_with() == 4403


async def test_an_expired_access_token_closes_the_connection_with_4403(
    live: LiveServer, world: World, settings: Settings
) -> None:
    client = await WSClient.connect(live.url, short_lived_token(settings, world.coordinator))
    await client.subscribe(TRIAGE)
    await client.subscribe(PUBLIC)
    assert await client.closed_with() == 4403


async def test_an_expired_token_ends_only_its_own_connection(
    live: LiveServer, connect: Connect, writer: Writer, world: World, settings: Settings
) -> None:
    citizen = await WSClient.connect(live.url, short_lived_token(settings, world.citizen))
    await citizen.subscribe(MINE)
    visitor = await connect()  # never signed in: no token to outlive
    feed = await visitor.subscribe(PUBLIC)
    await live.subscribed(2)
    assert await citizen.closed_with() == 4403
    report = await writer.report(world)
    await writer.step(report, ReportEventType.ASSIGNED, ReportStatus.ASSIGNED, agency=world.agency)
    assert (await visitor.event(feed))["type"] == "ASSIGNED"


async def _open(url: str, token: str) -> WSClient:
    """A connection whose `connection_init` is sent and whose answer is left to the test."""
    socket = await websockets.connect(url, subprotocols=[TRANSPORT_WS])  # type: ignore[list-item]
    client = WSClient(socket, TRANSPORT_WS)
    await client.send({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
    return client


@pytest.mark.usefixtures("requires_redis")
async def test_disabling_an_account_closes_its_connections_in_every_process(
    two_servers: tuple[int, int],
    settings: Settings,
    world: World,
    admin: tables.User,
    token: Token,
) -> None:
    serving, administering = two_servers
    client = await WSClient.connect(f"ws://127.0.0.1:{serving}/graphql", token(world.officer))
    try:
        await _both_listening(settings)
        await disable(f"http://127.0.0.1:{administering}", token(admin), world.officer)
        assert await client.closed_with() == 4403
    finally:
        await client.close()


async def _both_listening(settings: Settings) -> None:
    """Wait until both processes listen to the broker: Redis keeps no message for later."""
    redis = Redis.from_url(settings.broadcast_url)
    try:
        async with asyncio.timeout(10):
            while True:
                [(_, listeners)] = await redis.pubsub_numsub(f"{settings.redis_prefix}events")
                if listeners >= 2:
                    return
                await asyncio.sleep(0.02)
    finally:
        await redis.aclose()
