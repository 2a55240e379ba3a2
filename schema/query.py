"""The root `Query` type: each field parses its arguments and calls one resolver."""

from __future__ import annotations

from typing import Annotated

import strawberry

from models import tables
from resolvers import directory, nodes, reports, similar, stats
from schema.context import Info
from schema.directory import Agency, Area, Category
from schema.errors import bad_input
from schema.filters import ReportFilter, criteria_of
from schema.node import Node, decode_global_id, decode_int_id
from schema.pagination import decode_cursor, encode_cursor, page_info, page_size
from schema.reports import Report, ReportConnection, ReportEdge
from schema.similar import SimilarReport
from schema.stats import AgencyScorecard, ReportStats
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

    @strawberry.field(
        description="Reports the viewer may see: best match first when the filter has `search`, "
        "else nearest first when it has `near`, else newest first. A cursor belongs to one order."
    )
    async def reports(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: ReportFilter | None = None,
    ) -> ReportConnection:
        size = page_size(first)
        criteria = criteria_of(filter)
        order = reports.report_order(criteria)
        cursor = decode_cursor(after, order.value, order.arity) if after else None
        page = await reports.list_reports(
            info.context, criteria, size, tuple(cursor) if cursor else None
        )
        edges = [
            ReportEdge(cursor=encode_cursor(order.value, *key), node=Report.from_model(row))
            for row, key in zip(page.rows, page.keys, strict=True)
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

    @strawberry.field(description="Figures over the reports a filter selects.")
    def report_stats(self, info: Info, filter: ReportFilter | None = None) -> ReportStats:
        return ReportStats.create(info, criteria_of(filter))

    @strawberry.field(
        description="Every active agency's scorecard (and any other agency with matching "
        "reports), by name, over the reports a filter selects."
    )
    async def agency_scorecards(
        self, info: Info, filter: ReportFilter | None = None
    ) -> list[AgencyScorecard]:
        cards = await stats.agency_scorecards(info.context, criteria_of(filter))
        return [AgencyScorecard.from_figures(card) for card in cards]

    @strawberry.field(
        description="Before submitting: open reports the viewer may see in the same category "
        "within `radiusMeters` (300 by default, at most 1000) of the point, most likely "
        "duplicates first."
    )
    async def similar_reports(
        self,
        info: Info,
        latitude: Annotated[float, strawberry.argument(description="Where, WGS 84 degrees.")],
        longitude: Annotated[float, strawberry.argument(description="Where, WGS 84 degrees.")],
        category_id: Annotated[
            strawberry.ID, strawberry.argument(description="The category being reported.")
        ],
        text: Annotated[
            str, strawberry.argument(description="The draft's title and description.")
        ] = "",
        first: Annotated[int, strawberry.argument(description="At most this many (1–20).")] = 5,
        radius_meters: Annotated[
            float, strawberry.argument(description="How far to look, in meters.")
        ] = similar.DEFAULT_RADIUS_METERS,
    ) -> list[SimilarReport]:
        found = await similar.similar_reports(
            info.context,
            latitude=latitude,
            longitude=longitude,
            category_id=decode_int_id(category_id, "Category", "categoryId"),
            text=text,
            first=first,
            radius_meters=radius_meters,
        )
        return [SimilarReport.from_result(item) for item in found]
