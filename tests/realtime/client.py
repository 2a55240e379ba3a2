"""A GraphQL-over-WebSocket test client for both protocols, on the `websockets` package."""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"
WAIT_SECONDS = 10.0

EVENT_FIELDS = "id cursor type toStatus note actorLabel"


class WSClient:
    """One connection: `subscribe` starts an operation, `event` waits for its next result."""

    def __init__(self, socket: ClientConnection, protocol: str) -> None:
        self.socket = socket
        self.protocol = protocol
        self._ids = itertools.count(1)
        self._inbox: dict[str, list[dict[str, Any]]] = {}

    @classmethod
    async def connect(
        cls, url: str, token: str | None = None, protocol: str = TRANSPORT_WS
    ) -> WSClient:
        """Open, send `connection_init` (with the bearer token) and wait for the ack."""
        socket = await connect(
            url,
            subprotocols=[protocol],  # type: ignore[list-item]
            open_timeout=WAIT_SECONDS,
            close_timeout=2,
            # Buffer everything: a bounded client queue stops reading the socket, and the
            # server's close frame would then wait behind unread events.
            max_queue=None,
        )
        client = cls(socket, protocol)
        payload = {"authorization": f"Bearer {token}"} if token else {}
        await client.send({"type": "connection_init", "payload": payload})
        message = await client.receive_control()
        assert message["type"] == "connection_ack", message
        return client

    async def send(self, message: dict[str, Any]) -> None:
        await self.socket.send(json.dumps(message))

    async def _receive(self) -> dict[str, Any]:
        async with asyncio.timeout(WAIT_SECONDS):
            while True:
                message: dict[str, Any] = json.loads(await self.socket.recv())
                if message["type"] == "ping":
                    await self.send({"type": "pong"})
                elif message["type"] not in {"pong", "ka"}:
                    return message

    async def receive_control(self) -> dict[str, Any]:
        """The next message that belongs to no operation (connection_ack, connection_error)."""
        while True:
            message = await self._receive()
            if "id" not in message:
                return message
            self._inbox.setdefault(message["id"], []).append(message)

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> str:
        operation_id = str(next(self._ids))
        kind = "subscribe" if self.protocol == TRANSPORT_WS else "start"
        payload = {"query": query, "variables": variables or {}}
        await self.send({"id": operation_id, "type": kind, "payload": payload})
        return operation_id

    async def message(self, operation_id: str) -> dict[str, Any]:
        """The next message of one operation, whatever its type."""
        while not self._inbox.get(operation_id):
            message = await self._receive()
            self._inbox.setdefault(message.get("id", ""), []).append(message)
        return self._inbox[operation_id].pop(0)

    async def event(self, operation_id: str) -> dict[str, Any]:
        """The next result's single root field, failing on errors or completion."""
        message = await self.message(operation_id)
        assert message["type"] in {"next", "data"}, message
        assert "errors" not in message["payload"], message["payload"]
        data: dict[str, Any] = message["payload"]["data"]
        (value,) = data.values()
        result: dict[str, Any] = value
        return result

    async def events(self, operation_id: str, count: int) -> list[dict[str, Any]]:
        return [await self.event(operation_id) for _ in range(count)]

    async def error_codes(self, operation_id: str) -> list[str]:
        """The error codes an operation ends with (an `error`, or a result with errors)."""
        message = await self.message(operation_id)
        payload = message["payload"]
        errors = payload if isinstance(payload, list) else payload.get("errors", [payload])
        return [error.get("extensions", {}).get("code") for error in errors]

    async def silent(self, operation_id: str, seconds: float) -> bool:
        """True when nothing arrives for the operation within `seconds`."""
        try:
            async with asyncio.timeout(seconds):
                await self.message(operation_id)
        except TimeoutError:
            return True
        return False

    async def closed_with(self) -> int | None:
        """Read until the server closes the connection; its close code."""
        try:
            async with asyncio.timeout(WAIT_SECONDS):
                while True:
                    await self.socket.recv()
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None

    async def close(self) -> None:
        await self.socket.close()
