"""What the server logs about GraphQL errors: clients' mistakes quietly, bugs loudly."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.enums import Role
from resolvers import directory
from tests.conftest import sign_in
from tests.factories import make_user
from web.logs import JsonFormatter


def _graphql_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        record
        for record in caplog.records
        if record.name.startswith(("phananh.graphql", "strawberry"))
    ]


def _assert_logged_as_client_error(caplog: pytest.LogCaptureFixture, code: str) -> None:
    records = _graphql_records(caplog)
    assert records, "the client error was not logged at all"
    for record in records:
        assert record.levelno == logging.INFO, record.getMessage()
        assert record.exc_info is None
        assert getattr(record, "code", None) == code
        assert "Traceback" not in record.getMessage()


async def test_a_validation_error_is_logged_at_info_without_a_traceback(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    response = await client.post("/graphql", json={"query": "{ noSuchField }"})
    assert response.json()["errors"]
    _assert_logged_as_client_error(caplog, "GRAPHQL_VALIDATION_FAILED")


async def test_a_client_error_log_line_carries_its_code_as_a_json_field(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await client.post("/graphql", json={"query": "{ reports(first: 0) { totalCount } }"})
    [record] = _graphql_records(caplog)
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "info"
    assert line["code"] == "BAD_USER_INPUT"
    assert line["path"] == "reports"
    assert "exception" not in line


async def test_bad_user_input_is_logged_at_info_with_its_code(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    response = await client.post("/graphql", json={"query": "{ reports(first: 0) { totalCount } }"})
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    _assert_logged_as_client_error(caplog, "BAD_USER_INPUT")


async def test_forbidden_is_logged_at_info_with_its_code(
    client: httpx.AsyncClient,
    session_factory: async_sessionmaker[AsyncSession],
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with session_factory() as session, session.begin():
        citizen = await make_user(session, Role.CITIZEN)
    gql = await sign_in(client, citizen)
    caplog.clear()
    caplog.set_level(logging.DEBUG)
    codes = await gql.error_codes("{ auditLog { edges { node { action } } } }")
    assert codes == ["FORBIDDEN"]
    _assert_logged_as_client_error(caplog, "FORBIDDEN")


async def test_an_unexpected_error_is_logged_once_at_error_with_traceback_and_request_id(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(_ctx: object) -> list[object]:
        raise RuntimeError("a bug")

    monkeypatch.setattr(directory, "list_categories", broken)
    caplog.set_level(logging.DEBUG)
    response = await client.post("/graphql", json={"query": "{ categories { id } }"})
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    [record] = _graphql_records(caplog)
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], RuntimeError)
    assert getattr(record, "code", None) == "INTERNAL_SERVER_ERROR"
    assert getattr(record, "request_id", None) == error["extensions"]["requestId"]
