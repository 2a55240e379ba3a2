"""Reading what a GeoReport client sends: dates, the 90-day window, pages, lists and form bodies."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import parse_qsl

from starlette.datastructures import QueryParams
from starlette.requests import Request

from models.calendar import VIETNAM_TZ
from open311.formats import Open311Error

MAX_WINDOW = timedelta(days=90)
MAX_RECORDS = 1000
MAX_PAGE = 100_000
MAX_LIST = 1000
MAX_BODY = 64 * 1024
MAX_FIELDS = 100
# Inside these years a date plus or minus 90 days is still a valid datetime.
MIN_YEAR, MAX_YEAR = 1970, 9998
_OFFSET_AFTER_SPACE = re.compile(r" (\d{2}(?::?\d{2})?)$")
_DIGITS = re.compile(r"^\d{1,12}$")


@dataclass(frozen=True)
class Window:
    """Both ends included, as the spec's "earliest" and "latest datetime to include"."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class Page:
    number: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def parse_datetime(value: str, name: str) -> datetime:
    """W3C / ISO 8601: a date (midnight in Vietnam), or a time with or without an offset.

    A time without an offset is read as Vietnam time, where every report is made.
    """
    text = value.strip()
    # An unencoded "+07:00" in a query string arrives as " 07:00": a common client slip.
    text = _OFFSET_AFTER_SPACE.sub(r"+\1", text)
    try:
        if len(text) > 40:
            raise ValueError(text)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise Open311Error(
            400, f"{name} is not a W3C date, e.g. 2026-12-01T00:00:00+07:00."
        ) from None
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise Open311Error(400, f"{name} is out of range.")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VIETNAM_TZ)
    return moment


def parse_window(params: QueryParams, now: datetime) -> Window:
    """The spec's default of the last 90 days, and its limit of 90 days for any range."""
    start_text, end_text = params.get("start_date", ""), params.get("end_date", "")
    start = parse_datetime(start_text, "start_date") if start_text.strip() else None
    end = parse_datetime(end_text, "end_date") if end_text.strip() else None
    if start is None and end is None:
        return Window(now - MAX_WINDOW, now)
    if start is None:
        assert end is not None
        return Window(end - MAX_WINDOW, end)
    if end is None:
        return Window(start, start + MAX_WINDOW)
    if end < start:
        raise Open311Error(400, "end_date is before start_date.")
    if end - start > MAX_WINDOW:
        raise Open311Error(400, "The date range may not span more than 90 days.")
    return Window(start, end)


def _whole_number(params: QueryParams, name: str, default: int) -> int:
    text = params.get(name, "").strip()
    if not text:
        return default
    if not _DIGITS.match(text) or int(text) < 1:
        raise Open311Error(400, f"{name} must be a whole number from 1.")
    return int(text)


def parse_page(params: QueryParams) -> Page:
    """The common `page`/`page_size` extension; pages never hold more than 1,000 records."""
    number = _whole_number(params, "page", 1)
    if number > MAX_PAGE:
        raise Open311Error(400, f"page may be at most {MAX_PAGE}.")
    size = min(_whole_number(params, "page_size", MAX_RECORDS), MAX_RECORDS)
    return Page(number, size)


def split_list(value: str, name: str) -> list[str]:
    """A comma-separated list, without blanks or repeats, in the order given."""
    items: list[str] = []
    for part in value.split(","):
        item = part.strip()
        if item and item not in items:
            items.append(item)
    if len(items) > MAX_LIST:
        raise Open311Error(400, f"{name} may list at most {MAX_LIST} values.")
    return items


async def read_form(request: Request) -> dict[str, str]:
    """A small `application/x-www-form-urlencoded` body, strictly UTF-8; first value per name."""
    content_type = request.headers.get("content-type", "application/x-www-form-urlencoded")
    if content_type.split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
        raise Open311Error(400, "Send the request as application/x-www-form-urlencoded.")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        # Checked while reading: a huge body is refused before it is held in memory.
        if len(body) > MAX_BODY:
            raise Open311Error(400, f"The request body is over {MAX_BODY // 1024} KiB.")
    try:
        pairs = parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FIELDS,
        )
    except UnicodeDecodeError:
        raise Open311Error(400, "The request body is not UTF-8 form data.") from None
    except ValueError:
        raise Open311Error(400, f"The request has more than {MAX_FIELDS} fields.") from None
    form: dict[str, str] = {}
    for name, value in pairs:
        form.setdefault(name, value)
    return form
