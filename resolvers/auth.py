"""Who is calling: a bearer access token becomes an `Actor`, read fresh from the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import tables
from models.policy import ANONYMOUS, Actor
from models.tokens import AccessClaims, TokenError, read_access_token


class AuthenticationError(Exception):
    """Credentials were given but are not valid: the request is refused as UNAUTHENTICATED."""


async def authenticate(
    sessions: async_sessionmaker[AsyncSession],
    secret_key: str,
    authorization: str | None,
    now: datetime,
) -> Actor:
    """No header means an anonymous visitor; a bad or expired token is an error, never anonymous.

    The role and agency come from the database rather than the token, so that disabling an
    account or moving an officer takes effect at once, not when the token expires.
    """
    return await load_actor(sessions, read_bearer(secret_key, authorization, now))


def read_bearer(secret_key: str, authorization: str | None, now: datetime) -> AccessClaims | None:
    """The token's claims, checked but not yet against the database; None without a header."""
    if authorization is None or not authorization.strip():
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("Use `Authorization: Bearer <accessToken>`.")
    try:
        return read_access_token(secret_key, token.strip(), now)
    except TokenError as exc:
        raise AuthenticationError("The access token is invalid or has expired.") from exc


async def load_actor(
    sessions: async_sessionmaker[AsyncSession], claims: AccessClaims | None
) -> Actor:
    """The account the claims name, if it still exists and is active."""
    if claims is None:
        return ANONYMOUS
    async with sessions() as session:
        user = await session.get(tables.User, claims.user_id)
    if user is None or not user.is_active:
        raise AuthenticationError("The account is disabled or no longer exists.")
    return actor_of(user)


def actor_of(user: tables.User) -> Actor:
    return Actor(user_id=user.id, role=user.role, agency_id=user.agency_id)
