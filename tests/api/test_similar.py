"""similarReports over HTTP: open reports nearby in one category, likeliest duplicates first."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import tables
from models.enums import ReportStatus, Role
from schema.node import encode_global_id
from tests.conftest import GraphQLClient, sign_in
from tests.factories import make_agency, make_category, make_report, make_user

SIMILAR = """
query ($lat: Float!, $lon: Float!, $category: ID!, $text: String, $first: Int) {
  similarReports(latitude: $lat, longitude: $lon, categoryId: $category, text: $text,
                 first: $first) {
    report { code } distanceMeters score
  }
}
"""
CENTRE = (17.4700, 106.6200)
METERS_PER_DEGREE = 111_320.0


@dataclass
class Spot:
    citizen: tables.User
    category: tables.Category
    other_category: tables.Category
    agency: tables.Agency


async def _spot(sessions: async_sessionmaker[AsyncSession]) -> Spot:
    async with sessions() as session, session.begin():
        return Spot(
            citizen=await make_user(session),
            category=await make_category(session, "Môi trường"),
            other_category=await make_category(session, "Giao thông"),
            agency=await make_agency(session),
        )


async def _report(
    sessions: async_sessionmaker[AsyncSession],
    spot: Spot,
    *,
    north_meters: float,
    title: str,
    description: str = "",
    status: ReportStatus = ReportStatus.ASSIGNED,
    category: tables.Category | None = None,
    reporter: tables.User | None = None,
) -> tables.Report:
    async with sessions() as session, session.begin():
        return await make_report(
            session,
            reporter=reporter or spot.citizen,
            category=category or spot.category,
            agency=spot.agency if status is not ReportStatus.SUBMITTED else None,
            status=status,
            title=title,
            description=description,
            latitude=CENTRE[0] + north_meters / METERS_PER_DEGREE,
            longitude=CENTRE[1],
        )


def _variables(spot: Spot, text: str, first: int = 5) -> dict[str, object]:
    return {
        "lat": CENTRE[0],
        "lon": CENTRE[1],
        "category": encode_global_id("Category", spot.category.id),
        "text": text,
        "first": first,
    }


async def test_similar_reports_rank_by_shared_words_then_nearness(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    spot = await _spot(session_factory)
    alike_far = await _report(
        session_factory, spot, north_meters=150, title="Rác thải ven sông", description="Bốc mùi."
    )
    alike_near = await _report(
        session_factory, spot, north_meters=20, title="Rác ven sông", description="Nhiều rác."
    )
    unlike_near = await _report(session_factory, spot, north_meters=5, title="Cây đổ chắn lối")
    found = (await gql.data(SIMILAR, _variables(spot, "rác thải ven sông")))["similarReports"]
    assert [item["report"]["code"] for item in found] == [
        alike_far.code,  # 0.7 x 4/4 + 0.3 x (1 - 150/300) = 0.85
        alike_near.code,  # 0.7 x 3/4 + 0.3 x (1 - 20/300) = 0.805
        unlike_near.code,  # 0.7 x 0 + 0.3 x (1 - 5/300) = 0.295
    ]
    assert [item["score"] for item in found] == [0.85, 0.805, 0.295]


async def test_similar_report_score_and_distance(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    spot = await _spot(session_factory)
    await _report(
        session_factory, spot, north_meters=150, title="Rác ven sông", description="Nhiều rác."
    )
    found = (await gql.data(SIMILAR, _variables(spot, "Rác thải ven sông")))["similarReports"]
    # Words: rac thai ven song; the report has rac ven song (nhieu too): 3 of 4.
    assert found[0]["distanceMeters"] == 150.0
    assert found[0]["score"] == round(0.7 * 3 / 4 + 0.3 * (1 - 150 / 300), 4)


async def test_closed_other_category_and_far_reports_are_not_similar(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    spot = await _spot(session_factory)
    kept = await _report(session_factory, spot, north_meters=50, title="Rác ven sông")
    for status in (ReportStatus.RESOLVED, ReportStatus.CLOSED):
        await _report(session_factory, spot, north_meters=50, title="Rác ven sông", status=status)
    await _report(
        session_factory, spot, north_meters=50, title="Rác ven sông", category=spot.other_category
    )
    await _report(session_factory, spot, north_meters=350, title="Rác ven sông")
    found = (await gql.data(SIMILAR, _variables(spot, "rác ven sông")))["similarReports"]
    assert [item["report"]["code"] for item in found] == [kept.code]


async def test_submitted_reports_are_similar_only_for_those_who_may_see_them(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    spot = await _spot(session_factory)
    async with session_factory() as session, session.begin():
        coordinator = await make_user(session, Role.COORDINATOR)
    waiting = await _report(
        session_factory, spot, north_meters=30, title="Rác", status=ReportStatus.SUBMITTED
    )
    variables = _variables(spot, "rác")
    assert (await gql.data(SIMILAR, variables))["similarReports"] == []
    staff = await sign_in(gql.http, coordinator)
    found = (await staff.data(SIMILAR, variables))["similarReports"]
    assert [item["report"]["code"] for item in found] == [waiting.code]


async def test_similar_reports_keep_the_first_best(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    spot = await _spot(session_factory)
    for meters in (10, 20, 30):
        await _report(session_factory, spot, north_meters=meters, title="Rác ven sông")
    found = (await gql.data(SIMILAR, _variables(spot, "rác", first=2)))["similarReports"]
    assert [item["distanceMeters"] for item in found] == [10.0, 20.0]


async def test_similar_reports_refuse_a_radius_over_the_limit(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    spot = await _spot(session_factory)
    query = SIMILAR.replace("first: $first)", "first: $first, radiusMeters: 5000)")
    assert await gql.error_codes(query, _variables(spot, "rác")) == ["BAD_USER_INPUT"]
