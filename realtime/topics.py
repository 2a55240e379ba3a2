"""What each subscription follows, and the access policy every event passes for its viewer.

A topic answers two questions: `accepts(item)` decides in memory whether one logged event goes
to this subscriber (the policy first, then the topic's own rule), and `conditions()` narrows the
database read of a replay. Only `accepts` is authoritative; `conditions` may let more through.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy import ColumnElement

from models import policy, tables
from models.base import utcnow
from models.enums import ReportEventType, Satisfaction
from models.policy import ANONYMOUS, Actor
from realtime.log import LoggedEvent
from resolvers.reports import METERS_PER_DEGREE, OPEN_STATUSES, GeoCircle, ReportCriteria

# The coordinator's triage queue: what needs a decision (RATED only when dissatisfied).
TRIAGE_TYPES = frozenset(
    {
        ReportEventType.SUBMITTED,
        ReportEventType.RETURNED,
        ReportEventType.OVERDUE,
        ReportEventType.REOPENED,
        # A report leaving the queue: other coordinators' screens must drop it.
        ReportEventType.ASSIGNED,
        ReportEventType.REJECTED,
    }
)


class Topic(Protocol):
    def accepts(self, item: LoggedEvent) -> bool: ...

    def conditions(self) -> Sequence[ColumnElement[bool]]: ...


def may_see(actor: Actor, item: LoggedEvent) -> bool:
    """The report, and this event's visibility scope on it, as the viewer may see them now."""
    report = item.report
    return policy.can_see_report(actor, report) and (
        item.event.visibility in policy.visible_scopes(actor, report)
    )


@dataclass(frozen=True)
class ReportTopic:
    """One report's timeline."""

    actor: Actor
    report_id: int

    def accepts(self, item: LoggedEvent) -> bool:
        return item.event.report_id == self.report_id and may_see(self.actor, item)

    def conditions(self) -> Sequence[ColumnElement[bool]]:
        return [tables.ReportEvent.report_id == self.report_id]


@dataclass(frozen=True)
class ReporterTopic:
    """Every event on the viewer's own reports."""

    actor: Actor

    def accepts(self, item: LoggedEvent) -> bool:
        return item.report.reporter_id == self.actor.user_id and may_see(self.actor, item)

    def conditions(self) -> Sequence[ColumnElement[bool]]:
        return [tables.Report.reporter_id == self.actor.user_id]


@dataclass(frozen=True)
class AgencyTopic:
    """An agency's inbox: events written while the report was with it, including the one that
    took it away (a return), as the event's `agency_id` records."""

    actor: Actor
    agency_id: int

    def accepts(self, item: LoggedEvent) -> bool:
        return item.event.agency_id == self.agency_id and may_see(self.actor, item)

    def conditions(self) -> Sequence[ColumnElement[bool]]:
        return [tables.ReportEvent.agency_id == self.agency_id]


@dataclass(frozen=True)
class TriageTopic:
    """The coordinator's queue: submitted, returned, overdue, reopened, rated dissatisfied."""

    actor: Actor

    def accepts(self, item: LoggedEvent) -> bool:
        kind = item.event.type
        wanted = kind in TRIAGE_TYPES or (
            kind is ReportEventType.RATED and item.satisfaction is Satisfaction.DISSATISFIED
        )
        return wanted and may_see(self.actor, item)

    def conditions(self) -> Sequence[ColumnElement[bool]]:
        return [tables.ReportEvent.type.in_([*TRIAGE_TYPES, ReportEventType.RATED])]


@dataclass(frozen=True)
class PublicTopic:
    """The public feed: public events of public reports that match a report filter.

    Everyone sees it as an anonymous visitor would, whoever is signed in: it is the public feed.
    `area_path` is the filter area's path, looked up once when the subscription starts.
    """

    criteria: ReportCriteria
    area_path: str | None = None
    reporter_id: int | None = None  # for `mine`
    now: Callable[[], datetime] = field(default=utcnow, compare=False)

    def accepts(self, item: LoggedEvent) -> bool:
        return may_see(ANONYMOUS, item) and self._matches(item)

    def _matches(self, item: LoggedEvent) -> bool:
        report, criteria = item.report, self.criteria
        checks = (
            not criteria.statuses or report.status in criteria.statuses,
            not criteria.category_ids or report.category_id in criteria.category_ids,
            criteria.agency_id is None or report.assigned_agency_id == criteria.agency_id,
            self.area_path is None
            or (item.area_path is not None and item.area_path.startswith(self.area_path)),
            all(term in report.search_text for term in criteria.terms),
            criteria.near is None or _inside(criteria.near, report),
            not criteria.mine or report.reporter_id == self.reporter_id,
            criteria.overdue is None or _is_overdue(report, self.now()) == criteria.overdue,
            criteria.submitted_after is None or report.submitted_at >= criteria.submitted_after,
            criteria.submitted_before is None or report.submitted_at < criteria.submitted_before,
        )
        return all(checks)

    def conditions(self) -> Sequence[ColumnElement[bool]]:
        report = tables.Report
        conditions: list[ColumnElement[bool]] = [policy.visible_reports(ANONYMOUS)]
        if self.criteria.statuses:
            conditions.append(report.status.in_(self.criteria.statuses))
        if self.criteria.category_ids:
            conditions.append(report.category_id.in_(self.criteria.category_ids))
        if self.criteria.agency_id is not None:
            conditions.append(report.assigned_agency_id == self.criteria.agency_id)
        return conditions


def _is_overdue(report: tables.Report, now: datetime) -> bool:
    return report.status in OPEN_STATUSES and report.due_at is not None and report.due_at < now


def _inside(circle: GeoCircle, report: tables.Report) -> bool:
    """The same equirectangular distance as the report list's `near` filter."""
    cos_lat = max(math.cos(math.radians(circle.latitude)), 0.01)
    dy = (report.latitude - circle.latitude) * METERS_PER_DEGREE
    dx = (report.longitude - circle.longitude) * METERS_PER_DEGREE * cos_lat
    return dx * dx + dy * dy <= circle.radius_meters**2
