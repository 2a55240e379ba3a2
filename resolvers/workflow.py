"""The report's life after submission: every action goes through models.workflow.plan.

Each use case loads the report under a write lock, checks visibility, the expected version and
the transition table, applies the change, writes the timeline event in the same transaction,
commits once, and only then announces the event.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from models import policy, tables
from models.enums import Visibility
from models.errors import DomainError, UserErrorCode
from models.policy import Actor
from models.workflow import (
    PUBLISHING_ACTIONS,
    SYSTEM_ACTOR,
    Action,
    InvalidTransitionError,
    NotPermittedError,
    Transition,
    plan,
)
from resolvers import audit
from resolvers.labels import actor_label
from schema.context import Context
from schema.errors import forbidden, unauthenticated

MAX_NOTE = 5000


@dataclass
class Step:
    """What one use case does inside the shared transaction."""

    session: AsyncSession
    report: tables.Report
    transition: Transition
    actor: Actor
    now: datetime
    note: str | None = None
    visibility: Visibility = Visibility.PUBLIC
    message_id: int | None = None
    rating_id: int | None = None


Apply = Callable[[Step], Awaitable[None]]


def note_text(value: str | None, field: str = "note", *, required: bool = False) -> str | None:
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise DomainError(UserErrorCode.INVALID_INPUT, "A reason is required.", field)
    if len(cleaned) > MAX_NOTE:
        raise DomainError(UserErrorCode.INVALID_INPUT, f"At most {MAX_NOTE} characters.", field)
    return cleaned or None


# After a step, in the same transaction: the step that follows from it, if any.
FollowUp = Callable[[tables.Report], tuple[Action, Apply] | None]


async def act(
    ctx: Context,
    report_id: int,
    action: Action,
    apply: Apply,
    *,
    expected_version: int | None = None,
    note: str | None = None,
    actor: Actor | None = None,
    then: FollowUp | None = None,
) -> tables.Report:
    """Run one workflow action as one transaction; the event is announced after the commit.

    `then` may add a second step that follows from the first (a satisfied rating closes the
    report): both commit together, each with its own event, or neither does.
    """
    actor = actor or ctx.actor
    if actor.user_id is None and actor is ctx.actor:
        raise unauthenticated()
    now = ctx.now()
    async with ctx.sessions() as session, session.begin():
        report = await session.get(tables.Report, report_id, with_for_update=True)
        system = actor is SYSTEM_ACTOR
        if report is None or not (system or policy.can_see_report(actor, report)):
            raise DomainError(UserErrorCode.NOT_FOUND, "No such report.", "reportId")
        if expected_version is not None and report.version != expected_version:
            raise DomainError(
                UserErrorCode.STALE,
                f"The report changed (version {report.version}): reload it and try again.",
                "expectedVersion",
            )
        await _take_step(ctx, session, report, action, apply, actor, now, note)
        following = then(report) if then is not None else None
        if following is not None:
            await _take_step(ctx, session, report, *following, actor, now, None)
    await ctx.services.events.committed(report.id)
    return report


async def _take_step(
    ctx: Context,
    session: AsyncSession,
    report: tables.Report,
    action: Action,
    apply: Apply,
    actor: Actor,
    now: datetime,
    note: str | None,
) -> None:
    """Check the transition table, apply the change, write its event and audit entry."""
    try:
        transition = plan(report, action, actor)
    except InvalidTransitionError as exc:
        raise DomainError(UserErrorCode.INVALID_TRANSITION, str(exc)) from exc
    except NotPermittedError as exc:
        raise forbidden(str(exc)) from exc
    step = Step(session, report, transition, actor, now, note=note)
    from_status = report.status
    agency_before = report.assigned_agency_id
    await apply(step)
    report.status = transition.to_status
    report.updated_at = now
    if action in PUBLISHING_ACTIONS:
        report.is_public = True
    session.add(
        tables.ReportEvent(
            report_id=report.id,
            type=transition.event_type,
            at=now,
            actor_id=actor.user_id,
            actor_role=actor.role,
            actor_agency_id=actor.agency_id,
            actor_label=await actor_label(session, actor, report),
            from_status=from_status,
            to_status=transition.to_status,
            note=step.note,
            visibility=step.visibility,
            message_id=step.message_id,
            rating_id=step.rating_id,
            # A return leaves the agency's inbox with the event that took it away.
            agency_id=report.assigned_agency_id or agency_before,
        )
    )
    audit.record(
        session,
        ctx,
        actor,
        f"report.{action.value}",
        "Report",
        report.code,
        {"from": from_status.value, "to": transition.to_status.value},
    )
    await session.flush()
