"""Turning uploaded files into stored, metadata-free attachments, and undoing that on failure."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from models import tables
from models.enums import AttachmentPurpose, Visibility
from models.media import MediaStore, ProcessedMedia, StoredMedia, check_count, process_upload


@dataclass(frozen=True)
class SavedFile:
    media: ProcessedMedia
    stored: StoredMedia


async def save_uploads(store: MediaStore, uploads: Sequence[bytes]) -> list[SavedFile]:
    """Check, re-encode and store every upload, or none: a failure removes what was written."""
    check_count(len(uploads))
    saved: list[SavedFile] = []
    try:
        for index, data in enumerate(uploads):
            # Decoding and re-encoding images is CPU work: keep it off the event loop.
            media = await asyncio.to_thread(process_upload, data, index)
            stored = await asyncio.to_thread(store.save, media)
            saved.append(SavedFile(media, stored))
    except BaseException:
        discard(store, saved)
        raise
    return saved


def discard(store: MediaStore, saved: Sequence[SavedFile]) -> None:
    for item in saved:
        store.delete(item.stored.storage_name)


def attachment_rows(
    saved: Sequence[SavedFile],
    report_id: int,
    purpose: AttachmentPurpose,
    visibility: Visibility,
    message_id: int | None = None,
) -> list[tables.Attachment]:
    return [
        tables.Attachment(
            id=item.stored.id,
            report_id=report_id,
            message_id=message_id,
            purpose=purpose,
            visibility=visibility,
            content_type=item.media.content_type,
            byte_size=item.stored.byte_size,
            width=item.media.width,
            height=item.media.height,
            storage_name=item.stored.storage_name,
            position=position,
        )
        for position, item in enumerate(saved)
    ]
