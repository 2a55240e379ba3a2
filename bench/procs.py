"""Processes of a benchmark run: servers on loopback, the load generator, and what /proc says.

Every process is started here and stopped by its own pid (SIGTERM, then SIGKILL after a grace
period); nothing is ever stopped by name, since other test suites share this machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LOADGEN = ROOT / "bench" / "loadgen.mjs"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_kib(pid: int) -> int:
    """Resident memory of a process (VmRSS), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


@dataclass
class Server:
    """One uvicorn process serving PhanAnh or the baseline on 127.0.0.1:`port`."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def url(self, path: str, scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def cpu(self) -> float:
        return cpu_seconds(self.pid)

    def rss(self) -> int:
        return rss_kib(self.pid)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start_server(
    app: str, env: dict[str, str], logs: Path, patches: tuple[str, ...] = (), label: str = ""
) -> Server:
    """`python -m bench.serve <app>` on a free port; returns once /healthz answers."""
    port = free_port()
    name = label or app
    log = logs / f"{name}-{port}.log"
    command = [sys.executable, "-m", "bench.serve", app]
    for patch in patches:
        command += ["--patch", patch]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **env, "HOST": "127.0.0.1", "PORT": str(port)},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = Server(name, port, process, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited at start-up: see {log}\n{log.read_text()[-2000:]}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(server.url("/healthz"), timeout=2) as answer,
        ):
            if answer.status == 200:
                return server
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{name} did not answer /healthz within 60 s: see {log}")


@contextlib.contextmanager
def serving(
    app: str, env: dict[str, str], logs: Path, patches: tuple[str, ...] = (), label: str = ""
) -> Iterator[Server]:
    server = start_server(app, env, logs, patches, label)
    try:
        yield server
    finally:
        server.stop()


def post_json(url: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json", **(headers or {})},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.loads(answer.read())


def _config_file(config: dict[str, Any]) -> Path:
    handle, name = tempfile.mkstemp(prefix="phananh-bench-", suffix=".json")
    with os.fdopen(handle, "w") as out:
        json.dump(config, out)
    return Path(name)


def run_http(config: dict[str, Any], servers: list[Server]) -> dict[str, Any]:
    """One HTTP load loop in its own Node process; adds the servers' CPU seconds used meanwhile."""
    if config.get("warmupSeconds"):
        # Its own run, so that the CPU seconds below count measured requests only.
        # Writes warm up on requests of their own (`warmupRequests`): each one is used once.
        warm = {
            **config,
            "requests": config.get("warmupRequests") or config["requests"],
            "durationSeconds": config["warmupSeconds"],
        }
        _loadgen_http({**warm, "warmupSeconds": 0, "warmupRequests": None})
    before = {server.name: server.cpu() for server in servers}
    result = _loadgen_http({**config, "warmupSeconds": 0, "warmupRequests": None})
    result["serverCpuSeconds"] = {s.name: round(s.cpu() - before[s.name], 2) for s in servers}
    return result


def _loadgen_http(config: dict[str, Any]) -> dict[str, Any]:
    path = _config_file(config)
    try:
        done = subprocess.run(
            ["node", str(LOADGEN), "http", str(path)],
            cwd=ROOT,
            capture_output=True,
            check=False,
            timeout=config["durationSeconds"] + config.get("warmupSeconds", 0) + 120,
        )
    finally:
        path.unlink()
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed: {done.stderr.decode()[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.decode().strip().splitlines()[-1])
    return result


async def run_fanout(
    config: dict[str, Any], servers: list[Server], on_ready: Any = None
) -> dict[str, Any]:
    """Connect, call `on_ready()` while every socket is idle, then run the measured rounds."""
    path = _config_file({**config, "waitForGo": True})
    process = await asyncio.create_subprocess_exec(
        "node",
        str(LOADGEN),
        "fanout",
        str(path),
        cwd=ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        limit=64 * 1024 * 1024,
    )
    assert process.stdout is not None
    assert process.stdin is not None
    try:
        async with asyncio.timeout(config["connections"] / 50 + 120):
            line = (await process.stdout.readline()).decode()
        if not line.startswith("READY"):
            error = (await process.stderr.read()).decode() if process.stderr else ""
            raise RuntimeError(f"fan-out generator failed before READY: {line} {error[-2000:]}")
        idle = on_ready() if on_ready else None
        before = {server.name: server.cpu() for server in servers}
        process.stdin.write(b"GO\n")
        await process.stdin.drain()
        timeout = (config["rounds"] + 1) * (config["roundTimeoutMs"] + config["pauseMs"]) / 1000
        async with asyncio.timeout(timeout + 120):
            output, errors = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        path.unlink()
    if process.returncode != 0:
        raise RuntimeError(f"fan-out generator failed: {errors.decode()[-2000:]}")
    result: dict[str, Any] = json.loads(output.decode().strip().splitlines()[-1])
    result["ready"] = json.loads(line.partition(" ")[2])
    result["idle"] = idle
    result["serverCpuSeconds"] = {s.name: round(s.cpu() - before[s.name], 2) for s in servers}
    return result
