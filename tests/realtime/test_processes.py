"""Several processes: an event committed through one server reaches subscribers of another."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import tables
from realtime.log import EventLog
from schema.node import encode_global_id
from schema.timeline import log_cursor
from settings import Settings
from tests.factories import make_report
from tests.realtime.client import EVENT_FIELDS, WSClient
from tests.realtime.conftest import World, free_socket

pytestmark = pytest.mark.usefixtures("requires_redis")

ROOT = Path(__file__).resolve().parents[2]
POST_MESSAGE = """
mutation ($input: PostMessageInput!) { postMessage(input: $input) { userErrors { code } } }
"""
REPORT_EVENTS = f"""
subscription ($id: ID!, $after: String) {{
  reportEvents(reportId: $id, after: $after) {{ {EVENT_FIELDS} message {{ body }} }}
}}
"""


async def _start_server(settings: Settings) -> tuple[subprocess.Popen[bytes], int]:
    with free_socket() as sock:
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "BROADCAST_URL": settings.broadcast_url,
        "REDIS_PREFIX": settings.redis_prefix,
        "SECRET_KEY": settings.secret_key,
        "AUTO_MIGRATE": "0",
        "DEMO_DATA": "0",
        "LOG_LEVEL": "warning",
    }
    command = [sys.executable, "-m", "uvicorn", "server:create_app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: ASYNC220
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
        async with asyncio.timeout(20):
            while True:
                assert process.poll() is None, "the server process exited"
                try:
                    if (await http.get("/readyz")).status_code == 200:
                        return process, port
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.05)


@pytest.fixture
async def two_servers(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[tuple[int, int]]:
    started = await asyncio.gather(
        _start_server(settings), _start_server(settings), return_exceptions=True
    )
    processes = [result[0] for result in started if isinstance(result, tuple)]
    try:
        ports = [result[1] for result in started if isinstance(result, tuple)]
        assert len(ports) == 2, started
        yield ports[0], ports[1]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            await asyncio.to_thread(process.wait, 10)


async def test_an_event_committed_through_one_process_reaches_a_subscriber_of_another(
    two_servers: tuple[int, int],
    session_factory: async_sessionmaker[AsyncSession],
    world: World,
    token: Callable[[tables.User], str],
) -> None:
    listening, writing = two_servers
    async with session_factory() as session, session.begin():
        report = await make_report(session, reporter=world.citizen, category=world.category)
    report_id = encode_global_id("Report", report.id)
    client = await WSClient.connect(f"ws://127.0.0.1:{listening}/graphql", token(world.citizen))
    try:
        # From a cursor taken before writing: nothing depends on when the other process
        # registers the subscription.
        after = log_cursor(*await EventLog(session_factory, postgres=True).head())
        feed = await client.subscribe(REPORT_EVENTS, {"id": report_id, "after": after})
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{writing}") as http:
            for body in ("Rác vẫn còn", "Đã có người dọn"):
                response = await http.post(
                    "/graphql",
                    json={
                        "query": POST_MESSAGE,
                        "variables": {"input": {"reportId": report_id, "body": body}},
                    },
                    headers={"Authorization": f"Bearer {token(world.citizen)}"},
                )
                assert response.json()["data"]["postMessage"]["userErrors"] == []
        bodies: list[str] = []
        while len(bodies) < 2:  # the report's SUBMITTED event may come first
            event = await client.event(feed)
            if event["type"] == "MESSAGE_POSTED":
                bodies.append(event["message"]["body"])
        assert bodies == ["Rác vẫn còn", "Đã có người dọn"]
    finally:
        await client.close()
