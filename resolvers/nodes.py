"""`node(id:)`: load any object by type and key, through the same visibility rules as lists."""

from __future__ import annotations

from typing import Any

from models import policy
from models.base import parse_key
from schema.context import Context

PUBLIC_TYPES = {"Category", "Agency", "Area"}


async def _visible_on_report(ctx: Context, report_id: int, visibility: Any) -> bool:
    report = await ctx.loaders.report.load(report_id)
    if report is None or not policy.can_see_report(ctx.actor, report):
        return False
    return visibility in policy.visible_scopes(ctx.actor, report)


async def load_node(ctx: Context, type_name: str, key: str) -> Any | None:
    """The row behind a global id, or None when unknown or hidden from this viewer."""
    loaders = ctx.loaders
    if type_name == "Attachment":
        attachment = await loaders.attachment.load(key[:64])
        if attachment is None:
            return None
        visible = await _visible_on_report(ctx, attachment.report_id, attachment.visibility)
        return attachment if visible else None
    pk = parse_key(key)
    if pk is None:
        return None
    if type_name == "Report":
        report = await loaders.report.load(pk)
        return report if report and policy.can_see_report(ctx.actor, report) else None
    if type_name == "ReportEvent":
        event = await loaders.event.load(pk)
        if event and await _visible_on_report(ctx, event.report_id, event.visibility):
            return event
        return None
    if type_name == "Message":
        message = await loaders.message.load(pk)
        if message and await _visible_on_report(ctx, message.report_id, message.visibility):
            return message
        return None
    if type_name == "User":
        return await loaders.user.load(pk) if policy.may_see_user(ctx.actor, pk) else None
    if type_name in PUBLIC_TYPES:
        if type_name == "Category":
            return await loaders.category.load(pk)
        if type_name == "Agency":
            return await loaders.agency.load(pk)
        return await loaders.area.load(pk)
    return None
