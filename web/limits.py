"""Request body caps enforced while the body streams in, before anything reads it whole."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

JSON_BODY_LIMIT = 1024 * 1024  # a GraphQL query with variables: 1 MiB is generous
MULTIPART_BODY_LIMIT = 5 * 50 * 1024 * 1024 + 1024 * 1024  # five videos and the operation
DRAIN_LIMIT = 16 * 1024 * 1024


class BodyTooLargeError(Exception):
    """Raised inside the app's receive() when the client sends more than allowed."""


class BodySizeLimitMiddleware:
    """413 for a declared Content-Length over the cap; a stream cut off at the cap otherwise."""

    def __init__(
        self,
        app: ASGIApp,
        json_limit: int = JSON_BODY_LIMIT,
        multipart_limit: int = MULTIPART_BODY_LIMIT,
    ) -> None:
        self.app = app
        self.json_limit = json_limit
        self.multipart_limit = multipart_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        content_type = headers.get(b"content-type", b"").decode("latin-1").lower()
        limit = self.multipart_limit if content_type.startswith("multipart/") else self.json_limit
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                too_large = int(declared) > limit
            except ValueError:
                too_large = True
            if too_large:
                # A proxy still sending the body would see the connection drop and answer
                # 502: a modest body is read and discarded (never kept) before the 413.
                if declared.isdigit() and int(declared) <= DRAIN_LIMIT:
                    await _discard_body(receive)
                await _reject(send, limit)
                return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLargeError
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLargeError:
            if not started:
                await _reject(send, limit)


async def _discard_body(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return


async def _reject(send: Send, limit: int) -> None:
    body = f"Request body larger than {limit} bytes.".encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
