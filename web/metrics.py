"""Prometheus metrics: requests, GraphQL operations and errors, live connections and delivery."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.datastructures import State
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

# Live delivery (realtime.pump, realtime.feeds, realtime.broker). A "feed" is one pump
# subscriber: an ungrouped subscription, or a group of identical ones (schema.fanout).
SUBSCRIPTIONS_OPEN = Gauge(
    "phananh_subscriptions_open",
    "Open GraphQL subscriptions (every member of a shared feed counts), sampled at scrape",
    registry=REGISTRY,
)
FEEDS_OPEN = Gauge(
    "phananh_feeds_open",
    "Pump subscribers: one per ungrouped subscription or group, sampled at scrape",
    registry=REGISTRY,
)
EVENTS_DELIVERED = Counter(
    "phananh_events_delivered_total",
    "Events handed to a feed's stream, live or replayed from a cursor",
    ["source"],
    registry=REGISTRY,
)
DELIVERY_LAG = Histogram(
    "phananh_event_delivery_lag_seconds",
    "From an event's time (written in its committing transaction) to its feed's stream, live",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=REGISTRY,
)
FEEDS_CLOSED = Counter(
    "phananh_feeds_closed_total",
    "Feeds closed by the server: 1013 fell behind its queue bound, 1012 shutdown",
    ["code"],
    registry=REGISTRY,
)
EVENT_LOG_READ_FAILURES = Counter(
    "phananh_event_log_read_failures_total",
    "Failed reads of the event log by the pump (database down); it retries with backoff",
    registry=REGISTRY,
)
BROKER_RECONNECTS = Counter(
    "phananh_broker_reconnects_total",
    "Times the broker listener subscribed again after losing its connection",
    registry=REGISTRY,
)
BROKER_LISTENING = Gauge(
    "phananh_broker_listening",
    "1 while the broker listener is subscribed (always 1 with memory://), sampled at scrape",
    registry=REGISTRY,
)
READINESS = Gauge(
    "phananh_ready",
    "Outcome of the last /readyz check, by check (1 passed, 0 failed)",
    ["check"],
    registry=REGISTRY,
)


def event_delivered(at: datetime, *, live: bool) -> None:
    """Count an event handed to a feed; a live one's lag too (a replay's age is no lag)."""
    EVENTS_DELIVERED.labels("live" if live else "replay").inc()
    if live:
        moment = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
        DELIVERY_LAG.observe(max(0.0, (datetime.now(UTC) - moment).total_seconds()))


def record_readiness(checks: dict[str, bool]) -> None:
    for check, passed in checks.items():
        READINESS.labels(check).set(1 if passed else 0)


def _sample_live_state(state: State) -> None:
    """Gauges read from this process's pump, feed groups and broker when scraped."""
    pump = getattr(state, "pump", None)
    if pump is not None:
        groups = getattr(state, "feed_groups", None)
        shared = groups.shared_members if groups is not None else 0
        FEEDS_OPEN.set(pump.subscriber_count)
        SUBSCRIPTIONS_OPEN.set(pump.subscriber_count + shared)
    broker = getattr(state, "broker", None)
    if broker is not None:
        BROKER_LISTENING.set(1 if broker.is_memory or broker.listening else 0)


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


async def metrics_endpoint(request: Request) -> Response:
    _sample_live_state(request.app.state)
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
