"""Creating service requests with a partner's api_key: the normal workflow, and every refusal."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import tables
from models.enums import ReportStatus
from tests.conftest import sign_in
from tests.open311.conftest import World
from tests.open311.helpers import BASE, REVOKE_KEY, assert_error, get_both, issue_key, xml_to_data


def form(world: World, key: str, **fields: str) -> dict[str, str]:
    return {
        "api_key": key,
        "service_code": world.environment.code,
        "lat": "17.4701",
        "long": "106.6001",
        "description": "Cây đổ chắn ngang đường Trần Hưng Đạo.",
        **fields,
    }


async def stored(sessions: async_sessionmaker[AsyncSession], code: str) -> tables.Report:
    async with sessions() as session:
        report = await session.scalar(select(tables.Report).where(tables.Report.code == code))
    assert report is not None
    return report


async def test_posted_request_is_public_only_once_forwarded(
    client: httpx.AsyncClient, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    key = await issue_key(client, world.admin, "FixMyStreet Đồng Hới")
    response = await client.post(f"{BASE}/requests.json", data=form(world, key))
    assert response.status_code == 200, response.text
    [created] = response.json()
    code = created["service_request_id"]
    assert created == {
        "service_request_id": code,
        "service_notice": "Sẽ kiểm tra trong 24 giờ.",
        "account_id": None,
    }
    assert_error(await client.get(f"{BASE}/requests/{code}.json"), 404)
    async with session_factory() as session, session.begin():
        report = await session.scalar(select(tables.Report).where(tables.Report.code == code))
        assert report is not None
        assert report.status is ReportStatus.SUBMITTED
        report.is_public, report.status = True, ReportStatus.ASSIGNED
    status, [record] = await get_both(client, f"requests/{code}")
    assert status == 200
    assert record["description"] == "Cây đổ chắn ngang đường Trần Hưng Đạo."
    assert record["title"] == "Cây đổ chắn ngang đường Trần Hưng Đạo."
    assert (record["lat"], record["long"], record["status"]) == (17.4701, 106.6001, "open")


async def test_posted_request_belongs_to_the_partner_account(
    client: httpx.AsyncClient, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    key = await issue_key(client, world.admin, "FixMyStreet Đồng Hới")
    response = await client.post(f"{BASE}/requests.json", data=form(world, key))
    report = await stored(session_factory, response.json()[0]["service_request_id"])
    async with session_factory() as session:
        partner = await session.get(tables.User, report.reporter_id)
    assert partner is not None
    assert (partner.username, partner.phone) == ("partner-fixmystreet-dong-hoi", None)


async def test_post_answers_in_xml_too(client: httpx.AsyncClient, world: World) -> None:
    key = await issue_key(client, world.admin, "Ứng dụng đối tác")
    response = await client.post(f"{BASE}/requests.xml", data=form(world, key))
    assert response.status_code == 200
    [created] = xml_to_data(ET.fromstring(response.content))
    assert created["service_request_id"].startswith("PA-")
    assert created["account_id"] == ""


async def test_title_extension_is_kept(
    client: httpx.AsyncClient, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    key = await issue_key(client, world.admin, "Ứng dụng đối tác")
    response = await client.post(f"{BASE}/requests.json", data=form(world, key, title="Cây đổ"))
    report = await stored(session_factory, response.json()[0]["service_request_id"])
    assert report.title == "Cây đổ"


async def test_long_description_gives_an_80_character_title(
    client: httpx.AsyncClient, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    key = await issue_key(client, world.admin, "Ứng dụng đối tác")
    text = "Đèn đường hỏng " * 20
    response = await client.post(f"{BASE}/requests.json", data=form(world, key, description=text))
    report = await stored(session_factory, response.json()[0]["service_request_id"])
    assert report.title == text[:80].rstrip()


async def test_address_alone_places_the_request_at_the_root_area(
    client: httpx.AsyncClient, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    key = await issue_key(client, world.admin, "Ứng dụng đối tác")
    fields = form(world, key, address_string="12 Trần Hưng Đạo, Đồng Hới", lat="", long="")
    response = await client.post(f"{BASE}/requests.json", data=fields)
    assert response.status_code == 200, response.text
    report = await stored(session_factory, response.json()[0]["service_request_id"])
    assert (report.latitude, report.longitude) == (17.4689, 106.6222)
    assert (report.address, report.area_id) == ("12 Trần Hưng Đạo, Đồng Hới", world.area.id)


async def test_personal_fields_are_not_stored(
    client: httpx.AsyncClient, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    key = await issue_key(client, world.admin, "Ứng dụng đối tác")
    personal = {
        "email": "lan@b.vn",
        "first_name": "Lan-X",
        "last_name": "Vũ-X",
        "phone": "0912345678",
    }
    response = await client.post(f"{BASE}/requests.json", data=form(world, key, **personal))
    report = await stored(session_factory, response.json()[0]["service_request_id"])
    async with session_factory() as session:
        partner = await session.get(tables.User, report.reporter_id)
    assert partner is not None
    kept = f"{report.title} {report.description} {report.address} {partner.display_name}"
    assert not any(value in kept for value in personal.values())
    assert partner.phone is None


@pytest.mark.parametrize("key", [None, "", "not-a-key", "x" * 5000])
async def test_missing_or_bad_api_key_is_403(
    client: httpx.AsyncClient, world: World, key: str | None
) -> None:
    fields = form(world, key or "")
    if key is None:
        del fields["api_key"]
    for suffix in ("json", "xml"):
        assert_error(await client.post(f"{BASE}/requests.{suffix}", data=fields), 403)


async def test_revoked_api_key_is_403(client: httpx.AsyncClient, world: World) -> None:
    key = await issue_key(client, world.admin, "Ứng dụng đối tác")
    admin = await sign_in(client, world.admin)
    revoked = await admin.data(REVOKE_KEY, {"prefix": key[:8]})
    assert revoked["revokeApiKey"]["userErrors"] == []
    assert_error(await client.post(f"{BASE}/requests.json", data=form(world, key)), 403)


async def test_unknown_service_code_is_400(client: httpx.AsyncClient, world: World) -> None:
    key = await issue_key(client, world.admin, "Ứng dụng đối tác")
    fields = form(world, key, service_code="khong_co")
    for suffix in ("json", "xml"):
        response = await client.post(f"{BASE}/requests.{suffix}", data=fields)
        assert "service_code" in assert_error(response, 400)


@pytest.mark.parametrize(
    "location",
    [
        {"lat": "", "long": ""},
        {"lat": "17.47", "long": ""},
        {"lat": "north", "long": "106.6"},
        {"lat": "91", "long": "106.6"},
        {"lat": "17.47", "long": "nan"},
        {"lat": "1e999", "long": "106.6"},
        {"lat": "21.0278", "long": "105.8342"},
    ],
)
async def test_missing_or_bad_location_is_400(
    client: httpx.AsyncClient, world: World, location: dict[str, str]
) -> None:
    key = await issue_key(client, world.admin, "Ứng dụng đối tác")
    for suffix in ("json", "xml"):
        response = await client.post(f"{BASE}/requests.{suffix}", data=form(world, key, **location))
        assert_error(response, 400)


async def test_missing_description_is_400(client: httpx.AsyncClient, world: World) -> None:
    key = await issue_key(client, world.admin, "Ứng dụng đối tác")
    response = await client.post(f"{BASE}/requests.json", data=form(world, key, description=" "))
    assert "description" in assert_error(response, 400)


async def test_too_long_description_is_400(client: httpx.AsyncClient, world: World) -> None:
    key = await issue_key(client, world.admin, "Ứng dụng đối tác")
    fields = form(world, key, description="a" * 6000)
    assert "INVALID_INPUT" in assert_error(
        await client.post(f"{BASE}/requests.json", data=fields), 400
    )


async def test_non_utf8_body_is_400(client: httpx.AsyncClient, world: World) -> None:
    headers = {"content-type": "application/x-www-form-urlencoded"}
    for body in (b"api_key=\xff\xfe", b"description=%FF%FE"):
        response = await client.post(f"{BASE}/requests.json", content=body, headers=headers)
        assert_error(response, 400)


async def test_oversized_body_is_400(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(f"{BASE}/requests.json", data={"description": "a" * 100_000})
    assert_error(response, 400)


async def test_multipart_body_is_400(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        f"{BASE}/requests.json", data={"api_key": "x"}, files={"media": b"\x89PNG"}
    )
    assert_error(response, 400)
