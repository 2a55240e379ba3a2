"""Citizen sign-up, phone verification and sessions (login, refresh with rotation, logout)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from models import tables
from models.enums import Role
from models.errors import DomainError, UserErrorCode
from models.passwords import hash_password, verify_password
from models.phones import PhoneError, looks_like_phone, normalize_phone
from models.tokens import (
    REFRESH_TOKEN_LIFETIME,
    digest,
    issue_access_token,
    new_code,
    new_secret,
    same_digest,
)
from resolvers.ratelimits import check, take
from schema.context import Context

CODE_LIFETIME = timedelta(minutes=10)
CODE_ATTEMPTS = 5
LOGIN_WINDOW = 15 * 60
LOGIN_FAILURES_PER_ACCOUNT = 5
LOGIN_FAILURES_PER_ADDRESS = 30
REGISTER_WINDOW = 60 * 60
REGISTER_PER_PHONE = 3
REGISTER_PER_ADDRESS = 10
MIN_PASSWORD = 8
MAX_PASSWORD = 128
MAX_NAME = 100
COMMON_PASSWORDS = frozenset(
    {
        "12345678",
        "123456789",
        "1234567890",
        "password",
        "password1",
        "11111111",
        "88888888",
        "abcd1234",
        "qwerty123",
        "matkhau123",
        "iloveyou",
    }
)
# Verifying against this when the account does not exist costs the same time as a real check,
# so response times do not tell whether a phone or username is registered.
_DUMMY_HASH = hash_password("phananh-timing-equaliser")


@dataclass(frozen=True)
class SignedIn:
    user: tables.User
    access_token: str
    access_expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime


def validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD or len(password) > MAX_PASSWORD:
        raise DomainError(
            UserErrorCode.WEAK_PASSWORD,
            f"The password needs {MIN_PASSWORD} to {MAX_PASSWORD} characters.",
            "password",
        )
    if password.lower() in COMMON_PASSWORDS:
        raise DomainError(UserErrorCode.WEAK_PASSWORD, "This password is too common.", "password")


def validate_display_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not 1 <= len(cleaned) <= MAX_NAME:
        raise DomainError(
            UserErrorCode.INVALID_INPUT, f"A name has 1 to {MAX_NAME} characters.", "displayName"
        )
    return cleaned


def _phone(raw: str) -> str:
    try:
        return normalize_phone(raw)
    except PhoneError as exc:
        raise DomainError(
            UserErrorCode.INVALID_PHONE, str(exc).capitalize() + ".", "phone"
        ) from exc


async def register(ctx: Context, phone_raw: str, password: str, display_name: str) -> str:
    """Create (or refresh) an unverified citizen account and send it a one-time code.

    The answer is the same whether or not the phone already has an account: a verified owner
    gets a notice by SMS instead of a code, so sign-up cannot be used to probe for accounts.
    """
    phone = _phone(phone_raw)
    validate_password(password)
    name = validate_display_name(display_name)
    await take(
        ctx,
        [
            (f"register:ip:{ctx.client_ip}", REGISTER_PER_ADDRESS),
            (f"register:phone:{phone}", REGISTER_PER_PHONE),
        ],
        REGISTER_WINDOW,
    )
    now = ctx.now()
    code = new_code()
    async with ctx.sessions() as session, session.begin():
        user = await session.scalar(select(tables.User).where(tables.User.phone == phone))
        if user is not None and user.phone_verified_at is not None:
            await ctx.services.sms.send_notice(
                phone, "Số điện thoại này đã có tài khoản PhanAnh. Hãy đăng nhập."
            )
            return phone
        if user is None:
            user = tables.User(role=Role.CITIZEN, phone=phone, display_name=name, password_hash="")
            session.add(user)
        user.display_name = name
        user.password_hash = hash_password(password)
        try:
            await session.flush()
        except IntegrityError:
            # Two sign-ups for one phone at once: the other one made the account.
            return phone
        session.add(
            tables.PhoneVerification(
                user_id=user.id,
                phone=phone,
                code_hash=digest(ctx.settings.secret_key, code),
                expires_at=now + CODE_LIFETIME,
            )
        )
    await ctx.services.sms.send_code(phone, code)
    return phone


async def verify_phone(ctx: Context, phone_raw: str, code: str) -> SignedIn:
    phone = _phone(phone_raw)
    now = ctx.now()
    wrong = DomainError(UserErrorCode.INVALID_CODE, "The code is wrong or has expired.", "code")
    async with ctx.sessions() as session:
        pending = await session.scalar(
            select(tables.PhoneVerification)
            .where(
                tables.PhoneVerification.phone == phone,
                tables.PhoneVerification.consumed_at.is_(None),
                tables.PhoneVerification.expires_at > now,
            )
            .order_by(tables.PhoneVerification.id.desc())
            .limit(1)
            .with_for_update()
        )
        if pending is None or pending.attempts >= CODE_ATTEMPTS:
            raise wrong
        pending.attempts += 1
        if not same_digest(pending.code_hash, digest(ctx.settings.secret_key, code.strip())):
            await session.commit()  # the failed attempt must count even though we refuse
            raise wrong
        pending.consumed_at = now
        user = await session.get_one(tables.User, pending.user_id)
        if not user.is_active:
            raise DomainError(UserErrorCode.ACCOUNT_DISABLED, "This account is disabled.")
        user.phone_verified_at = now
        signed_in = await _start_session(ctx, session, user)
        await session.commit()
        return signed_in


async def login(ctx: Context, username: str, password: str) -> SignedIn:
    """Citizens sign in with their phone, staff with their username; failures are throttled."""
    login_key = username.strip().lower()
    is_phone = looks_like_phone(login_key)
    if is_phone:
        login_key = normalize_phone(login_key)
    account_key = f"login:account:{login_key}"
    address_key = f"login:ip:{ctx.client_ip}"
    await check(ctx, account_key, LOGIN_FAILURES_PER_ACCOUNT)
    await check(ctx, address_key, LOGIN_FAILURES_PER_ADDRESS)
    column = tables.User.phone if is_phone else tables.User.username
    async with ctx.sessions() as session, session.begin():
        user = await session.scalar(select(tables.User).where(column == login_key))
        valid = verify_password(user.password_hash if user else _DUMMY_HASH, password)
        if user is None or not valid:
            await ctx.services.throttle.hit(account_key, LOGIN_WINDOW)
            await ctx.services.throttle.hit(address_key, LOGIN_WINDOW)
            raise DomainError(
                UserErrorCode.INVALID_CREDENTIALS, "Wrong phone number, username or password."
            )
        if not user.is_active:
            raise DomainError(UserErrorCode.ACCOUNT_DISABLED, "This account is disabled.")
        if user.role is Role.CITIZEN and user.phone_verified_at is None:
            raise DomainError(
                UserErrorCode.PHONE_NOT_VERIFIED, "Verify your phone number with the code first."
            )
        await ctx.services.throttle.reset(account_key)
        return await _start_session(ctx, session, user)


async def refresh_session(ctx: Context, refresh_token: str) -> SignedIn:
    """Rotate a refresh token. Presenting one already rotated means it leaked: end the family."""
    now = ctx.now()
    invalid = DomainError(UserErrorCode.INVALID_TOKEN, "Sign in again.", "refreshToken")
    token_hash = digest(ctx.settings.secret_key, refresh_token.strip())
    async with ctx.sessions() as session:
        link = await session.scalar(
            select(tables.RefreshToken)
            .where(tables.RefreshToken.token_hash == token_hash)
            .with_for_update()
        )
        if link is None or link.revoked_at is not None or link.expires_at <= now:
            raise invalid
        if link.rotated_at is not None:
            await _revoke_family(session, link.family_id, now)
            await session.commit()
            raise invalid
        user = await session.get_one(tables.User, link.user_id)
        if not user.is_active:
            raise invalid
        link.rotated_at = now
        signed_in = await _start_session(ctx, session, user, family_id=link.family_id)
        await session.commit()
        return signed_in


async def logout(ctx: Context, refresh_token: str | None, everywhere: bool) -> None:
    now = ctx.now()
    async with ctx.sessions() as session, session.begin():
        if everywhere and ctx.actor.user_id is not None:
            await session.execute(
                update(tables.RefreshToken)
                .where(
                    tables.RefreshToken.user_id == ctx.actor.user_id,
                    tables.RefreshToken.revoked_at.is_(None),
                )
                .values(revoked_at=now)
            )
            return
        if refresh_token:
            token_hash = digest(ctx.settings.secret_key, refresh_token.strip())
            family = await session.scalar(
                select(tables.RefreshToken.family_id).where(
                    tables.RefreshToken.token_hash == token_hash
                )
            )
            if family is not None:
                await _revoke_family(session, family, now)


async def revoke_all_sessions(session: AsyncSession, user_id: int, now: datetime) -> None:
    await session.execute(
        update(tables.RefreshToken)
        .where(tables.RefreshToken.user_id == user_id, tables.RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


async def _revoke_family(session: AsyncSession, family_id: str, now: datetime) -> None:
    await session.execute(
        update(tables.RefreshToken)
        .where(tables.RefreshToken.family_id == family_id, tables.RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


async def _start_session(
    ctx: Context, session: AsyncSession, user: tables.User, family_id: str | None = None
) -> SignedIn:
    now = ctx.now()
    access, access_expires = issue_access_token(
        ctx.settings.secret_key, user.id, user.role, user.agency_id, now
    )
    refresh = new_secret()
    refresh_expires = now + REFRESH_TOKEN_LIFETIME
    session.add(
        tables.RefreshToken(
            user_id=user.id,
            family_id=family_id or uuid.uuid4().hex,
            token_hash=digest(ctx.settings.secret_key, refresh),
            expires_at=refresh_expires,
        )
    )
    return SignedIn(user, access, access_expires, refresh, refresh_expires)
