"""Issuing and revoking partner API keys through GraphQL: administrators only, shown once."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import tables
from models.enums import Role
from models.tokens import digest
from settings import Settings
from tests.conftest import LOGIN, GraphQLClient, sign_in
from tests.factories import make_user
from tests.open311.conftest import World
from tests.open311.helpers import ISSUE_KEY, REVOKE_KEY, issue_key


async def test_only_the_key_hash_is_stored(
    client: httpx.AsyncClient,
    world: World,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    key = await issue_key(client, world.admin, "Ứng dụng đối tác")
    async with session_factory() as session:
        row = await session.scalar(select(tables.ApiKey))
    assert row is not None
    assert row.key_hash == digest(settings.secret_key, key) != key
    assert (row.key_prefix, row.created_by_id) == (key[:8], world.admin.id)


async def test_partner_account_cannot_sign_in(
    client: httpx.AsyncClient, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await issue_key(client, world.admin, "Ứng dụng đối tác")
    async with session_factory() as session:
        partner = await session.scalar(
            select(tables.User).where(tables.User.username == "partner-ung-dung-doi-tac")
        )
    assert partner is not None
    assert partner.phone is None
    assert partner.role is Role.CITIZEN
    assert partner.phone_verified_at is not None
    for password in ("", "password", partner.password_hash):
        data = await GraphQLClient(client).data(
            LOGIN, {"username": "partner-ung-dung-doi-tac", "password": password}
        )
        assert data["login"]["accessToken"] is None


async def test_a_second_key_for_the_same_partner_shares_its_account(
    client: httpx.AsyncClient, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    first = await issue_key(client, world.admin, "Ứng dụng đối tác")
    second = await issue_key(client, world.admin, "ứng dụng  ĐỐI TÁC")
    async with session_factory() as session:
        rows = list(await session.scalars(select(tables.ApiKey)))
    assert first != second
    assert len(rows) == 2
    assert rows[0].user_id == rows[1].user_id


async def test_citizen_may_not_issue_a_key(client: httpx.AsyncClient, world: World) -> None:
    citizen = await sign_in(client, world.citizen)
    assert await citizen.error_codes(ISSUE_KEY, {"name": "Ứng dụng"}) == ["FORBIDDEN"]


async def test_anonymous_visitor_may_not_revoke_a_key(
    client: httpx.AsyncClient, world: World
) -> None:
    key = await issue_key(client, world.admin, "Ứng dụng đối tác")
    codes = await GraphQLClient(client).error_codes(REVOKE_KEY, {"prefix": key[:8]})
    assert codes == ["UNAUTHENTICATED"]


async def test_name_without_letters_is_refused(client: httpx.AsyncClient, world: World) -> None:
    admin = await sign_in(client, world.admin)
    data = await admin.data(ISSUE_KEY, {"name": " -- "})
    assert data["issueApiKey"] == {
        "apiKey": None,
        "keyPrefix": None,
        "userErrors": [{"code": "INVALID_INPUT", "field": ["name"]}],
    }


async def test_staff_username_is_never_given_a_key(
    client: httpx.AsyncClient, world: World, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session, session.begin():
        staff = await make_user(session, Role.COORDINATOR)
        staff.username = "partner-ban-chi-dao"
    admin = await sign_in(client, world.admin)
    data = await admin.data(ISSUE_KEY, {"name": "Ban chỉ đạo"})
    assert data["issueApiKey"]["userErrors"] == [{"code": "ALREADY_EXISTS", "field": ["name"]}]


async def test_revoking_twice_keeps_the_first_time(client: httpx.AsyncClient, world: World) -> None:
    key = await issue_key(client, world.admin, "Ứng dụng đối tác")
    admin = await sign_in(client, world.admin)
    first = await admin.data(REVOKE_KEY, {"prefix": key[:8]})
    second = await admin.data(REVOKE_KEY, {"prefix": key[:8]})
    assert first["revokeApiKey"]["revokedAt"] is not None
    assert second == first


async def test_revoking_an_unknown_prefix_is_not_found(
    client: httpx.AsyncClient, world: World
) -> None:
    admin = await sign_in(client, world.admin)
    data = await admin.data(REVOKE_KEY, {"prefix": "nope"})
    assert data["revokeApiKey"]["userErrors"] == [{"code": "NOT_FOUND"}]
