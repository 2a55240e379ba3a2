"""Fixtures of the fuzz: a live server on a database of its own for each test, and a caller.

The database is chosen like the rest of the suite's (tests.backends: SQLite by default,
PostgreSQL and Redis from TEST_DATABASE_URL / TEST_BROADCAST_URL) but is a separate one,
so these synchronous fixtures never touch the suite's async `backend`.
"""

from __future__ import annotations

import gc
import itertools
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from models.base import utcnow
from models.tokens import issue_access_token
from tests.backends import chosen_backend
from tests.fuzz.live import REQUEST_HEADER, LiveServer
from tests.fuzz.operations import OperationStrategies
from tests.fuzz.oracle import Exchange


class Caller:
    """Posts operations as a fuzzing role, with an access token issued directly per request.

    Signing in is tested elsewhere; a fresh token per request never expires mid-run.
    """

    def __init__(self, http: httpx.Client, server: LiveServer) -> None:
        self._http = http
        self._server = server
        self._tags = itertools.count(1)

    def post(self, role: str, query: str) -> Exchange:
        """The response, and the exception the app raised while handling it, if any."""
        tag = str(next(self._tags))
        headers = {REQUEST_HEADER: tag}
        account = self._server.seeded.accounts.get(role)
        if account is not None:
            token, _ = issue_access_token(
                self._server.settings.secret_key,
                account.user_id,
                account.role,
                account.agency_id,
                utcnow(),
            )
            headers["Authorization"] = f"Bearer {token}"
        try:
            response = self._http.post("/graphql", json={"query": query}, headers=headers)
        except httpx.TransportError as exc:
            # uvicorn closes a connection whose app raised, even after a complete response: a
            # request already sent on it is lost before it reaches the app.
            return Exchange(0, "", repr(exc), self._server.app.outcome(tag, timeout=2.0))
        # The app may still be running (closing its session) after the response was sent.
        failure = self._server.app.outcome(tag, timeout=30.0)
        return Exchange(response.status_code, response.text, None, failure)


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A server and database per test: a test that wrecks the app (say, by leaking pooled
    connections until none is left) cannot fail the tests after it."""
    server = LiveServer(chosen_backend(tmp_path), tmp_path / "media")
    server.start()
    yield server
    server.stop()
    # Connections the app leaked are reported (SAWarning) when collected: collect them now,
    # so that the report falls on the test that leaked them, not on a later one.
    gc.collect()


@pytest.fixture
def caller(live_server: LiveServer) -> Iterator[Caller]:
    with httpx.Client(base_url=live_server.url, timeout=60.0) as http:
        yield Caller(http, live_server)


@pytest.fixture
def operation_strategies(live_server: LiveServer) -> OperationStrategies:
    return OperationStrategies(live_server.seeded)
