"""Reading service requests: only public reports, the field mapping, filters and bad input."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from models.base import utcnow
from models.calendar import VIETNAM_TZ
from models.enums import ReportStatus
from tests.factories import make_report
from tests.open311.conftest import World
from tests.open311.helpers import BASE, assert_error, get_both


def codes(data: list[dict[str, Any]]) -> list[str]:
    return [record["service_request_id"] for record in data]


async def test_requests_lists_only_public_reports_newest_first(
    client: httpx.AsyncClient, world: World
) -> None:
    status, data = await get_both(client, "requests")
    assert status == 200
    assert codes(data) == [world.assigned.code, world.resolved.code]


async def test_request_fields_follow_the_georeport_mapping(
    client: httpx.AsyncClient, world: World
) -> None:
    _, [record] = await get_both(client, f"requests/{world.assigned.code}")
    report = world.assigned
    assert report.due_at is not None
    assert record == {
        "service_request_id": report.code,
        "status": "open",
        "status_notes": "Đã chuyển Sở Xây dựng xử lý.",
        "service_name": "Môi trường",
        "service_code": world.environment.code,
        "description": report.description,
        "agency_responsible": "Sở Xây dựng",
        "service_notice": "Sẽ kiểm tra trong 24 giờ.",
        "requested_datetime": report.submitted_at.astimezone(VIETNAM_TZ).isoformat("T", "seconds"),
        "updated_datetime": report.updated_at.astimezone(VIETNAM_TZ).isoformat("T", "seconds"),
        "expected_datetime": report.due_at.astimezone(VIETNAM_TZ).isoformat("T", "seconds"),
        "address": report.address,
        "address_id": None,
        "zipcode": None,
        "lat": report.latitude,
        "long": report.longitude,
        "media_url": f"http://testserver/media/{world.photo.id}",
        "title": report.title,
    }


async def test_datetimes_carry_the_vietnam_offset(client: httpx.AsyncClient, world: World) -> None:
    _, [record] = await get_both(client, f"requests/{world.assigned.code}")
    assert record["requested_datetime"].endswith("+07:00")


async def test_resolved_report_is_closed_with_the_answer_as_notes(
    client: httpx.AsyncClient, world: World
) -> None:
    _, [record] = await get_both(client, f"requests/{world.resolved.code}")
    assert record["status"] == "closed"
    assert record["status_notes"] == "Đã vá ổ gà."
    assert record["media_url"] == ""


async def test_status_filter_keeps_closed_requests(client: httpx.AsyncClient, world: World) -> None:
    _, data = await get_both(client, "requests", {"status": "closed"})
    assert codes(data) == [world.resolved.code]


async def test_status_filter_accepts_both(client: httpx.AsyncClient, world: World) -> None:
    _, data = await get_both(client, "requests", {"status": "open,closed"})
    assert codes(data) == [world.assigned.code, world.resolved.code]


async def test_unknown_status_is_400(client: httpx.AsyncClient, world: World) -> None:
    assert_error(await client.get(f"{BASE}/requests.json", params={"status": "pending"}), 400)


async def test_service_code_filter(client: httpx.AsyncClient, world: World) -> None:
    _, data = await get_both(client, "requests", {"service_code": world.traffic.code})
    assert codes(data) == [world.resolved.code]


async def test_unknown_service_code_filter_is_400(client: httpx.AsyncClient, world: World) -> None:
    for suffix in ("json", "xml"):
        response = await client.get(f"{BASE}/requests.{suffix}", params={"service_code": "nope"})
        assert "service_code" in assert_error(response, 400)


async def test_service_request_id_list_overrides_the_other_filters(
    client: httpx.AsyncClient, world: World
) -> None:
    ids = f"{world.old.code}, {world.resolved.code},{world.submitted.code},PA-1999-000001,x"
    _, data = await get_both(client, "requests", {"service_request_id": ids, "status": "open"})
    assert codes(data) == [world.resolved.code, world.old.code]


async def test_default_window_is_the_last_90_days(client: httpx.AsyncClient, world: World) -> None:
    _, data = await get_both(client, "requests")
    assert world.old.code not in codes(data)


async def test_start_date_alone_opens_a_90_day_window(
    client: httpx.AsyncClient, world: World
) -> None:
    start = (utcnow() - timedelta(days=121)).isoformat()
    _, data = await get_both(client, "requests", {"start_date": start})
    assert codes(data) == [world.old.code]


async def test_date_range_over_90_days_is_400(client: httpx.AsyncClient, world: World) -> None:
    params = {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-07-20T00:00:00Z"}
    for suffix in ("json", "xml"):
        response = await client.get(f"{BASE}/requests.{suffix}", params=params)
        assert "90 days" in assert_error(response, 400)


async def test_end_before_start_is_400(client: httpx.AsyncClient, world: World) -> None:
    params = {"start_date": "2026-02-01", "end_date": "2026-01-01"}
    assert_error(await client.get(f"{BASE}/requests.json", params=params), 400)


@pytest.mark.parametrize(
    "value",
    ["yesterday", "2026-13-01", "2026-02-30T00:00:00Z", "0001-01-01", "9999-12-31", "1" * 500],
)
async def test_malformed_date_is_400(client: httpx.AsyncClient, world: World, value: str) -> None:
    for suffix in ("json", "xml"):
        response = await client.get(f"{BASE}/requests.{suffix}", params={"end_date": value})
        assert_error(response, 400)


async def test_unencoded_plus_of_an_offset_is_understood(
    client: httpx.AsyncClient, world: World
) -> None:
    end = (utcnow() + timedelta(days=1)).astimezone(VIETNAM_TZ).isoformat(timespec="seconds")
    response = await client.get(f"{BASE}/requests.json?end_date={end}")
    assert response.status_code == 200
    assert codes(response.json()) == [world.assigned.code, world.resolved.code]


async def test_page_size_splits_the_list_into_pages(
    client: httpx.AsyncClient, world: World
) -> None:
    _, first = await get_both(client, "requests", {"page_size": "1"})
    _, second = await get_both(client, "requests", {"page_size": "1", "page": "2"})
    _, third = await get_both(client, "requests", {"page_size": "1", "page": "3"})
    assert (codes(first), codes(second), third) == (
        [world.assigned.code],
        [world.resolved.code],
        [],
    )


async def test_huge_page_size_is_capped_not_refused(
    client: httpx.AsyncClient, world: World
) -> None:
    status, data = await get_both(client, "requests", {"page_size": "999999999999"})
    assert status == 200
    assert len(data) == 2


@pytest.mark.parametrize(
    ("name", "value"),
    [("page", "0"), ("page", "-1"), ("page", "abc"), ("page", "10000000"), ("page_size", "1e3")],
)
async def test_bad_page_numbers_are_400(
    client: httpx.AsyncClient, world: World, name: str, value: str
) -> None:
    assert_error(await client.get(f"{BASE}/requests.xml", params={name: value}), 400)


async def test_one_request_is_a_one_element_array(client: httpx.AsyncClient, world: World) -> None:
    status, data = await get_both(client, f"requests/{world.assigned.code.lower()}")
    assert status == 200
    assert codes(data) == [world.assigned.code]


@pytest.mark.parametrize("which", ["submitted", "rejected"])
async def test_request_not_public_is_404(
    client: httpx.AsyncClient, world: World, which: str
) -> None:
    code = getattr(world, which).code
    for suffix in ("json", "xml"):
        assert_error(await client.get(f"{BASE}/requests/{code}.{suffix}"), 404)


@pytest.mark.parametrize("code", ["PA-1999-000001", "nonsense", "%FF%FE", "PA-2026-" + "9" * 40])
async def test_unknown_request_is_404(client: httpx.AsyncClient, world: World, code: str) -> None:
    assert_error(await client.get(f"{BASE}/requests/{code}.json"), 404)


async def test_token_is_the_request_id(client: httpx.AsyncClient, world: World) -> None:
    status, data = await get_both(client, f"tokens/{world.assigned.code}")
    assert status == 200
    assert data == [{"service_request_id": world.assigned.code, "token": world.assigned.code}]


async def test_unknown_token_is_404(client: httpx.AsyncClient, world: World) -> None:
    for suffix in ("json", "xml"):
        assert_error(await client.get(f"{BASE}/tokens/PA-1999-000001.{suffix}"), 404)


@contextmanager
def counting(engine: AsyncEngine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def test_statement_count_does_not_grow_with_the_page(
    client: httpx.AsyncClient,
    app: Starlette,
    world: World,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    with counting(app.state.engine) as few:
        assert (await client.get(f"{BASE}/requests.json")).status_code == 200
    async with session_factory() as session, session.begin():
        reporter = await session.merge(world.citizen)
        category = await session.merge(world.traffic)
        for _ in range(20):
            await make_report(
                session, reporter=reporter, category=category, status=ReportStatus.IN_PROGRESS
            )
    with counting(app.state.engine) as many:
        response = await client.get(f"{BASE}/requests.json")
    assert len(response.json()) == 22
    assert len(many) == len(few)


async def test_markup_and_control_characters_keep_the_xml_valid(
    client: httpx.AsyncClient, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session, session.begin():
        report = await session.merge(world.assigned)
        report.description = 'Rác <b>"&"</b> ]]> bên\x0bbờ\x7f sông'
    _, [record] = await get_both(client, f"requests/{world.assigned.code}")
    assert record["description"] == 'Rác <b>"&"</b> ]]> bên\ufffdbờ\x7f sông'
