"""Administration through the API: only administrators, and disabling ends sessions."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.base import utcnow
from models.enums import Role
from models.tokens import issue_access_token
from schema.node import encode_global_id
from settings import Settings
from tests.conftest import LOGIN, GraphQLClient, sign_in
from tests.factories import PASSWORD, make_agency, make_area, make_category, make_user

CREATE_STAFF = """
mutation ($input: CreateStaffAccountInput!) {
  createStaffAccount(input: $input) {
    user { displayName role agency { name } } userErrors { code field }
  }
}
"""
SET_ACTIVE = """
mutation ($id: ID!, $active: Boolean!) {
  setUserActive(input: {userId: $id, active: $active}) { user { id } userErrors { code } }
}
"""
CREATE_CATEGORY = """
mutation { createCategory(input: {code: "cay_xanh", name: "Cây xanh", defaultDueDays: 5}) {
  category { code name defaultDueDays } userErrors { code field } } }
"""


async def test_admin_creates_an_agency_officer(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session, session.begin():
        admin = await make_user(session, Role.ADMIN)
        agency = await make_agency(session, "Sở Xây dựng")
    gql = await sign_in(client, admin)
    data = await gql.data(
        CREATE_STAFF,
        {
            "input": {
                "username": "xaydung.nam",
                "password": "mot-mat-khau-dai",
                "displayName": "Phạm Văn Nam",
                "role": "AGENCY_OFFICER",
                "agencyId": encode_global_id("Agency", agency.id),
            }
        },
    )
    assert data["createStaffAccount"]["user"] == {
        "displayName": "Phạm Văn Nam",
        "role": "AGENCY_OFFICER",
        "agency": {"name": "Sở Xây dựng"},
    }
    login = await gql.data(LOGIN, {"username": "xaydung.nam", "password": "mot-mat-khau-dai"})
    assert login["login"]["userErrors"] == []


async def test_officer_without_an_agency_is_refused(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session, session.begin():
        admin = await make_user(session, Role.ADMIN)
    gql = await sign_in(client, admin)
    data = await gql.data(
        CREATE_STAFF,
        {
            "input": {
                "username": "khong.co.co.quan",
                "password": "mot-mat-khau-dai",
                "displayName": "A",
                "role": "AGENCY_OFFICER",
            }
        },
    )
    assert data["createStaffAccount"]["userErrors"] == [
        {"code": "INVALID_INPUT", "field": ["agencyId"]}
    ]


async def test_duplicate_category_code_is_a_user_error(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session, session.begin():
        admin = await make_user(session, Role.ADMIN)
    gql = await sign_in(client, admin)
    first = await gql.data(CREATE_CATEGORY)
    assert first["createCategory"]["category"]["code"] == "cay_xanh"
    second = await gql.data(CREATE_CATEGORY)
    assert second["createCategory"]["userErrors"] == [{"code": "ALREADY_EXISTS", "field": ["code"]}]


async def test_routing_rule_can_be_set_and_removed(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session, session.begin():
        admin = await make_user(session, Role.ADMIN)
        category = await make_category(session)
        area = await make_area(session)
        agency = await make_agency(session, "Sở Nông nghiệp và Môi trường")
    gql = await sign_in(client, admin)
    variables = {
        "c": encode_global_id("Category", category.id),
        "a": encode_global_id("Area", area.id),
        "g": encode_global_id("Agency", agency.id),
    }
    set_rule = await gql.data(
        "mutation ($c: ID!, $a: ID!, $g: ID) { setRouting(input: {categoryId: $c, areaId: $a, "
        "agencyId: $g}) { agency { name } userErrors { code } } }",
        variables,
    )
    assert set_rule["setRouting"]["agency"] == {"name": "Sở Nông nghiệp và Môi trường"}
    removed = await gql.data(
        "mutation ($c: ID!, $a: ID!) { setRouting(input: {categoryId: $c, areaId: $a}) "
        "{ agency { name } userErrors { code } } }",
        {"c": variables["c"], "a": variables["a"]},
    )
    assert removed["setRouting"] == {"agency": None, "userErrors": []}


async def test_non_admins_are_forbidden_and_anonymous_unauthenticated(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session, session.begin():
        coordinator = await make_user(session, Role.COORDINATOR)
    staff = await sign_in(client, coordinator)
    assert await staff.error_codes(CREATE_CATEGORY) == ["FORBIDDEN"]
    assert await GraphQLClient(client).error_codes(CREATE_CATEGORY) == ["UNAUTHENTICATED"]


async def test_disabled_account_loses_its_access_token_and_refresh_token(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session, session.begin():
        admin = await make_user(session, Role.ADMIN)
        citizen = await make_user(session, phone="+84987654321")
    citizen_client = await sign_in(client, citizen)
    refresh = await citizen_client.data(LOGIN, {"username": citizen.phone, "password": PASSWORD})
    admin_client = await sign_in(client, admin)
    await admin_client.data(
        SET_ACTIVE, {"id": encode_global_id("User", citizen.id), "active": False}
    )
    assert await citizen_client.error_codes("{ viewer { id } }") == ["UNAUTHENTICATED"]
    again = await GraphQLClient(client).data(
        "mutation ($t: String!) { refreshSession(input: {refreshToken: $t}) "
        "{ userErrors { code } } }",
        {"t": refresh["login"]["refreshToken"]},
    )
    assert again["refreshSession"]["userErrors"] == [{"code": "INVALID_TOKEN"}]


async def test_expired_access_token_is_unauthenticated(
    client: httpx.AsyncClient,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory() as session, session.begin():
        citizen = await make_user(session)
    token, _ = issue_access_token(
        settings.secret_key, citizen.id, Role.CITIZEN, None, utcnow() - timedelta(hours=1)
    )
    gql = GraphQLClient(client)
    gql.token = token
    assert await gql.error_codes("{ viewer { id } }") == ["UNAUTHENTICATED"]


async def test_staff_actions_are_in_the_audit_log_for_admins_only(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session, session.begin():
        admin = await make_user(session, Role.ADMIN)
        coordinator = await make_user(session, Role.COORDINATOR)
    admin_client = await sign_in(client, admin)
    await admin_client.data(CREATE_CATEGORY, {}, headers={"X-Request-ID": "audit-test-0001"})
    log = await admin_client.data(
        "{ auditLog(first: 5) { edges { node { action targetType actorRole clientIp requestId "
        "details } } } }"
    )
    entry = log["auditLog"]["edges"][0]["node"]
    assert entry["action"] == "admin.create_category"
    assert entry["targetType"] == "Category"
    assert entry["actorRole"] == "ADMIN"
    assert entry["requestId"] == "audit-test-0001"
    assert entry["details"] == {"code": "cay_xanh"}
    staff = await sign_in(client, coordinator)
    assert await staff.error_codes("{ auditLog { edges { node { action } } } }") == ["FORBIDDEN"]


async def test_audit_log_rows_cannot_be_changed(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session, session.begin():
        admin = await make_user(session, Role.ADMIN)
    await (await sign_in(client, admin)).data(CREATE_CATEGORY)
    with pytest.raises(DBAPIError):
        async with session_factory() as session, session.begin():
            await session.execute(text("UPDATE audit_log SET action = 'forged'"))
