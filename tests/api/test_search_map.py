"""The map over HTTP: a bounding box, and nearest-first order around `near`."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import tables
from models.base import utcnow
from models.enums import ReportStatus
from tests.conftest import GraphQLClient
from tests.factories import make_agency, make_category, make_report, make_user

CODES = """
query ($first: Int, $after: String, $filter: ReportFilter) {
  reports(first: $first, after: $after, filter: $filter) {
    totalCount
    edges { node { code } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
CENTRE = (17.4700, 106.6200)
METERS_PER_DEGREE = 111_320.0


async def _reports_at(
    sessions: async_sessionmaker[AsyncSession], *points: tuple[float, float]
) -> list[tables.Report]:
    """One forwarded report per (latitude, longitude), each newer than the one before."""
    async with sessions() as session, session.begin():
        citizen = await make_user(session)
        category = await make_category(session)
        agency = await make_agency(session)
        start = utcnow() - timedelta(days=10)
        return [
            await make_report(
                session,
                reporter=citizen,
                category=category,
                agency=agency,
                status=ReportStatus.ASSIGNED,
                latitude=latitude,
                longitude=longitude,
                submitted_at=start + timedelta(hours=i),
            )
            for i, (latitude, longitude) in enumerate(points)
        ]


def _north_of_centre(meters: float) -> tuple[float, float]:
    return (CENTRE[0] + meters / METERS_PER_DEGREE, CENTRE[1])


async def _codes(gql: GraphQLClient, report_filter: dict[str, object]) -> list[str]:
    data = await gql.data(CODES, {"first": 50, "filter": report_filter})
    return [edge["node"]["code"] for edge in data["reports"]["edges"]]


async def test_bbox_keeps_reports_inside_the_window(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    inside, edge, _west, _north = await _reports_at(
        session_factory, (17.47, 106.62), (17.48, 106.63), (17.47, 106.55), (17.60, 106.62)
    )
    box = {"south": 17.46, "west": 106.60, "north": 17.48, "east": 106.63}
    assert await _codes(gql, {"bbox": box}) == [edge.code, inside.code]


async def test_bbox_with_south_above_north_is_refused(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    box = {"south": 17.5, "west": 106.6, "north": 17.4, "east": 106.7}
    assert await gql.error_codes(CODES, {"filter": {"bbox": box}}) == ["BAD_USER_INPUT"]


async def test_near_lists_the_nearest_first(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    m100, m50, m300, _far = await _reports_at(
        session_factory,
        _north_of_centre(100),
        _north_of_centre(50),
        _north_of_centre(300),
        _north_of_centre(900),
    )
    circle = {"latitude": CENTRE[0], "longitude": CENTRE[1], "radiusMeters": 500}
    assert await _codes(gql, {"near": circle}) == [m50.code, m100.code, m300.code]


async def test_nearest_first_pages_cover_every_report_once(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    # Several reports at one point: the id orders them.
    points = [_north_of_centre(meters) for meters in (200, 10, 200, 10, 120, 200, 0)]
    made = await _reports_at(session_factory, *points)
    circle = {"latitude": CENTRE[0], "longitude": CENTRE[1], "radiusMeters": 500}
    seen: list[str] = []
    after = None
    while True:
        variables = {"first": 3, "after": after, "filter": {"near": circle}}
        page = (await gql.data(CODES, variables))["reports"]
        seen += [edge["node"]["code"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    by_distance = sorted(zip(points, made, strict=True), key=lambda p: (p[0][0], p[1].id))
    assert seen == [report.code for _, report in by_distance]


async def test_search_ranks_before_distance_when_both_are_given(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    near, far = await _reports_at(session_factory, _north_of_centre(10), _north_of_centre(400))
    async with session_factory() as session, session.begin():
        (await session.get_one(tables.Report, far.id)).title = "Đèn đường hỏng"
        (await session.get_one(tables.Report, near.id)).title = "Hỏng"
    circle = {"latitude": CENTRE[0], "longitude": CENTRE[1], "radiusMeters": 500}
    # Both mention "đường" in the factory's address; only the far one has it in the title.
    found = await _codes(gql, {"near": circle, "search": "duong"})
    assert found == [far.code, near.code]


async def test_nearest_first_pages_reach_the_edge_of_the_circle(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    # Close to the centre and out to the edge: pages read small discs first, then wider ones.
    made = await _reports_at(
        session_factory, *[_north_of_centre(meters) for meters in (480, 5, 200, 10, 50, 520)]
    )
    m480, m5, m200, m10, m50, _outside = made
    circle = {"latitude": CENTRE[0], "longitude": CENTRE[1], "radiusMeters": 500}
    seen: list[list[str]] = []
    after = None
    while True:
        variables = {"first": 2, "after": after, "filter": {"near": circle}}
        page = (await gql.data(CODES, variables))["reports"]
        seen.append([edge["node"]["code"] for edge in page["edges"]])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [[m5.code, m10.code], [m50.code, m200.code], [m480.code]]
