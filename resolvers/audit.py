"""Recording staff actions in the audit log (in the action's own transaction), and reading it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import policy, tables
from models.policy import Actor
from resolvers.guards import require
from schema.context import Context
from web.request_id import current_request_id


def record(
    session: AsyncSession,
    ctx: Context,
    actor: Actor,
    action: str,
    target_type: str,
    target_id: object,
    details: dict[str, Any] | None = None,
) -> None:
    """Add the entry to the caller's transaction: it commits, or vanishes, with the action."""
    if not actor.is_staff:
        return
    session.add(
        tables.AuditEntry(
            actor_id=actor.user_id,
            actor_role=actor.role,
            actor_agency_id=actor.agency_id,
            action=action,
            target_type=target_type,
            target_id=str(target_id),
            client_ip=ctx.client_ip[:64],
            request_id=current_request_id.get()[:64],
            details=details or {},
            at=ctx.now(),
        )
    )


async def list_entries(
    ctx: Context,
    first: int,
    before_id: int | None,
    actor_id: int | None,
    target_type: str | None,
    target_id: str | None,
) -> tuple[list[tables.AuditEntry], bool]:
    """Newest first, keyset by id; administrators only."""
    require(ctx.actor, policy.may_administer(ctx.actor), "Administrators only.")
    entry = tables.AuditEntry
    statement = select(entry).order_by(entry.id.desc()).limit(first + 1)
    if before_id is not None:
        statement = statement.where(entry.id < before_id)
    if actor_id is not None:
        statement = statement.where(entry.actor_id == actor_id)
    if target_type is not None:
        statement = statement.where(entry.target_type == target_type)
    if target_id is not None:
        statement = statement.where(entry.target_id == target_id)
    rows: list[tables.AuditEntry] = await ctx.db.scalars(statement)
    return rows[:first], len(rows) > first
