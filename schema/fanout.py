"""Shared live feeds: identical subscriptions run once, and each event is executed once for all.

Subscriptions over `graphql-transport-ws` with the same query, variables, operation name and
viewer (`Actor`: every anonymous visitor is the same one) join one `FeedGroup`. The group has
one pump subscriber and one GraphQL stream, run with a copy of its first member's context:
each event is executed once, its `next` payload JSON-encoded once, and the frame written to
every member. The viewer is part of the key because nested fields and the access policy depend
on it; the access policy still runs per event (realtime.topics), as for any feed.

- **Slow members.** A frame goes out at once from the group's task, as a broadcast loop would
  send it; a send that has to wait (its client stopped reading) is finished by a task of the
  member's own, and the member's next frames queue behind it in a bounded outbox. So one
  stalled client never holds its group: a member with more than `outbox_limit` frames waiting
  has its connection closed with 1013 (as a feed that falls behind the pump is), and the rest
  of the group goes on. If the group's own pump subscriber falls behind, or the pump stops
  (1012), every member's connection is closed with that code.
- **Errors stay with their member.** Nothing the group's stream yields before its feed has
  started (a bad argument, a refusal, a syntax error) is sent to anyone: every member waiting
  for that group runs its operation on its own instead, as an ungrouped subscription, and gets
  its own answer. After the start, results are the same for every member (same operation, same
  viewer), errors in them included.
- **Resume.** A member with `after` (as a variable) joins the group, and the group's frames for
  events up to the pump's position at that moment are dropped for it; it first replays the
  events between its cursor and that position through its own execution (its cursor checked
  as usual, its errors its own), meanwhile the group's later frames wait in its outbox, then
  they follow: nothing lost, nothing twice. A cursor written into the query text (not a
  variable) runs ungrouped.
- **Leaving.** `complete` or a closed connection removes a member; the last one out stops the
  group's stream and its pump subscriber.

The legacy `graphql-ws` protocol keeps strawberry's one stream per operation. Every feed of
schema.subscription must take its events through `_feed`, which asks `FEED_SOURCE` for them: a
group goes live (and lets its members in) when its feed starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import json
import logging
from collections import deque
from collections.abc import AsyncIterator, Coroutine, Hashable
from typing import Any, Protocol

import graphql
from graphql import (
    FieldNode,
    NonNullTypeNode,
    NullValueNode,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
)
from starlette.websockets import WebSocket
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
    _OperationStreamClosed,
)
from strawberry.types.execution import ExecutionResult, PreExecutionError
from strawberry.utils.aio import aclosing

from models.policy import Actor
from realtime.feeds import CloseCode, _replay
from realtime.log import LoggedEvent, Position
from realtime.pump import QUEUE_LIMIT, EventPump
from realtime.topics import Topic
from schema.context import Context
from schema.limits import MAX_QUERY_LENGTH, MAX_TOKENS
from schema.subscription import FEED_SOURCE, _socket_closer
from web.metrics import EVENTS_DELIVERED, FEEDS_CLOSED

logger = logging.getLogger("phananh.realtime")


@dataclasses.dataclass(frozen=True, slots=True)
class _Shape:
    """What a subscription document says about grouping it."""

    cursor_variable: str | None  # the variable given as the root field's `after`, if any


@dataclasses.dataclass(frozen=True, slots=True)
class Plan:
    """How one operation joins a group: the group's key and variables, and its own cursor."""

    query: str
    operation_name: str | None
    key: Hashable
    variables: dict[str, Any]  # the group's: the cursor variable, if any, set to null
    cursor: str | None


@functools.lru_cache(maxsize=512)
def _shape(query: str, operation_name: str | None) -> _Shape | None:
    """The subscription's shape, or None when it is not one this module groups."""
    if len(query) > MAX_QUERY_LENGTH:
        return None
    try:
        document = graphql.parse(query, no_location=True, max_tokens=MAX_TOKENS)
    except graphql.GraphQLError:
        return None  # strawberry reports it to the client
    operations = [
        node
        for node in document.definitions
        if isinstance(node, OperationDefinitionNode)
        and (
            operation_name is None or (node.name is not None and node.name.value == operation_name)
        )
    ]
    if len(operations) != 1 or operations[0].operation is not OperationType.SUBSCRIPTION:
        return None
    operation = operations[0]
    selections = operation.selection_set.selections
    if len(selections) != 1 or not isinstance(selections[0], FieldNode):
        return None
    after = next(
        (arg.value for arg in selections[0].arguments or () if arg.name.value == "after"), None
    )
    if after is None or isinstance(after, NullValueNode):
        return _Shape(None)
    if not isinstance(after, VariableNode):
        return None  # a literal cursor: this subscription resumes alone
    name = after.name.value
    # The group runs with that variable set to null: it must be nullable and mean only `after`.
    definition = next(
        (d for d in operation.variable_definitions or () if d.variable.name.value == name), None
    )
    if definition is None or isinstance(definition.type, NonNullTypeNode):
        return None
    if _variable_uses(document, name) != 1:
        return None
    return _Shape(name)


def _variable_uses(document: graphql.DocumentNode, name: str) -> int:
    uses = 0

    class Counter(graphql.Visitor):
        def enter_variable(self, node: VariableNode, *_args: Any) -> None:
            nonlocal uses
            uses += node.name.value == name

        def enter_variable_definition(self, *_args: Any) -> Any:
            return graphql.SKIP  # the definition is not a use

    graphql.visit(document, Counter())
    return uses


def plan(operation: Operation[Context, None], actor: Actor) -> Plan | None:
    """The group this operation may join, or None if it must run on its own."""
    shape = _shape(operation.query, operation.operation_name)
    if shape is None:
        return None
    variables = dict(operation.variables or {})
    cursor: str | None = None
    if shape.cursor_variable is not None:
        value = variables.get(shape.cursor_variable)
        if value is not None and not isinstance(value, str):
            return None  # a wrong type: strawberry's own error, for this operation alone
        cursor = value
        variables[shape.cursor_variable] = None
    try:
        frozen = json.dumps(variables, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):
        return None
    key = (operation.query, frozen, operation.operation_name, actor)
    return Plan(operation.query, operation.operation_name, key, variables, cursor)


class _Encoder(Protocol):
    def __call__(self, data: object) -> str | bytes: ...


async def _finish(coroutine: Coroutine[Any, Any, None], waiting: object) -> None:
    """Run a coroutine started by hand (`send(None)`) to its end, as a task would have.

    `waiting` is what it yielded: a future it waits for, or None to be resumed soon.
    """
    try:
        while True:
            if waiting is None:
                await asyncio.sleep(0)
            elif asyncio.isfuture(waiting):
                await asyncio.wait((waiting,))  # its outcome is the coroutine's to read
            else:
                raise RuntimeError(f"a send yielded {waiting!r}")
            waiting = coroutine.send(None)
    except StopIteration:
        return
    except BaseException:
        coroutine.close()  # cancelled, or a bad yield: its own clean-up runs
        raise


class Member:
    """One subscription in a group: its socket, its outbox, and the frames it still skips."""

    def __init__(self, websocket: WebSocket, operation_id: str, limit: int) -> None:
        self.websocket = websocket
        self.prefix = '{"id":' + json.dumps(operation_id) + ',"type":"next","payload":'
        self.limit = limit
        # While it replays from its cursor, the group's frames wait here, with their positions.
        self.catching_up = False
        self.held: deque[tuple[Position | None, str]] = deque()
        self.skip_upto: Position | None = None  # frames of events up to here came by replay
        self.outbox: deque[str] = deque()
        self.sender: asyncio.Task[None] | None = None
        self.closed: CloseCode | None = None
        self.finished = asyncio.Event()  # closed, or the group's stream ended

    def deliver(self, position: Position | None, payload: str) -> None:
        """Send one frame, or queue it behind those waiting; never waits itself. Over the
        bound, the connection is closed with 1013."""
        if self.closed is not None:
            return
        if self.skip_upto is not None and position is not None and position <= self.skip_upto:
            return
        if self.catching_up or self.sender is not None:
            if len(self.outbox) + len(self.held) >= self.limit:
                FEEDS_CLOSED.labels(str(int(CloseCode.TRY_AGAIN_LATER))).inc()
                self.close(CloseCode.TRY_AGAIN_LATER)
            elif self.catching_up:
                self.held.append((position, payload))
            else:
                self.outbox.append(payload)
            return
        # Nothing waits for this socket: the frame goes out now, in the group's task, as a
        # broadcast loop would send it; only a send that has to wait gets a task of its own.
        send = self.websocket.send_text(self.prefix + payload + "}")
        try:
            waiting = send.send(None)
        except StopIteration:
            return
        except Exception:  # the socket is gone: nothing more for it, its handler is closing too
            self.finished.set()
            return
        self.sender = asyncio.create_task(self._send(send, waiting))

    def caught_up(self) -> None:
        """The replay is sent: the frames that waited behind it follow, then live ones."""
        self.catching_up = False
        held, self.held = self.held, deque()
        for position, payload in held:
            self.deliver(position, payload)

    async def _send(self, started: Coroutine[Any, Any, None], waiting: object) -> None:
        """Finish a send that had to wait, then send what queued up behind it."""
        try:
            await _finish(started, waiting)
            while self.outbox and self.closed is None:
                await self.websocket.send_text(self.prefix + self.outbox.popleft() + "}")
        except Exception:  # the socket is gone: nothing more for it, its handler is closing too
            self.outbox.clear()
            self.finished.set()
        finally:
            self.sender = None

    async def flush(self) -> None:
        while self.sender is not None:
            await self.sender

    def close(self, code: CloseCode) -> None:
        """Close the member's whole connection: its client reconnects and resumes."""
        if self.closed is not None:
            return
        self.closed = code
        self.outbox.clear()
        self.held.clear()
        closer = _socket_closer(self.websocket)
        if closer is not None:
            closer(code)
        self.finished.set()

    def stop(self) -> None:
        if self.sender is not None:
            self.sender.cancel()
        self.outbox.clear()
        self.held.clear()


class FeedGroup:
    """Identical subscriptions: one stream, one execution and one encoding per event."""

    def __init__(self, groups: FeedGroups, key: Hashable) -> None:
        self.groups = groups
        self.key = key
        self.members: dict[Member, None] = {}  # in joining order
        self.live = False  # the feed has started: the subscription was accepted
        self.ended = False
        self.closed: CloseCode | None = None
        self.pump: EventPump | None = None
        self.position: Position | None = None  # of the event whose result is being made
        self.changed = asyncio.Event()  # live, or ended
        self.task: asyncio.Task[None] | None = None

    def start(self, handler: BaseGraphQLTransportWSHandler[Context, None], plan: Plan) -> None:
        # The first member's context, without its socket: the group's closes go to every member.
        context = dataclasses.replace(handler.context, request=None, response=None)
        self.task = asyncio.create_task(
            self._run(handler, context, plan), name="phananh-feed-group"
        )

    async def _run(
        self,
        handler: BaseGraphQLTransportWSHandler[Context, None],
        context: Context,
        plan: Plan,
    ) -> None:
        FEED_SOURCE.set(self._stream)  # for this task only: the feed it runs is the group's
        encode: _Encoder = handler.view.encode_json
        try:
            source = await handler.schema.stream(
                plan.query,
                variable_values=plan.variables,
                context_value=context,
                root_value=handler.root_value,
                operation_name=plan.operation_name,
            )
            async with aclosing(source):
                async for result in source:
                    if not self.live or not isinstance(result, ExecutionResult):
                        return  # refused before its feed started: each member runs alone
                    payload: dict[str, object] = {"data": result.data}
                    if result.errors:
                        payload["errors"] = [error.formatted for error in result.errors]
                    if result.extensions:
                        payload["extensions"] = result.extensions
                    text = encode(payload)
                    if isinstance(text, bytes):
                        text = text.decode()
                    members = list(self.members)
                    for member in members:
                        member.deliver(self.position, text)
                    # The group's pump subscriber counted one delivery: the others got it too.
                    if len(members) > 1:
                        EVENTS_DELIVERED.labels("live").inc(len(members) - 1)
        except Exception:
            logger.exception("a shared feed failed")
        finally:
            self.ended = True
            self.groups.forget(self)
            self.changed.set()
            for member in self.members:
                member.finished.set()

    async def _stream(
        self, pump: EventPump, topic: Topic, after: Position | None
    ) -> AsyncIterator[LoggedEvent]:
        """The group's feed: live events from its own pump subscriber, each recorded."""
        assert after is None, "a group's stream never resumes"
        subscriber = await pump.subscribe(topic, self.close)
        self.pump = pump
        self.live = True
        self.changed.set()
        try:
            last = subscriber.start
            while True:
                item = await subscriber.next()
                if item.position > last:
                    self.position = last = item.position
                    yield item
        finally:
            pump.unsubscribe(subscriber)

    def close(self, code: CloseCode) -> None:
        """The pump closed the group's subscriber (fell behind, or shutting down)."""
        self.closed = code
        self.groups.forget(self)  # a subscription arriving now starts a new group
        # The pump counted its one subscriber: every member's feed is closed with it.
        if len(self.members) > 1:
            FEEDS_CLOSED.labels(str(int(code))).inc(len(self.members) - 1)
        for member in list(self.members):
            member.close(code)

    def leave(self, member: Member) -> None:
        self.members.pop(member, None)
        member.stop()
        if not self.members and self.task is not None:
            self.groups.forget(self)  # a newcomer now starts a new group
            self.task.cancel()


class FeedGroups:
    """This process's groups, by key."""

    def __init__(self, outbox_limit: int = QUEUE_LIMIT) -> None:
        self.outbox_limit = outbox_limit
        self._groups: dict[Hashable, FeedGroup] = {}

    def __len__(self) -> int:
        return len(self._groups)

    @property
    def shared_members(self) -> int:
        """Members beyond the first of every started group: with the pump's subscriber count,
        the number of feeds this process serves."""
        groups = self._groups.values()
        return sum(len(group.members) - 1 for group in groups if group.live and not group.ended)

    def forget(self, group: FeedGroup) -> None:
        if self._groups.get(group.key) is group:
            del self._groups[group.key]

    async def serve(
        self,
        handler: BaseGraphQLTransportWSHandler[Context, None],
        operation: Operation[Context, None],
        plan: Plan,
    ) -> bool:
        """Run `operation` as a member of its group; False if it must run on its own."""
        group = self._groups.get(plan.key)
        if group is None:
            group = self._groups[plan.key] = FeedGroup(self, plan.key)
            group.start(handler, plan)
        websocket: WebSocket = handler.websocket.ws  # type: ignore[attr-defined]
        member = Member(websocket, operation.id, self.outbox_limit)
        group.members[member] = None
        try:
            while not group.live and not group.ended:
                await group.changed.wait()
            if not group.live or group.closed is not None:
                return False  # refused before its start, or just closed: run it alone
            if plan.cursor is not None and not await self._catch_up(
                handler, operation, group, member
            ):
                return True
            await member.finished.wait()
            if member.closed is None and group.closed is None:
                # The group's stream ended by itself: as strawberry would, say so after its frames.
                await member.flush()
                with contextlib.suppress(Exception):  # the client has gone
                    await operation.send_operation_message({"id": operation.id, "type": "complete"})
        finally:
            group.leave(member)
        return True

    async def _catch_up(
        self,
        handler: BaseGraphQLTransportWSHandler[Context, None],
        operation: Operation[Context, None],
        group: FeedGroup,
        member: Member,
    ) -> bool:
        """Replay the member's events from its cursor up to where the group took over.

        False when the operation ended instead (its own error, or the socket closing).
        """
        assert group.pump is not None
        # No wait since joining: the group's frames of events after `upto` reach the member.
        upto = group.pump.position
        member.skip_upto = upto
        member.catching_up = True

        def replay(
            pump: EventPump, topic: Topic, after: Position | None
        ) -> AsyncIterator[LoggedEvent]:
            assert after is not None
            if after >= upto:  # a cursor ahead of this process's pump: skip what the client has
                member.skip_upto = after
            return _replay(pump, topic, after, upto)

        # Set for the whole iteration: async generators run in the iterating task's context.
        token = FEED_SOURCE.set(replay)
        try:
            source = await handler.schema.stream(
                operation.query,
                variable_values=operation.variables,
                context_value=handler.context,
                root_value=handler.root_value,
                operation_name=operation.operation_name,
            )
            async with aclosing(source):
                async for result in source:
                    if member.closed is not None:
                        return False
                    if not isinstance(result, ExecutionResult):
                        return False  # incremental delivery: not for subscriptions
                    if isinstance(result, PreExecutionError):
                        # Its own cursor or rights: for this member only, as strawberry would.
                        await handler._handle_pre_execution_error(operation, result)
                        return False
                    await operation.send_next(result)
                    if result.data is None:  # the replay failed: the operation ends, as alone
                        await operation.send_operation_message(
                            {"id": operation.id, "type": "complete"}
                        )
                        return False
        finally:
            FEED_SOURCE.reset(token)
        member.caught_up()
        return member.closed is None


class _HasFeedGroups(Protocol):
    feed_groups: FeedGroups


class GroupingTransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """strawberry's `graphql-transport-ws` handler, with subscriptions served by groups."""

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        view: _HasFeedGroups = self.view  # type: ignore[assignment]
        planned = plan(operation, self.context.actor)
        if planned is not None:
            try:
                if await view.feed_groups.serve(self, operation, planned):
                    return
            except _OperationStreamClosed:  # a pre-execution error closed the socket (4400)
                return
        await super().run_operation(operation)
