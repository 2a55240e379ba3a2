"""The root `Query` type: each field parses its arguments and calls one resolver."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models import tables
from models.enums import ReportStatus as Status
from resolvers import directory, nodes, reports, stats
from schema.context import Info
from schema.directory import Agency, Area, Category
from schema.enums import ReportStatus
from schema.errors import bad_input
from schema.filters import ReportFilter, criteria_of
from schema.node import Node, decode_global_id, decode_int_id
from schema.pagination import decode_cursor, encode_cursor, page_info, page_size
from schema.reports import Report, ReportConnection, ReportEdge
from schema.timeline import Attachment, Message, ReportEvent
from schema.users import User

_NODE_TYPES = {
    tables.Report: Report,
    tables.ReportEvent: ReportEvent,
    tables.Message: Message,
    tables.Attachment: Attachment,
    tables.User: User,
    tables.Category: Category,
    tables.Agency: Agency,
    tables.Area: Area,
}


@strawberry.type(description="How many reports stand in one status.")
class StatusCount:
    status: ReportStatus = strawberry.field(description="The status.")
    count: int = strawberry.field(description="How many reports.")


@strawberry.type(description="Counts over the reports a filter selects and the viewer may see.")
class ReportStats:
    total: int = strawberry.field(description="All matching reports.")
    by_status: list[StatusCount] = strawberry.field(description="Counts per status, every status.")
    generated_at: datetime = strawberry.field(description="When these figures were computed.")


@strawberry.type(description="Reading PhanAnh.")
class Query:
    @strawberry.field(description="Any object by its global id; null if unknown or not visible.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        type_name, key = decode_global_id(id)
        row = await nodes.load_node(info.context, type_name, key)
        if row is None:
            return None
        node: Node = _NODE_TYPES[type(row)].from_model(row)  # type: ignore[attr-defined]
        return node

    @strawberry.field(description="The signed-in user; null when not signed in.")
    async def viewer(self, info: Info) -> User | None:
        user_id = info.context.actor.user_id
        if user_id is None:
            return None
        row = await info.context.loaders.user.load(user_id)
        return User.from_model(row) if row else None

    @strawberry.field(description="One report by global id or public code (e.g. PA-2026-000123).")
    async def report(
        self, info: Info, id: strawberry.ID | None = None, code: str | None = None
    ) -> Report | None:
        if (id is None) == (code is None):
            raise bad_input("Give exactly one of `id` and `code`.")
        pk = decode_int_id(id, "Report") if id is not None else None
        row = await reports.get_report(info.context, report_id=pk, code=code)
        return Report.from_model(row) if row else None

    @strawberry.field(description="Reports the viewer may see, newest first.")
    async def reports(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: ReportFilter | None = None,
    ) -> ReportConnection:
        size = page_size(first)
        cursor = decode_cursor(after, "r", 2) if after else None
        page = await reports.list_reports(
            info.context,
            criteria_of(filter),
            size,
            (cursor[0], cursor[1]) if cursor else None,
        )
        edges = [
            ReportEdge(
                cursor=encode_cursor("r", *reports.report_cursor_values(row)),
                node=Report.from_model(row),
            )
            for row in page.rows
        ]
        return ReportConnection(
            edges=edges,
            page_info=page_info([edge.cursor for edge in edges], page.has_next, cursor is not None),
            count_query=page.conditions,
        )

    @strawberry.field(description="Active categories, in display order.")
    async def categories(self, info: Info) -> list[Category]:
        return [Category.from_model(row) for row in await directory.list_categories(info.context)]

    @strawberry.field(description="Active agencies, by name.")
    async def agencies(self, info: Info) -> list[Agency]:
        return [Agency.from_model(row) for row in await directory.list_agencies(info.context)]

    @strawberry.field(description="The children of an area; the roots when `parentId` is null.")
    async def areas(self, info: Info, parent_id: strawberry.ID | None = None) -> list[Area]:
        pk = decode_int_id(parent_id, "Area", "parentId") if parent_id is not None else None
        return [Area.from_model(row) for row in await directory.list_areas(info.context, pk)]

    @strawberry.field(description="Counts over the reports a filter selects.")
    async def report_stats(self, info: Info, filter: ReportFilter | None = None) -> ReportStats:
        counts = await stats.report_stats(info.context, criteria_of(filter))
        return ReportStats(
            total=counts.total,
            by_status=[StatusCount(status=s, count=counts.by_status[s]) for s in Status],
            generated_at=info.context.now(),
        )
