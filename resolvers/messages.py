"""postMessage: citizen and staff talk on a report, in one of three visibility scopes."""

from __future__ import annotations

from collections.abc import Sequence

from models import policy, tables
from models.enums import AttachmentPurpose, Visibility
from models.errors import DomainError, UserErrorCode
from models.media import MediaStore
from models.workflow import Action
from resolvers import ratelimits
from resolvers.attachments import attachment_rows, discard, save_uploads
from resolvers.labels import actor_label
from resolvers.workflow import Step, act
from schema.context import Context

MAX_BODY = 5000


async def post_message(
    ctx: Context, report_id: int, body: str, visibility: Visibility, uploads: Sequence[bytes]
) -> tables.Message:
    text = body.strip()
    if not 1 <= len(text) <= MAX_BODY:
        raise DomainError(UserErrorCode.INVALID_INPUT, f"1 to {MAX_BODY} characters.", "body")
    await ratelimits.enforce(ctx, "message")
    store = MediaStore(ctx.settings.media_dir)
    saved = await save_uploads(store, uploads)
    posted: list[tables.Message] = []

    async def apply(step: Step) -> None:
        if visibility not in policy.visible_scopes(step.actor, step.report):
            raise DomainError(
                UserErrorCode.INVALID_INPUT,
                "Only staff handling the report can write internal notes.",
                "visibility",
            )
        message = tables.Message(
            report_id=step.report.id,
            author_id=step.actor.user_id,
            author_role=step.actor.role,
            author_agency_id=step.actor.agency_id,
            author_label=await actor_label(step.session, step.actor, step.report),
            visibility=visibility,
            body=text,
            created_at=step.now,
        )
        step.session.add(message)
        await step.session.flush()
        step.session.add_all(
            attachment_rows(
                saved, step.report.id, AttachmentPurpose.MESSAGE, visibility, message.id
            )
        )
        step.message_id = message.id
        step.visibility = visibility
        posted.append(message)

    try:
        await act(ctx, report_id, Action.POST_MESSAGE, apply)
    except BaseException:
        discard(store, saved)
        raise
    return posted[0]
