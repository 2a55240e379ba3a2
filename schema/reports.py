"""The `Report` type and its connection; personal data passes through models.policy."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models import policy, tables
from models.enums import ReportStatus as Status
from models.workflow import allowed_actions
from resolvers.loaders import PageKey
from schema.context import Info
from schema.directory import Agency, Area, Category, GeoPoint
from schema.enums import Action, ReportStatus
from schema.node import Node, encode_global_id
from schema.pagination import PageInfo, decode_cursor, page_info, page_size
from schema.timeline import (
    Attachment,
    Message,
    MessageConnection,
    MessageEdge,
    Rating,
    ReportEvent,
    ReportEventConnection,
    ReportEventEdge,
    event_cursor,
    message_cursor,
    parse_event_cursor,
)

OPEN_STATUSES = (Status.ASSIGNED, Status.IN_PROGRESS)


@strawberry.type(description="Who reported: what the viewer may know of them.")
class Reporter:
    display_name: str = strawberry.field(
        description="The reporter's name, or `Người dân (ẩn danh)` for an anonymous report "
        "seen by anyone but the reporter and the staff handling it."
    )
    phone: str | None = strawberry.field(
        description="Only for the reporter, coordinators and officers of the assigned agency."
    )


@strawberry.type(description="A citizen's field report (phản ánh hiện trường).")
class Report(Node):
    code: str = strawberry.field(description="The public code, e.g. `PA-2026-000123`.")
    title: str = strawberry.field(description="A short title.")
    description: str = strawberry.field(description="What the citizen saw.")
    status: ReportStatus = strawberry.field(description="Where the report stands.")
    location: GeoPoint = strawberry.field(description="The map point and address.")
    due_at: datetime | None = strawberry.field(description="When the agency must answer by.")
    submitted_at: datetime = strawberry.field(description="When the citizen submitted it.")
    updated_at: datetime = strawberry.field(description="When anything last changed.")
    resolved_at: datetime | None = strawberry.field(description="When the agency answered.")
    closed_at: datetime | None = strawberry.field(description="When it was closed.")
    version: int = strawberry.field(
        description="Increases with every change; pass it as `expectedVersion` to act on it."
    )
    row: strawberry.Private[tables.Report]

    @classmethod
    def from_model(cls, row: tables.Report) -> Report:
        return cls(
            id=encode_global_id("Report", row.id),
            code=row.code,
            title=row.title,
            description=row.description,
            status=row.status,
            location=GeoPoint(latitude=row.latitude, longitude=row.longitude, address=row.address),
            due_at=row.due_at,
            submitted_at=row.submitted_at,
            updated_at=row.updated_at,
            resolved_at=row.resolved_at,
            closed_at=row.closed_at,
            version=row.version,
            row=row,
        )

    @strawberry.field(description="Past its due date while still with the agency.")
    def is_overdue(self, info: Info) -> bool:
        now = info.context.now()
        return (
            self.row.status in OPEN_STATUSES
            and self.row.due_at is not None
            and (self.row.due_at < now)
        )

    @strawberry.field(description="The category chosen by the citizen.")
    async def category(self, info: Info) -> Category:
        row = await info.context.loaders.category.load(self.row.category_id)
        assert row is not None  # guaranteed by the foreign key
        return Category.from_model(row)

    @strawberry.field(description="The administrative area the point lies in.")
    async def area(self, info: Info) -> Area | None:
        if self.row.area_id is None:
            return None
        row = await info.context.loaders.area.load(self.row.area_id)
        return Area.from_model(row) if row else None

    @strawberry.field(description="The agency the report is forwarded to.")
    async def assigned_agency(self, info: Info) -> Agency | None:
        if self.row.assigned_agency_id is None:
            return None
        row = await info.context.loaders.agency.load(self.row.assigned_agency_id)
        return Agency.from_model(row) if row else None

    @strawberry.field(
        description="The original report, when this one was rejected as its duplicate."
    )
    async def duplicate_of(self, info: Info) -> Report | None:
        if self.row.duplicate_of_id is None:
            return None
        row = await info.context.loaders.report.load(self.row.duplicate_of_id)
        if row is None or not policy.can_see_report(info.context.actor, row):
            return None
        return Report.from_model(row)

    @strawberry.field(
        description="Coordinators: the agency the routing rules suggest for this category and "
        "area; null for everyone else."
    )
    async def suggested_agency(self, info: Info) -> Agency | None:
        if not info.context.actor.is_coordinator:
            return None
        key = (self.row.category_id, self.row.area_id)
        agency_id = await info.context.loaders.suggested_agency.load(key)
        if agency_id is None:
            return None
        row = await info.context.loaders.agency.load(agency_id)
        return Agency.from_model(row) if row else None

    @strawberry.field(
        description="The viewer follows this report itself (`followReport`); false when not "
        "signed in."
    )
    async def viewer_is_following(self, info: Info) -> bool:
        user_id = info.context.actor.user_id
        if user_id is None:
            return False
        return await info.context.loaders.follows_report.load((user_id, self.row.id))

    @strawberry.field(description="The workflow steps the viewer may take on this report now.")
    def available_actions(self, info: Info) -> list[Action]:
        return allowed_actions(self.row, info.context.actor)

    @strawberry.field(description="Photos and videos of the report the viewer may see.")
    async def attachments(self, info: Info) -> list[Attachment]:
        scopes = policy.visible_scopes(info.context.actor, self.row)
        rows = await info.context.loaders.report_attachments.load((self.row.id, scopes))
        return [Attachment.from_model(row) for row in rows]

    @strawberry.field(description="Who reported it, as far as the viewer may know.")
    async def reporter(self, info: Info) -> Reporter:
        actor = info.context.actor
        user = await info.context.loaders.user.load(self.row.reporter_id)
        name = user.display_name if user else ""
        phone = user.phone if user and policy.may_see_reporter_phone(actor, self.row) else None
        return Reporter(display_name=policy.reporter_label(actor, self.row, name), phone=phone)

    @strawberry.field(description="The citizen's rating of the result, once given.")
    async def rating(self, info: Info) -> Rating | None:
        row = await info.context.loaders.rating_by_report.load(self.row.id)
        return Rating.from_model(row) if row else None

    @strawberry.field(
        description="The steps of the report's life the viewer may see, oldest first."
    )
    async def timeline(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> ReportEventConnection:
        size = page_size(first)
        after_id = parse_event_cursor(after)[1] if after else 0
        scopes = policy.visible_scopes(info.context.actor, self.row)
        loaders = info.context.loaders
        rows = await loaders.event_page.load(PageKey(self.row.id, scopes, size, after_id))
        total = await loaders.event_count.load((self.row.id, scopes))
        page = rows[:size]
        edges = [
            ReportEventEdge(cursor=event_cursor(r.id), node=ReportEvent.from_model(r)) for r in page
        ]
        return ReportEventConnection(
            edges=edges,
            page_info=page_info([e.cursor for e in edges], len(rows) > size, after_id > 0),
            total_count=total,
        )

    @strawberry.field(
        description="Messages on the report, each only for whom its visibility allows."
    )
    async def messages(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> MessageConnection:
        size = page_size(first)
        after_id = decode_cursor(after, "m", 1)[0] if after else 0
        scopes = policy.visible_scopes(info.context.actor, self.row)
        loaders = info.context.loaders
        rows = await loaders.message_page.load(PageKey(self.row.id, scopes, size, after_id))
        total = await loaders.message_count.load((self.row.id, scopes))
        page = rows[:size]
        edges = [MessageEdge(cursor=message_cursor(r.id), node=Message.from_model(r)) for r in page]
        return MessageConnection(
            edges=edges,
            page_info=page_info([e.cursor for e in edges], len(rows) > size, after_id > 0),
            total_count=total,
        )


@strawberry.type(description="A report in a connection.")
class ReportEdge:
    cursor: str = strawberry.field(description="The report's cursor for `after`.")
    node: Report = strawberry.field(description="The report.")


@strawberry.type(description="A page of reports, newest first.")
class ReportConnection:
    edges: list[ReportEdge] = strawberry.field(description="The reports on this page.")
    page_info: PageInfo = strawberry.field(description="Where this page stands.")
    count_query: strawberry.Private[object]

    @strawberry.field(description="All reports matching the filter that the viewer may see.")
    async def total_count(self, info: Info) -> int:
        from resolvers.reports import count_reports

        return await count_reports(info.context, self.count_query)
