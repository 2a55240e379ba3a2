"""The anonymous read cache: repeated public reads are served from memory until a commit."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from realtime.broker import Broker
from server import create_app
from settings import Settings
from tests.api.test_lifecycle import ASSIGN, clients, submit
from tests.api.world import World, build_world
from tests.conftest import GraphQLClient
from web.metrics import REGISTRY

PUBLIC_REPORTS = "{ reports(first: 10) { totalCount edges { node { code status } } } }"
VIEWER = "{ viewer { id } }"


def lookups(result: str) -> float:
    value = REGISTRY.get_sample_value("phananh_public_cache_lookups_total", {"result": result})
    return value or 0.0


@pytest.fixture
async def cached_app(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Starlette]:
    application = create_app(dataclasses.replace(settings, public_cache_seconds=60))
    async with application.router.lifespan_context(application):
        if settings.broadcast_url.startswith("redis"):
            # The Redis listener's first subscription counts as news (whatever was announced
            # before it is unknown): wait for it, so that it does not empty the cache mid-test.
            async with asyncio.timeout(10):
                while application.state.pump.wakes == 0:  # noqa: ASYNC110
                    await asyncio.sleep(0.01)
        yield application


@pytest.fixture
async def http(cached_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=cached_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
async def world(session_factory: async_sessionmaker[AsyncSession]) -> World:
    return await build_world(session_factory)


async def test_a_repeated_anonymous_read_is_answered_from_the_cache(
    http: httpx.AsyncClient, world: World
) -> None:
    anonymous = GraphQLClient(http)
    first = await anonymous.post(PUBLIC_REPORTS)
    hits = lookups("hit")
    second = await anonymous.post(PUBLIC_REPORTS)
    assert second == first
    assert lookups("hit") == hits + 1


async def test_a_commit_makes_the_next_anonymous_read_fresh(
    http: httpx.AsyncClient, world: World
) -> None:
    as_ = await clients(http, world)
    report = await submit(as_["citizen"], world)
    anonymous = GraphQLClient(http)
    assert (await anonymous.post(PUBLIC_REPORTS))["data"]["reports"]["totalCount"] == 0
    await as_["coordinator"].data(ASSIGN, {"input": {"reportId": report["id"]}})
    seen = (await anonymous.post(PUBLIC_REPORTS))["data"]["reports"]
    assert seen["totalCount"] == 1
    assert seen["edges"][0]["node"] == {"code": report["code"], "status": "ASSIGNED"}


async def test_a_signed_in_read_is_never_answered_from_the_cache(
    http: httpx.AsyncClient, world: World
) -> None:
    as_ = await clients(http, world)
    assert (await GraphQLClient(http).post(VIEWER))["data"] == {"viewer": None}
    mine = await as_["citizen"].post(VIEWER)
    assert mine["data"]["viewer"]["id"]


async def test_an_answer_with_errors_is_not_kept(http: httpx.AsyncClient, world: World) -> None:
    anonymous = GraphQLClient(http)
    broken = '{ report(id: "not-an-id") { code } }'
    assert "errors" in await anonymous.post(broken)
    misses = lookups("miss")
    assert "errors" in await anonymous.post(broken)
    assert lookups("miss") == misses + 1


async def test_a_mutation_is_never_answered_from_the_cache(
    http: httpx.AsyncClient, world: World
) -> None:
    anonymous = GraphQLClient(http)
    refresh = 'mutation { refreshSession(input: {refreshToken: "nope"}) { userErrors { code } } }'
    hits = lookups("hit")
    await anonymous.post(refresh)
    await anonymous.post(refresh)
    assert lookups("hit") == hits


async def test_a_commit_announced_by_another_process_empties_the_cache(
    cached_app: Starlette, http: httpx.AsyncClient, settings: Settings, world: World
) -> None:
    if not settings.broadcast_url.startswith("redis"):
        pytest.skip("needs Redis (TEST_BROADCAST_URL): one process has nobody else to hear")
    anonymous = GraphQLClient(http)
    await anonymous.post(PUBLIC_REPORTS)
    pump = cached_app.state.pump
    heard = pump.wakes
    other = Broker(settings.broadcast_url, settings.redis_prefix)
    await other.connect()
    try:
        async with asyncio.timeout(5):
            while pump.wakes == heard:
                await other.publish("1")
                await asyncio.sleep(0.05)
    finally:
        await other.disconnect()
    misses = lookups("miss")
    await anonymous.post(PUBLIC_REPORTS)
    assert lookups("miss") == misses + 1


async def test_an_anonymous_body_json_cannot_decode_is_a_400_not_a_500(
    http: httpx.AsyncClient, world: World
) -> None:
    response = await http.post(
        "/graphql", content=b"[" * 8_000, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
