"""Experiments on live feeds: fixes for the fan-out row, measured before anyone makes them.

Each function monkeypatches the application inside a `python -m bench.serve` process only
(bench.patches lists them); BENCHMARKS.md records what each one changed.
"""

from __future__ import annotations

import asyncio
import collections
import json
from typing import Any

from schema import subscription
from web import graphql_view


def _frozen(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def shared_event_results() -> None:
    """Execute each event once per (operation, variables, viewer); encode each result once.

    Subscribers of one feed who send the same operation and variables and are the same actor
    (every anonymous visitor of the public map is the same actor) get the same result, so it
    is computed by the first of them and awaited by the rest: the cache lives on the event
    batch's shared loaders (realtime.log.EventLog.read) and goes away with the batch. The
    `next` message's payload is then JSON-encoded once and spliced into each subscriber's
    message, which has the same bytes as strawberry's own encoding. Superseded on
    graphql-transport-ws by grouped feeds (schema.fanout), which share the stream itself; it
    still applies to what runs ungrouped (the legacy protocol, cursors written into the query).
    """
    original = subscription.EventExecutor.build_per_event_executor

    def build_per_event_executor(self: Any, payload: Any) -> Any:
        executor = original(self, payload)
        loaders = getattr(payload, "loaders", None)
        if loaders is None:
            return executor
        # Once per subscription: which operation, with which variables, as seen by whom.
        # (The operation by identity: AST nodes hash their whole subtree.)
        viewer = self.__dict__.get("bench_viewer")
        if viewer is None:
            actor = getattr(executor.context_value, "actor", None)
            viewer = (id(self.operation), _frozen(self.variable_values), actor)
            self.__dict__["bench_viewer"] = viewer
        key = (payload.row.id, viewer)
        shared: dict[Any, Any] = loaders.__dict__.setdefault("bench_shared_results", {})

        def execute_operation(*args: Any) -> Any:
            if key not in shared:
                result = type(executor).execute_operation(executor, *args)
                shared[key] = (
                    asyncio.ensure_future(result) if executor.is_awaitable(result) else result
                )
            return shared[key]

        vars(executor)["execute_operation"] = execute_operation  # shadows the method
        return executor

    subscription.EventExecutor.build_per_event_executor = build_per_event_executor  # type: ignore[method-assign]

    encoded: collections.OrderedDict[int, tuple[Any, str]] = collections.OrderedDict()
    encode_json = graphql_view.PhanAnhGraphQL.encode_json

    def encode_once(self: Any, data: object) -> str | bytes:
        payload = data.get("payload") if isinstance(data, dict) else None
        if (
            not isinstance(data, dict)
            or list(data) != ["id", "type", "payload"]
            or data["type"] != "next"
            or not isinstance(payload, dict)
            or list(payload) != ["data"]
        ):
            return encode_json(self, data)
        found = encoded.get(id(payload["data"]))
        if found is None or found[0] is not payload["data"]:
            found = (payload["data"], json.dumps(payload, separators=(",", ":")))
            encoded[id(payload["data"])] = found
            if len(encoded) > 256:
                encoded.popitem(last=False)
        return f'{{"id":{json.dumps(data["id"])},"type":"next","payload":{found[1]}}}'

    graphql_view.PhanAnhGraphQL.encode_json = encode_once  # type: ignore[method-assign]
