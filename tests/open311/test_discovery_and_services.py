"""Discovery, the service list and service definitions, in both formats."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.open311.conftest import World
from tests.open311.helpers import BASE, assert_error, get_both


async def test_discovery_names_this_endpoint_and_both_formats(client: httpx.AsyncClient) -> None:
    status, data = await get_both(client, "discovery")
    assert status == 200
    [endpoint] = data["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert sorted(endpoint["formats"]) == ["application/json", "text/xml"]


async def test_services_are_the_active_categories(
    client: httpx.AsyncClient, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session, session.begin():
        traffic = await session.merge(world.traffic)
        traffic.is_active = False
    status, data = await get_both(client, "services")
    assert status == 200
    assert data == [
        {
            "service_code": world.environment.code,
            "service_name": "Môi trường",
            "description": "",
            "metadata": False,
            "type": "realtime",
            "keywords": "Môi trường, moi truong",
            "group": "",
        }
    ]


async def test_service_definition_has_no_attributes(
    client: httpx.AsyncClient, world: World
) -> None:
    status, data = await get_both(client, f"services/{world.environment.code}")
    assert status == 200
    assert data == {"service_code": world.environment.code, "attributes": []}


async def test_unknown_service_definition_is_404(client: httpx.AsyncClient, world: World) -> None:
    for suffix in ("json", "xml"):
        assert_error(await client.get(f"{BASE}/services/khong_co.{suffix}"), 404)


async def test_unknown_format_suffix_is_404(client: httpx.AsyncClient) -> None:
    for path in ("services.html", "discovery.JSON", "requests.json.xml", "requests.txt"):
        assert_error(await client.get(f"{BASE}/{path}"), 404)


async def test_unknown_path_is_a_spec_shaped_404(client: httpx.AsyncClient) -> None:
    for path in ("services", "nothing/here.json", ""):
        assert_error(await client.get(f"{BASE}/{path}"), 404)
