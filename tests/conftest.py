"""Fixtures: one migrated database per run (SQLite or PostgreSQL), emptied before each test."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from models import tables
from models.db import create_engine, create_session_factory
from models.enums import Role
from models.migrate import upgrade_to_head
from resolvers.sms import MemoryCodeSender
from server import create_app
from settings import Settings
from tests.backends import (
    Backend,
    chosen_backend,
    create_database,
    drop_database,
    empty_all_tables,
)
from tests.factories import PASSWORD


@pytest.fixture(scope="session")
async def backend(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Backend]:
    chosen = chosen_backend(tmp_path_factory.mktemp("db"))
    await create_database(chosen)
    engine = create_engine(chosen.database_url)
    await upgrade_to_head(engine)
    await engine.dispose()
    yield chosen
    await drop_database(chosen)


@pytest.fixture(scope="session")
async def engine(backend: Backend) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(backend.database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    await empty_all_tables(engine)
    return create_session_factory(engine)


@pytest.fixture
def settings(backend: Backend, tmp_path: Path) -> Settings:
    return Settings(
        database_url=backend.database_url,
        broadcast_url=backend.broadcast_url,
        media_dir=tmp_path / "media",
        auto_migrate=False,
        demo_data=False,
        sms_sender="memory",
        scheduler_interval_seconds=0,
        redis_prefix=f"phananh-test-{uuid.uuid4().hex}:",
        # Tests write through factories, which the cache cannot hear of; its own tests turn it on.
        public_cache_seconds=0,
    )


@pytest.fixture
async def app(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Starlette]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


class GraphQLClient:
    """Posts operations to /graphql the way a front end does."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.token: str | None = None

    async def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        headers = dict(headers or {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def upload(
        self, query: str, variables: dict[str, Any], files: dict[str, bytes]
    ) -> dict[str, Any]:
        """A GraphQL multipart request: `files` maps a variable path (`input.attachments.0`)
        to the file's bytes, as the GraphQL multipart request spec lays it out."""
        operations = {"query": query, "variables": variables}
        mapping = {str(i): [f"variables.{path}"] for i, path in enumerate(files)}
        parts = {
            str(i): (f"photo{i}.jpg", content, "application/octet-stream")
            for i, content in enumerate(files.values())
        }
        headers = {"GraphQL-Preflight": "1"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        response = await self.http.post(
            "/graphql",
            data={"operations": json.dumps(operations), "map": json.dumps(mapping)},
            files=parts,
            headers=headers,
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body["errors"]
        result: dict[str, Any] = body["data"]
        return result

    async def data(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """The `data` of an operation that must succeed without errors."""
        body = await self.post(query, variables, headers)
        assert "errors" not in body, body["errors"]
        result: dict[str, Any] = body["data"]
        return result

    async def error_codes(self, query: str, variables: dict[str, Any] | None = None) -> list[str]:
        body = await self.post(query, variables)
        return [error.get("extensions", {}).get("code") for error in body.get("errors", [])]


@pytest.fixture
def gql(client: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(client)


@pytest.fixture
def sms(app: Starlette) -> MemoryCodeSender:
    sender = app.state.services.sms
    assert isinstance(sender, MemoryCodeSender)
    return sender


LOGIN = """
mutation ($username: String!, $password: String!) {
  login(input: {username: $username, password: $password}) {
    accessToken refreshToken userErrors { code message }
  }
}
"""


async def sign_in(client: httpx.AsyncClient, user: tables.User) -> GraphQLClient:
    """A GraphQL client signed in as `user` (made by tests.factories, password "password")."""
    signed_in = GraphQLClient(client)
    login = user.phone if user.role is Role.CITIZEN else user.username
    data = await signed_in.data(LOGIN, {"username": login, "password": PASSWORD})
    assert data["login"]["userErrors"] == [], data
    signed_in.token = data["login"]["accessToken"]
    return signed_in
