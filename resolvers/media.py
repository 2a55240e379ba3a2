"""GET /media/{id}: an attachment, under the same visibility rules as its report and message."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import policy, tables
from models.enums import Visibility
from models.media import MediaError, MediaStore
from models.policy import Actor


@dataclass(frozen=True)
class MediaFile:
    path: Path
    content_type: str
    public: bool


async def find_media(
    sessions: async_sessionmaker[AsyncSession], store: MediaStore, actor: Actor, attachment_id: str
) -> MediaFile | None:
    """The file if this actor may see it; None (a 404, never a 403) otherwise."""
    if len(attachment_id) != 32 or not attachment_id.isalnum():
        return None
    async with sessions() as session:
        attachment = await session.get(tables.Attachment, attachment_id)
        if attachment is None:
            return None
        report = await session.get_one(tables.Report, attachment.report_id)
    if not policy.can_see_report(actor, report):
        return None
    if attachment.visibility not in policy.visible_scopes(actor, report):
        return None
    try:
        path = store.open_path(attachment.storage_name)
    except MediaError:
        return None
    public = policy.is_public(report) and attachment.visibility is Visibility.PUBLIC
    return MediaFile(path=path, content_type=attachment.content_type, public=public)
