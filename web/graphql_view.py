"""The GraphQL endpoint: strawberry's ASGI app with our authentication, context and bounds.

Over HTTP the bearer token is checked before GraphQL runs, multipart requests must carry a
preflight header, each operation has a time limit, and the request's sessions are closed when
the response has gone. Over WebSocket the token comes in `connection_init`, and the connection
is tracked by account (realtime.connections) so that its rights can end.
"""

from __future__ import annotations

import asyncio
import logging
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema.base import BaseSchema
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL
from strawberry.types.unset import UNSET, UnsetType

from models.base import utcnow
from models.policy import ANONYMOUS
from realtime.connections import Connections
from resolvers.auth import AuthenticationError, authenticate, load_actor, read_bearer
from schema.context import Context
from schema.fanout import FeedGroups, GroupingTransportWSHandler
from settings import Settings
from web.unavailable import RETRY_AFTER_SECONDS, UNAVAILABLE_CODE

logger = logging.getLogger("phananh")

_request_contexts: ContextVar[list[Context] | None] = ContextVar("request_contexts", default=None)


ACTOR_KEY = "phananh.actor"


class PhanAnhGraphQL(GraphQL[Context, None]):
    """strawberry's ASGI app with our context and authentication.

    Over HTTP the bearer token is checked before GraphQL runs, and each request's session is
    closed when the response is sent; over WebSocket the token comes in `connection_init`.
    """

    # Identical subscriptions share one execution per event (schema.fanout).
    graphql_transport_ws_handler_class = GroupingTransportWSHandler

    def __init__(self, app: Starlette, schema: BaseSchema, **kwargs: Any) -> None:
        super().__init__(schema, **kwargs)
        self.app = app
        self.feed_groups = FeedGroups()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        state = self.app.state
        request = Request(scope)
        if _is_multipart(request) and not _has_preflight_header(request):
            await _csrf_refused()(scope, receive, send)
            return
        try:
            # Read engine: on SQLite the write engine's BEGIN IMMEDIATE would queue every
            # signed-in request behind writers just to read one account.
            scope[ACTOR_KEY] = await authenticate(
                state.read_sessions,
                state.settings.secret_key,
                request.headers.get("authorization"),
                utcnow(),
            )
        except AuthenticationError as exc:
            await _unauthenticated(str(exc))(scope, receive, send)
            return
        contexts: list[Context] = []
        token = _request_contexts.set(contexts)
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            async with asyncio.timeout(state.settings.operation_timeout_seconds):
                await super().__call__(scope, receive, tracking_send)
        except TimeoutError:
            logger.warning(
                "operation timed out after %s s", state.settings.operation_timeout_seconds
            )
            if not started:
                await _timed_out()(scope, receive, send)
        finally:
            _request_contexts.reset(token)
            for context in contexts:
                await context.db.close()

    def parse_json(self, data: str | bytes) -> Any:
        # strawberry turns only JSONDecodeError into a 400; bytes that are not UTF-8 and
        # nesting deeper than the decoder's recursion limit must not become a 500.
        try:
            return super().parse_json(data)
        except (ValueError, RecursionError) as exc:
            raise HTTPException(400, "Unable to parse request body as JSON") from exc

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        # The database was unreachable: 503 with Retry-After, so clients and proxies retry.
        errors = response_data.get("errors") if isinstance(response_data, dict) else None
        if any(
            isinstance(error, dict)
            and (error.get("extensions") or {}).get("code") == UNAVAILABLE_CODE
            for error in errors or []
        ):
            response.status_code = 503
            response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    async def get_context(self, request: Request | WebSocket, response: Any = None) -> Context:
        state = self.app.state
        client = request.client
        context = Context.create(
            state.settings,
            state.sessions,
            state.services,
            read_sessions=state.read_sessions,
            actor=request.scope.get(ACTOR_KEY, ANONYMOUS),
            client_ip=client.host if client else "unknown",
            request=request,
            response=response,
        )
        contexts = _request_contexts.get()
        if contexts is not None:
            contexts.append(context)
        return context

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        authorization = params.get("authorization") or params.get("Authorization")
        connections: Connections = self.app.state.connections
        websocket = context.request
        try:
            claims = read_bearer(
                context.settings.secret_key,
                authorization if isinstance(authorization, str) else None,
                utcnow(),
            )
            if claims is not None and isinstance(websocket, WebSocket):
                # Tracked before the account is read: a disable committed in between finds it.
                connections.add(websocket, claims.user_id, claims.expires_at)
            context.actor = await load_actor(self.app.state.read_sessions, claims)
        except AuthenticationError as exc:
            if isinstance(websocket, WebSocket):
                connections.discard(websocket)
            raise ConnectionRejectionError({"message": str(exc)}) from exc
        ack: UnsetType = UNSET
        return ack


# A browser form can post multipart data to another site without a preflight; it cannot add
# custom headers. Requiring one of these makes cross-site upload forgery impossible.
PREFLIGHT_HEADERS = ("apollo-require-preflight", "x-apollo-operation-name", "graphql-preflight")


def _is_multipart(request: Request) -> bool:
    return request.headers.get("content-type", "").lower().startswith("multipart/")


def _has_preflight_header(request: Request) -> bool:
    return any(request.headers.get(name) for name in PREFLIGHT_HEADERS)


def _csrf_refused() -> JSONResponse:
    message = "Multipart requests need a `GraphQL-Preflight: 1` header."
    body = {"data": None, "errors": [{"message": message, "extensions": {"code": "BAD_REQUEST"}}]}
    return JSONResponse(body, status_code=400)


def _timed_out() -> JSONResponse:
    message = "The operation took too long and was stopped. Ask for less, or try again."
    body = {"data": None, "errors": [{"message": message, "extensions": {"code": "TIMEOUT"}}]}
    return JSONResponse(body, status_code=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def _unauthenticated(message: str) -> JSONResponse:
    body = {
        "data": None,
        "errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}],
    }
    return JSONResponse(body, status_code=200)


def websocket_options(settings: Settings) -> dict[str, Any]:
    """Bounds for subscriptions: a short handshake, a cap per connection, keep-alive pings."""
    protocols = [GRAPHQL_TRANSPORT_WS_PROTOCOL]
    if settings.graphql_ws_legacy:
        protocols.append(GRAPHQL_WS_PROTOCOL)
    return {
        "subscription_protocols": protocols,
        "connection_init_wait_timeout": timedelta(seconds=settings.ws_init_timeout_seconds),
        "max_subscriptions_per_connection": 20,
        # `ka` messages of the legacy protocol; graphql-transport-ws relies on uvicorn's pings.
        "keep_alive": True,
        "keep_alive_interval": 20.0,
    }
