"""Following: the follow and unfollow mutations, and the list of what the viewer follows."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated

import strawberry

from models import tables
from models.errors import DomainError
from resolvers import follows
from schema.context import Info
from schema.directory import Area
from schema.errors import UserError, user_errors
from schema.node import decode_int_id
from schema.pagination import PageInfo, decode_cursor, encode_cursor, page_info, page_size
from schema.reports import Report

CURSOR_KIND = "f"

Followed = Annotated[
    Report | Area,
    strawberry.union("Followed", description="Something one can follow: a report or an area."),
]


@strawberry.type(description="One thing the viewer follows.")
class FollowEdge:
    cursor: str = strawberry.field(description="The cursor for `after`.")
    followed_at: datetime = strawberry.field(description="When the viewer started following.")
    node: Followed = strawberry.field(description="The report or area followed.")


@strawberry.type(description="What the viewer follows, most recently followed first.")
class FollowConnection:
    edges: list[FollowEdge] = strawberry.field(description="The follows on this page.")
    page_info: PageInfo = strawberry.field(description="Where this page stands.")
    user_pk: strawberry.Private[int]

    @strawberry.field(description="Everything followed (reports only while still visible).")
    async def total_count(self, info: Info) -> int:
        return await follows.count_following(info.context, self.user_pk)


async def following_connection(
    info: Info, user_pk: int, first: int | None, after: str | None
) -> FollowConnection:
    size = page_size(first)
    after_id = decode_cursor(after, CURSOR_KIND, 1)[0] if after else None
    page = await follows.list_following(info.context, user_pk, size, after_id)
    edges = []
    for entry in page.entries:
        node: Report | Area
        if entry.report is not None:
            node = Report.from_model(entry.report)
        else:
            assert entry.area is not None  # exactly one target (ck_follows_one_target)
            node = Area.from_model(entry.area)
        cursor = encode_cursor(CURSOR_KIND, entry.follow_id)
        edges.append(FollowEdge(cursor=cursor, followed_at=entry.followed_at, node=node))
    return FollowConnection(
        edges=edges,
        page_info=page_info([edge.cursor for edge in edges], page.has_next, after is not None),
        user_pk=user_pk,
    )


@strawberry.input(description="The report to follow or unfollow.")
class FollowReportInput:
    report_id: strawberry.ID = strawberry.field(description="The report.")


@strawberry.input(description="The area to follow or unfollow.")
class FollowAreaInput:
    area_id: strawberry.ID = strawberry.field(description="The area.")


@strawberry.type(description="The report as it is after following or unfollowing it.")
class FollowReportPayload:
    report: Report | None = strawberry.field(
        description="The report; null on an error, or when unfollowing one no longer visible."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed.")


@strawberry.type(description="The area as it is after following or unfollowing it.")
class FollowAreaPayload:
    area: Area | None = strawberry.field(description="The area; null on an error.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed.")


async def _report_payload(
    call: Callable[[], Awaitable[tables.Report | None]],
) -> FollowReportPayload:
    try:
        row = await call()
    except DomainError as error:
        return FollowReportPayload(report=None, user_errors=user_errors(error))
    return FollowReportPayload(report=Report.from_model(row) if row else None, user_errors=[])


async def _area_payload(call: Callable[[], Awaitable[tables.Area]]) -> FollowAreaPayload:
    try:
        row = await call()
    except DomainError as error:
        return FollowAreaPayload(area=None, user_errors=user_errors(error))
    return FollowAreaPayload(area=Area.from_model(row), user_errors=[])


@strawberry.type
class FollowMutations:
    @strawberry.mutation(
        description="Signed-in users: follow a report they may see; its events then reach "
        "`followedReportEvents`. Following twice is the same as once."
    )
    async def follow_report(self, info: Info, input: FollowReportInput) -> FollowReportPayload:
        pk = decode_int_id(input.report_id, "Report", "reportId")
        return await _report_payload(lambda: follows.follow_report(info.context, pk))

    @strawberry.mutation(description="Signed-in users: stop following a report.")
    async def unfollow_report(self, info: Info, input: FollowReportInput) -> FollowReportPayload:
        pk = decode_int_id(input.report_id, "Report", "reportId")
        return await _report_payload(lambda: follows.unfollow_report(info.context, pk))

    @strawberry.mutation(
        description="Signed-in users: follow an area, that is every report in it or in an "
        "area below it. Following twice is the same as once."
    )
    async def follow_area(self, info: Info, input: FollowAreaInput) -> FollowAreaPayload:
        pk = decode_int_id(input.area_id, "Area", "areaId")
        return await _area_payload(lambda: follows.follow_area(info.context, pk))

    @strawberry.mutation(description="Signed-in users: stop following an area.")
    async def unfollow_area(self, info: Info, input: FollowAreaInput) -> FollowAreaPayload:
        pk = decode_int_id(input.area_id, "Area", "areaId")
        return await _area_payload(lambda: follows.unfollow_area(info.context, pk))
