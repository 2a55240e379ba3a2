"""submitReport: a citizen's report with photos, placed in its area, exactly once per key."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from models import tables
from models.calendar import VIETNAM_TZ
from models.codes import next_report_code
from models.enums import AttachmentPurpose, ReportEventType, ReportStatus, Visibility
from models.errors import DomainError, UserErrorCode
from models.media import MediaStore
from models.text import fold
from resolvers import ratelimits
from resolvers.attachments import SavedFile, attachment_rows, discard, save_uploads
from resolvers.guards import require_signed_in
from resolvers.labels import REPORTER_LABEL
from resolvers.places import area_for_point
from schema.context import Context

MAX_TITLE = 200
MAX_DESCRIPTION = 5000
MAX_ADDRESS = 500
MAX_KEY = 128


@dataclass(frozen=True)
class NewReport:
    category_id: int
    title: str
    description: str
    latitude: float
    longitude: float
    address: str = ""
    anonymous: bool = False
    idempotency_key: str | None = None
    area_id: int | None = None
    uploads: Sequence[bytes] = field(default=())

    def content_hash(self) -> str:
        """What "the same report" means for an idempotency key: every field and every file."""
        canonical = json.dumps(
            [
                self.category_id,
                self.title.strip(),
                self.description.strip(),
                round(self.latitude, 7),
                round(self.longitude, 7),
                self.address.strip(),
                self.anonymous,
                self.area_id,
                [hashlib.sha256(data).hexdigest() for data in self.uploads],
            ],
            ensure_ascii=False,
        )
        return hashlib.sha256(canonical.encode()).hexdigest()


def _text(value: str, field_name: str, max_length: int, *, required: bool = True) -> str:
    cleaned = value.strip()
    if required and not cleaned:
        raise DomainError(UserErrorCode.INVALID_INPUT, "This field is required.", field_name)
    if len(cleaned) > max_length:
        raise DomainError(
            UserErrorCode.INVALID_INPUT, f"At most {max_length} characters.", field_name
        )
    return cleaned


def validate(new: NewReport) -> None:
    _text(new.title, "title", MAX_TITLE)
    _text(new.description, "description", MAX_DESCRIPTION)
    _text(new.address, "address", MAX_ADDRESS, required=False)
    if not (math.isfinite(new.latitude) and -90 <= new.latitude <= 90):
        raise DomainError(UserErrorCode.INVALID_INPUT, "Latitude is -90 to 90.", "latitude")
    if not (math.isfinite(new.longitude) and -180 <= new.longitude <= 180):
        raise DomainError(UserErrorCode.INVALID_INPUT, "Longitude is -180 to 180.", "longitude")
    if new.idempotency_key is not None and not 1 <= len(new.idempotency_key) <= MAX_KEY:
        raise DomainError(
            UserErrorCode.INVALID_INPUT, f"1 to {MAX_KEY} characters.", "idempotencyKey"
        )


async def _replay(ctx: Context, reporter_id: int, new: NewReport) -> tables.Report | None:
    """The report an earlier request with this key made, if any; a changed request is refused."""
    if new.idempotency_key is None:
        return None
    async with ctx.sessions() as session:
        earlier = await session.scalar(
            select(tables.Report).where(
                tables.Report.reporter_id == reporter_id,
                tables.Report.idempotency_key == new.idempotency_key,
            )
        )
    if earlier is None:
        return None
    if earlier.content_hash != new.content_hash():
        raise DomainError(
            UserErrorCode.IDEMPOTENCY_KEY_REUSED,
            "This idempotency key was used for a different report.",
            "idempotencyKey",
        )
    return earlier


async def submit_report(ctx: Context, new: NewReport) -> tables.Report:
    reporter_id = require_signed_in(ctx.actor)
    validate(new)
    earlier = await _replay(ctx, reporter_id, new)
    if earlier is not None:
        return earlier  # an app retrying its offline queue is not flooding
    await ratelimits.enforce(ctx, "submit")
    store = MediaStore(ctx.settings.media_dir)
    saved = await save_uploads(store, new.uploads)
    try:
        report = await _insert(ctx, reporter_id, new, saved)
    except IntegrityError:
        # The same key arrived twice at once and the other request committed first.
        discard(store, saved)
        earlier = await _replay(ctx, reporter_id, new)
        if earlier is None:
            raise
        return earlier
    except BaseException:
        discard(store, saved)
        raise
    await ctx.services.events.committed(report.id)
    return report


async def _insert(
    ctx: Context, reporter_id: int, new: NewReport, saved: Sequence[SavedFile]
) -> tables.Report:
    now = ctx.now()
    title = new.title.strip()
    description = new.description.strip()
    address = new.address.strip()
    async with ctx.sessions() as session, session.begin():
        category = await session.get(tables.Category, new.category_id)
        if category is None or not category.is_active:
            raise DomainError(UserErrorCode.NOT_FOUND, "No such category.", "categoryId")
        area_id = await area_for_point(session, new.latitude, new.longitude, new.area_id)
        report = tables.Report(
            # Codes are numbered by the year in Vietnam, where the report is made.
            code=await next_report_code(session, now.astimezone(VIETNAM_TZ).year),
            title=title,
            description=description,
            address=address,
            status=ReportStatus.SUBMITTED,
            is_public=False,
            category_id=category.id,
            area_id=area_id,
            latitude=new.latitude,
            longitude=new.longitude,
            reporter_id=reporter_id,
            is_anonymous=new.anonymous,
            submitted_at=now,
            updated_at=now,
            search_text=fold(f"{title} {description} {address}"),
            idempotency_key=new.idempotency_key,
            content_hash=new.content_hash(),
        )
        session.add(report)
        await session.flush()
        session.add_all(
            attachment_rows(saved, report.id, AttachmentPurpose.REPORT, Visibility.PUBLIC)
        )
        session.add(
            tables.ReportEvent(
                report_id=report.id,
                type=ReportEventType.SUBMITTED,
                at=now,
                actor_id=reporter_id,
                actor_role=ctx.actor.role,
                actor_label=REPORTER_LABEL,
                to_status=ReportStatus.SUBMITTED,
                visibility=Visibility.PUBLIC,
            )
        )
    return report
