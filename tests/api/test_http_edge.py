"""The HTTP edge: request ids, security headers, body caps, CORS, metrics, introspection."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from models.db import create_engine
from resolvers import directory
from server import create_app
from settings import Settings
from tests.backends import Backend
from tests.conftest import sign_in
from tests.factories import make_user
from web.limits import JSON_BODY_LIMIT


async def test_every_response_carries_a_request_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert len(response.headers["x-request-id"]) >= 8


async def test_a_well_formed_request_id_from_the_proxy_is_kept(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": "proxy-1234abcd"})
    assert response.headers["x-request-id"] == "proxy-1234abcd"


async def test_security_headers_are_on_every_response(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ categories { id } }"})
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"


async def test_body_just_under_the_cap_is_read(client: httpx.AsyncClient) -> None:
    padding = " " * (JSON_BODY_LIMIT - 200)
    response = await client.post(
        "/graphql",
        content=('{"query": "{ categories { id } }"' + padding + "}").encode(),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 200


async def test_declared_body_over_the_cap_is_refused_with_413(client: httpx.AsyncClient) -> None:
    body = b"{" + b" " * (JSON_BODY_LIMIT + 10) + b"}"
    response = await client.post(
        "/graphql", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413


async def test_streamed_body_over_the_cap_is_refused_with_413(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(JSON_BODY_LIMIT // 65536 + 2):
            yield b" " * 65536

    response = await client.post(
        "/graphql", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413


async def test_metrics_count_requests_and_operations(client: httpx.AsyncClient) -> None:
    await client.post("/graphql", json={"query": "query Cats { categories { id } }"})
    text = (await client.get("/metrics")).text
    assert 'phananh_http_requests_total{route="/graphql",status="200"}' in text
    assert 'phananh_graphql_operations_total{name="Cats",type="query"}' in text


async def _app_with(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app: Starlette = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


async def test_cors_allows_only_listed_origins(settings: Settings) -> None:
    configured = replace(settings, allowed_origins=("https://phananh.quangtri.gov.vn",))
    async for http in _app_with(configured):
        preflight = {"Access-Control-Request-Method": "POST"}
        allowed = await http.options(
            "/graphql", headers={"Origin": "https://phananh.quangtri.gov.vn", **preflight}
        )
        assert allowed.headers["access-control-allow-origin"] == "https://phananh.quangtri.gov.vn"
        denied = await http.options(
            "/graphql", headers={"Origin": "https://evil.example", **preflight}
        )
        assert "access-control-allow-origin" not in denied.headers


async def test_introspection_can_be_switched_off(settings: Settings) -> None:
    async for http in _app_with(replace(settings, introspection=False)):
        body = (
            await http.post("/graphql", json={"query": "{ __schema { types { name } } }"})
        ).json()
        assert body.get("data") is None
        assert "introspection" in body["errors"][0]["message"].lower()


async def test_graphiql_is_not_served_when_disabled(settings: Settings) -> None:
    async for http in _app_with(replace(settings, graphiql=False)):
        response = await http.get("/graphql", headers={"Accept": "text/html"})
        assert "graphiql" not in response.text.lower()


async def test_unexpected_errors_are_masked_with_the_request_id(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(_ctx: object) -> list[object]:
        raise RuntimeError("SELECT secret FROM users -- internals")

    monkeypatch.setattr(directory, "list_categories", broken)
    response = await client.post("/graphql", json={"query": "{ categories { id } }"})
    error = response.json()["errors"][0]
    assert error["message"] == "Internal server error."
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert error["extensions"]["requestId"] == response.headers["x-request-id"]
    assert "secret" not in response.text
    assert "RuntimeError" not in response.text
    assert any("unexpected error" in record.getMessage() for record in caplog.records)


async def test_operation_running_too_long_is_stopped_with_503(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def slow(_ctx: object) -> list[object]:
        await asyncio.sleep(5)
        return []

    monkeypatch.setattr(directory, "list_categories", slow)
    async for http in _app_with(replace(settings, operation_timeout_seconds=1)):
        response = await http.post("/graphql", json={"query": "{ categories { id } }"})
        assert response.status_code == 503
        assert response.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"


async def test_postgres_cancels_statements_over_the_timeout(backend: Backend) -> None:
    if not backend.is_postgres:
        pytest.skip("statement_timeout is a PostgreSQL setting")
    engine = create_engine(backend.database_url, statement_timeout_ms=100)
    try:
        with pytest.raises(DBAPIError, match="statement timeout"):
            async with engine.connect() as connection:
                await connection.execute(text("SELECT pg_sleep(1)"))
    finally:
        await engine.dispose()


@pytest.mark.parametrize(
    "body",
    [b'{"query": "\xff"}', b"[" * 100_000, b'{"query": ' + b"[" * 8_000 + b"}"],
    ids=["invalid-utf8", "deep-array", "deep-variables"],
)
async def test_a_body_json_cannot_decode_is_a_400_not_a_500(
    client: httpx.AsyncClient, body: bytes
) -> None:
    response = await client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400


async def test_a_signed_in_read_does_not_wait_for_a_writer(
    app: Starlette,
    client: httpx.AsyncClient,
    session_factory: async_sessionmaker[AsyncSession],
    backend: Backend,
) -> None:
    if backend.is_postgres:
        pytest.skip("SQLite's single writer: PostgreSQL readers never wait for writers")
    async with session_factory() as session, session.begin():
        user = await make_user(session)
    reader = await sign_in(client, user)
    # The app's write engine begins with BEGIN IMMEDIATE: this holds SQLite's write lock.
    async with app.state.sessions() as writer, writer.begin():
        await writer.execute(text("SELECT 1"))
        async with asyncio.timeout(5):
            data = await reader.data("{ viewer { displayName } }")
    assert data["viewer"]["displayName"] == user.display_name
