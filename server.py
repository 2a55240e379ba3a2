"""The application: `create_app(settings)` builds the Starlette app; `python server.py` runs it."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import logging
import os
import sys
from collections.abc import AsyncIterator
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

import uvicorn
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema.base import BaseSchema
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL
from strawberry.types.unset import UNSET, UnsetType

from models.base import utcnow
from models.db import create_engine, create_session_factory
from models.errors import DomainError
from models.media import MediaStore
from models.migrate import is_at_head, upgrade_to_head
from models.policy import ANONYMOUS
from open311.routes import routes as open311_routes
from realtime.broker import Broker
from realtime.connections import Connections
from realtime.log import EventLog
from realtime.publisher import EventPublisher
from realtime.pump import EventPump
from resolvers import admin, scheduler
from resolvers.auth import AuthenticationError, authenticate, load_actor, read_bearer
from resolvers.export import export_reports_csv
from resolvers.media import find_media
from resolvers.services import Services
from resolvers.sms import CodeSender, LogCodeSender, MemoryCodeSender
from resolvers.throttle import MemoryThrottle, RedisThrottle, Throttle
from schema.context import Context
from schema.fanout import FeedGroups, GroupingTransportWSHandler
from schema.root import create_schema
from settings import Settings, SettingsError
from web.console import routes as console_routes
from web.limits import BodySizeLimitMiddleware
from web.logs import configure_logging, uvicorn_log_config
from web.metrics import MetricsMiddleware, metrics_endpoint, record_readiness
from web.public_cache import PublicCacheMiddleware, PublicResponseCache
from web.request_id import RequestIdMiddleware
from web.security import SecurityHeadersMiddleware
from web.unavailable import RETRY_AFTER_SECONDS, UNAVAILABLE_CODE, DatabaseUnavailableMiddleware

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
            scope[ACTOR_KEY] = await authenticate(
                state.sessions,
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
            context.actor = await load_actor(context.sessions, claims)
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
    return JSONResponse(body, status_code=503, headers={"Retry-After": "5"})


def _unauthenticated(message: str) -> JSONResponse:
    body = {
        "data": None,
        "errors": [{"message": message, "extensions": {"code": "UNAUTHENTICATED"}}],
    }
    return JSONResponse(body, status_code=200)


async def healthz(_request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


async def readyz(request: Request) -> JSONResponse:
    """Ready when the database answers at the current migration and the broker is reachable."""
    state = request.app.state
    checks = {"database": False, "migrations": False, "broker": False}
    try:
        async with asyncio.timeout(2.0), state.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        checks["database"] = True
        checks["migrations"] = await is_at_head(state.engine)
    except Exception as exc:  # any failure means "not ready"; the reason goes to the log only
        logger.warning("readiness: database check failed: %s", type(exc).__name__)
    checks["broker"] = await state.broker.is_ready()
    record_readiness(checks)
    ready = all(checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "unavailable", "checks": checks},
        status_code=200 if ready else 503,
    )


async def media(request: Request) -> Response:
    """An attachment, if the caller may see it; private ones are never cached by proxies."""
    state = request.app.state
    try:
        actor = await authenticate(
            state.sessions,
            state.settings.secret_key,
            request.headers.get("authorization"),
            utcnow(),
        )
    except AuthenticationError:
        return PlainTextResponse("Unauthenticated", status_code=401)
    found = await find_media(
        state.read_sessions,
        MediaStore(state.settings.media_dir),
        actor,
        request.path_params["attachment_id"],
    )
    if found is None:
        return PlainTextResponse("Not found", status_code=404)
    cache = "public, max-age=86400" if found.public else "private, no-store"
    return FileResponse(
        found.path,
        media_type=found.content_type,
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": cache},
    )


def _start_scheduler(app: Starlette) -> asyncio.Task[None] | None:
    state = app.state
    settings: Settings = state.settings
    if settings.scheduler_interval_seconds == 0:
        return None
    context = Context.create(
        settings, state.sessions, state.services, read_sessions=state.read_sessions
    )
    return asyncio.create_task(
        scheduler.run_forever(
            context,
            settings.scheduler_interval_seconds,
            timedelta(days=settings.auto_close_days),
        ),
        name="phananh-scheduler",
    )


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if settings.auto_migrate:
            # Migrations may rewrite large tables: they run without the statement timeout.
            migrator = create_engine(settings.database_url)
            await upgrade_to_head(migrator)
            await migrator.dispose()
        timeout = settings.statement_timeout_ms
        engine = create_engine(settings.database_url, statement_timeout_ms=timeout)
        write_engine = (
            create_engine(settings.database_url, for_writes=True) if settings.is_sqlite else engine
        )
        sessions = create_session_factory(write_engine)
        if settings.demo_data:
            await _seed(sessions)
        broker = Broker(settings.broadcast_url, settings.redis_prefix)
        await broker.connect()
        throttle: Throttle = (
            MemoryThrottle()
            if settings.is_memory_broker
            else RedisThrottle(settings.broadcast_url, settings.redis_prefix)
        )
        sms: CodeSender = MemoryCodeSender() if settings.sms_sender == "memory" else LogCodeSender()
        app.state.engine = engine
        app.state.sessions = sessions
        app.state.read_sessions = create_session_factory(engine)
        app.state.broker = broker
        # One pump per process reads the event log for every subscription (realtime.pump).
        pump = EventPump(EventLog(app.state.read_sessions, postgres=not settings.is_sqlite), broker)
        await pump.start()
        app.state.pump = pump
        # Signed-in WebSockets, closed when their token expires or their account is disabled.
        app.state.connections = Connections()
        app.state.connections.listen_to(broker)
        if settings.public_cache_seconds > 0:
            app.state.public_cache = PublicResponseCache(
                settings.public_cache_seconds, lambda: pump.wakes
            )
        app.state.services = Services(
            throttle=throttle, sms=sms, events=EventPublisher(broker, pump)
        )
        duties = _start_scheduler(app)
        try:
            yield
        finally:
            # Feeds still open are closed with 1012: their clients reconnect and resume.
            await pump.stop()
            if duties is not None:
                duties.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await duties
            if isinstance(throttle, RedisThrottle):
                await throttle.close()
            await broker.disconnect()
            await engine.dispose()
            await write_engine.dispose()

    app = Starlette(lifespan=lifespan, middleware=_middleware(settings))
    app.state.settings = settings
    graphql = PhanAnhGraphQL(
        app,
        create_schema(introspection=settings.introspection),
        allowed_origins=settings.allowed_origins,
        graphql_ide="graphiql" if settings.graphiql else None,
        allow_queries_via_get=False,
        multipart_uploads_enabled=True,
        **_websocket_options(settings),
    )
    app.state.feed_groups = graphql.feed_groups
    app.router.routes.extend(
        [
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/media/{attachment_id}", media),
            Route("/export/reports.csv", export_reports_csv),
            Route("/metrics", metrics_endpoint),
            Mount("/open311/v2", routes=open311_routes),
            *console_routes,
        ]
    )
    return app


def _middleware(settings: Settings) -> list[Middleware]:
    """Outermost first: the request id is set before anything can log or fail."""
    stack = [
        Middleware(RequestIdMiddleware),
        Middleware(MetricsMiddleware),
        Middleware(DatabaseUnavailableMiddleware),
        Middleware(
            SecurityHeadersMiddleware,
            hsts=settings.is_production,
            strict_csp_except=("/graphql",) if settings.graphiql else (),
        ),
        Middleware(BodySizeLimitMiddleware),
    ]
    if settings.allowed_origins:
        stack.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.allowed_origins),
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["authorization", "content-type", "graphql-preflight"],
                expose_headers=["x-request-id"],
                max_age=600,
            )
        )
    # Innermost: a cached answer still gets the request id, security headers and CORS.
    stack.append(Middleware(PublicCacheMiddleware))
    return stack


def _websocket_options(settings: Settings) -> dict[str, Any]:
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="PhanAnh server")
    parser.add_argument(
        "command",
        nargs="?",
        default="serve",
        choices=["serve", "migrate", "seed", "create-admin"],
        help="serve (default), migrate, seed (migrate + demo data), create-admin",
    )
    parser.add_argument("--username", help="create-admin: the administrator's username")
    parser.add_argument("--name", default="Quản trị hệ thống", help="create-admin: display name")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    configure_logging(settings.log_level, json_lines=settings.log_json)
    if args.command == "migrate":
        asyncio.run(_migrate(settings, seed=False))
        return 0
    if args.command == "seed":
        asyncio.run(_migrate(settings, seed=True))
        return 0
    if args.command == "create-admin":
        return asyncio.run(_create_admin(settings, args.username, args.name))
    uvicorn.run(
        "server:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level,
        log_config=uvicorn_log_config(settings.log_level, json_lines=settings.log_json),
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        ws_max_size=256 * 1024,
        timeout_graceful_shutdown=10,
    )
    return 0


async def _migrate(settings: Settings, *, seed: bool) -> None:
    engine = create_engine(settings.database_url)
    try:
        await upgrade_to_head(engine)
        if seed:
            await _seed(create_session_factory(engine))
    finally:
        await engine.dispose()


async def _create_admin(settings: Settings, username: str | None, name: str) -> int:
    """The first administrator; the password comes from ADMIN_PASSWORD or a prompt."""
    if not username:
        print("create-admin needs --username", file=sys.stderr)  # noqa: T201
        return 2
    password = os.environ.get("ADMIN_PASSWORD") or getpass.getpass("Password: ")
    engine = create_engine(settings.database_url, for_writes=True)
    try:
        await upgrade_to_head(engine)
        await admin.bootstrap_admin(create_session_factory(engine), username, password, name)
    except DomainError as exc:
        print(f"refused: {exc.message}", file=sys.stderr)  # noqa: T201
        return 1
    finally:
        await engine.dispose()
    print(f"administrator {username!r} created")  # noqa: T201
    return 0


async def _seed(sessions: async_sessionmaker[AsyncSession]) -> None:
    # Imported here: the demo data's module is large and only needed when it is enabled.
    from models.demo import seed_demo

    loaded = await seed_demo(sessions)
    logger.info("demo data %s", "loaded" if loaded else "already present")


if __name__ == "__main__":
    sys.exit(main())
