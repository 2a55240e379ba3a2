"""Who may see what: every visibility rule of PhanAnh, written once.

Lists go through the SQL row filters (`visible_reports`, `visible_scopes_clause`), single objects
through the predicates, so a new query cannot forget a rule. No I/O here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, true

from models.enums import ReportStatus, Role, Visibility
from models.reports import Report

PUBLIC_ONLY: frozenset[Visibility] = frozenset({Visibility.PUBLIC})
PARTICIPANT_SCOPES: frozenset[Visibility] = frozenset({Visibility.PUBLIC, Visibility.PARTICIPANTS})
ALL_SCOPES: frozenset[Visibility] = frozenset(Visibility)

ANONYMOUS_REPORTER_LABEL = "Người dân (ẩn danh)"


@dataclass(frozen=True)
class Actor:
    """Who is asking: an anonymous visitor, or a signed-in user with a role (and an agency)."""

    user_id: int | None = None
    role: Role | None = None
    agency_id: int | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def is_coordinator(self) -> bool:
        """Coordinators and administrators see and steer every report."""
        return self.role in (Role.COORDINATOR, Role.ADMIN)

    @property
    def is_officer(self) -> bool:
        return self.role is Role.AGENCY_OFFICER and self.agency_id is not None

    @property
    def is_staff(self) -> bool:
        return self.is_coordinator or self.is_officer


ANONYMOUS = Actor()


# --- Reports -----------------------------------------------------------------------------------


def visible_reports(actor: Actor) -> ColumnElement[bool]:
    """The row filter every report query goes through.

    A report is public once the coordinator has forwarded it (`is_public`); before that, and when
    it is rejected (even after having been forwarded and returned), only its author and the staff
    who handle it see it.
    """
    return visible_rows(
        actor,
        is_public=Report.is_public,
        status=Report.status,
        agency_id=Report.assigned_agency_id,
        reporter_id=Report.reporter_id,
    )


def visible_rows(
    actor: Actor, *, is_public: Any, status: Any, agency_id: Any, reporter_id: Any = None
) -> ColumnElement[bool]:
    """`visible_reports` over any table with a report's columns (the statistics roll-ups have
    no reporter: a citizen's own unpublished reports are counted from `reports`)."""
    if actor.is_coordinator:
        return true()
    public = publicly_shown(is_public, status)
    if actor.is_officer:
        return or_(public, agency_id == actor.agency_id)
    if actor.user_id is not None and reporter_id is not None:
        return or_(public, reporter_id == actor.user_id)
    return public


def publicly_shown(is_public: Any, status: Any) -> ColumnElement[bool]:
    """What everyone sees: forwarded and not rejected."""
    return and_(is_public, status != ReportStatus.REJECTED)


def is_public(report: Report) -> bool:
    return report.is_public and report.status is not ReportStatus.REJECTED


def can_see_report(actor: Actor, report: Report) -> bool:
    if actor.is_coordinator or is_public(report):
        return True
    if actor.is_officer and report.assigned_agency_id == actor.agency_id:
        return True
    return actor.user_id is not None and report.reporter_id == actor.user_id


def is_reporter(actor: Actor, report: Report) -> bool:
    return actor.user_id is not None and actor.user_id == report.reporter_id


def handles_report(actor: Actor, report: Report) -> bool:
    """Staff handling the report: coordinators, and officers of the agency it is assigned to."""
    if actor.is_coordinator:
        return True
    return actor.is_officer and report.assigned_agency_id == actor.agency_id


def visible_scopes(actor: Actor, report: Report) -> frozenset[Visibility]:
    """Which message and event scopes this actor may read on this report."""
    if handles_report(actor, report):
        return ALL_SCOPES
    if is_reporter(actor, report):
        return PARTICIPANT_SCOPES
    return PUBLIC_ONLY


def may_see_reporter_phone(actor: Actor, report: Report) -> bool:
    return is_reporter(actor, report) or handles_report(actor, report)


def may_see_reporter_name(actor: Actor, report: Report) -> bool:
    """An anonymous reporter's name is for the reporter and the staff handling the report only."""
    if not report.is_anonymous:
        return True
    return is_reporter(actor, report) or handles_report(actor, report)


def reporter_label(actor: Actor, report: Report, display_name: str) -> str:
    return display_name if may_see_reporter_name(actor, report) else ANONYMOUS_REPORTER_LABEL


# --- Accounts ----------------------------------------------------------------------------------


def may_see_user(actor: Actor, user_id: int) -> bool:
    """User nodes: yourself, or an administrator."""
    return actor.user_id == user_id or actor.role is Role.ADMIN


def may_see_follows(actor: Actor, user_id: int) -> bool:
    """What someone follows is theirs alone, administrators included."""
    return actor.user_id == user_id


def may_administer(actor: Actor) -> bool:
    """Agencies, staff accounts, categories, areas and routing: administrators only."""
    return actor.role is Role.ADMIN
