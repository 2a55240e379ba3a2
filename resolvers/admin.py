"""Administration: staff accounts, agencies, categories and routing rules."""

from __future__ import annotations

import re
from typing import Any, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import policy, tables
from models.enums import Role
from models.errors import DomainError, UserErrorCode
from models.passwords import hash_password
from realtime.connections import end_account_everywhere
from resolvers import audit
from resolvers.accounts import revoke_all_sessions, validate_display_name, validate_password
from resolvers.guards import require
from schema.context import Context

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
CODE = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,63}$")
STAFF_ROLES = (Role.COORDINATOR, Role.AGENCY_OFFICER, Role.ADMIN)


def _admin(ctx: Context) -> None:
    require(ctx.actor, policy.may_administer(ctx.actor), "Administrators only.")


def _text(value: str, field: str, max_length: int, *, required: bool = True) -> str:
    cleaned = value.strip()
    if (required and not cleaned) or len(cleaned) > max_length:
        raise DomainError(
            UserErrorCode.INVALID_INPUT, f"1 to {max_length} characters expected.", field
        )
    return cleaned


def _code(value: str, field: str = "code") -> str:
    cleaned = value.strip().lower()
    if not CODE.match(cleaned):
        raise DomainError(
            UserErrorCode.INVALID_INPUT, "Codes use a-z, 0-9, '_', '.', '-' (2-64).", field
        )
    return cleaned


T = TypeVar("T")


def _audit(
    session: AsyncSession,
    ctx: Context,
    action: str,
    target_type: str,
    target_id: object,
    details: dict[str, Any],
) -> None:
    """The administrator's action, in the audit log, in the action's own transaction."""
    audit.record(session, ctx, ctx.actor, action, target_type, target_id, details)


async def _get(session: AsyncSession, model: type[T], pk: int | None, field: str) -> T | None:
    if pk is None:
        return None
    row = await session.get(model, pk)
    if row is None:
        raise DomainError(UserErrorCode.NOT_FOUND, "No such object.", field)
    return row


async def _flush_unique(session: AsyncSession, field: str) -> None:
    try:
        await session.flush()
    except IntegrityError as exc:
        raise DomainError(UserErrorCode.ALREADY_EXISTS, "That already exists.", field) from exc


async def create_staff_account(
    ctx: Context,
    username: str,
    password: str,
    display_name: str,
    role: Role,
    agency_id: int | None,
) -> tables.User:
    _admin(ctx)
    name = username.strip().lower()
    if not USERNAME.match(name):
        raise DomainError(
            UserErrorCode.INVALID_INPUT, "Usernames use a-z, 0-9, '.', '_', '-' (3-64).", "username"
        )
    if role not in STAFF_ROLES:
        raise DomainError(UserErrorCode.INVALID_INPUT, "Staff roles only.", "role")
    if (role is Role.AGENCY_OFFICER) != (agency_id is not None):
        raise DomainError(
            UserErrorCode.INVALID_INPUT,
            "Agency officers, and only they, have an agency.",
            "agencyId",
        )
    validate_password(password)
    display = validate_display_name(display_name)
    password_hash = hash_password(password)
    async with ctx.sessions() as session, session.begin():
        await _get(session, tables.Agency, agency_id, "agencyId")
        user = tables.User(
            role=role,
            username=name,
            display_name=display,
            password_hash=password_hash,
            agency_id=agency_id,
        )
        session.add(user)
        await _flush_unique(session, "username")
        _audit(
            session,
            ctx,
            "admin.create_staff_account",
            "User",
            user.id,
            {"username": name, "role": role.value, "agency_id": agency_id},
        )
        return user


async def set_user_active(ctx: Context, user_id: int, active: bool) -> tables.User:
    """Disabling ends every session at once: refresh tokens are revoked, access tokens refused,
    and open WebSocket connections closed in every process."""
    _admin(ctx)
    if user_id == ctx.actor.user_id and not active:
        raise DomainError(UserErrorCode.INVALID_INPUT, "You cannot disable yourself.", "userId")
    async with ctx.sessions() as session, session.begin():
        user = await _get(session, tables.User, user_id, "userId")
        assert user is not None
        user.is_active = active
        if not active:
            await revoke_all_sessions(session, user.id, ctx.now())
        _audit(session, ctx, "admin.set_user_active", "User", user.id, {"active": active})
    if not active:
        # After the commit, so that a connection being opened meanwhile is refused or closed.
        await end_account_everywhere(ctx.services.events.broker, user.id)
    return user


async def create_agency(
    ctx: Context,
    code: str,
    name: str,
    description: str,
    area_id: int | None,
    category_ids: list[int],
) -> tables.Agency:
    _admin(ctx)
    agency = tables.Agency(
        code=_code(code),
        name=_text(name, "name", 300),
        description=_text(description, "description", 5000, required=False),
        area_id=area_id,
    )
    async with ctx.sessions() as session, session.begin():
        await _get(session, tables.Area, area_id, "areaId")
        session.add(agency)
        await _flush_unique(session, "code")
        await _set_agency_categories(session, agency.id, category_ids)
        _audit(
            session,
            ctx,
            "admin.create_agency",
            "Agency",
            agency.id,
            {"code": agency.code, "category_ids": sorted(set(category_ids))},
        )
        return agency


async def _set_agency_categories(
    session: AsyncSession, agency_id: int, category_ids: list[int]
) -> None:
    unique = sorted(set(category_ids))
    found = set(
        await session.scalars(select(tables.Category.id).where(tables.Category.id.in_(unique)))
    )
    if found != set(unique):
        raise DomainError(UserErrorCode.NOT_FOUND, "Unknown category.", "categoryIds")
    link = tables.agency_categories
    await session.execute(delete(link).where(link.c.agency_id == agency_id))
    if unique:
        await session.execute(
            link.insert(), [{"agency_id": agency_id, "category_id": c} for c in unique]
        )


async def create_category(
    ctx: Context,
    code: str,
    name: str,
    description: str,
    default_due_days: int,
    notice: str | None,
) -> tables.Category:
    _admin(ctx)
    if not 1 <= default_due_days <= 90:
        raise DomainError(UserErrorCode.INVALID_INPUT, "1 to 90 working days.", "defaultDueDays")
    category = tables.Category(
        code=_code(code),
        name=_text(name, "name", 200),
        description=_text(description, "description", 5000, required=False),
        default_due_days=default_due_days,
        notice=_text(notice, "notice", 2000) if notice else None,
    )
    async with ctx.sessions() as session, session.begin():
        session.add(category)
        await _flush_unique(session, "code")
        _audit(
            session, ctx, "admin.create_category", "Category", category.id, {"code": category.code}
        )
        return category


async def set_routing(
    ctx: Context, category_id: int, area_id: int, agency_id: int | None
) -> tables.Routing | None:
    """Route a category in an area (and the areas below it) to an agency; null removes the rule."""
    _admin(ctx)
    async with ctx.sessions() as session, session.begin():
        await _get(session, tables.Category, category_id, "categoryId")
        await _get(session, tables.Area, area_id, "areaId")
        await _get(session, tables.Agency, agency_id, "agencyId")
        rule = await session.scalar(
            select(tables.Routing).where(
                tables.Routing.category_id == category_id, tables.Routing.area_id == area_id
            )
        )
        _audit(
            session,
            ctx,
            "admin.set_routing",
            "Category",
            category_id,
            {"area_id": area_id, "agency_id": agency_id},
        )
        if agency_id is None:
            if rule is not None:
                await session.delete(rule)
            return None
        if rule is None:
            rule = tables.Routing(category_id=category_id, area_id=area_id, agency_id=agency_id)
            session.add(rule)
        rule.agency_id = agency_id
        await session.flush()
        return rule


async def bootstrap_admin(
    sessions: async_sessionmaker[AsyncSession], username: str, password: str, display_name: str
) -> tables.User:
    """The first administrator, from the command line (no signed-in actor exists yet)."""
    name = username.strip().lower()
    if not USERNAME.match(name):
        raise DomainError(UserErrorCode.INVALID_INPUT, "Invalid username.", "username")
    validate_password(password)
    async with sessions() as session, session.begin():
        user = tables.User(
            role=Role.ADMIN,
            username=name,
            display_name=validate_display_name(display_name),
            password_hash=hash_password(password),
        )
        session.add(user)
        await _flush_unique(session, "username")
        return user
