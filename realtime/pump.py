"""The per-process event pump: one reader of the event log that fans events out to subscribers.

It wakes when this process commits, when the broker says another process did, and on a poll
timer as a safety net for lost messages. Each wake-up reads every new stable event in one
statement per batch (policy data joined in) and offers it to every local subscriber's bounded
queue, so the database work for an event is done once however many subscribers watch it.
While nobody subscribes it reads nothing at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable

from realtime.broker import Broker
from realtime.feeds import CloseCode, Subscriber, stream
from realtime.log import START, EventLog, LoggedEvent, Position
from realtime.topics import Topic
from web.metrics import EVENT_LOG_READ_FAILURES

logger = logging.getLogger("phananh.realtime")

POLL_SECONDS = 1.5
BATCH_SIZE = 500
QUEUE_LIMIT = 1000
# While committed events wait behind an older running transaction, look again soon.
PENDING_FIRST_SECONDS = 0.05
MAX_FAILURE_BACKOFF_SECONDS = 5.0
STOP_SECONDS = 5.0


class EventPump:
    """Owns this process's position in the log and its set of subscribers."""

    def __init__(
        self,
        log: EventLog,
        broker: Broker,
        *,
        poll_seconds: float = POLL_SECONDS,
        batch_size: int = BATCH_SIZE,
        queue_limit: int = QUEUE_LIMIT,
    ) -> None:
        self.log = log
        self.broker = broker
        self.poll_seconds = poll_seconds
        self.batch_size = batch_size
        self.queue_limit = queue_limit
        self.position: Position = START
        # Commits heard of so far (here or, through the broker, elsewhere): what cached public
        # responses are checked against (web.public_cache).
        self.wakes = 0
        self._wakeup = asyncio.Event()
        self._subscribers: set[Subscriber] = set()
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    async def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._run(), name="event-pump"),
            asyncio.create_task(self.broker.listen(self.wake, self.wake), name="event-listener"),
        ]

    async def stop(self) -> None:
        """Close every subscriber with 1012 (clients reconnect and resume), then stop."""
        for subscriber in list(self._subscribers):
            subscriber.close(CloseCode.SERVICE_RESTART)
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            # Bounded: a task that swallows its cancellation must not hold up the shutdown.
            stopped, stuck = await asyncio.wait(self._tasks, timeout=STOP_SECONDS)
            for task in stopped:
                if not task.cancelled() and task.exception() is not None:
                    logger.error("%s had failed", task.get_name(), exc_info=task.exception())
            for task in stuck:
                logger.error("%s did not stop within %s s", task.get_name(), STOP_SECONDS)
        self._tasks = []

    def wake(self) -> None:
        """Something was committed: read the log soon. Cheap, idempotent, never blocks."""
        self.wakes += 1
        self._wakeup.set()

    def stream(
        self,
        topic: Topic,
        after: Position | None = None,
        on_close: Callable[[CloseCode], None] | None = None,
    ) -> AsyncIterator[LoggedEvent]:
        return stream(self, topic, after, on_close)

    async def subscribe(
        self, topic: Topic, on_close: Callable[[CloseCode], None] | None = None
    ) -> Subscriber:
        """Register a subscriber: it receives every event after the pump's current position."""
        if not self._subscribers:
            # An idle pump reads nothing, so its position is old: start from the head.
            head = await self.log.head()
            if not self._subscribers:  # else one joined meanwhile and the pump reads for it
                self.position = max(self.position, head)
        # No await between reading the position and joining the set: the pump cannot read
        # a batch in between, so the subscriber misses nothing after `start`.
        subscriber = Subscriber(topic, self.position, self.queue_limit, on_close)
        self._subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.discard(subscriber)

    async def _run(self) -> None:
        failures = 0
        pending_delay = PENDING_FIRST_SECONDS
        while True:
            delay = self.poll_seconds
            try:
                pending = await self._drain()
            except Exception:  # the database is down or restarting: keep trying, with backoff
                failures += 1
                EVENT_LOG_READ_FAILURES.inc()
                delay = min(self.poll_seconds * failures, MAX_FAILURE_BACKOFF_SECONDS)
                # The traceback once per outage; then a line per retry, not a page.
                logger.warning(
                    "reading the event log failed (%d)", failures, exc_info=failures == 1
                )
            else:
                failures = 0
                if pending:
                    delay, pending_delay = pending_delay, min(pending_delay * 2, self.poll_seconds)
                else:
                    pending_delay = PENDING_FIRST_SECONDS
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await self._wakeup.wait()
            self._wakeup.clear()

    async def _drain(self) -> bool:
        """Read and fan out everything stable; True if newer events still wait to be stable."""
        if not self._subscribers:
            # Nobody listens: no query at all (`subscribe` catches up with the head).
            return False
        while True:
            batch = await self.log.read(self.position, limit=self.batch_size)
            subscribers = list(self._subscribers)
            for item in batch:
                for subscriber in subscribers:
                    subscriber.offer(item)
            if batch:
                # Never backwards: a subscriber arriving at an idle pump may have moved the
                # position to the log's head while this read was in flight.
                self.position = max(self.position, batch[-1].position)
            if len(batch) < self.batch_size:
                break
        return await self.log.has_pending(self.position)
