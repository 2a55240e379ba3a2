"""How actors are named on the public timeline: a role or an agency, never a staff member."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from models import tables
from models.policy import Actor

REPORTER_LABEL = "Người phản ánh"
COORDINATOR_LABEL = "Ban chỉ đạo"
SYSTEM_LABEL = "Hệ thống"
CITIZEN_LABEL = "Người dân"


async def actor_label(session: AsyncSession, actor: Actor, report: tables.Report) -> str:
    if actor.is_coordinator:
        return COORDINATOR_LABEL
    if actor.is_officer and actor.agency_id is not None:
        agency = await session.get(tables.Agency, actor.agency_id)
        return agency.name if agency else COORDINATOR_LABEL
    if actor.user_id is not None and actor.user_id == report.reporter_id:
        return REPORTER_LABEL
    if actor.user_id is None:
        return SYSTEM_LABEL
    return CITIZEN_LABEL
