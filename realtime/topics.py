"""What each subscription follows, and the access policy every event passes for its viewer.

A topic answers two questions: `accepts(item)` decides in memory whether one logged event goes
to this subscriber (the policy first, then the topic's own rule), and `conditions()` narrows the
database read of a replay. Only `accepts` is authoritative; `conditions` may let more through.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, TypeVar

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import aliased

from models import policy, tables
from models.base import utcnow
from models.enums import ReportEventType, Satisfaction
from models.policy import ANONYMOUS, Actor
from realtime.log import EventLog, LoggedEvent
from resolvers.reports import (
    METERS_PER_DEGREE,
    OPEN_STATUSES,
    GeoBox,
    GeoCircle,
    ReportCriteria,
)

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

# About a millimetre: a point on a circle's edge must not fall outside its box by rounding.
BOX_SLACK_DEGREES = 1e-8


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
            criteria.bbox is None or _in_box(criteria.bbox, report),
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
        # Boxes only (the (latitude, longitude) index serves them); `accepts` checks the circle.
        for box in (self.criteria.bbox, _around(self.criteria.near)):
            if box is not None:
                conditions.append(report.latitude.between(box.south, box.north))
                conditions.append(report.longitude.between(box.west, box.east))
        return conditions


@dataclass(frozen=True)
class FollowTopic:
    """Events of the reports the viewer follows, directly or through an area above them.

    Who follows what is read from the database with each batch of events (`LoggedEvent.followers`,
    see realtime.log), so following and unfollowing count from the next batch on; run the feed
    inside `with_followers`, which asks the log for that lookup.
    """

    actor: Actor

    def accepts(self, item: LoggedEvent) -> bool:
        return self.actor.user_id in item.followers and may_see(self.actor, item)

    def conditions(self) -> Sequence[ColumnElement[bool]]:
        follow, event, area = tables.Follow, tables.ReportEvent, tables.Area
        followed_area = aliased(tables.Area)
        mine = follow.user_id == self.actor.user_id
        # Uncorrelated, so that each is computed once per read, not once per event.
        direct = select(follow.report_id).where(mine, follow.report_id.is_not(None))
        below = (
            select(area.id)
            .join(followed_area, area.path.startswith(followed_area.path, autoescape=False))
            .join(follow, follow.area_id == followed_area.id)
            .where(mine)
        )
        return [
            policy.visible_reports(self.actor),
            or_(event.report_id.in_(direct), tables.Report.area_id.in_(below)),
        ]


T = TypeVar("T")


async def with_followers(log: EventLog, user_id: int, feed: AsyncIterator[T]) -> AsyncIterator[T]:
    """`feed` (a FollowTopic's stream, not started yet), with the log looking up followers for
    `user_id` from before the feed subscribes until it ends."""
    with log.following(user_id):
        async with contextlib.aclosing(feed) as events:  # type: ignore[type-var]
            async for event in events:
                yield event


def _is_overdue(report: tables.Report, now: datetime) -> bool:
    return report.status in OPEN_STATUSES and report.due_at is not None and report.due_at < now


def _around(circle: GeoCircle | None) -> GeoBox | None:
    """A box holding the circle as `_inside` measures it, widened past rounding errors."""
    if circle is None:
        return None
    dlat = circle.radius_meters / METERS_PER_DEGREE + BOX_SLACK_DEGREES
    dlon = dlat / max(math.cos(math.radians(circle.latitude)), 0.01)
    return GeoBox(
        circle.latitude - dlat,
        circle.longitude - dlon,
        circle.latitude + dlat,
        circle.longitude + dlon,
    )


def _in_box(box: GeoBox, report: tables.Report) -> bool:
    """Edges included, as the report list's `bbox` filter."""
    return box.south <= report.latitude <= box.north and box.west <= report.longitude <= box.east


def _inside(circle: GeoCircle, report: tables.Report) -> bool:
    """The same equirectangular distance as the report list's `near` filter."""
    cos_lat = max(math.cos(math.radians(circle.latitude)), 0.01)
    dy = (report.latitude - circle.latitude) * METERS_PER_DEGREE
    dx = (report.longitude - circle.longitude) * METERS_PER_DEGREE * cos_lat
    return dx * dx + dy * dy <= circle.radius_meters**2
