"""Experiments on live feeds: fixes for the fan-out row, measured before anyone makes them.

Each function monkeypatches the application inside a `python -m bench.serve` process only
(bench.patches lists them); BENCHMARKS.md records what each one changed.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import json
from dataclasses import dataclass, field
from typing import Any

import graphql
from strawberry.subscriptions.protocols.graphql_transport_ws import handlers as transport_ws
from strawberry.types.execution import PreExecutionError

import server
from schema import subscription


def fresh_subfield_cache() -> None:
    """Give every subscription event executor its own sub-field cache.

    graphql-core 3.3's `Executor.build_per_event_executor` copies the subscription's executor
    shallowly, so all its events share one `_relevant_sub_fields` dict; its keys are ids of
    lists made anew for each event, so it never hits and keeps every event's entries for the
    life of the subscription (about 30 objects per event per subscriber): memory grows and
    garbage collection slows down with every event. Proposed in schema/subscription.py.
    """
    original = subscription.EventExecutor.build_per_event_executor

    def build_per_event_executor(self: Any, payload: Any) -> Any:
        executor = original(self, payload)
        executor._relevant_sub_fields = {}
        return executor

    subscription.EventExecutor.build_per_event_executor = build_per_event_executor  # type: ignore[method-assign]


def _frozen(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def shared_event_results() -> None:
    """Execute each event once per (operation, variables, viewer); encode each result once.

    Subscribers of one feed who send the same operation and variables and are the same actor
    (every anonymous visitor of the public map is the same actor) get the same result, so it
    is computed by the first of them and awaited by the rest: the cache lives on the event
    batch's shared loaders (realtime.log.EventLog.read) and goes away with the batch. The
    `next` message's payload is then JSON-encoded once and spliced into each subscriber's
    message, which has the same bytes as strawberry's own encoding. Also includes
    `fresh_subfield_cache`. Proposed in schema/subscription.py (EventExecutor) and server.py
    (PhanAnhGraphQL.encode_json).
    """
    original = subscription.EventExecutor.build_per_event_executor

    def build_per_event_executor(self: Any, payload: Any) -> Any:
        executor = original(self, payload)
        executor._relevant_sub_fields = {}
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
    encode_json = server.PhanAnhGraphQL.encode_json

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

    server.PhanAnhGraphQL.encode_json = encode_once  # type: ignore[method-assign]


@functools.lru_cache(maxsize=256)
def _is_subscription(query: str, name: str | None) -> bool:
    try:
        document = graphql.parse(query)
    except graphql.GraphQLError:
        return False
    return any(
        isinstance(node, graphql.OperationDefinitionNode)
        and node.operation is graphql.OperationType.SUBSCRIPTION
        and (name is None or (node.name is not None and node.name.value == name))
        for node in document.definitions
    )


@dataclass
class _Group:
    """Subscribers of one (query, variables, operation name, viewer): one stream for them all."""

    members: dict[tuple[int, str], tuple[Any, Any]] = field(default_factory=dict)
    done: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None


def grouped_feeds() -> None:
    """One GraphQL stream per group of identical subscriptions, each frame encoded once.

    A prototype of the design the fan-out row asks for: subscriptions with the same query,
    variables and viewer join one group; the group's single stream (the first member's
    connection context) executes each event once, JSON-encodes its payload once, and writes
    the frame to every member's socket in turn, as the baseline does. Each member's own task
    only waits; leaving (complete, or the socket closing) removes it, and the last one out
    stops the stream. Not production-ready: one slow socket delays its group, and the
    group's overflow closer (1013) points at its first member's socket. Includes
    `fresh_subfield_cache`.
    """
    fresh_subfield_cache()
    handler_class = transport_ws.BaseGraphQLTransportWSHandler
    original = handler_class.run_operation
    groups: dict[Any, _Group] = {}

    async def feed(key: Any, group: _Group, owner: Any, operation: Any) -> None:
        try:
            source = await owner.schema.stream(
                operation.query,
                variable_values=operation.variables,
                context_value=owner.context,
                root_value=owner.root_value,
                operation_name=operation.operation_name,
            )
            async with contextlib.aclosing(source):
                async for result in source:
                    if isinstance(result, PreExecutionError):
                        for handler, member in list(group.members.values()):
                            await handler._handle_pre_execution_error(member, result)
                        return
                    payload: dict[str, Any] = {"data": result.data}
                    if result.errors:
                        payload["errors"] = [error.formatted for error in result.errors]
                    if result.extensions:
                        payload["extensions"] = result.extensions
                    text = json.dumps(payload, separators=(",", ":"))
                    for handler, member in list(group.members.values()):
                        if member.completed:
                            continue
                        frame = f'{{"id":{json.dumps(member.id)},"type":"next","payload":{text}}}'
                        with contextlib.suppress(Exception):  # that socket is closing
                            await handler.websocket.ws.send_text(frame)
        finally:
            if groups.get(key) is group:
                del groups[key]
            group.done.set()

    async def run_operation(self: Any, operation: Any) -> None:
        if not _is_subscription(operation.query, operation.operation_name):
            await original(self, operation)
            return
        actor = getattr(self.context, "actor", None)
        key = (operation.query, _frozen(operation.variables), operation.operation_name, actor)
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group()
            group.task = asyncio.create_task(feed(key, group, self, operation))
        member = (id(self), operation.id)
        group.members[member] = (self, operation)
        try:
            await group.done.wait()
            await operation.send_operation_message({"id": operation.id, "type": "complete"})
        finally:
            group.members.pop(member, None)
            if not group.members and group.task is not None:
                group.task.cancel()

    handler_class.run_operation = run_operation  # type: ignore[method-assign]
