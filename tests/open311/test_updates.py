"""The servicerequestupdates extension: the public timeline of public reports, nothing else."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.enums import Visibility
from tests.factories import make_attachment, make_message, make_user
from tests.open311.conftest import INTERNAL_NOTE, World
from tests.open311.helpers import BASE, assert_error, get_both


def of(data: list[dict[str, Any]], code: str) -> list[dict[str, Any]]:
    return [update for update in data if update["service_request_id"] == code]


async def test_updates_list_the_public_timeline_oldest_first(
    client: httpx.AsyncClient, world: World
) -> None:
    status, data = await get_both(client, "servicerequestupdates")
    assert status == 200
    timeline = of(data, world.assigned.code)
    assert [(u["status"], u["description"]) for u in timeline] == [
        ("open", ""),
        ("open", "Đã chuyển Sở Xây dựng xử lý."),
        ("open", "Cảm ơn anh/chị."),
    ]
    assert [u["updated_datetime"] for u in timeline] == sorted(
        u["updated_datetime"] for u in timeline
    )
    assert set(timeline[0]) == {
        "update_id",
        "service_request_id",
        "status",
        "updated_datetime",
        "description",
        "media_url",
    }


async def test_updates_carry_the_status_after_each_event(
    client: httpx.AsyncClient, world: World
) -> None:
    _, data = await get_both(client, "servicerequestupdates")
    assert [u["status"] for u in of(data, world.resolved.code)] == ["open", "closed"]


async def test_updates_leave_out_internal_events_and_reports_not_public(
    client: httpx.AsyncClient, world: World
) -> None:
    _, data = await get_both(client, "servicerequestupdates")
    assert INTERNAL_NOTE not in str(data)
    assert {u["service_request_id"] for u in data} == {world.assigned.code, world.resolved.code}


async def test_updates_show_a_public_message_photo(
    client: httpx.AsyncClient, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session, session.begin():
        report = await session.merge(world.assigned)
        officer = await make_user(session)
        message = await make_message(session, report, officer, body="Ảnh hiện trường.")
        photo = await make_attachment(session, report)
        photo.message_id = message.id
    _, data = await get_both(client, "servicerequestupdates")
    [update] = [u for u in data if u["description"] == "Ảnh hiện trường."]
    assert update["media_url"] == f"http://testserver/media/{photo.id}"


async def test_updates_hide_the_body_of_a_message_not_public(
    client: httpx.AsyncClient, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session, session.begin():
        report = await session.merge(world.assigned)
        author = await make_user(session)
        # A public event that carries a message for participants only: the body stays hidden.
        message = await make_message(session, report, author, body="Private words")
        message.visibility = Visibility.PARTICIPANTS
    _, data = await get_both(client, "servicerequestupdates")
    assert "Private words" not in str(data)


async def test_updates_for_chosen_requests_ignore_the_window(
    client: httpx.AsyncClient, world: World
) -> None:
    _, data = await get_both(
        client, "servicerequestupdates", {"service_request_id": world.old.code}
    )
    assert [u["description"] for u in data] == [""]


async def test_updates_refuse_a_range_over_90_days(client: httpx.AsyncClient) -> None:
    params = {"start_date": "2026-01-01", "end_date": "2026-07-20"}
    for suffix in ("json", "xml"):
        response = await client.get(f"{BASE}/servicerequestupdates.{suffix}", params=params)
        assert_error(response, 400)
