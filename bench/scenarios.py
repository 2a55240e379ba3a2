"""The HTTP rows (read, write, search/near/stats) and what every row shares: profiles, the run.

Each row runs PhanAnh and its baseline side by side and returns plain data (bench.fanout has
the WebSocket rows).

HTTP rows alternate baseline and PhanAnh runs (B, A, B, A, ...), so a burst of load from the
rest of the machine hurts both alike; every figure is later read as a ratio within one run.
"""

from __future__ import annotations

import json
import random
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import operations
from bench.corpus import PLACES, PointSampler, report_text
from bench.patches import FOR_BOTH
from bench.procs import Server, post_json, run_http, serving
from bench.seed import Seeded
from models.enums import Role
from models.tokens import issue_access_token
from schema.node import encode_global_id

# Citizens may submit 10 reports an hour, 30 per address (resolvers.ratelimits): each benchmark
# user submits at most 9 and each address (X-Forwarded-For, trusted from loopback) 29.
PER_USER = 9
PER_ADDRESS = 29


@dataclass(frozen=True)
class Profile:
    """How much of each row a run measures (`quick` for `make bench`, `full` for bench-full)."""

    name: str
    reports: int
    warmup_seconds: float
    seconds: float
    repeats: int
    concurrency: int
    pages: int
    fanout_sizes: tuple[int, ...]
    rounds: int
    scaleout_size: int
    latency_seconds: float


QUICK = Profile("quick", 100_000, 3, 10, 2, 16, 20, (1_000, 5_000), 8, 5_000, 8)
FULL = Profile("full", 1_000_000, 5, 20, 3, 16, 40, (1_000, 5_000, 10_000), 10, 10_000, 20)


@dataclass
class Run:
    """What every row needs: the profile, the seeded data, the servers' environment."""

    profile: Profile
    seeded: Seeded
    env: dict[str, str]
    logs: Path
    patches: tuple[str, ...] = ()
    log: Callable[[str], None] = print
    categories: list[int] = field(default_factory=list)

    @property
    def secret(self) -> str:
        return self.env["SECRET_KEY"]

    def token(self, user_id: int, role: Role = Role.CITIZEN) -> str:
        return issue_access_token(self.secret, user_id, role, None, datetime.now(UTC))[0]

    def app(self, label: str = "phananh", *, patched: bool = True, **env: str) -> Any:
        patches = self.patches if patched else ()
        return serving("phananh", {**self.env, **env}, self.logs, patches, label)

    def baseline(self) -> Any:
        both = tuple(patch for patch in self.patches if patch in FOR_BOTH)
        return serving("baseline", self.env, self.logs, both, label="baseline")


def http_config(run: Run, url: str, requests: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    profile = run.profile
    return {
        "url": url,
        "requests": requests,
        "cycle": True,
        "concurrency": profile.concurrency,
        "warmupSeconds": profile.warmup_seconds,
        "durationSeconds": profile.seconds,
        **extra,
    }


def _side(results: list[dict[str, Any]], server: str) -> dict[str, Any]:
    """The median run of one side, with CPU milliseconds per request (robust to a busy box)."""
    runs = sorted(results, key=lambda result: result["rps"])
    middle = runs[len(runs) // 2]
    cpu = [r["serverCpuSeconds"][server] * 1000 / max(r["requests"], 1) for r in results]
    return {
        "rps": round(middle["rps"], 1),
        "p50Ms": round(middle["latencyMs"]["p50"] or 0, 1),
        "p99Ms": round(middle["latencyMs"]["p99"] or 0, 1),
        "cpuMsPerRequest": round(statistics.median(cpu), 2),
        "errors": sum(r["errors"] for r in results),
        "firstError": next((r["firstError"] for r in results if r["firstError"]), None),
        "runs": [round(r["rps"], 1) for r in results],
    }


def _compare(
    base: list[dict[str, Any]], app: list[dict[str, Any]], name: str = "phananh"
) -> dict[str, Any]:
    baseline, phananh = _side(base, "baseline"), _side(app, name)
    return {
        "phananh": phananh,
        "baseline": baseline,
        "ratio": round(phananh["rps"] / baseline["rps"], 3) if baseline["rps"] else None,
        "cpuRatio": round(baseline["cpuMsPerRequest"] / phananh["cpuMsPerRequest"], 3)
        if phananh["cpuMsPerRequest"]
        else None,
    }


# --- read ----------------------------------------------------------------------------------------


def read_bodies(app: Server, pages: int) -> list[dict[str, Any]]:
    """`reports(first: 50)` over the first pages, followed by cursor as a client browses."""
    bodies: list[dict[str, Any]] = []
    after = None
    for _ in range(pages):
        body = {"query": operations.READ, "variables": {"first": 50, "after": after}}
        bodies.append(body)
        answer = _post(app.url("/graphql"), body)
        after = answer["data"]["reports"]["pageInfo"]["endCursor"]
    return bodies


def read(
    run: Run,
    app: Server,
    base: Server,
    statements: dict[str, int],
    patched: Server | None = None,
) -> dict[str, Any]:
    """The read row; with `patched` (an A/B run), a patched PhanAnh measured alongside."""
    bodies = read_bodies(app, run.profile.pages)
    same = all(
        _post(app.url("/graphql"), body) == _post(base.url("/reports"), body)
        for body in (bodies[0], bodies[len(bodies) // 2], bodies[-1])
    )
    requests = [{"body": json.dumps(body)} for body in bodies]
    runs: dict[str, list[dict[str, Any]]] = {"baseline": [], "phananh": [], "patched": []}
    sides = [("baseline", base, "/reports"), ("phananh", app, "/graphql")]
    if patched is not None:
        sides.append(("patched", patched, "/graphql"))
    for _ in range(run.profile.repeats):
        for side, server, path in sides:
            config = http_config(run, server.url(path), requests, expect='"pageInfo"')
            runs[side].append(run_http(config, [server]))
        run.log("read: " + ", ".join(f"{side} {runs[side][-1]['rps']:.0f}/s" for side, *_ in sides))
    found = {**_compare(runs["baseline"], runs["phananh"]), "sameJson": same}
    if patched is not None:
        found["patched"] = _compare(runs["baseline"], runs["patched"], patched.name)
    return {**found, "statementsByFirst": statements}


def _post(url: str, body: dict[str, Any]) -> Any:
    return post_json(url, body)


# --- write ---------------------------------------------------------------------------------------


class Submissions:
    """submitReport requests from many citizens and addresses, each used once by PhanAnh."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.rng = random.Random(11)
        self.sampler = PointSampler()
        self.next = 0
        seeded = run.seeded
        self.users = list(range(seeded.citizen_first_id, seeded.citizen_last_id + 1))
        self.tokens: dict[int, str] = {}

    def take(self, count: int) -> list[dict[str, Any]]:
        limit = len(self.users) * PER_USER
        if self.next + count > limit:
            raise RuntimeError(f"only {limit} submissions fit the rate limits; lower the load")
        made = [self._request(self.next + i) for i in range(count)]
        self.next += count
        return made

    def _request(self, index: int) -> dict[str, Any]:
        user = self.users[index // PER_USER]
        if user not in self.tokens:
            self.tokens[user] = self.run.token(user)
        address = index // PER_ADDRESS
        code, _, streets = self.rng.choice(PLACES)
        latitude, longitude = self.sampler.point(self.rng, code)
        categories = ["giao_thong", "moi_truong", "ha_tang", "chieu_sang_cay_xanh", "cap_nuoc"]
        text = report_text(self.rng, self.rng.choice(categories), "phường Đồng Hới", streets)
        variables = {
            "input": {
                "categoryId": encode_global_id("Category", self.rng.choice(self.run.categories)),
                "title": text.title,
                "description": text.description,
                "latitude": latitude,
                "longitude": longitude,
                "address": text.address,
            }
        }
        return {
            "body": json.dumps({"query": operations.SUBMIT, "variables": variables}),
            "headers": {
                "authorization": f"Bearer {self.tokens[user]}",
                "x-forwarded-for": f"10.{address >> 16 & 255}.{address >> 8 & 255}.{address & 255}",
            },
        }


def write(run: Run, app: Server, base: Server, patched: Server | None = None) -> dict[str, Any]:
    """submitReport without files: PhanAnh's requests are never reused (rate limits, rows)."""
    submissions = Submissions(run)
    # PhanAnh runs get fresh requests, at most what a generous 1,000/s could send.
    budget = int(1000 * run.profile.seconds)
    warm = int(1000 * run.profile.warmup_seconds)
    shared = submissions.take(min(budget, 20_000))
    runs: dict[str, list[dict[str, Any]]] = {"baseline": [], "phananh": [], "patched": []}
    sides = [("phananh", app)] + ([("patched", patched)] if patched is not None else [])
    expect = {"expect": '"userErrors":[]'}
    for _ in range(run.profile.repeats):
        config = http_config(run, base.url("/submit"), shared, **expect)
        runs["baseline"].append(run_http(config, [base]))
        for side, server in sides:
            fresh = submissions.take(budget)
            config = http_config(
                run,
                server.url("/graphql"),
                fresh,
                cycle=False,
                warmupRequests=submissions.take(warm),
                **expect,
            )
            runs[side].append(run_http(config, [server]))
        names = ["baseline", *(side for side, _ in sides)]
        run.log("write: " + ", ".join(f"{side} {runs[side][-1]['rps']:.0f}/s" for side in names))
    found = _compare(runs["baseline"], runs["phananh"])
    if patched is not None:
        found["patched"] = _compare(runs["baseline"], runs["patched"], patched.name)
    return found


# --- search, near, stats -------------------------------------------------------------------------

SEARCHES = (
    "ổ gà",
    "đèn đường không sáng",
    "rac thai",
    "mất nước",
    "cây xanh gãy đổ",
    "Lý Thường Kiệt",
    "hố ga",
    "karaoke",
    "vỉa hè lấn chiếm",
    "xay dung khong phep",
)


def latencies(run: Run, app: Server) -> dict[str, Any]:
    """p50 of search, near and reportStats, one request at a time (latency, not throughput)."""
    rng = random.Random(5)
    sampler = PointSampler()
    near = []
    for _ in range(10):
        code = rng.choice([place for place, _, _ in PLACES])
        latitude, longitude = sampler.point(rng, code)
        circle = {"latitude": latitude, "longitude": longitude, "radiusMeters": 500}
        near.append({"near": circle})
    stats_filters: list[dict[str, Any] | None] = [None, {"status": ["CLOSED", "RESOLVED"]}]
    kinds: dict[str, list[tuple[str, dict[str, Any]]]] = {
        "search": [(operations.SEARCH, {"filter": {"search": text}}) for text in SEARCHES],
        "near": [(operations.SEARCH, {"filter": circle}) for circle in near],
        "stats": [(operations.STATS, {"filter": item}) for item in stats_filters],
    }
    found: dict[str, Any] = {}
    for kind, operations_list in kinds.items():
        requests = [
            {"body": json.dumps({"query": query, "variables": variables})}
            for query, variables in operations_list
        ]
        config = http_config(
            run,
            app.url("/graphql"),
            requests,
            concurrency=1,
            warmupSeconds=1,
            durationSeconds=run.profile.latency_seconds,
            expect='"data"',
            timeoutMs=120_000,
        )
        result = run_http(config, [app])
        found[kind] = {
            "requests": result["requests"],
            "errors": result["errors"],
            "firstError": result["firstError"],
            "p50Ms": round(result["latencyMs"]["p50"] or 0, 1),
            "p99Ms": round(result["latencyMs"]["p99"] or 0, 1),
        }
        run.log(f"{kind}: p50 {found[kind]['p50Ms']} ms")
    return found
