"""Plain async factories: each makes one row with sensible defaults and returns it."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from models import tables
from models.base import utcnow
from models.codes import next_report_code
from models.enums import AttachmentPurpose, ReportEventType, ReportStatus, Role, Visibility
from models.geometry import bounds
from models.text import fold

_counter = itertools.count(1)
# A pre-computed argon2 hash of "password" with minimal cost parameters: hashing per factory
# call, or verifying at production cost on every sign-in, would slow the suite for nothing.
PASSWORD = "password"
PASSWORD_HASH = (
    "$argon2id$v=19$m=8,t=1,p=1$zKs7eQLt7+I/sdY3n+9Qeg$nXNzLOMzwXeRBqQDJDyARlIwCO5qhDW5WUVCNbKM9DE"
)
FORWARDED = {
    ReportStatus.ASSIGNED,
    ReportStatus.IN_PROGRESS,
    ReportStatus.RESOLVED,
    ReportStatus.CLOSED,
}


def _n() -> int:
    return next(_counter)


async def make_area(
    session: AsyncSession,
    name: str = "Phường Đồng Hới",
    parent: tables.Area | None = None,
    boundary: list[list[float]] | None = None,
) -> tables.Area:
    box = bounds(boundary) if boundary else (None, None, None, None)
    area = tables.Area(
        boundary=boundary,
        min_latitude=box[0],
        max_latitude=box[1],
        min_longitude=box[2],
        max_longitude=box[3],
        code=f"A{_n()}",
        name=name,
        kind="Phường",
        parent_id=parent.id if parent else None,
        path="",
        depth=parent.depth + 1 if parent else 0,
    )
    session.add(area)
    await session.flush()
    area.path = f"{parent.path if parent else '/'}{area.id}/"
    await session.flush()
    return area


async def make_category(session: AsyncSession, name: str = "Môi trường") -> tables.Category:
    n = _n()
    category = tables.Category(code=f"cat_{n}", name=name, default_due_days=5, sort_order=n)
    session.add(category)
    await session.flush()
    return category


async def make_agency(session: AsyncSession, name: str = "Sở Xây dựng") -> tables.Agency:
    agency = tables.Agency(code=f"ag_{_n()}", name=name)
    session.add(agency)
    await session.flush()
    return agency


async def make_user(
    session: AsyncSession,
    role: Role = Role.CITIZEN,
    *,
    agency: tables.Agency | None = None,
    display_name: str = "Nguyễn Văn An",
    phone: str | None = None,
) -> tables.User:
    n = _n()
    user = tables.User(
        role=role,
        username=None if role is Role.CITIZEN else f"staff{n}",
        phone=phone if phone is not None else (f"+8491{n:07d}" if role is Role.CITIZEN else None),
        display_name=display_name,
        phone_verified_at=utcnow() if role is Role.CITIZEN else None,
        password_hash=PASSWORD_HASH,
        agency_id=agency.id if agency else None,
    )
    session.add(user)
    await session.flush()
    return user


async def make_report(
    session: AsyncSession,
    *,
    reporter: tables.User,
    category: tables.Category,
    status: ReportStatus = ReportStatus.SUBMITTED,
    area: tables.Area | None = None,
    agency: tables.Agency | None = None,
    title: str = "Rác thải ven sông",
    description: str = "Rác tồn đọng nhiều ngày bên bờ sông Nhật Lệ.",
    address: str = "Đường Quách Xuân Kỳ, Đồng Hới",
    latitude: float = 17.4689,
    longitude: float = 106.6222,
    submitted_at: datetime | None = None,
    due_at: datetime | None = None,
    anonymous: bool = False,
) -> tables.Report:
    """A report in `status`, with the SUBMITTED event (and an ASSIGNED one when forwarded)."""
    submitted_at = submitted_at or utcnow()
    report = tables.Report(
        code=await next_report_code(session, submitted_at.year),
        title=title,
        description=description,
        address=address,
        status=status,
        is_public=status in FORWARDED,
        category_id=category.id,
        area_id=area.id if area else None,
        latitude=latitude,
        longitude=longitude,
        reporter_id=reporter.id,
        is_anonymous=anonymous,
        assigned_agency_id=agency.id if agency else None,
        due_at=due_at or (submitted_at + timedelta(days=7) if agency else None),
        submitted_at=submitted_at,
        updated_at=submitted_at,
        search_text=fold(f"{title} {description} {address}"),
    )
    session.add(report)
    await session.flush()
    await make_event(
        session,
        report,
        ReportEventType.SUBMITTED,
        to_status=ReportStatus.SUBMITTED,
        at=submitted_at,
        actor=reporter,
        label="Người phản ánh",
    )
    return report


async def make_event(
    session: AsyncSession,
    report: tables.Report,
    type: ReportEventType,
    *,
    to_status: ReportStatus | None = None,
    from_status: ReportStatus | None = None,
    at: datetime | None = None,
    actor: tables.User | None = None,
    label: str = "Ban chỉ đạo",
    note: str | None = None,
    visibility: Visibility = Visibility.PUBLIC,
    message: tables.Message | None = None,
) -> tables.ReportEvent:
    event = tables.ReportEvent(
        report_id=report.id,
        type=type,
        at=at or utcnow(),
        actor_id=actor.id if actor else None,
        actor_role=actor.role if actor else None,
        actor_label=label,
        from_status=from_status,
        to_status=to_status,
        note=note,
        visibility=visibility,
        message_id=message.id if message else None,
        agency_id=report.assigned_agency_id,
    )
    session.add(event)
    await session.flush()
    return event


async def make_message(
    session: AsyncSession,
    report: tables.Report,
    author: tables.User,
    body: str = "Cảm ơn anh/chị đã phản ánh.",
    visibility: Visibility = Visibility.PUBLIC,
    label: str = "Ban chỉ đạo",
) -> tables.Message:
    message = tables.Message(
        report_id=report.id,
        author_id=author.id,
        author_role=author.role,
        author_agency_id=author.agency_id,
        author_label=label,
        visibility=visibility,
        body=body,
    )
    session.add(message)
    await session.flush()
    await make_event(
        session,
        report,
        ReportEventType.MESSAGE_POSTED,
        actor=author,
        label=label,
        visibility=visibility,
        message=message,
    )
    return message


async def make_attachment(
    session: AsyncSession, report: tables.Report, visibility: Visibility = Visibility.PUBLIC
) -> tables.Attachment:
    attachment = tables.Attachment(
        id=f"{_n():032x}",
        report_id=report.id,
        purpose=AttachmentPurpose.REPORT,
        visibility=visibility,
        content_type="image/jpeg",
        byte_size=1234,
        width=10,
        height=10,
        storage_name=f"{_n()}.jpg",
    )
    session.add(attachment)
    await session.flush()
    return attachment
