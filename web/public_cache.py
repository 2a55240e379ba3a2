"""A short-lived cache of anonymous GraphQL reads: every anonymous visitor sees the same data.

The public map and list are read by many visitors with the same query. An anonymous `query`
(no `Authorization` header, a JSON body) is answered from this process's cache when the same
body was answered within `public_cache_seconds` and nothing was committed since: the event pump
counts every commit it hears of, from this process or (through the broker) from another, and an
entry is valid only for the count it was computed under. What changes without a report event
(an administrator renaming a category) shows after at most `public_cache_seconds`.

Only complete, error-free 200 responses are kept: an error may carry a request id, and a
partial answer must not outlive its cause.
"""

from __future__ import annotations

import functools
import json
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse
from prometheus_client import Counter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from schema.limits import MAX_TOKENS
from web.metrics import REGISTRY

MAX_KEY_BYTES = 16 * 1024
MAX_RESPONSE_BYTES = 2 * 1024 * 1024
MAX_ENTRIES = 512

LOOKUPS = Counter(
    "phananh_public_cache_lookups_total",
    "Anonymous GraphQL reads answered from the cache (hit) or executed (miss)",
    ["result"],
    registry=REGISTRY,
)


@dataclass(frozen=True)
class _Entry:
    stored_at: float
    generation: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


class PublicResponseCache:
    """Bodies of anonymous reads, valid for `ttl` seconds and for one commit generation."""

    def __init__(self, ttl: float, generation: Callable[[], int]) -> None:
        self.ttl = ttl
        self.generation = generation
        self._entries: OrderedDict[bytes, _Entry] = OrderedDict()

    def get(self, key: bytes) -> _Entry | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.generation != self.generation() or time.monotonic() - entry.stored_at > self.ttl:
            del self._entries[key]
            return None
        return entry

    def put(self, key: bytes, entry: _Entry) -> None:
        if entry.generation != self.generation():
            return  # something was committed while it was computed: it may already be stale
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > MAX_ENTRIES:
            self._entries.popitem(last=False)


@functools.lru_cache(maxsize=1024)
def _is_query(document: str, operation_name: str | None) -> bool:
    try:
        # Bounded as strawberry's own parse is (MaxTokensLimiter): this one runs first.
        definitions = parse(document, no_location=True, max_tokens=MAX_TOKENS).definitions
    except GraphQLError:
        return False
    operations = [d for d in definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    return len(operations) == 1 and operations[0].operation is OperationType.QUERY


def _cacheable_key(body: bytes) -> bytes | None:
    """The body itself when it is one anonymous-cacheable query; None otherwise."""
    if len(body) > MAX_KEY_BYTES:
        return None
    try:
        request = json.loads(body)
    except (ValueError, RecursionError):  # the app answers it with a 400
        return None
    if not isinstance(request, dict) or not isinstance(request.get("query"), str):
        return None
    name = request.get("operationName")
    if name is not None and not isinstance(name, str):
        return None
    return body if _is_query(request["query"], name) else None


def _is_clean(body: bytes) -> bool:
    try:
        response = json.loads(body)
    except (ValueError, RecursionError):  # the app answers it with a 400
        return False
    return isinstance(response, dict) and list(response) == ["data"]


class PublicCacheMiddleware:
    """Answers repeated anonymous reads of `path` from the app's `public_cache`, if it has one."""

    def __init__(self, app: ASGIApp, path: str = "/graphql") -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        cache: PublicResponseCache | None = getattr(scope["app"].state, "public_cache", None)
        if (
            cache is None
            or scope["type"] != "http"
            or scope["method"] != "POST"
            or scope["path"] != self.path
        ):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if b"authorization" in headers or content_type != b"application/json":
            await self.app(scope, receive, send)
            return
        body, replay = await _buffer(receive)
        key = None if body is None else _cacheable_key(body)
        if key is None:
            await self.app(scope, replay, send)
            return
        entry = cache.get(key)
        if entry is not None:
            LOOKUPS.labels("hit").inc()
            await send({"type": "http.response.start", "status": 200, "headers": entry.headers})
            await send({"type": "http.response.body", "body": entry.body})
            return
        LOOKUPS.labels("miss").inc()
        generation = cache.generation()
        started_at = time.monotonic()
        status = 0
        response_headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []
        size = 0

        async def recording_send(message: Message) -> None:
            nonlocal status, response_headers, size
            if message["type"] == "http.response.start":
                status = message["status"]
                response_headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body" and size <= MAX_RESPONSE_BYTES:
                chunk = message.get("body", b"")
                size += len(chunk)
                chunks.append(chunk)
            await send(message)

        await self.app(scope, replay, recording_send)
        answer = b"".join(chunks)
        if status == 200 and size <= MAX_RESPONSE_BYTES and _is_clean(answer):
            cache.put(key, _Entry(started_at, generation, response_headers, answer))


async def _buffer(receive: Receive) -> tuple[bytes | None, Receive]:
    """Read the whole request body (the body size limit runs outside), and a receive that
    hands it to the app again; no body if the client went away first."""
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            first: Message = message
            break
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            first = {"type": "http.request", "body": b"".join(parts), "more_body": False}
            break
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()  # http.disconnect, when the client goes away
        sent = True
        return first

    return (first["body"] if first["type"] == "http.request" else None), replay
