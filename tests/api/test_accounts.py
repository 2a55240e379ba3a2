"""Citizen sign-up, phone verification and sessions through the API."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.enums import Role
from resolvers.sms import MemoryCodeSender
from tests.conftest import LOGIN, GraphQLClient, sign_in
from tests.factories import PASSWORD, make_agency, make_user

REGISTER = """
mutation ($phone: String!, $password: String!, $name: String!) {
  register(input: {phone: $phone, password: $password, displayName: $name}) {
    phone userErrors { code field }
  }
}
"""
VERIFY = """
mutation ($phone: String!, $code: String!) {
  verifyPhone(input: {phone: $phone, code: $code}) {
    accessToken refreshToken viewer { displayName phone role } userErrors { code }
  }
}
"""
REFRESH = """
mutation ($token: String!) {
  refreshSession(input: {refreshToken: $token}) { accessToken refreshToken userErrors { code } }
}
"""
VIEWER = "{ viewer { displayName phone role agency { name } } }"
NEW_PASSWORD = "song-Nhat-Le-2026"


async def _register(gql: GraphQLClient, phone: str = "0912 345 678") -> str:
    data = await gql.data(REGISTER, {"phone": phone, "password": NEW_PASSWORD, "name": "Thủy"})
    assert data["register"]["userErrors"] == []
    normalised: str = data["register"]["phone"]
    return normalised


async def test_register_normalises_the_phone_and_sends_a_code(
    gql: GraphQLClient, sms: MemoryCodeSender
) -> None:
    assert await _register(gql) == "+84912345678"
    code = sms.last_code("+84912345678")
    assert code is not None
    assert len(code) == 6


async def test_verify_phone_signs_the_citizen_in(gql: GraphQLClient, sms: MemoryCodeSender) -> None:
    phone = await _register(gql)
    data = await gql.data(VERIFY, {"phone": phone, "code": sms.last_code(phone)})
    assert data["verifyPhone"]["viewer"] == {
        "displayName": "Thủy",
        "phone": "+84912345678",
        "role": "CITIZEN",
    }
    gql.token = data["verifyPhone"]["accessToken"]
    assert (await gql.data(VIEWER))["viewer"]["phone"] == "+84912345678"


async def test_verification_code_is_single_use(gql: GraphQLClient, sms: MemoryCodeSender) -> None:
    phone = await _register(gql)
    code = sms.last_code(phone)
    await gql.data(VERIFY, {"phone": phone, "code": code})
    again = await gql.data(VERIFY, {"phone": phone, "code": code})
    assert again["verifyPhone"]["userErrors"] == [{"code": "INVALID_CODE"}]


async def test_verification_code_allows_a_limited_number_of_attempts(
    gql: GraphQLClient, sms: MemoryCodeSender
) -> None:
    phone = await _register(gql)
    code = sms.last_code(phone)
    for _ in range(5):
        wrong = await gql.data(
            VERIFY, {"phone": phone, "code": "000000" if code != "000000" else "1"}
        )
        assert wrong["verifyPhone"]["userErrors"] == [{"code": "INVALID_CODE"}]
    late = await gql.data(VERIFY, {"phone": phone, "code": code})
    assert late["verifyPhone"]["userErrors"] == [{"code": "INVALID_CODE"}]


async def test_unverified_citizen_cannot_log_in(gql: GraphQLClient) -> None:
    phone = await _register(gql)
    data = await gql.data(LOGIN, {"username": phone, "password": NEW_PASSWORD})
    assert data["login"]["userErrors"][0]["code"] == "PHONE_NOT_VERIFIED"


async def test_register_refuses_a_foreign_number_and_a_weak_password(gql: GraphQLClient) -> None:
    bad_phone = await gql.data(REGISTER, {"phone": "12345", "password": NEW_PASSWORD, "name": "A"})
    assert bad_phone["register"]["userErrors"] == [{"code": "INVALID_PHONE", "field": ["phone"]}]
    weak = await gql.data(REGISTER, {"phone": "0987654321", "password": "12345678", "name": "A"})
    assert weak["register"]["userErrors"] == [{"code": "WEAK_PASSWORD", "field": ["password"]}]


async def test_register_does_not_reveal_an_existing_account(
    gql: GraphQLClient, sms: MemoryCodeSender, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session, session.begin():
        await make_user(session, phone="+84987654321")
    data = await gql.data(
        REGISTER, {"phone": "0987654321", "password": NEW_PASSWORD, "name": "Kẻ lạ"}
    )
    assert data["register"] == {"phone": "+84987654321", "userErrors": []}
    assert sms.last_code("+84987654321") is None  # the owner got a notice, not a code


async def test_login_by_phone_in_any_format(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session, session.begin():
        await make_user(session, phone="+84987654321")
    data = await gql.data(LOGIN, {"username": "098 765 4321", "password": PASSWORD})
    assert data["login"]["userErrors"] == []
    assert data["login"]["accessToken"]


async def test_staff_log_in_by_username_and_see_their_agency(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session, session.begin():
        agency = await make_agency(session, "Sở Xây dựng")
        officer = await make_user(session, Role.AGENCY_OFFICER, agency=agency)
    officer_client = await sign_in(client, officer)
    viewer = (await officer_client.data(VIEWER))["viewer"]
    assert viewer["role"] == "AGENCY_OFFICER"
    assert viewer["agency"] == {"name": "Sở Xây dựng"}


async def test_wrong_password_and_unknown_account_look_the_same(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session, session.begin():
        await make_user(session, phone="+84987654321")
    wrong = await gql.data(LOGIN, {"username": "0987654321", "password": "not-it-at-all"})
    unknown = await gql.data(LOGIN, {"username": "0911111111", "password": "not-it-at-all"})
    assert wrong["login"]["userErrors"] == unknown["login"]["userErrors"]
    assert wrong["login"]["userErrors"][0]["code"] == "INVALID_CREDENTIALS"


async def test_repeated_failed_logins_are_rate_limited(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session, session.begin():
        await make_user(session, phone="+84987654321")
    for _ in range(5):
        await gql.data(LOGIN, {"username": "0987654321", "password": "not-it-at-all"})
    limited = await gql.data(LOGIN, {"username": "0987654321", "password": PASSWORD})
    error = limited["login"]["userErrors"][0]
    assert error["code"] == "RATE_LIMITED"
    assert "retry in" in error["message"]


async def test_refresh_rotates_the_token(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session, session.begin():
        await make_user(session, phone="+84987654321")
    first = (await gql.data(LOGIN, {"username": "0987654321", "password": PASSWORD}))["login"]
    second = (await gql.data(REFRESH, {"token": first["refreshToken"]}))["refreshSession"]
    assert second["userErrors"] == []
    assert second["refreshToken"] != first["refreshToken"]
    third = (await gql.data(REFRESH, {"token": second["refreshToken"]}))["refreshSession"]
    assert third["userErrors"] == []


async def test_reusing_a_rotated_refresh_token_revokes_the_family(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session, session.begin():
        await make_user(session, phone="+84987654321")
    first = (await gql.data(LOGIN, {"username": "0987654321", "password": PASSWORD}))["login"]
    second = (await gql.data(REFRESH, {"token": first["refreshToken"]}))["refreshSession"]
    stolen = (await gql.data(REFRESH, {"token": first["refreshToken"]}))["refreshSession"]
    assert stolen["userErrors"] == [{"code": "INVALID_TOKEN"}]
    legit = (await gql.data(REFRESH, {"token": second["refreshToken"]}))["refreshSession"]
    assert legit["userErrors"] == [{"code": "INVALID_TOKEN"}]


async def test_logout_ends_the_refresh_token(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session, session.begin():
        await make_user(session, phone="+84987654321")
    first = (await gql.data(LOGIN, {"username": "0987654321", "password": PASSWORD}))["login"]
    await gql.data(
        "mutation ($t: String) { logout(input: {refreshToken: $t}) { ok } }",
        {"t": first["refreshToken"]},
    )
    after = (await gql.data(REFRESH, {"token": first["refreshToken"]}))["refreshSession"]
    assert after["userErrors"] == [{"code": "INVALID_TOKEN"}]


async def test_invalid_bearer_token_is_unauthenticated(gql: GraphQLClient) -> None:
    gql.token = "not-a-jwt"
    assert await gql.error_codes(VIEWER) == ["UNAUTHENTICATED"]


async def test_viewer_is_null_without_a_token(gql: GraphQLClient) -> None:
    assert (await gql.data(VIEWER))["viewer"] is None
