"""503 for a database that cannot be reached, instead of a 500: the client should retry.

GraphQL errors of that kind carry `extensions.code = SERVICE_UNAVAILABLE` (schema.root); this
middleware answers the same for a failure outside GraphQL (reading the account behind a bearer
token, media, exports, Open311) as long as no response has started; a WebSocket whose
`connection_init` could not be checked is closed with 1013, after which clients come back.
"""

from __future__ import annotations

import logging

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from models.db import is_unavailable

logger = logging.getLogger("phananh.database")

UNAVAILABLE_CODE = "SERVICE_UNAVAILABLE"
UNAVAILABLE_MESSAGE = "The service is briefly unavailable. Try again in a few seconds."
RETRY_AFTER_SECONDS = 5


def unavailable_response() -> JSONResponse:
    body = {
        "data": None,
        "errors": [{"message": UNAVAILABLE_MESSAGE, "extensions": {"code": UNAVAILABLE_CODE}}],
    }
    return JSONResponse(body, status_code=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


class DatabaseUnavailableMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if started or not is_unavailable(exc):
                raise
            # An outage, not a bug: one line without a traceback, the request id added by the
            # log formatter.
            logger.warning("database unavailable: %s", type(exc).__name__)
            await unavailable_response()(scope, receive, send)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Reading the account at `connection_init` failed: close with 1013 (try again later),
        after which graphql-ws clients reconnect, rather than drop the socket (1006)."""
        accepted = closed = False

        async def tracking_send(message: Message) -> None:
            nonlocal accepted, closed
            accepted = accepted or message["type"] == "websocket.accept"
            closed = closed or message["type"] == "websocket.close"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if not accepted or closed or not is_unavailable(exc):
                raise
            logger.warning(
                "database unavailable: %s (WebSocket closed with 1013)", type(exc).__name__
            )
            await send({"type": "websocket.close", "code": 1013, "reason": "Try again later"})
