"""Fixtures for fault tests: a private PostgreSQL cluster, and PhanAnh served from it by uvicorn.

They run with the PostgreSQL suite (TEST_DATABASE_URL) only. Without PostgreSQL's server
binaries they are skipped, except under CI=true, where they fail.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest

from models.base import utcnow
from models.db import create_engine, create_session_factory
from models.enums import Role
from models.migrate import upgrade_to_head
from models.tokens import issue_access_token
from schema.node import encode_global_id
from tests.backends import Backend
from tests.factories import make_category, make_report, make_user
from tests.faults.postgres import PrivatePostgres, postgres_bin_dir

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = "phananh_template"
SECRET_KEY = "fault-tests-" + "k" * 32
START_SECONDS = 30


@pytest.fixture(scope="module")
async def private_postgres(backend: Backend) -> AsyncIterator[PrivatePostgres]:
    if not backend.is_postgres:
        pytest.skip("fault tests run with the PostgreSQL suite (TEST_DATABASE_URL)")
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true and PostgreSQL's server binaries (initdb) are missing")
        pytest.skip("PostgreSQL's server binaries (/usr/lib/postgresql/*/bin) are missing")
    cluster = PrivatePostgres(bin_dir)
    try:
        await cluster.init()
        await cluster.start()
        # Migrated once; each test gets a copy (CREATE DATABASE … TEMPLATE is quick).
        await cluster.create_database(TEMPLATE)
        engine = create_engine(cluster.url(TEMPLATE))
        await upgrade_to_head(engine)
        await engine.dispose()
        yield cluster
    finally:
        await cluster.remove()


@dataclass
class Served:
    """A PhanAnh process on a private database, with a coordinator's token and a report."""

    process: subprocess.Popen[bytes]
    port: int
    database: str
    token: str
    report_id: str
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def server_log(self) -> str:
        return self.log.read_text(errors="replace")


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _seed(cluster: PrivatePostgres, database: str) -> tuple[str, str]:
    """A coordinator (staff: no rate limit on messages) and a report to write on."""
    engine = create_engine(cluster.url(database))
    try:
        async with create_session_factory(engine)() as session, session.begin():
            coordinator = await make_user(session, Role.COORDINATOR)
            citizen = await make_user(session)
            category = await make_category(session)
            report = await make_report(session, reporter=citizen, category=category)
    finally:
        await engine.dispose()
    token = issue_access_token(SECRET_KEY, coordinator.id, coordinator.role, None, utcnow())[0]
    return token, encode_global_id("Report", report.id)


@pytest.fixture
async def served(private_postgres: PrivatePostgres, tmp_path: Path) -> AsyncIterator[Served]:
    cluster = private_postgres
    if not await cluster.running():  # a previous test failed while it was stopped
        await cluster.start()
    database = f"phananh_{uuid.uuid4().hex[:10]}"
    connection = await asyncpg.connect(cluster.dsn())
    try:
        await connection.execute(f'CREATE DATABASE "{database}" TEMPLATE "{TEMPLATE}"')
    finally:
        await connection.close()
    token, report_id = await _seed(cluster, database)
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": cluster.url(database),
        "BROADCAST_URL": "memory://",
        "SECRET_KEY": SECRET_KEY,
        "MEDIA_DIR": str(tmp_path / "media"),
        "AUTO_MIGRATE": "0",
        "DEMO_DATA": "0",
        "SCHEDULER_INTERVAL_SECONDS": "0",
        "LOG_LEVEL": "warning",
    }
    log = tmp_path / "server.log"
    command = [sys.executable, "-m", "uvicorn", "server:create_app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: ASYNC220 (started once, not awaited on)
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    server = Served(process, port, database, token, report_id, log)
    try:
        async with httpx.AsyncClient(base_url=server.base_url) as http:
            async with asyncio.timeout(START_SECONDS):
                while True:
                    assert process.poll() is None, server.server_log()
                    try:
                        if (await http.get("/readyz")).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    await asyncio.sleep(0.05)
        yield server
    finally:
        process.terminate()
        await asyncio.to_thread(process.wait, 15)
