"""The shipped nginx configuration, run for real in front of two PhanAnh processes."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import websockets
from websockets.typing import Subprotocol

from tests.backends import Backend

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
pytestmark = pytest.mark.skipif(
    not Path(NGINX).exists() and os.environ.get("CI") != "true",
    reason="nginx is not installed (apt-get install nginx-light); required under CI=true",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _wait_for_port(port: int, process: asyncio.subprocess.Process) -> None:
    async with asyncio.timeout(20):
        while True:
            if process.returncode is not None:
                raise RuntimeError(f"process on port {port} exited with {process.returncode}")
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.1)
                continue
            writer.close()
            await writer.wait_closed()
            return


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.terminate()
        try:
            async with asyncio.timeout(10):
                await process.wait()
        except TimeoutError:
            process.kill()
            await process.wait()


def _write_config(prefix: Path, listen: int, app_ports: list[int]) -> None:
    """The shipped file with its two placeholders filled in, as an operator would."""
    config = (ROOT / "deploy" / "nginx.conf").read_text()
    upstreams = "\n".join(f"        server 127.0.0.1:{port};" for port in app_ports)
    config = config.replace("        # UPSTREAMS", upstreams)
    config = config.replace("        # LISTEN", f"        listen 127.0.0.1:{listen};")
    (prefix / "nginx.conf").write_text(config)
    prefix.chmod(0o755)  # nginx's workers run as an unprivileged user


@pytest.fixture
async def stack(backend: Backend, tmp_path: Path) -> AsyncIterator[tuple[int, list[int]]]:
    """Two uvicorn processes on the suite's database, and nginx in front of them."""
    app_ports = [_free_port(), _free_port()]
    env = {
        **os.environ,
        "DATABASE_URL": backend.database_url,
        "BROADCAST_URL": backend.broadcast_url,
        "SECRET_KEY": "nginx-test-secret-key-of-sufficient-length",
        "AUTO_MIGRATE": "0",
        "DEMO_DATA": "0",
        "SCHEDULER_INTERVAL_SECONDS": "0",
        "MEDIA_DIR": str(tmp_path / "media"),
        "REDIS_PREFIX": f"phananh-nginx-{tmp_path.name}:",
    }
    processes = []
    for port in app_ports:
        processes.append(
            await asyncio.create_subprocess_exec(
                sys.executable, "-m", "uvicorn", "server:create_app", "--factory",
                "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
                "--proxy-headers", "--forwarded-allow-ips", "127.0.0.1",
                cwd=ROOT, env=env,
            )
        )  # fmt: skip
    listen = _free_port()
    _write_config(tmp_path, listen, app_ports)
    nginx = await asyncio.create_subprocess_exec(
        NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"
    )
    processes.append(nginx)
    try:
        for port, process in zip([*app_ports, listen], processes, strict=True):
            await _wait_for_port(port, process)
        yield listen, app_ports
    finally:
        for process in reversed(processes):
            await _stop(process)


async def test_requests_through_nginx_reach_both_processes(
    stack: tuple[int, list[int]],
) -> None:
    listen, app_ports = stack
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{listen}") as http:
        for _ in range(20):
            response = await http.post("/graphql", json={"query": "{ categories { id } }"})
            assert response.status_code == 200
            assert isinstance(response.json()["data"]["categories"], list)
    served = []
    async with httpx.AsyncClient() as http:
        for port in app_ports:
            metrics = (await http.get(f"http://127.0.0.1:{port}/metrics")).text
            served.append('route="/graphql",status="200"' in metrics)
    assert served == [True, True]


async def test_request_id_from_nginx_reaches_the_response(stack: tuple[int, list[int]]) -> None:
    listen, _ = stack
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{listen}") as http:
        response = await http.get("/healthz")
    assert len(response.headers["x-request-id"]) == 32  # nginx's $request_id


async def test_oversize_json_body_is_refused_through_nginx(stack: tuple[int, list[int]]) -> None:
    listen, _ = stack
    body = b"{" + b" " * (2 * 1024 * 1024) + b"}"
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{listen}") as http:
        response = await http.post(
            "/graphql", content=body, headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 413


async def test_websocket_upgrade_passes_through_nginx(stack: tuple[int, list[int]]) -> None:
    listen, _ = stack
    async with (
        asyncio.timeout(10),
        websockets.connect(
            f"ws://127.0.0.1:{listen}/graphql", subprotocols=[Subprotocol("graphql-transport-ws")]
        ) as socket_,
    ):
        await socket_.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await socket_.recv()) == {"type": "connection_ack"}
