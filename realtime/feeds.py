"""One subscriber's bounded queue, and its stream: replay from the log, then live, in order."""

from __future__ import annotations

import asyncio
import enum
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING

from realtime.log import LoggedEvent, Position
from realtime.topics import FollowTopic, Topic
from web.metrics import FEEDS_CLOSED, event_delivered

if TYPE_CHECKING:
    from realtime.pump import EventPump

REPLAY_PAGE = 200


class CloseCode(enum.IntEnum):
    """WebSocket close codes after which clients reconnect and resume from their cursor."""

    SERVICE_RESTART = 1012  # the server is shutting down
    TRY_AGAIN_LATER = 1013  # this subscriber fell behind its bound


class SubscriberClosedError(Exception):
    def __init__(self, code: CloseCode) -> None:
        super().__init__(code.name)
        self.code = code


class Subscriber:
    """What the pump hands one subscription: events after `start`, at most `limit` waiting.

    The pump never waits for a subscriber. One that lets more than `limit` events pile up is
    closed (its queue dropped at once, so memory stays bounded) and `on_close` is called, which
    closes the socket with 1013 even while the sender is blocked on a stalled client.
    """

    def __init__(
        self,
        topic: Topic,
        start: Position,
        limit: int,
        on_close: Callable[[CloseCode], None] | None = None,
    ) -> None:
        self.topic = topic
        self.start = start
        self.limit = limit
        self.on_close = on_close
        self.closed: CloseCode | None = None
        self._items: deque[LoggedEvent] = deque()
        self._ready = asyncio.Event()

    def offer(self, item: LoggedEvent) -> None:
        if self.closed is not None or not self.topic.accepts(item):
            return
        if len(self._items) >= self.limit:
            self.close(CloseCode.TRY_AGAIN_LATER)
            return
        self._items.append(item)
        self._ready.set()

    def close(self, code: CloseCode) -> None:
        if self.closed is not None:
            return
        self.closed = code
        FEEDS_CLOSED.labels(str(int(code))).inc()
        self._items.clear()
        self._ready.set()
        if self.on_close is not None:
            self.on_close(code)

    async def next(self) -> LoggedEvent:
        while not self._items:
            if self.closed is not None:
                raise SubscriberClosedError(self.closed)
            self._ready.clear()
            await self._ready.wait()
        if self.closed is not None:
            raise SubscriberClosedError(self.closed)
        item = self._items.popleft()
        # Here for every feed, grouped (schema.fanout) or not: the event leaves the queue.
        event_delivered(item.event.at, live=True)
        return item


async def stream(
    pump: EventPump,
    topic: Topic,
    after: Position | None = None,
    on_close: Callable[[CloseCode], None] | None = None,
) -> AsyncIterator[LoggedEvent]:
    """Every event for `topic` after `after` (or from now), each exactly once, in log order.

    The subscriber registers first, so the pump queues everything after its position; the
    events between the cursor and that position are then replayed from the database. A cursor
    ahead of this process's pump (handed out by another process) skips what the client has.
    Raises SubscriberClosedError when the pump closes the subscriber.
    """
    subscriber = await pump.subscribe(topic, on_close)
    try:
        last = subscriber.start if after is None else after
        if after is not None and after < subscriber.start:
            async for item in _replay(pump, topic, after, subscriber.start):
                yield item
                last = item.position
        while True:
            item = await subscriber.next()
            if item.position > last:
                yield item
                last = item.position
    finally:
        pump.unsubscribe(subscriber)


async def _replay(
    pump: EventPump, topic: Topic, after: Position, upto: Position
) -> AsyncIterator[LoggedEvent]:
    position = after
    while True:
        page = await pump.log.read(
            position,
            limit=REPLAY_PAGE,
            upto=upto,
            conditions=topic.conditions(),
            followers=isinstance(topic, FollowTopic),
        )
        for item in page:
            if topic.accepts(item):
                event_delivered(item.event.at, live=False)
                yield item
        if len(page) < REPLAY_PAGE:
            return
        position = page[-1].position
