"""Prometheus metrics: requests, GraphQL operations and errors, live connections, events."""

from __future__ import annotations

import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REGISTRY = CollectorRegistry()

HTTP_REQUESTS = Counter(
    "phananh_http_requests_total", "HTTP requests", ["route", "status"], registry=REGISTRY
)
HTTP_LATENCY = Histogram(
    "phananh_http_request_seconds",
    "HTTP request latency",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
GRAPHQL_OPERATIONS = Counter(
    "phananh_graphql_operations_total",
    "GraphQL operations by type and name",
    ["type", "name"],
    registry=REGISTRY,
)
GRAPHQL_LATENCY = Histogram(
    "phananh_graphql_operation_seconds",
    "GraphQL execution time by operation name",
    ["name"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
    registry=REGISTRY,
)
GRAPHQL_ERRORS = Counter(
    "phananh_graphql_errors_total", "GraphQL errors by code", ["code"], registry=REGISTRY
)
USER_ERRORS = Counter(
    "phananh_user_errors_total", "userErrors returned by code", ["code"], registry=REGISTRY
)
OPEN_WEBSOCKETS = Gauge("phananh_websockets_open", "Open WebSocket connections", registry=REGISTRY)
EVENTS_PUBLISHED = Counter(
    "phananh_events_announced_total", "Commits announced to the broker", registry=REGISTRY
)
BROKER_FAILURES = Counter(
    "phananh_broker_publish_failures_total", "Announcements the broker refused", registry=REGISTRY
)


def route_of(scope: Scope) -> str:
    """The route's path template, so that ids in URLs do not explode the label set."""
    app = scope.get("app")
    router = getattr(app, "router", None)
    for route in getattr(router, "routes", []):
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return str(getattr(route, "path", "other"))
    return "unmatched"


class MetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            OPEN_WEBSOCKETS.inc()
            try:
                await self.app(scope, receive, send)
            finally:
                OPEN_WEBSOCKETS.dec()
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            route = route_of(scope)
            HTTP_REQUESTS.labels(route, str(status)).inc()
            HTTP_LATENCY.labels(route).observe(time.perf_counter() - started)


async def metrics_endpoint(_request: Request) -> Response:
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
