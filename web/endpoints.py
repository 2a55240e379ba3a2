"""Plain HTTP endpoints beside GraphQL: liveness, readiness and attachments."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response

from models.base import utcnow
from models.media import MediaStore
from models.migrate import is_at_head
from resolvers.auth import AuthenticationError, authenticate
from resolvers.media import find_media
from web.metrics import record_readiness

logger = logging.getLogger("phananh")


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
            state.read_sessions,
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
