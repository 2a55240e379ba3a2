"""The pub/sub broker that tells other processes "events were committed": memory or Redis.

The broker carries no event data, only the news, so a lost message delays delivery until the
next message or poll and never loses an event. With `memory://` there is one process and
nothing to carry. With Redis, publishing fails fast and listening reconnects with capped
exponential backoff: broadcaster's Redis backend neither reconnects (encode/broadcaster#144)
nor survives two subscribers joining an empty channel at once, so it is not used here.

The same channel carries a few control messages (`broadcast_control`), such as "end this
account's connections": they run in every process, this one included.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import Callable

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from web.metrics import BROKER_RECONNECTS

logger = logging.getLogger("phananh.broker")

READY_TIMEOUT_SECONDS = 2.0
# A publish happens after a mutation committed: it must fail fast, never hold the response.
PUBLISH_TIMEOUT_SECONDS = 1.0
# The listener pings an idle connection this often, so a silently dead one is noticed.
HEALTH_CHECK_SECONDS = 10
FIRST_BACKOFF_SECONDS = 0.1
MAX_BACKOFF_SECONDS = 5.0
# Marks a control message; event news are report ids, which never start with it.
CONTROL_MARK = "!"

ControlHandler = Callable[[str], None]


class Broker:
    """Publishes to and listens on one channel, `<prefix>events`."""

    def __init__(self, url: str, prefix: str = "phananh:") -> None:
        self.url = url
        self.channel = f"{prefix}events"
        # Other processes (and tests) find this process's listener by this name.
        self.listener_name = f"{prefix}pump".replace(" ", "_")
        self.listening = False
        self.subscriptions = 0  # how many times the listener (re)subscribed
        # Messages carry their sender, so a process ignores its own: it woke itself already.
        self.origin = uuid.uuid4().hex[:12]
        self._control_handlers: dict[str, list[ControlHandler]] = {}
        self._publisher: Redis | None = None
        if url.startswith("redis"):
            self._publisher = Redis.from_url(
                url,
                socket_connect_timeout=PUBLISH_TIMEOUT_SECONDS,
                socket_timeout=PUBLISH_TIMEOUT_SECONDS,
                retry=Retry(NoBackoff(), 0),
            )

    @property
    def is_memory(self) -> bool:
        return self._publisher is None

    async def connect(self) -> None:
        """Nothing to open up front: connections are made on first use and remade after loss."""

    async def disconnect(self) -> None:
        if self._publisher is not None:
            await self._publisher.aclose()

    async def is_ready(self) -> bool:
        if self._publisher is None:
            return True
        try:
            async with asyncio.timeout(READY_TIMEOUT_SECONDS):
                return bool(await self._publisher.ping())
        except Exception as exc:  # redis raises its own error classes for a lost connection
            logger.warning("broker not reachable: %s", exc)
            return False

    async def publish(self, message: str) -> None:
        """Tell other processes; raises when the broker cannot be reached."""
        if self._publisher is None:
            return
        async with asyncio.timeout(PUBLISH_TIMEOUT_SECONDS):
            await self._publisher.publish(self.channel, f"{self.origin} {message}")

    def on_control(self, kind: str, handler: ControlHandler) -> None:
        """Call `handler(value)` for every control message of `kind`, from any process."""
        self._control_handlers.setdefault(kind, []).append(handler)

    async def broadcast_control(self, kind: str, value: str) -> None:
        """Run `kind`'s handlers here, then in every other process.

        Raises when the broker cannot be reached; this process's handlers have run by then.
        """
        if " " in kind or not kind:
            raise ValueError(f"control kinds are single words, got {kind!r}")
        self._run_control(kind, value)
        await self.publish(f"{CONTROL_MARK}{kind} {value}")

    def _run_control(self, kind: str, value: str) -> None:
        for handler in self._control_handlers.get(kind, ()):
            try:
                handler(value)
            except Exception:  # one handler's bug must not stop the others or the listener
                logger.exception("control handler for %r failed", kind)

    def _received(self, data: bytes | str, on_message: Callable[[], None]) -> None:
        text = data.decode(errors="replace") if isinstance(data, bytes) else data
        _origin, _, body = text.partition(" ")
        if body.startswith(CONTROL_MARK):
            kind, _, value = body[len(CONTROL_MARK) :].partition(" ")
            self._run_control(kind, value)
        else:
            on_message()

    async def listen(
        self, on_message: Callable[[], None], on_connected: Callable[[], None]
    ) -> None:
        """Call `on_message` for every message, forever, reconnecting after any failure.

        `on_connected` runs after each (re)subscription: whatever was published while the
        connection was down is gone, so the caller catches up from the database.
        """
        if self._publisher is None:
            await asyncio.Event().wait()  # memory: nothing crosses processes
            return
        client = Redis.from_url(
            self.url,
            socket_connect_timeout=2.0,
            retry=Retry(NoBackoff(), 0),
            health_check_interval=HEALTH_CHECK_SECONDS,
            client_name=self.listener_name,
        )
        delay = FIRST_BACKOFF_SECONDS
        try:
            while True:
                if await self._listen_once(client, on_message, on_connected):
                    delay = FIRST_BACKOFF_SECONDS
                # Jitter keeps many processes from reconnecting in lockstep after a restart.
                await asyncio.sleep(delay * random.uniform(0.5, 1.0))
                delay = min(delay * 2, MAX_BACKOFF_SECONDS)
        finally:
            await client.aclose()

    def _is_own(self, data: bytes | str) -> bool:
        text = data.decode(errors="replace") if isinstance(data, bytes) else data
        return text.startswith(f"{self.origin} ")

    async def _listen_once(
        self, client: Redis, on_message: Callable[[], None], on_connected: Callable[[], None]
    ) -> bool:
        """One connection's life; True if it got as far as subscribing."""
        pubsub = client.pubsub()
        subscribed = False
        try:
            await pubsub.subscribe(self.channel)
            subscribed = self.listening = True
            self.subscriptions += 1
            if self.subscriptions > 1:
                BROKER_RECONNECTS.inc()
            logger.info("listening on %s", self.channel)
            on_connected()
            while True:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                if message is not None and not self._is_own(message["data"]):
                    self._received(message["data"], on_message)
                _honour_cancellation()
        except Exception as exc:  # any failure: drop this connection and make a new one
            logger.warning("broker connection lost (%s): reconnecting", type(exc).__name__)
        finally:
            self.listening = False
            try:
                await pubsub.aclose()
            except Exception:  # the connection is already broken; nothing more to release
                logger.debug("closing a broken pub/sub connection failed", exc_info=True)
        return subscribed


def _honour_cancellation() -> None:
    """Re-raise a cancellation that redis-py swallowed.

    Seen in the suite: a cancel landing while `get_message(timeout=...)` times out comes back
    as "no message", and the listener would then never stop.
    """
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
