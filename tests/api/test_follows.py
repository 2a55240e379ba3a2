"""Following over HTTP: follow and unfollow reports and areas, `viewerIsFollowing`, `following`."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from models import tables
from models.enums import ReportStatus
from schema.node import encode_global_id
from tests.api.test_query_count import counting_statements
from tests.api.world import World, build_world
from tests.conftest import GraphQLClient, sign_in
from tests.factories import make_area, make_report

FOLLOW_REPORT = """
mutation ($id: ID!) {
  followReport(input: {reportId: $id}) {
    report { code viewerIsFollowing } userErrors { code field }
  }
}
"""
UNFOLLOW_REPORT = """
mutation ($id: ID!) {
  unfollowReport(input: {reportId: $id}) {
    report { code viewerIsFollowing } userErrors { code field }
  }
}
"""
FOLLOW_AREA = """
mutation ($id: ID!) {
  followArea(input: {areaId: $id}) { area { name viewerIsFollowing } userErrors { code field } }
}
"""
UNFOLLOW_AREA = """
mutation ($id: ID!) {
  unfollowArea(input: {areaId: $id}) { area { name viewerIsFollowing } userErrors { code field } }
}
"""
FOLLOWING = """
query ($first: Int, $after: String) {
  viewer {
    following(first: $first, after: $after) {
      totalCount
      edges { cursor followedAt node { __typename ... on Report { code } ... on Area { name } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""
REPORT_FOLLOWED = "query ($code: String) { report(code: $code) { viewerIsFollowing } }"
AREAS_FOLLOWED = "{ areas { name viewerIsFollowing } }"


@pytest.fixture
async def world(session_factory: async_sessionmaker[AsyncSession]) -> World:
    return await build_world(session_factory)


async def _report(
    sessions: async_sessionmaker[AsyncSession],
    world: World,
    status: ReportStatus = ReportStatus.ASSIGNED,
    area: tables.Area | None = None,
) -> tables.Report:
    async with sessions() as session, session.begin():
        return await make_report(
            session,
            reporter=world.citizen,
            category=world.category,
            status=status,
            area=area or world.west,
            agency=world.environment if status is not ReportStatus.SUBMITTED else None,
        )


def gid(type_name: str, key: int) -> str:
    return encode_global_id(type_name, key)


def _names(data: dict[str, Any]) -> list[str]:
    nodes = [edge["node"] for edge in data["viewer"]["following"]["edges"]]
    return [node.get("code") or node["name"] for node in nodes]


async def test_following_a_report_marks_it_followed_and_lists_it(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession], world: World
) -> None:
    report = await _report(session_factory, world)
    gql = await sign_in(client, world.other_citizen)
    data = await gql.data(FOLLOW_REPORT, {"id": gid("Report", report.id)})
    assert data["followReport"] == {
        "report": {"code": report.code, "viewerIsFollowing": True},
        "userErrors": [],
    }
    following = await gql.data(FOLLOWING)
    assert _names(following) == [report.code]
    assert following["viewer"]["following"]["totalCount"] == 1


async def test_following_twice_keeps_one_follow(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession], world: World
) -> None:
    report = await _report(session_factory, world)
    gql = await sign_in(client, world.other_citizen)
    for _ in range(2):
        data = await gql.data(FOLLOW_REPORT, {"id": gid("Report", report.id)})
        assert data["followReport"]["userErrors"] == []
    async with session_factory() as session:
        count = await session.scalar(select(func.count()).select_from(tables.Follow))
    assert count == 1


async def test_unfollowing_a_report_twice_leaves_it_unfollowed(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession], world: World
) -> None:
    report = await _report(session_factory, world)
    gql = await sign_in(client, world.other_citizen)
    await gql.data(FOLLOW_REPORT, {"id": gid("Report", report.id)})
    for _ in range(2):
        data = await gql.data(UNFOLLOW_REPORT, {"id": gid("Report", report.id)})
        assert data["unfollowReport"] == {
            "report": {"code": report.code, "viewerIsFollowing": False},
            "userErrors": [],
        }
    assert _names(await gql.data(FOLLOWING)) == []


async def test_a_report_the_viewer_may_not_see_cannot_be_followed(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession], world: World
) -> None:
    awaiting_triage = await _report(session_factory, world, ReportStatus.SUBMITTED)
    gql = await sign_in(client, world.other_citizen)
    data = await gql.data(FOLLOW_REPORT, {"id": gid("Report", awaiting_triage.id)})
    assert data["followReport"] == {
        "report": None,
        "userErrors": [{"code": "NOT_FOUND", "field": ["reportId"]}],
    }


async def test_the_reporter_follows_a_report_not_yet_public(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession], world: World
) -> None:
    mine = await _report(session_factory, world, ReportStatus.SUBMITTED)
    gql = await sign_in(client, world.citizen)
    data = await gql.data(FOLLOW_REPORT, {"id": gid("Report", mine.id)})
    assert data["followReport"]["report"] == {"code": mine.code, "viewerIsFollowing": True}


async def test_a_report_hidden_since_it_was_followed_can_be_unfollowed_but_not_listed(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession], world: World
) -> None:
    report = await _report(session_factory, world)
    gql = await sign_in(client, world.other_citizen)
    await gql.data(FOLLOW_REPORT, {"id": gid("Report", report.id)})
    async with session_factory() as session, session.begin():
        row = await session.get(tables.Report, report.id)
        assert row is not None
        row.status = ReportStatus.REJECTED  # rejected after a return: hidden from the public
    following = await gql.data(FOLLOWING)
    assert (_names(following), following["viewer"]["following"]["totalCount"]) == ([], 0)
    data = await gql.data(UNFOLLOW_REPORT, {"id": gid("Report", report.id)})
    assert data["unfollowReport"] == {"report": None, "userErrors": []}
    again = await gql.data(UNFOLLOW_REPORT, {"id": gid("Report", report.id)})
    assert again["unfollowReport"]["userErrors"] == [{"code": "NOT_FOUND", "field": ["reportId"]}]


async def test_staff_follow_reports_they_do_not_handle(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession], world: World
) -> None:
    report = await _report(session_factory, world)  # with `environment`
    gql = await sign_in(client, world.other_officer)  # of `construction`
    data = await gql.data(FOLLOW_REPORT, {"id": gid("Report", report.id)})
    assert data["followReport"]["report"] == {"code": report.code, "viewerIsFollowing": True}


async def test_following_an_area_marks_it_followed(client: httpx.AsyncClient, world: World) -> None:
    gql = await sign_in(client, world.citizen)
    data = await gql.data(FOLLOW_AREA, {"id": gid("Area", world.province.id)})
    assert data["followArea"] == {
        "area": {"name": world.province.name, "viewerIsFollowing": True},
        "userErrors": [],
    }
    assert (await gql.data(AREAS_FOLLOWED))["areas"] == [
        {"name": world.province.name, "viewerIsFollowing": True}
    ]


async def test_unfollowing_an_area_twice_leaves_it_unfollowed(
    client: httpx.AsyncClient, world: World
) -> None:
    gql = await sign_in(client, world.citizen)
    await gql.data(FOLLOW_AREA, {"id": gid("Area", world.west.id)})
    for _ in range(2):
        data = await gql.data(UNFOLLOW_AREA, {"id": gid("Area", world.west.id)})
        assert data["unfollowArea"] == {
            "area": {"name": world.west.name, "viewerIsFollowing": False},
            "userErrors": [],
        }


async def test_an_unknown_area_cannot_be_followed(client: httpx.AsyncClient, world: World) -> None:
    gql = await sign_in(client, world.citizen)
    data = await gql.data(FOLLOW_AREA, {"id": gid("Area", world.east.id + 1000)})
    assert data["followArea"] == {
        "area": None,
        "userErrors": [{"code": "NOT_FOUND", "field": ["areaId"]}],
    }


@pytest.mark.parametrize("operation", [FOLLOW_REPORT, UNFOLLOW_REPORT, FOLLOW_AREA, UNFOLLOW_AREA])
async def test_anonymous_visitors_cannot_follow_or_unfollow(
    gql: GraphQLClient,
    session_factory: async_sessionmaker[AsyncSession],
    world: World,
    operation: str,
) -> None:
    report = await _report(session_factory, world)
    key = gid("Area", world.west.id) if "Area" in operation else gid("Report", report.id)
    assert await gql.error_codes(operation, {"id": key}) == ["UNAUTHENTICATED"]


async def test_a_malformed_id_is_bad_input(client: httpx.AsyncClient, world: World) -> None:
    gql = await sign_in(client, world.citizen)
    assert await gql.error_codes(FOLLOW_REPORT, {"id": gid("Area", world.west.id)}) == [
        "BAD_USER_INPUT"
    ]


async def test_anonymous_visitors_follow_nothing(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession], world: World
) -> None:
    report = await _report(session_factory, world)
    data = await gql.data(REPORT_FOLLOWED, {"code": report.code})
    assert data["report"] == {"viewerIsFollowing": False}


async def test_following_is_listed_newest_first_in_pages(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession], world: World
) -> None:
    first = await _report(session_factory, world)
    second = await _report(session_factory, world)
    gql = await sign_in(client, world.other_citizen)
    await gql.data(FOLLOW_REPORT, {"id": gid("Report", first.id)})
    await gql.data(FOLLOW_AREA, {"id": gid("Area", world.east.id)})
    await gql.data(FOLLOW_REPORT, {"id": gid("Report", second.id)})
    page = await gql.data(FOLLOWING, {"first": 2})
    assert _names(page) == [second.code, world.east.name]
    connection = page["viewer"]["following"]
    assert (connection["pageInfo"]["hasNextPage"], connection["totalCount"]) == (True, 3)
    rest = await gql.data(FOLLOWING, {"first": 2, "after": connection["pageInfo"]["endCursor"]})
    assert _names(rest) == [first.code]
    assert rest["viewer"]["following"]["pageInfo"]["hasNextPage"] is False


async def test_what_a_user_follows_is_not_for_administrators(
    client: httpx.AsyncClient, world: World
) -> None:
    citizen = await sign_in(client, world.citizen)
    await citizen.data(FOLLOW_AREA, {"id": gid("Area", world.west.id)})
    admin = await sign_in(client, world.admin)
    query = "query ($id: ID!) { node(id: $id) { ... on User { following { totalCount } } } }"
    assert await admin.error_codes(query, {"id": gid("User", world.citizen.id)}) == ["FORBIDDEN"]


FOLLOWING_NESTED = """
query ($first: Int) {
  viewer { following(first: $first) { edges { node {
    ... on Report { code viewerIsFollowing category { name } area { name viewerIsFollowing } }
    ... on Area { name viewerIsFollowing parent { name } }
  } } } }
  reports(first: $first) { edges { node { code viewerIsFollowing area { viewerIsFollowing } } } }
}
"""


async def test_statement_count_of_following_does_not_grow_with_the_page(
    app: Starlette,
    client: httpx.AsyncClient,
    session_factory: async_sessionmaker[AsyncSession],
    world: World,
) -> None:
    async with session_factory() as session, session.begin():
        areas = [await make_area(session, f"Tổ {i}", world.west) for i in range(12)]
    reports = [await _report(session_factory, world, area=area) for area in areas]
    gql = await sign_in(client, world.other_citizen)
    for report, area in zip(reports, areas, strict=True):
        await gql.data(FOLLOW_REPORT, {"id": gid("Report", report.id)})
        await gql.data(FOLLOW_AREA, {"id": gid("Area", area.id)})
    engine: AsyncEngine = app.state.engine
    with counting_statements(engine) as small:
        data_small = await gql.data(FOLLOWING_NESTED, {"first": 2})
    with counting_statements(engine) as large:
        data_large = await gql.data(FOLLOWING_NESTED, {"first": 20})
    assert len(data_small["viewer"]["following"]["edges"]) == 2
    assert len(data_large["viewer"]["following"]["edges"]) == 20
    assert all(edge["node"]["viewerIsFollowing"] for edge in data_large["reports"]["edges"])
    assert len(small) == len(large), (small, large)
