"""In-process checks on the real app and the seeded database: SQL statements per request.

The read row's target says the statements per request stay constant however many reports a
page holds; they are counted here, with SQLAlchemy's cursor events, for several page sizes of
bench.operations.READ, through the ASGI app itself (no HTTP server needed).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event
from sqlalchemy.engine import Engine

from bench import operations
from server import create_app
from settings import Settings

PAGE_SIZES = (1, 10, 50, 100)


async def statements_per_request(database_url: str, secret_key: str) -> dict[str, int]:
    """`first` -> statements one anonymous `reports(first:)` request runs (after a warm-up)."""
    counted = [0]

    def count(*_args: Any, **_kwargs: Any) -> None:
        counted[0] += 1

    settings = Settings(
        database_url=database_url,
        broadcast_url="memory://",
        secret_key=secret_key,
        media_dir=Path(tempfile.gettempdir()) / "phananh-bench-media",
        auto_migrate=False,
        demo_data=False,
        scheduler_interval_seconds=0,
        public_cache_seconds=0,  # every request executes: these are its statements
    )
    app = create_app(settings)
    found: dict[str, int] = {}
    event.listen(Engine, "before_cursor_execute", count)
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://bench"
            ) as client,
        ):
            for first in (50, *PAGE_SIZES):  # the first request also opens the pool
                counted[0] = 0
                body = {"query": operations.READ, "variables": {"first": first}}
                answer = (await client.post("/graphql", json=body)).json()
                if "errors" in answer:
                    raise RuntimeError(f"reports(first: {first}) failed: {answer['errors']}")
                found[str(first)] = counted[0]
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    return found
