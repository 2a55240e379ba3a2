"""Partner apps: issuing and revoking Open311 API keys, and finding who a key belongs to."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import policy, tables
from models.enums import Role
from models.errors import DomainError, UserErrorCode
from models.text import fold
from models.tokens import digest
from resolvers.guards import require
from schema.context import Context

MAX_NAME = 200
PREFIX_LENGTH = 8
USERNAME_PREFIX = "partner-"
# Usernames are at most 64 characters (models.users); the slug gets what the prefix leaves.
MAX_SLUG = 64 - len(USERNAME_PREFIX)
_NON_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class IssuedKey:
    """A new key: `api_key` exists only here, in memory, and is shown to the admin once."""

    api_key: str
    key_prefix: str
    name: str


def partner_username(name: str) -> str:
    """`partner-<slug>`: the partner's name folded to ASCII, words joined by '-'."""
    slug = _NON_SLUG.sub("-", fold(name)).strip("-")[:MAX_SLUG].strip("-")
    if len(slug) < 2:
        raise DomainError(
            UserErrorCode.INVALID_INPUT, "The name needs at least two letters or digits.", "name"
        )
    return USERNAME_PREFIX + slug


def _unusable_password_hash() -> str:
    # Not an argon2 string, so verify_password always fails: the account cannot sign in.
    return "!partner-" + secrets.token_hex(16)


async def _partner_account(
    session: AsyncSession, name: str, username: str, now: datetime
) -> tables.User:
    """The partner's account, created on its first key; later keys (rotation) reuse it."""
    user = await session.scalar(select(tables.User).where(tables.User.username == username))
    if user is not None:
        # A staff member could hold this username; never hand a key to a staff account.
        if user.role is not Role.CITIZEN or user.phone is not None:
            raise DomainError(
                UserErrorCode.ALREADY_EXISTS, "That name belongs to another account.", "name"
            )
        return user
    user = tables.User(
        role=Role.CITIZEN,
        username=username,
        phone=None,
        # Submission requires a verified citizen; the partner vouches for its own users.
        phone_verified_at=now,
        display_name=name,
        password_hash=_unusable_password_hash(),
    )
    session.add(user)
    await session.flush()
    return user


async def _new_key(session: AsyncSession) -> str:
    """A 256-bit key whose display prefix is not taken (a clash is astronomically rare)."""
    while True:
        key = secrets.token_urlsafe(32)
        taken = await session.scalar(
            select(tables.ApiKey.id).where(tables.ApiKey.key_prefix == key[:PREFIX_LENGTH])
        )
        if taken is None:
            return key


async def issue_api_key(ctx: Context, name: str) -> IssuedKey:
    """Administrators: a new key for a partner app, creating the app's account if needed."""
    require(ctx.actor, policy.may_administer(ctx.actor), "Administrators only.")
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > MAX_NAME:
        raise DomainError(
            UserErrorCode.INVALID_INPUT, f"1 to {MAX_NAME} characters expected.", "name"
        )
    username = partner_username(cleaned)
    now = ctx.now()
    async with ctx.sessions() as session, session.begin():
        user = await _partner_account(session, cleaned, username, now)
        key = await _new_key(session)
        session.add(
            tables.ApiKey(
                name=cleaned,
                key_hash=digest(ctx.settings.secret_key, key),
                key_prefix=key[:PREFIX_LENGTH],
                user_id=user.id,
                created_by_id=ctx.actor.user_id,
                created_at=now,
            )
        )
    return IssuedKey(api_key=key, key_prefix=key[:PREFIX_LENGTH], name=cleaned)


async def revoke_api_key(ctx: Context, key_prefix: str) -> tables.ApiKey:
    """Administrators: the key stops working at once; revoking twice keeps the first time."""
    require(ctx.actor, policy.may_administer(ctx.actor), "Administrators only.")
    async with ctx.sessions() as session, session.begin():
        row = await session.scalar(
            select(tables.ApiKey).where(tables.ApiKey.key_prefix == key_prefix.strip())
        )
        if row is None:
            raise DomainError(UserErrorCode.NOT_FOUND, "No key has that prefix.", "keyPrefix")
        if row.revoked_at is None:
            row.revoked_at = ctx.now()
        return row


async def partner_actor(
    sessions: async_sessionmaker[AsyncSession], secret_key: str, api_key: str
) -> policy.Actor | None:
    """The partner account an active key belongs to, as a citizen; None for any bad key."""
    if not api_key or len(api_key) > 200:
        return None
    # Looked up by its keyed hash: the database never compares the secret itself, so response
    # times say nothing about how much of a guessed key was right.
    statement = (
        select(tables.User)
        .join(tables.ApiKey, tables.ApiKey.user_id == tables.User.id)
        .where(
            tables.ApiKey.key_hash == digest(secret_key, api_key),
            tables.ApiKey.revoked_at.is_(None),
            tables.User.is_active,
        )
    )
    async with sessions() as session:
        user = await session.scalar(statement)
    if user is None:
        return None
    return policy.Actor(user_id=user.id, role=Role.CITIZEN)
