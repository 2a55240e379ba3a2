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
from datetime import timedelta

import uvicorn
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Mount, Route, WebSocketRoute

from models.db import create_engine, create_session_factory
from models.errors import DomainError
from models.migrate import upgrade_to_head
from open311.routes import routes as open311_routes
from realtime.broker import Broker
from realtime.connections import Connections
from realtime.log import EventLog
from realtime.publisher import EventPublisher
from realtime.pump import EventPump
from resolvers import admin, scheduler
from resolvers.export import export_reports_csv
from resolvers.services import Services
from resolvers.sms import CodeSender, LogCodeSender, MemoryCodeSender
from resolvers.throttle import MemoryThrottle, RedisThrottle, Throttle
from schema.context import Context
from schema.root import create_schema
from settings import Settings, SettingsError
from web.console import routes as console_routes
from web.endpoints import healthz, media, readyz
from web.graphql_view import PhanAnhGraphQL, websocket_options
from web.limits import BodySizeLimitMiddleware
from web.logs import configure_logging, uvicorn_log_config
from web.metrics import MetricsMiddleware, metrics_endpoint
from web.public_cache import PublicCacheMiddleware, PublicResponseCache
from web.request_id import RequestIdMiddleware
from web.security import SecurityHeadersMiddleware
from web.unavailable import DatabaseUnavailableMiddleware

logger = logging.getLogger("phananh")

# The largest WebSocket message a client may send (uvicorn closes with 1009 above it).
WS_MAX_BYTES = 256 * 1024


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
        **websocket_options(settings),
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
        ws_max_size=WS_MAX_BYTES,
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
