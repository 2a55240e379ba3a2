"""The GeoReport v2 endpoints under /open311/v2/, each in `.json` and `.xml` by path suffix."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from models import tables
from models.base import utcnow
from models.codes import is_report_code
from models.text import fold
from open311.formats import Format, Open311Error, error_response, render
from open311.params import Page, parse_page, parse_window, read_form, split_list
from open311.records import CLOSED, OPEN, find_requests, request_records, statuses_for
from open311.submit import create_request
from open311.updates import list_updates

logger = logging.getLogger("phananh.open311")

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this interface last changed, as discovery's `changeset` promises clients.
CHANGESET = "2026-12-05T00:00:00+07:00"
ONE = Page(1, 1)

Endpoint = Callable[[Request, Format], Awaitable[Response]]


def endpoint(handler: Endpoint) -> Callable[[Request], Awaitable[Response]]:
    """The format from the suffix, and every refusal or failure in the spec's error shape."""

    @functools.wraps(handler)
    async def handle(request: Request) -> Response:
        try:
            fmt = Format(request.path_params.get("format", ""))
        except ValueError:
            return error_response(Format.JSON, 404, "Unknown format: use .json or .xml.")
        try:
            return await handler(request, fmt)
        except Open311Error as error:
            return error_response(fmt, error.status, error.description)
        except Exception:  # masked like GraphQL's errors: the details go to the log only
            logger.exception("open311 %s %s failed", request.method, request.url.path)
            return error_response(fmt, 500, "Internal server error.")

    return handle


def _reader(request: Request) -> async_sessionmaker[AsyncSession]:
    """The read pool (server.py): on SQLite the write pool takes the write lock at BEGIN."""
    sessions: async_sessionmaker[AsyncSession] = request.app.state.read_sessions
    return sessions


def _base_url(request: Request) -> str:
    return str(request.base_url)


async def _category_ids(session: AsyncSession, value: str) -> list[int]:
    codes = [code.lower() for code in split_list(value, "service_code")]
    if not codes:
        return []
    found = dict((await session.execute(select(tables.Category.code, tables.Category.id))).all())
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise Open311Error(400, f"Unknown service_code: {unknown[0][:64]}.")
    return [found[code] for code in codes]


def _statuses(value: str) -> set[str]:
    wanted = {status.lower() for status in split_list(value, "status")}
    if not wanted <= {OPEN, CLOSED}:
        raise Open311Error(400, "status is open, closed, or both: open,closed.")
    return wanted


@endpoint
async def discovery(request: Request, fmt: Format) -> Response:
    url = _base_url(request).rstrip("/") + "/open311/v2"
    data = {
        "changeset": CHANGESET,
        "contact": "The administrators of this PhanAnh server.",
        "key_service": "API keys are issued by this server's administrators (GraphQL "
        "mutation issueApiKey); an api_key is needed only to POST requests.",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(fmt, "discovery", data)


def _keywords(name: str) -> str:
    """The name as written and without diacritics, for clients that search either way."""
    folded = fold(name)
    return f"{name}, {folded}" if folded and folded != name.lower() else name


@endpoint
async def services(request: Request, fmt: Format) -> Response:
    category = tables.Category
    async with _reader(request)() as session:
        rows = await session.scalars(
            select(category).where(category.is_active).order_by(category.sort_order, category.id)
        )
        data = [
            {
                "service_code": row.code,
                "service_name": row.name,
                "description": row.description,
                # No category asks extra questions yet: there is no definition to fetch.
                "metadata": False,
                "type": "realtime",
                "keywords": _keywords(row.name),
                # Categories are one flat list: there is no grouping to report.
                "group": "",
            }
            for row in rows
        ]
    return render(fmt, "services", data)


@endpoint
async def service_definition(request: Request, fmt: Format) -> Response:
    code = request.path_params["service_code"].strip().lower()
    category = tables.Category
    async with _reader(request)() as session:
        found = await session.scalar(
            select(category.code).where(category.code == code, category.is_active)
        )
    if found is None:
        raise Open311Error(404, "No such service_code.")
    return render(fmt, "service_definition", {"service_code": found, "attributes": []})


async def _list_requests(request: Request, fmt: Format) -> Response:
    params = request.query_params
    page = parse_page(params)
    now = utcnow()
    codes = [code.upper() for code in split_list(params.get("service_request_id", ""), "ids")]
    async with _reader(request)() as session:
        if codes:
            reports = await find_requests(session, now, codes=codes, page=page)
        else:
            window = parse_window(params, now)
            statuses = statuses_for(_statuses(params.get("status", "")) or {OPEN, CLOSED})
            category_ids = await _category_ids(session, params.get("service_code", ""))
            reports = await find_requests(
                session,
                now,
                category_ids=category_ids,
                statuses=statuses,
                window=window,
                page=page,
            )
        data = await request_records(session, reports, _base_url(request))
    return render(fmt, "service_requests", data)


@endpoint
async def requests(request: Request, fmt: Format) -> Response:
    if request.method == "POST":
        data = await create_request(request, await read_form(request))
        return render(fmt, "service_requests", data)
    return await _list_requests(request, fmt)


@endpoint
async def request_detail(request: Request, fmt: Format) -> Response:
    code = request.path_params["service_request_id"].strip().upper()
    data: list[dict[str, Any]] = []
    if is_report_code(code):
        async with _reader(request)() as session:
            reports = await find_requests(session, utcnow(), codes=[code], page=ONE)
            data = await request_records(session, reports, _base_url(request))
    if not data:
        raise Open311Error(404, "No public service request has that id.")
    return render(fmt, "service_requests", data)


@endpoint
async def token(request: Request, fmt: Format) -> Response:
    """Requests get their id at once, so a token is simply the id (the report's code).

    A code only says that a report exists, which its sequential numbering says anyway: a
    report not yet public still resolves, then `requests/{id}` answers 404 until it is.
    """
    value = request.path_params["token"].strip().upper()
    found = None
    if is_report_code(value):
        async with _reader(request)() as session:
            found = await session.scalar(
                select(tables.Report.code).where(tables.Report.code == value)
            )
    if found is None:
        raise Open311Error(404, "No service request has that token.")
    return render(fmt, "service_requests", [{"service_request_id": found, "token": found}])


@endpoint
async def request_updates(request: Request, fmt: Format) -> Response:
    params = request.query_params
    page = parse_page(params)
    now = utcnow()
    codes = [code.upper() for code in split_list(params.get("service_request_id", ""), "ids")]
    window = None if codes else parse_window(params, now)
    async with _reader(request)() as session:
        data = await list_updates(
            session, now, _base_url(request), codes=codes, window=window, page=page
        )
    return render(fmt, "service_requests_updates", data)


async def unknown_path(request: Request) -> Response:
    return error_response(Format.JSON, 404, "No such endpoint: see discovery.json.")


routes: list[BaseRoute] = [
    Route("/discovery.{format}", discovery),
    Route("/services.{format}", services),
    Route("/services/{service_code}.{format}", service_definition),
    Route("/requests.{format}", requests, methods=["GET", "POST"]),
    Route("/requests/{service_request_id}.{format}", request_detail),
    Route("/tokens/{token}.{format}", token),
    Route("/servicerequestupdates.{format}", request_updates),
    Route("/{path:path}", unknown_path, methods=["GET", "POST"]),
]
