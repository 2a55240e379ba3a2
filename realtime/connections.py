"""This process's signed-in WebSocket connections, by account: how a connection's rights end.

A connection is authenticated once, in `connection_init`, and its actor serves every operation
on it afterwards. So its rights must end from outside: when its access token expires, and when
an administrator disables the account, in whichever process the connection lives (the disable
travels as a broker control message). Either way the whole connection is closed with 4403, the
code of a refused token: clients reconnect with a fresh token (or are refused) and resume their
feeds from their cursors. Closing the connection, rather than its feeds one by one, also ends
queries and mutations sent over it, and works however its feeds are executed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from datetime import datetime

from starlette.websockets import WebSocket

from models.base import utcnow
from realtime.broker import Broker

logger = logging.getLogger("phananh.realtime")

# graphql-transport-ws's "Forbidden": the reference client and the console retry with new
# connection params, which is how a fresh access token gets in.
RIGHTS_ENDED = 4403
END_ACCOUNT = "end-account"
TOKEN_EXPIRED = "The access token has expired: reconnect with a new one."
ACCOUNT_DISABLED = "The account was disabled."


class Connections:
    """Open connections by account, held weakly: a closed connection needs no unregistering."""

    def __init__(self) -> None:
        self._accounts: weakref.WeakKeyDictionary[WebSocket, int] = weakref.WeakKeyDictionary()
        self._closing: set[asyncio.Task[None]] = set()

    def listen_to(self, broker: Broker) -> None:
        broker.on_control(END_ACCOUNT, self._end_account_heard)

    def _end_account_heard(self, value: str) -> None:
        self.end_account(int(value))

    def __len__(self) -> int:
        return len(self._accounts)

    def add(self, websocket: WebSocket, user_id: int, expires_at: datetime) -> None:
        """Track a connection signed in as `user_id` until its token expires at `expires_at`."""
        self._accounts[websocket] = user_id
        delay = max(0.0, (expires_at - utcnow()).total_seconds())
        # Weakly, so that a connection closed long before its token expires is freed at once.
        reference = weakref.ref(websocket)
        asyncio.get_running_loop().call_later(delay, self._expired, reference)

    def discard(self, websocket: WebSocket) -> None:
        self._accounts.pop(websocket, None)

    def end_account(self, user_id: int) -> int:
        """Close every connection of `user_id` in this process; how many there were."""
        ended = [socket for socket, owner in list(self._accounts.items()) if owner == user_id]
        for websocket in ended:
            self._close(websocket, ACCOUNT_DISABLED)
        if ended:
            logger.info("closed %d connection(s) of a disabled account", len(ended))
        return len(ended)

    def _expired(self, reference: weakref.ref[WebSocket]) -> None:
        websocket = reference()
        if websocket is not None and websocket in self._accounts:
            self._close(websocket, TOKEN_EXPIRED)

    def _close(self, websocket: WebSocket, reason: str) -> None:
        self.discard(websocket)
        # A task of its own: the caller (a timer, the broker's listener) cannot wait, and the
        # close must go out even while the connection's sender is blocked on a slow client.
        task = asyncio.create_task(_close(websocket, reason))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)


async def _close(websocket: WebSocket, reason: str) -> None:
    with contextlib.suppress(Exception):  # already closed by the client or the server
        await websocket.close(code=RIGHTS_ENDED, reason=reason)


async def end_account_everywhere(broker: Broker, user_id: int) -> None:
    """Close the account's connections in every process; never raises (the disable stands).

    If the broker is unreachable, connections in other processes last until their access
    token expires, at most its lifetime: every new connection reads the account afresh.
    """
    try:
        await broker.broadcast_control(END_ACCOUNT, str(user_id))
    except Exception:  # the broker being down must not fail a committed mutation
        logger.warning("could not tell other processes to end account %s", user_id, exc_info=True)
