"""PostgreSQL faults while requests flow: a stop, a crash, killed backends.

PhanAnh runs as a real uvicorn process on a private cluster (tests.faults.postgres). Clients
must get a 503 with a typed error while the database is gone (never a 500, never a trace),
every write acknowledged to a client must still be there afterwards, and PhanAnh must serve
again by itself, without being restarted.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
import pytest
from websockets.exceptions import ConnectionClosedError

from tests.faults.conftest import Served
from tests.faults.postgres import PrivatePostgres
from tests.realtime.client import EVENT_FIELDS, WSClient

POST_MESSAGE = """
mutation ($input: PostMessageInput!) {
  postMessage(input: $input) { message { id body } userErrors { code } }
}
"""
READ_REPORTS = "query { reports(first: 5) { edges { node { code status } } } }"
# What must never reach a client, whatever fails.
INTERNALS = ("Traceback", "asyncpg", "sqlalchemy", "ConnectionRefused", "OSError", 'File "')
TEST_SECONDS = 90
WAIT_SECONDS = 30


@dataclass
class Traffic:
    """Writers posting messages with unique bodies, and a reader, until told to stop."""

    server: Served
    http: httpx.AsyncClient
    acknowledged: list[str] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)  # answers a client must never get
    unavailable: int = 0
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    def start(self, writers: int = 3) -> None:
        self._tasks = [asyncio.create_task(self._write(n)) for n in range(writers)]
        self._tasks.append(asyncio.create_task(self._read()))

    async def stop(self) -> None:
        self._stop.set()
        await asyncio.gather(*self._tasks)

    async def until(self, condition: Any) -> None:
        async with asyncio.timeout(WAIT_SECONDS):
            while not condition():
                assert not self.faults, self.faults[:3]
                await asyncio.sleep(0.02)

    async def post(
        self, query: str, variables: dict[str, Any], *, anonymous: bool = False
    ) -> dict[str, Any] | None:
        """The body of a successful answer; None after a clear 503 (anything else is noted)."""
        headers = {} if anonymous else {"Authorization": f"Bearer {self.server.token}"}
        try:
            response = await self.http.post(
                "/graphql", json={"query": query, "variables": variables}, headers=headers
            )
        except httpx.TransportError as exc:
            self.faults.append(f"transport error: {exc!r}")
            return None
        self.statuses.append(response.status_code)
        text = response.text
        if any(internal in text for internal in INTERNALS):
            self.faults.append(f"internals leaked: {text[:300]}")
        if response.status_code == 503:
            codes = [error["extensions"]["code"] for error in response.json()["errors"]]
            if set(codes) != {"SERVICE_UNAVAILABLE"} or "retry-after" not in response.headers:
                self.faults.append(f"unclear 503: {text[:300]}")
            self.unavailable += 1
            return None
        if response.status_code != 200 or "errors" in response.json():
            self.faults.append(f"{response.status_code}: {text[:300]}")
            return None
        body: dict[str, Any] = response.json()
        return body

    async def _write(self, writer: int) -> None:
        for n in itertools.count():
            if self._stop.is_set():
                return
            text = f"writer {writer}, message {n}"
            variables = {"input": {"reportId": self.server.report_id, "body": text}}
            body = await self.post(POST_MESSAGE, variables)
            if body is not None:
                payload = body["data"]["postMessage"]
                if payload["userErrors"] or payload["message"]["body"] != text:
                    self.faults.append(f"not posted: {json.dumps(payload)}")
                else:
                    self.acknowledged.append(text)
            await asyncio.sleep(0.01)  # a refused request is quick: do not spin

    async def _read(self) -> None:
        """A staff console and an anonymous visitor (whose reads the public cache may serve)."""
        for n in itertools.count():
            if self._stop.is_set():
                return
            await self.post(READ_REPORTS, {"n": n}, anonymous=n % 2 == 1)
            await asyncio.sleep(0.02)


async def _stored_bodies(cluster: PrivatePostgres, database: str) -> set[str]:
    connection = await asyncpg.connect(cluster.dsn(database))
    try:
        return {row["body"] for row in await connection.fetch("SELECT body FROM messages")}
    finally:
        await connection.close()


async def _readiness(http: httpx.AsyncClient) -> tuple[int, dict[str, Any]]:
    response = await http.get("/readyz")
    body: dict[str, Any] = response.json()
    return response.status_code, body


def _assert_no_unhandled_errors(server: Served) -> None:
    log = server.server_log()
    assert "Exception in ASGI application" not in log, log[-3000:]


@pytest.mark.parametrize("mode", ["fast", "immediate"])
async def test_a_postgres_restart_gives_503s_loses_no_acknowledged_write_and_heals(
    served: Served, private_postgres: PrivatePostgres, mode: str
) -> None:
    """`fast` is a clean restart (open transactions rolled back), `immediate` a crash."""
    async with (
        asyncio.timeout(TEST_SECONDS),
        httpx.AsyncClient(base_url=served.base_url, timeout=20) as http,
    ):
        traffic = Traffic(served, http)
        traffic.start()
        try:
            await traffic.until(lambda: len(traffic.acknowledged) >= 10)
            await private_postgres.stop(mode)
            down_since = len(traffic.statuses)
            await traffic.until(lambda: traffic.unavailable >= 5)
            assert (await _readiness(http))[0] == 503
            await private_postgres.start()
            acknowledged_while_down = len(traffic.acknowledged)
            await traffic.until(lambda: len(traffic.acknowledged) >= acknowledged_while_down + 10)
        finally:
            await traffic.stop()
        assert served.process.poll() is None, "PhanAnh must heal without a restart"
    assert not traffic.faults, traffic.faults[:5]
    assert 503 in traffic.statuses[down_since:]
    assert set(traffic.statuses) <= {200, 503}
    stored = await _stored_bodies(private_postgres, served.database)
    lost = [text for text in traffic.acknowledged if text not in stored]
    assert lost == [], f"{len(lost)} acknowledged writes lost"
    _assert_no_unhandled_errors(served)


async def test_readyz_reports_the_database_down_and_back(
    served: Served, private_postgres: PrivatePostgres
) -> None:
    async with (
        asyncio.timeout(TEST_SECONDS),
        httpx.AsyncClient(base_url=served.base_url, timeout=20) as http,
    ):
        assert (await _readiness(http))[0] == 200
        await private_postgres.stop("fast")
        status, body = await _readiness(http)
        assert status == 503
        assert body["checks"]["database"] is False
        await private_postgres.start()
        while (await _readiness(http))[0] != 200:  # noqa: ASYNC110 (polling an HTTP probe)
            await asyncio.sleep(0.1)
        assert served.process.poll() is None


async def test_the_pool_replaces_killed_idle_connections_without_an_error(
    served: Served, private_postgres: PrivatePostgres
) -> None:
    async with (
        asyncio.timeout(TEST_SECONDS),
        httpx.AsyncClient(base_url=served.base_url, timeout=20) as http,
    ):
        traffic = Traffic(served, http)
        # Several requests at once leave several connections in the pool.
        await asyncio.gather(*(traffic.post(READ_REPORTS, {}) for _ in range(8)))
        assert await private_postgres.terminate_backends(served.database) >= 1
        for n in range(10):
            variables = {"input": {"reportId": served.report_id, "body": f"after the kill {n}"}}
            assert await traffic.post(POST_MESSAGE, variables) is not None, traffic.faults
    assert traffic.statuses == [200] * 18
    assert not traffic.faults


async def test_backends_killed_mid_request_give_503s_and_the_pool_recovers(
    served: Served, private_postgres: PrivatePostgres
) -> None:
    async with (
        asyncio.timeout(TEST_SECONDS),
        httpx.AsyncClient(base_url=served.base_url, timeout=20) as http,
    ):
        traffic = Traffic(served, http)
        traffic.start(writers=4)
        try:
            await traffic.until(lambda: len(traffic.acknowledged) >= 5)
            for _ in range(10):
                await private_postgres.terminate_backends(served.database)
                await asyncio.sleep(0.1)
            after_kills = len(traffic.acknowledged)
            await traffic.until(lambda: len(traffic.acknowledged) >= after_kills + 10)
        finally:
            await traffic.stop()
    assert not traffic.faults, traffic.faults[:5]
    assert set(traffic.statuses) <= {200, 503}
    stored = await _stored_bodies(private_postgres, served.database)
    assert [text for text in traffic.acknowledged if text not in stored] == []
    _assert_no_unhandled_errors(served)


REPORT_EVENTS = f"""
subscription ($id: ID!) {{ reportEvents(reportId: $id) {{ {EVENT_FIELDS} message {{ body }} }} }}
"""


async def test_a_subscription_open_across_a_restart_receives_what_is_committed_after(
    served: Served, private_postgres: PrivatePostgres
) -> None:
    async with (
        asyncio.timeout(TEST_SECONDS),
        httpx.AsyncClient(base_url=served.base_url, timeout=20) as http,
    ):
        client = await WSClient.connect(f"ws://127.0.0.1:{served.port}/graphql", served.token)
        try:
            feed = await client.subscribe(REPORT_EVENTS, {"id": served.report_id})
            # Registered with the pump (the server is another process: ask its metrics).
            while "phananh_feeds_open 1.0" not in (await http.get("/metrics")).text:  # noqa: ASYNC110
                await asyncio.sleep(0.02)
            traffic = Traffic(served, http)
            variables = {"input": {"reportId": served.report_id, "body": "before"}}
            assert await traffic.post(POST_MESSAGE, variables) is not None
            assert (await client.event(feed))["message"]["body"] == "before"
            await private_postgres.stop("fast")
            await asyncio.sleep(1)  # the pump fails to read meanwhile, and keeps trying
            await private_postgres.start()
            variables = {"input": {"reportId": served.report_id, "body": "after"}}
            # The first attempts may still meet the restart (a clear 503): retry as clients do.
            while await traffic.post(POST_MESSAGE, variables) is None:  # noqa: ASYNC110
                await asyncio.sleep(0.1)
            assert (await client.event(feed))["message"]["body"] == "after"
            assert not traffic.faults
        finally:
            await client.close()


async def test_a_websocket_opened_while_postgres_is_down_is_told_to_come_back(
    served: Served, private_postgres: PrivatePostgres
) -> None:
    async with asyncio.timeout(TEST_SECONDS):
        await private_postgres.stop("fast")
        url = f"ws://127.0.0.1:{served.port}/graphql"
        with pytest.raises(ConnectionClosedError) as refused:
            await WSClient.connect(url, served.token)
        assert refused.value.rcvd is not None
        assert refused.value.rcvd.code == 1013  # graphql-ws clients retry after it
        await private_postgres.start()
        client = await WSClient.connect(url, served.token)
        await client.close()
    _assert_no_unhandled_errors(served)
