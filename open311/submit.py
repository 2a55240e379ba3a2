"""POST requests: a partner app's service request becomes a report under the partner's account.

- `api_key` is required; a missing, unknown or revoked key, or a disabled partner, is a 403.
- Location: `lat` and `long`, or else `address_string` alone, which places the report at the
  centroid of the service area's root area (the first root, by id, that has one) and keeps the
  text as the report's address so that the coordinator can place it precisely. `address_id` is
  not supported: we have no address register.
- `description` is required; the `title` extension is optional and defaults to the first 80
  characters of the description.
- `attribute[code]` values are accepted and ignored: no category defines attributes yet
  (`metadata` is false in `services`), so none of them can mean anything.
- `email`, `first_name`, `last_name`, `phone`, `device_id` and `account_id` are accepted and
  never stored: PhanAnh keeps no personal data it did not collect itself. `media_url` is not
  fetched either (the server would download whatever URL a client names).

The report then follows the normal workflow (resolvers.submission.submit_report): it is
SUBMITTED, not public until a coordinator forwards it, so `requests/{id}` answers 404 until then.
"""

from __future__ import annotations

import math
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request

from models import tables
from models.errors import DomainError, UserErrorCode
from open311.formats import Open311Error
from resolvers.partners import partner_actor
from resolvers.submission import NewReport, submit_report
from schema.context import Context

TITLE_LENGTH = 80
_NUMBER = re.compile(r"^[+-]?\d{1,3}(?:\.\d{1,15})?$")


def _coordinate(form: dict[str, str], name: str, limit: float) -> float | None:
    text = form.get(name, "").strip()
    if not text:
        return None
    value = float(text) if _NUMBER.match(text) else math.nan
    if not (math.isfinite(value) and -limit <= value <= limit):
        raise Open311Error(400, f"{name} must be a decimal number from -{limit:g} to {limit:g}.")
    return value


def default_title(description: str) -> str:
    return " ".join(description.split())[:TITLE_LENGTH].rstrip()


async def _category(request: Request, form: dict[str, str]) -> tables.Category:
    code = form.get("service_code", "").strip().lower()
    if not code:
        raise Open311Error(400, "service_code is required.")
    sessions: async_sessionmaker[AsyncSession] = request.app.state.sessions
    async with sessions() as session:
        category = await session.scalar(
            select(tables.Category).where(tables.Category.code == code, tables.Category.is_active)
        )
    if category is None:
        raise Open311Error(400, f"Unknown service_code: {code[:64]}.")
    return category


async def _root_centroid(request: Request) -> tuple[float, float, int]:
    area = tables.Area
    async with request.app.state.sessions() as session:
        root = await session.scalar(
            select(area)
            .where(area.parent_id.is_(None), area.centroid_latitude.is_not(None))
            .order_by(area.id)
            .limit(1)
        )
    if root is None or root.centroid_latitude is None or root.centroid_longitude is None:
        raise Open311Error(400, "Give lat and long: this server cannot place an address alone.")
    return root.centroid_latitude, root.centroid_longitude, root.id


async def _location(request: Request, form: dict[str, str]) -> tuple[float, float, str, int | None]:
    latitude = _coordinate(form, "lat", 90)
    longitude = _coordinate(form, "long", 180)
    address = " ".join(form.get("address_string", "").split())
    if (latitude is None) != (longitude is None):
        raise Open311Error(400, "Give both lat and long, or address_string alone.")
    if latitude is not None and longitude is not None:
        return latitude, longitude, address, None
    if not address:
        raise Open311Error(400, "A location is required: lat and long, or address_string.")
    root_latitude, root_longitude, root_id = await _root_centroid(request)
    return root_latitude, root_longitude, address, root_id


def _refusal(error: DomainError) -> Open311Error:
    status = 429 if error.code is UserErrorCode.RATE_LIMITED else 400
    where = f" ({error.field})" if error.field else ""
    return Open311Error(status, f"{error.code.value}{where}: {error.message}")


async def create_request(request: Request, form: dict[str, str]) -> list[dict[str, Any]]:
    """Check the key first (a caller without one learns nothing else), then submit."""
    state = request.app.state
    actor = await partner_actor(state.sessions, state.settings.secret_key, form.get("api_key", ""))
    if actor is None:
        raise Open311Error(403, "Invalid api_key received: cannot proceed with create_request.")
    category = await _category(request, form)
    latitude, longitude, address, area_id = await _location(request, form)
    description = form.get("description", "").strip()
    if not description:
        raise Open311Error(400, "description is required.")
    title = form.get("title", "").strip() or default_title(description)
    client = request.client
    ctx = Context.create(
        state.settings,
        state.sessions,
        state.services,
        actor=actor,
        client_ip=client.host if client else "unknown",
        request=request,
    )
    new = NewReport(
        category_id=category.id,
        title=title,
        description=description,
        latitude=latitude,
        longitude=longitude,
        address=address,
        area_id=area_id,
    )
    try:
        report = await submit_report(ctx, new)
    except DomainError as error:
        raise _refusal(error) from None
    finally:
        await ctx.db.close()
    return [
        {
            "service_request_id": report.code,
            "service_notice": category.notice,
            "account_id": None,
        }
    ]
