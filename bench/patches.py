"""Experiments: bench-only monkeypatches that measure a proposed fix before anyone makes it.

Each returns uvicorn options to override (or None). They run inside `python -m bench.serve`
only; the application's code is untouched, and a run's results name the experiments it used.
"""

from __future__ import annotations

import atexit
import collections
import cProfile
import gc
import json
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

import server
from bench import fixes_feed, fixes_read, fixes_write


def no_deflate() -> dict[str, Any]:
    """Decline permessage-deflate (uvicorn's `ws_per_message_deflate=False` in server.main)."""
    return {"ws_per_message_deflate": False}


def cprofile() -> None:
    """Profile the whole server with cProfile (exact call counts; slows it down) until it exits.

    The stats go to $BENCH_CPROFILE_OUT (default /tmp/phananh-cprofile-<pid>.prof).
    """
    profiler = cProfile.Profile()
    default = Path(tempfile.gettempdir()) / f"phananh-cprofile-{os.getpid()}.prof"
    out = os.environ.get("BENCH_CPROFILE_OUT") or str(default)

    def dump() -> None:
        profiler.disable()
        profiler.dump_stats(out)

    _on_exit(dump)
    profiler.enable()


def _on_exit(action: Callable[[], None]) -> None:
    atexit.register(action)
    # uvicorn re-raises SIGTERM after its graceful shutdown; exiting normally runs `action`.
    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(0))


def gc_stats() -> None:
    """Time every garbage collection per generation; the totals go to $BENCH_GC_OUT at exit."""
    started: list[float] = [0.0]
    totals: dict[int, list[float]] = {0: [0, 0.0], 1: [0, 0.0], 2: [0, 0.0]}

    def callback(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            entry = totals[info["generation"]]
            entry[0] += 1
            entry[1] += time.perf_counter() - started[0]

    def dump() -> None:
        out = os.environ.get("BENCH_GC_OUT") or str(Path(tempfile.gettempdir()) / "phananh-gc.json")
        Path(out).write_text(json.dumps({"collections": totals, "objects": len(gc.get_objects())}))

    gc.callbacks.append(callback)
    _on_exit(dump)


def debug_objects() -> None:
    """Add GET /bench/objects: live objects by type (gc.get_objects), to see what a socket holds."""
    create_app = server.create_app

    async def objects(_request: Request) -> JSONResponse:
        gc.collect()
        found = collections.Counter(type(item).__qualname__ for item in gc.get_objects())
        return JSONResponse({"objects": sum(found.values()), "top": found.most_common(60)})

    def create_app_with_objects(*args: Any, **kwargs: Any) -> Any:
        app = create_app(*args, **kwargs)
        app.router.routes.insert(0, Route("/bench/objects", objects))
        return app

    server.create_app = create_app_with_objects


PATCHES: dict[str, Callable[[], dict[str, Any] | None]] = {
    "no-deflate": no_deflate,
    "cprofile": cprofile,
    "gc-stats": gc_stats,
    "debug-objects": debug_objects,
    "shared-event-results": fixes_feed.shared_event_results,
    "sync-nested-fields": fixes_read.sync_nested_fields,
    "no-public-cache": fixes_read.no_public_cache,
    "cached-areas": fixes_write.cached_areas,
}
# Server options, not application changes: the baseline runs with them too, so that both sides
# keep the same uvicorn configuration and the ratio stays a comparison of the applications.
FOR_BOTH = frozenset({"no-deflate"})
