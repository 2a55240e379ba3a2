"""The fuzzed world: a small province, the fuzzing roles, and a canary only staff may see.

The canary is a citizen who reported anonymously twice: one report still SUBMITTED (staff
only) and one forwarded, hence public. Both carry messages of every visibility. Anonymous
visitors and other citizens may read the public report, but never the canary's phone, name,
or the bodies of the PARTICIPANTS and INTERNAL messages; staff may read all of it. Every
canary report is anonymous, so whatever state the fuzzed mutations move them to, that rule
stays the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute

from models import tables
from models.enums import ReportStatus, Role, Visibility
from schema.node import encode_global_id
from tests.api.world import World, build_world
from tests.factories import make_attachment, make_message, make_report, make_user

CANARY_PHONE = "+84900000077"
# The subscriber number alone: matches the E.164 form and the national one (0900000077).
CANARY_PHONE_DIGITS = "900000077"
CANARY_NAME = "CANARY Vũ Thị Ẩn Danh"
PARTICIPANTS_BODY = "CANARY-PARTICIPANTS-7f3e1c"
INTERNAL_BODY = "CANARY-INTERNAL-51ab9d"
REPORTER_LABEL = "Người phản ánh"

_HIDDEN_FROM_THE_PUBLIC = (
    CANARY_PHONE,
    CANARY_PHONE_DIGITS,
    CANARY_NAME,
    PARTICIPANTS_BODY,
    INTERNAL_BODY,
)
# What each role must never receive, in any response.
SECRETS: dict[str, tuple[str, ...]] = {
    "anonymous": _HIDDEN_FROM_THE_PUBLIC,
    "citizen": _HIDDEN_FROM_THE_PUBLIC,
    "coordinator": (),
    "admin": (),
}

# GraphQL type name → key column, for the global ids the fuzz may pass as `ID` arguments.
_NODE_KEYS: dict[str, InstrumentedAttribute[Any]] = {
    "Report": tables.Report.id,
    "Message": tables.Message.id,
    "ReportEvent": tables.ReportEvent.id,
    "Attachment": tables.Attachment.id,
    "User": tables.User.id,
    "Area": tables.Area.id,
    "Category": tables.Category.id,
    "Agency": tables.Agency.id,
}


@dataclass(frozen=True)
class Account:
    """What an access token is issued for."""

    user_id: int
    role: Role
    agency_id: int | None


@dataclass(frozen=True)
class Seeded:
    accounts: dict[str, Account]  # every role but anonymous
    global_ids: tuple[str, ...]  # of every seeded row that is a Node
    report_codes: tuple[str, ...]
    public_canary_report: str  # global id
    submitted_canary_report: str  # global id


async def seed(sessions: async_sessionmaker[AsyncSession]) -> Seeded:
    world = await build_world(sessions)
    async with sessions() as session, session.begin():
        canary = await make_user(session, display_name=CANARY_NAME, phone=CANARY_PHONE)
        submitted = await _canary_report(session, world, canary, ReportStatus.SUBMITTED)
        public = await _canary_report(session, world, canary, ReportStatus.ASSIGNED)
        # The fuzzing citizen's own reports: their "mine", messages and a rating to give.
        for status in (ReportStatus.ASSIGNED, ReportStatus.RESOLVED):
            own = await make_report(
                session,
                reporter=world.citizen,
                category=world.category,
                status=status,
                area=world.east,
                agency=world.environment,
            )
            await make_message(session, own, world.officer, "Đã tiếp nhận", Visibility.PARTICIPANTS)
    async with sessions() as session:
        global_ids = [
            encode_global_id(type_name, key)
            for type_name, column in _NODE_KEYS.items()
            for key in await session.scalars(select(column))
        ]
        codes = list(await session.scalars(select(tables.Report.code)))
    users = {
        "citizen": world.citizen,
        "coordinator": world.coordinator,
        "admin": world.admin,
    }
    return Seeded(
        accounts={
            name: Account(user.id, user.role, user.agency_id) for name, user in users.items()
        },
        global_ids=tuple(global_ids),
        report_codes=tuple(codes),
        public_canary_report=encode_global_id("Report", public.id),
        submitted_canary_report=encode_global_id("Report", submitted.id),
    )


async def _canary_report(
    session: AsyncSession, world: World, canary: tables.User, status: ReportStatus
) -> tables.Report:
    forwarded = status is not ReportStatus.SUBMITTED
    report = await make_report(
        session,
        reporter=canary,
        category=world.category,
        status=status,
        area=world.west,
        agency=world.environment if forwarded else None,
        anonymous=True,
    )
    bodies = {
        Visibility.PUBLIC: "Đã chuyển đơn vị xử lý.",
        Visibility.PARTICIPANTS: PARTICIPANTS_BODY,
        Visibility.INTERNAL: INTERNAL_BODY,
    }
    for visibility, body in bodies.items():
        await make_message(session, report, world.coordinator, body, visibility)
    await make_message(
        session,
        report,
        canary,
        f"{PARTICIPANTS_BODY} (reporter)",
        Visibility.PARTICIPANTS,
        label=REPORTER_LABEL,
    )
    await make_attachment(session, report)
    await make_attachment(session, report, Visibility.INTERNAL)
    return report
