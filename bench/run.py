"""The benchmark harness: one command runs every row against its baseline and records it.

    .venv/bin/python -m bench.run              # quick: 100,000 reports, under 10 minutes
    .venv/bin/python -m bench.run --full       # 1,000,000 reports, 10,000 subscribers
    .venv/bin/python -m bench.run --only fanout --patch no-deflate   # an experiment

Needs PostgreSQL (BENCH_PG_DSN, default postgres@127.0.0.1:5432) and Redis (BENCH_REDIS_URL,
default redis://127.0.0.1:6379/0) running, and Node 20 for the load generator. The servers
(PhanAnh through `python -m bench.serve`, the baseline likewise) and the load generator each run
as their own process on loopback. Results go to bench/results/<date>-<profile>.json and, for a
complete run without experiments, to this profile's table in BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from bench import fanout, inprocess, report, scenarios, seed
from bench.patches import PATCHES

ROOT = Path(__file__).resolve().parent.parent
ROWS = ("read", "write", "latency", "fanout", "scaleout")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


def log(message: str) -> None:
    print(f"{datetime.now():%H:%M:%S} bench: {message}", flush=True)  # noqa: DTZ005, T201


def raise_file_limit() -> int:
    """Every subscriber is a socket on both sides: allow as many as the hard limit lets us."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def ensure_node_modules() -> None:
    if not shutil.which("node"):
        raise SystemExit("bench: Node.js 20+ is needed for the load generator (bench/loadgen.mjs)")
    if not (ROOT / "bench" / "node_modules" / "ws").exists():
        log("installing the load generator's dependency (npm ci in bench/)")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=ROOT / "bench", check=True)


def _output(*command: str) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return "?"


def _machine(database: str) -> dict[str, Any]:
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.partition(":")[2].strip()
                break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    postgres = _output("psql", "--version") or "PostgreSQL"

    async def server_version() -> str:
        connection = await asyncpg.connect(seed.database_dsn(database))
        try:
            return str(await connection.fetchval("SHOW server_version"))
        finally:
            await connection.close()

    with contextlib.suppress(Exception):
        postgres = f"PostgreSQL {asyncio.run(server_version())}"
    redis = _output("redis-cli", "-u", REDIS_URL, "INFO", "server")
    redis_version = next(
        (line.split(":")[1] for line in redis.splitlines() if line.startswith("redis_version")),
        "?",
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memoryGiB": round(memory),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "node": _output("node", "--version"),
        "postgres": postgres,
        "redis": redis_version,
        "loadStart": round(os.getloadavg()[0], 1),
        # Read-only git queries: which code was measured.
        "commit": _output("git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"),
        "dirty": bool(_output("git", "-C", str(ROOT), "status", "--porcelain")),
        "fileLimit": resource.getrlimit(resource.RLIMIT_NOFILE)[1],
    }


async def category_ids(database: str) -> list[int]:
    connection = await asyncpg.connect(seed.database_dsn(database))
    try:
        return [row[0] for row in await connection.fetch("SELECT id FROM categories")]
    finally:
        await connection.close()


def environment(seeded: seed.Seeded, media: Path) -> dict[str, str]:
    """What both servers run with; a fresh Redis prefix keeps earlier rate limits out."""
    return {
        "ENV": "development",
        "DATABASE_URL": seeded.url,
        "BENCH_DATABASE_DSN": seed.database_dsn(seeded.database),
        "BROADCAST_URL": REDIS_URL,
        "REDIS_PREFIX": f"phananh-bench-{secrets.token_hex(4)}:",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "AUTO_MIGRATE": "0",
        "DEMO_DATA": "0",
        "SCHEDULER_INTERVAL_SECONDS": "0",
        "LOG_LEVEL": "warning",
        "MEDIA_DIR": str(media),
    }


def measure(profile: scenarios.Profile, only: tuple[str, ...], patches: tuple[str, ...]) -> Any:
    started = time.monotonic()
    hard_limit = raise_file_limit()
    ensure_node_modules()
    log(f"{profile.name} run: seeding or reusing {profile.reports:,} reports")
    seeded = asyncio.run(seed.ensure(profile.reports))
    machine = _machine(seeded.database)
    sizes = tuple(size for size in profile.fanout_sizes if size + 100 < hard_limit)
    if sizes != profile.fanout_sizes:
        log(f"file-descriptor limit {hard_limit}: fan-out limited to {sizes}")
    with tempfile.TemporaryDirectory(prefix="phananh-bench-") as scratch:
        logs = Path(scratch)
        run = scenarios.Run(
            profile,
            seeded,
            environment(seeded, logs / "media"),
            logs,
            patches,
            log,
            asyncio.run(category_ids(seeded.database)),
        )
        results: dict[str, Any] = {}
        try:
            _rows(run, only, sizes, results)
        except Exception:
            for server_log in sorted(logs.glob("*.log")):
                log(f"--- {server_log.name}\n{server_log.read_text()[-3000:]}")
            raise
    date = datetime.now(UTC)
    name = f"{date:%Y-%m-%dT%H%M}-{profile.name}" + "".join(f"-{patch}" for patch in patches)
    machine["loadEnd"] = round(os.getloadavg()[0], 1)
    return {
        "name": name,
        "profile": profile.name,
        "date": f"{date:%Y-%m-%d %H:%M} UTC",
        "command": " ".join(["python -m bench.run", *sys.argv[1:]]),
        "seconds": round(time.monotonic() - started),
        "reports": profile.reports,
        "database": seeded.database,
        "seed": asdict(seeded),
        "patches": list(patches),
        "settings": asdict(profile),
        "machine": machine,
        **results,
    }


def _rows(run: scenarios.Run, only: tuple[str, ...], sizes: tuple[int, ...], out: Any) -> None:
    profile, seeded = run.profile, run.seeded
    if "read" in only:
        log("read: counting SQL statements per request in-process")
        statements = asyncio.run(inprocess.statements_per_request(seeded.url, run.secret))
    if {"read", "write"} & set(only):
        # With experiments, HTTP rows run PhanAnh as it is and patched side by side (A/B).
        patched = run.app("phananh-patched") if run.patches else contextlib.nullcontext()
        with run.app(patched=False) as app, patched as other, run.baseline() as base:
            if "read" in only:
                out["read"] = scenarios.read(run, app, base, statements, other)
            if "write" in only:
                out["write"] = scenarios.write(run, app, base, other)
    if "latency" in only:
        # The row repeats a few requests: without the anonymous read cache, each one executes.
        with run.app(
            "phananh-uncached", patched=bool(run.patches), PUBLIC_CACHE_SECONDS="0"
        ) as app:
            out["latency"] = scenarios.latencies(run, app)
    if "fanout" in only:
        out["fanout"] = [asyncio.run(fanout.fanout(run, size)) for size in sizes]
    if "scaleout" in only and profile.scaleout_size in sizes:
        out["scaleout"] = asyncio.run(fanout.scaleout(run, profile.scaleout_size))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="PhanAnh benchmarks against their baselines")
    parser.add_argument("--full", action="store_true", help="1,000,000 reports, 10,000 sockets")
    parser.add_argument("--only", action="append", choices=ROWS, help="measure only these rows")
    parser.add_argument(
        "--patch", action="append", default=[], choices=sorted(PATCHES), help="an experiment"
    )
    parser.add_argument("--no-update", action="store_true", help="leave BENCHMARKS.md alone")
    args = parser.parse_args(argv)
    profile = scenarios.FULL if args.full else scenarios.QUICK
    only = tuple(args.only or ROWS)
    results = measure(profile, only, tuple(args.patch))
    path = report.save(results, results["name"])
    log(f"results: {path.relative_to(ROOT)}")
    print(report.markdown(results))  # noqa: T201
    # Only a complete run of the code as it stands represents the profile's table.
    if not args.no_update and not args.patch and only == ROWS:
        report.update_benchmarks(results)
        log("BENCHMARKS.md updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
