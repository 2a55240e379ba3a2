"""The fan-out rows: one event to many `publicReportEvents` subscribers, idle cost, scale-out.

PhanAnh's subscribers speak graphql-transport-ws; the baseline's sockets only listen, and its
broadcast sends the very text PhanAnh sent for an event (captured by a first, one-socket run).
Each size gets fresh server processes, so memory is measured from the same starting point.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from bench import operations
from bench.procs import Server, run_fanout
from bench.scenarios import Run
from models.enums import Role
from schema.node import encode_global_id


def fanout_config(run: Run, urls: list[str], size: int, protocol: str) -> dict[str, Any]:
    """The load generator's fan-out settings: `size` sockets spread over `urls`."""
    return {
        "urls": urls,
        "connections": size,
        "protocol": protocol,
        # Browsers offer permessage-deflate on every WebSocket; so does this client (whether it
        # is used is the server's choice: see the `no-deflate` experiment).
        "perMessageDeflate": True,
        "connectParallel": 200,
        "settleMs": 2000 + size // 5,
        "rounds": run.profile.rounds,
        "pauseMs": 300,
        "roundTimeoutMs": 60_000,
        "connectionParams": {},
        "subscribe": {"query": operations.SUBSCRIBE, "variables": {}},
    }


def trigger(run: Run, app: Server) -> dict[str, Any]:
    """One event per round: a coordinator's public message on a public report (no rate limit)."""
    report = encode_global_id("Report", run.seeded.public_report_id)
    variables = {
        "input": {"reportId": report, "body": "Đơn vị đang xử lý, dự kiến xong trong tuần."}
    }
    token = run.token(run.seeded.coordinator_id, Role.COORDINATOR)
    return {
        "url": app.url("/graphql"),
        "body": json.dumps({"query": operations.TRIGGER, "variables": variables}),
        "headers": {"authorization": f"Bearer {token}"},
        "expect": '"userErrors":[]',
    }


def _delivery(result: dict[str, Any]) -> dict[str, Any]:
    return {
        "deliveriesPerSecond": round(result["deliveriesPerSecond"], 1),
        "p50Ms": round(result["latencyMs"]["p50"] or 0, 1),
        "p99Ms": round(result["latencyMs"]["p99"] or 0, 1),
        "delivered": result["delivered"],
        "warmReceived": result["warmReceived"],
        "failedTriggers": result["failedTriggers"],
        "missing": result["missing"],
        "connectFailures": result["connectFailures"],
        "firstConnectFailure": result["firstConnectFailure"],
        "badMessages": result["badMessages"],
        "firstBadMessage": result["firstBadMessage"],
        "closes": result["closes"],
        "serverCpuSeconds": result["serverCpuSeconds"],
        # The CPU was counted from the unmeasured first round on: it is in the divisor too.
        "cpuMicrosPerDelivery": round(
            sum(result["serverCpuSeconds"].values())
            * 1e6
            / max(result["delivered"] + result["warmReceived"], 1)
        ),
        "loadgenCpuSeconds": round(result["loadgenCpuSeconds"], 2),
        "idle": result["idle"],
        "byUrl": [
            {"p50Ms": round(s["p50"] or 0, 1), "p99Ms": round(s["p99"] or 0, 1)}
            for s in result["latencyMsByUrl"]
        ],
    }


def _idle(server: Server, before: int, size: int) -> Callable[[], dict[str, Any]]:
    def measure() -> dict[str, Any]:
        after = server.rss()
        return {
            "rssBeforeKiB": before,
            "rssAfterKiB": after,
            "kibPerConnection": round((after - before) / size, 1),
        }

    return measure


async def fanout(run: Run, size: int) -> dict[str, Any]:
    """One event to `size` subscribers of one fresh process, PhanAnh then the baseline."""
    with run.app() as app, run.baseline() as base:
        # A first subscriber and event load every code path before memory is measured.
        probe = fanout_config(run, [app.url("/graphql", "ws")], 1, "graphql-transport-ws")
        sample = (await run_fanout({**probe, "rounds": 1, "trigger": trigger(run, app)}, []))[
            "sample"
        ]
        config = fanout_config(run, [base.url("/ws", "ws")], size, "plain")
        config["trigger"] = {"url": base.url("/broadcast"), "body": sample}
        base_result = await run_fanout(config, [base], _idle(base, base.rss(), size))
        run.log(f"fan-out {size}: baseline {base_result['deliveriesPerSecond']:.0f}/s")
        config = fanout_config(run, [app.url("/graphql", "ws")], size, "graphql-transport-ws")
        config["trigger"] = trigger(run, app)
        app_result = await run_fanout(config, [app], _idle(app, app.rss(), size))
        run.log(f"fan-out {size}: phananh {app_result['deliveriesPerSecond']:.0f}/s")
    phananh, baseline = _delivery(app_result), _delivery(base_result)
    return {
        "subscribers": size,
        "messageBytes": len(sample or ""),
        "phananh": phananh,
        "baseline": baseline,
        "ratio": round(phananh["deliveriesPerSecond"] / baseline["deliveriesPerSecond"], 3)
        if baseline["deliveriesPerSecond"]
        else None,
        "p99Ratio": round(phananh["p99Ms"] / baseline["p99Ms"], 2) if baseline["p99Ms"] else None,
    }


async def scaleout(run: Run, size: int) -> dict[str, Any]:
    """The same event to `size` subscribers split over two processes that share Redis."""
    with run.app("phananh-a") as first, run.app("phananh-b") as second:
        urls = [first.url("/graphql", "ws"), second.url("/graphql", "ws")]
        config = fanout_config(run, urls, size, "graphql-transport-ws")
        config["trigger"] = trigger(run, first)
        result = await run_fanout(config, [first, second])
    run.log(f"scale-out {size}: two processes {result['deliveriesPerSecond']:.0f}/s")
    return {"subscribers": size, "twoProcesses": _delivery(result)}
