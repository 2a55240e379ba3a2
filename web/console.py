"""The reference browser front end: the staff console at /console/, the public tracker at /track/.

The pages are static files in the top-level `console/` folder (HTML, CSS and JavaScript
modules, no build step) that talk to the public GraphQL API like any other front end.
"""

from __future__ import annotations

import re
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

CONSOLE_DIR = Path(__file__).resolve().parent.parent / "console"

# Explicit types rather than the `mimetypes` table, which differs between machines: with
# `nosniff` (web.security) a module script served as anything else is refused by the browser.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
# Revalidate every time: a province that updates the server must not keep yesterday's scripts.
CACHE_HEADERS = {"Cache-Control": "no-cache"}
_ASSET_PATH = re.compile(r"^[a-z0-9_-]+(/[a-z0-9_-]+)*\.[a-z]+$")
_REPORT_CODE = re.compile(r"^[A-Za-z0-9-]{1,40}$")


def _page(name: str) -> FileResponse:
    return FileResponse(
        CONSOLE_DIR / name, media_type=CONTENT_TYPES[".html"], headers=CACHE_HEADERS
    )


async def console_page(_request: Request) -> Response:
    return _page("index.html")


async def console_asset(request: Request) -> Response:
    """A file under console/, by a plain lower-case path: no dot-segments, nothing hidden."""
    path: str = request.path_params["path"]
    content_type = CONTENT_TYPES.get(Path(path).suffix)
    file = CONSOLE_DIR / path
    if not _ASSET_PATH.match(path) or content_type is None or not file.is_file():
        return PlainTextResponse("Not found", status_code=404)
    return FileResponse(file, media_type=content_type, headers=CACHE_HEADERS)


async def tracker_list(_request: Request) -> Response:
    return _page("track-list.html")


async def tracker_page(request: Request) -> Response:
    """One report's public page; its script reads the code from the address and asks the API."""
    if not _REPORT_CODE.match(request.path_params["code"]):
        return PlainTextResponse("Not found", status_code=404)
    return _page("track.html")


async def _to_slash(request: Request) -> Response:
    return RedirectResponse(f"{request.url.path}/", status_code=308)


routes: list[BaseRoute] = [
    Route("/console", _to_slash),
    Route("/console/", console_page),
    Route("/console/{path:path}", console_asset),
    Route("/track", _to_slash),
    Route("/track/", tracker_list),
    Route("/track/{code}", tracker_page),
]
