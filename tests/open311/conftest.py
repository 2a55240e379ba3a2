"""A small public world for the Open311 tests: what the public may see, and what it may not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import tables
from models.base import utcnow
from models.enums import ReportEventType, ReportStatus, Role, Visibility
from tests.factories import (
    make_agency,
    make_area,
    make_attachment,
    make_category,
    make_event,
    make_message,
    make_report,
    make_user,
)

# Personal data that must never leave the server through Open311.
CANARY_PHONE = "+84900000001"
CANARY_NAME = "CANARY"
INTERNAL_NOTE = "INTERNAL-ONLY note"
# A box around Đồng Hới, as [longitude, latitude] pairs.
BOUNDARY = [[106.4, 17.3], [106.8, 17.3], [106.8, 17.6], [106.4, 17.6], [106.4, 17.3]]


@dataclass
class World:
    admin: tables.User
    citizen: tables.User
    area: tables.Area
    environment: tables.Category
    traffic: tables.Category
    agency: tables.Agency
    assigned: tables.Report  # public, open, with a photo, notes and a message
    resolved: tables.Report  # public, answered: closed
    submitted: tables.Report  # not forwarded yet: not public
    rejected: tables.Report  # forwarded once, then rejected: not public
    old: tables.Report  # public, 120 days old: outside the default window
    photo: tables.Attachment


@pytest.fixture
async def world(session_factory: async_sessionmaker[AsyncSession]) -> World:
    now = utcnow()
    async with session_factory() as session, session.begin():
        area = await make_area(session, "Quảng Bình", boundary=BOUNDARY)
        area.centroid_latitude, area.centroid_longitude = 17.4689, 106.6222
        environment = await make_category(session, "Môi trường")
        environment.notice = "Sẽ kiểm tra trong 24 giờ."
        traffic = await make_category(session, "Giao thông")
        agency = await make_agency(session, "Sở Xây dựng")
        admin = await make_user(session, Role.ADMIN)
        citizen = await make_user(session, phone=CANARY_PHONE, display_name=CANARY_NAME)
        coordinator = await make_user(session, Role.COORDINATOR)

        async def report(status: ReportStatus, **kwargs: Any) -> tables.Report:
            return await make_report(session, reporter=citizen, status=status, area=area, **kwargs)

        assigned = await report(
            ReportStatus.ASSIGNED,
            category=environment,
            agency=agency,
            title="Rác thải ven sông",
            submitted_at=now - timedelta(days=2),
        )
        resolved = await report(
            ReportStatus.RESOLVED,
            category=traffic,
            agency=agency,
            title="Ổ gà trên đường",
            submitted_at=now - timedelta(days=3),
        )
        submitted = await report(ReportStatus.SUBMITTED, category=environment, submitted_at=now)
        rejected = await report(
            ReportStatus.REJECTED, category=environment, submitted_at=now - timedelta(days=1)
        )
        old = await report(
            ReportStatus.ASSIGNED,
            category=environment,
            agency=agency,
            submitted_at=now - timedelta(days=120),
        )
        rejected.is_public = True
        await make_event(
            session,
            assigned,
            ReportEventType.ASSIGNED,
            from_status=ReportStatus.SUBMITTED,
            to_status=ReportStatus.ASSIGNED,
            at=now - timedelta(days=2, hours=-1),
            actor=coordinator,
            note="Đã chuyển Sở Xây dựng xử lý.",
        )
        await make_message(session, assigned, coordinator, body="Cảm ơn anh/chị.")
        await make_event(
            session,
            assigned,
            ReportEventType.MESSAGE_POSTED,
            actor=coordinator,
            note=INTERNAL_NOTE,
            visibility=Visibility.INTERNAL,
        )
        await make_event(
            session,
            resolved,
            ReportEventType.RESOLVED,
            from_status=ReportStatus.IN_PROGRESS,
            to_status=ReportStatus.RESOLVED,
            actor=coordinator,
            note="Đã vá ổ gà.",
        )
        photo = await make_attachment(session, assigned)
        await make_attachment(session, assigned, Visibility.INTERNAL)
    return World(
        admin=admin,
        citizen=citizen,
        area=area,
        environment=environment,
        traffic=traffic,
        agency=agency,
        assigned=assigned,
        resolved=resolved,
        submitted=submitted,
        rejected=rejected,
        old=old,
        photo=photo,
    )
