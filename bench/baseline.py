"""The baselines: each benchmarked job done by hand in a plain Starlette app (asyncpg, Redis).

It takes the very requests the load generator sends to PhanAnh's /graphql (it reads the
`variables` and ignores the `query`), so both sides see identical traffic:

    POST /reports     `reports(first:, after:)` of bench.operations.READ as the anonymous public
                      sees it: one joined statement for the page, one for the photos, the same JSON
    POST /submit      submitReport's rows (code counter, report, SUBMITTED event) in one
                      transaction, then the Redis publish PhanAnh's publisher makes
    WS   /ws          sockets that only listen; POST /broadcast sends the request body, as text,
                      to every one of them in turn
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import jwt
from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from models.calendar import VIETNAM_TZ
from models.geometry import point_in_ring
from models.text import fold

PAGE = """
SELECT r.id, r.code, r.title, r.description, r.status, r.submitted_at, r.updated_at, r.due_at,
       r.version, r.latitude, r.longitude, r.address, c.id, c.name, a.id, a.name, g.id, g.name
FROM reports r
JOIN categories c ON c.id = r.category_id
LEFT JOIN areas a ON a.id = r.area_id
LEFT JOIN agencies g ON g.id = r.assigned_agency_id
WHERE r.is_public AND r.status <> 'REJECTED' {after}
ORDER BY r.submitted_at DESC, r.id DESC
LIMIT $1
"""
AFTER = "AND (r.submitted_at < $2 OR (r.submitted_at = $2 AND r.id < $3))"
PHOTOS = """
SELECT report_id, id, content_type FROM attachments
WHERE report_id = ANY($1::bigint[]) AND message_id IS NULL AND visibility = 'PUBLIC'
ORDER BY report_id, position, created_at
"""
NEXT_CODE = """
INSERT INTO report_code_counters (year, last_value) VALUES ($1, 1)
ON CONFLICT (year) DO UPDATE SET last_value = report_code_counters.last_value + 1
RETURNING last_value
"""
INSERT_REPORT = """
INSERT INTO reports (code, title, description, status, is_public, category_id, area_id, latitude,
    longitude, address, reporter_id, is_anonymous, submitted_at, updated_at, search_text,
    search_title, content_hash, version)
VALUES ($1, $2, $3, 'SUBMITTED', false, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13, $14, 1)
RETURNING id
"""
INSERT_EVENT = """
INSERT INTO report_events (report_id, type, at, actor_id, actor_role, actor_label, to_status,
    visibility)
VALUES ($1, 'SUBMITTED', $2, $3, 'CITIZEN', 'Người phản ánh', 'SUBMITTED', 'PUBLIC')
"""
OPEN = ("ASSIGNED", "IN_PROGRESS")


def global_id(kind: str, key: object) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{key}".encode()).decode().rstrip("=")


def _key(global_value: str) -> int:
    padded = global_value + "=" * (-len(global_value) % 4)
    return int(base64.urlsafe_b64decode(padded).decode().partition(":")[2])


def _cursor(*values: object) -> str:
    raw = json.dumps(["r", *values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _micros(moment: datetime) -> int:
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _json(data: object) -> Response:
    # strawberry's own encoding (strawberry.http.base.encode_json), so the bytes are the same.
    body = json.dumps(data, separators=(",", ":"))
    return Response(body, media_type="application/json")


async def reports(request: Request) -> Response:
    state = request.app.state
    variables = (await request.json()).get("variables") or {}
    first = int(variables.get("first") or 20)
    after = variables.get("after")
    async with state.pool.acquire() as connection:
        if after:
            padded = after + "=" * (-len(after) % 4)
            _, micros, last_id = json.loads(base64.urlsafe_b64decode(padded))
            moment = datetime.fromtimestamp(micros / 1_000_000, tz=UTC)
            rows = await connection.fetch(PAGE.format(after=AFTER), first + 1, moment, last_id)
        else:
            rows = await connection.fetch(PAGE.format(after=""), first + 1)
        page = rows[:first]
        photos: dict[int, list[dict[str, str]]] = {row[0]: [] for row in page}
        for report_id, key, content_type in await connection.fetch(PHOTOS, list(photos)):
            photos[report_id].append(
                {
                    "id": global_id("Attachment", key),
                    "url": f"/media/{key}",
                    "contentType": content_type,
                }
            )
    now = datetime.now(UTC)
    edges = [_edge(row, photos[row[0]], now) for row in page]
    info = {"hasNextPage": len(rows) > first, "endCursor": edges[-1]["cursor"] if edges else None}
    return _json({"data": {"reports": {"edges": edges, "pageInfo": info}}})


def _edge(row: asyncpg.Record, photos: list[dict[str, str]], now: datetime) -> dict[str, Any]:
    (report_id, code, title, description, status, submitted, updated, due, version) = row[:9]
    node = {
        "id": global_id("Report", report_id),
        "code": code,
        "title": title,
        "description": description,
        "status": status,
        "submittedAt": submitted.isoformat(),
        "updatedAt": updated.isoformat(),
        "dueAt": due.isoformat() if due else None,
        "isOverdue": status in OPEN and due is not None and due < now,
        "version": version,
        "location": {"latitude": row[9], "longitude": row[10], "address": row[11]},
        "category": {"id": global_id("Category", row[12]), "name": row[13]},
        "area": {"id": global_id("Area", row[14]), "name": row[15]} if row[14] else None,
        "assignedAgency": {"id": global_id("Agency", row[16]), "name": row[17]}
        if row[16]
        else None,
        "attachments": photos,
    }
    return {"cursor": _cursor(_micros(submitted), report_id), "node": node}


async def submit(request: Request) -> Response:
    state = request.app.state
    token = request.headers.get("authorization", "").partition(" ")[2]
    claims = jwt.decode(token, state.secret, algorithms=["HS256"], issuer="phananh")
    reporter = int(claims["sub"])
    new = (await request.json())["variables"]["input"]
    title, description = new["title"].strip(), new["description"].strip()
    address = new.get("address", "").strip()
    latitude, longitude = float(new["latitude"]), float(new["longitude"])
    category = _key(new["categoryId"])
    area = state.area_of(latitude, longitude)
    digest = hashlib.sha256(json.dumps(new, sort_keys=True).encode()).hexdigest()
    now = datetime.now(UTC)
    year = now.astimezone(VIETNAM_TZ).year
    async with state.pool.acquire() as connection, connection.transaction():
        number = await connection.fetchval(NEXT_CODE, year)
        code = f"PA-{year:04d}-{number:06d}"
        report_id = await connection.fetchval(
            INSERT_REPORT, code, title, description, category, area, latitude, longitude,
            address, reporter, bool(new.get("anonymous")), now,
            fold(f"{title} {description} {address}"), fold(title), digest,
        )  # fmt: skip
        await connection.execute(INSERT_EVENT, report_id, now, reporter)
    await state.redis.publish(state.channel, str(report_id))
    report = {"id": global_id("Report", report_id), "code": code, "status": "SUBMITTED"}
    return _json({"data": {"submitReport": {"report": report, "userErrors": []}}})


async def listen(websocket: WebSocket) -> None:
    sockets: set[WebSocket] = websocket.app.state.sockets
    await websocket.accept()
    sockets.add(websocket)
    try:
        while True:
            await websocket.receive_text()
    except WebSocketDisconnect:
        pass
    finally:
        sockets.discard(websocket)


async def broadcast(request: Request) -> Response:
    text = (await request.body()).decode()
    sent = 0
    for websocket in list(request.app.state.sockets):
        with contextlib.suppress(Exception):  # a socket closing meanwhile is not an error
            await websocket.send_text(text)
            sent += 1
    return _json({"sent": sent})


async def healthz(_request: Request) -> Response:
    return PlainTextResponse("ok")


class _Areas:
    """The deepest area holding a point, from boundaries loaded once (PhanAnh asks SQL)."""

    def __init__(self, rows: list[asyncpg.Record]) -> None:
        self.rows = [(row["id"], row["depth"], json.loads(row["boundary"])) for row in rows]

    def __call__(self, latitude: float, longitude: float) -> int | None:
        found = [
            (depth, key)
            for key, depth, ring in self.rows
            if point_in_ring(longitude, latitude, ring)
        ]
        return max(found)[1] if found else None


def create_app() -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        dsn = os.environ["BENCH_DATABASE_DSN"]
        # The pool PhanAnh's engine has (models.db: pool_size 10, max_overflow 10).
        app.state.pool = await asyncpg.create_pool(dsn, min_size=10, max_size=20)
        async with app.state.pool.acquire() as connection:
            boundaries = await connection.fetch(
                "SELECT id, depth, boundary::text AS boundary FROM areas WHERE boundary IS NOT NULL"
            )
        app.state.area_of = _Areas(boundaries)
        app.state.redis = Redis.from_url(
            os.environ.get("BROADCAST_URL", "redis://127.0.0.1:6379/0")
        )
        app.state.channel = f"{os.environ.get('REDIS_PREFIX', 'phananh:')}events"
        app.state.secret = os.environ["SECRET_KEY"]
        app.state.sockets = set()
        try:
            yield
        finally:
            await app.state.redis.aclose()
            await app.state.pool.close()

    return Starlette(
        lifespan=lifespan,
        routes=[
            Route("/reports", reports, methods=["POST"]),
            Route("/submit", submit, methods=["POST"]),
            Route("/broadcast", broadcast, methods=["POST"]),
            Route("/healthz", healthz),
            WebSocketRoute("/ws", listen),
        ],
    )
