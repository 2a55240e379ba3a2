"""agencyScorecards over HTTP: the same figures per agency, rates only with enough reports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import tables
from models.enums import ReportStatus, Satisfaction
from tests.conftest import GraphQLClient
from tests.factories import make_agency, make_category, make_report, make_user

SCORECARDS = """
{
  agencyScorecards {
    agency { name } reports sampleTooSmall minimumSample
    byStatus { status count }
    onTime { answered onTime share }
    timeToFirstResponse { count medianHours }
    timeToResolution { count medianHours }
    satisfaction { ratings shares { satisfaction count share } }
  }
}
"""
H = timedelta(hours=1)
START = datetime(2026, 5, 4, tzinfo=UTC)
VERY, OK, BAD = Satisfaction.VERY_SATISFIED, Satisfaction.SATISFIED, Satisfaction.DISSATISFIED


async def _agency_with(
    sessions: async_sessionmaker[AsyncSession],
    name: str,
    answers: Sequence[tuple[float, float, float, Satisfaction | None]],
) -> None:
    """One resolved report per (first response h, resolution h, due h, rating) for agency `name`."""
    async with sessions() as session, session.begin():
        agency = await make_agency(session, name)
        citizen = await make_user(session)
        category = await make_category(session)
        for i, (first, resolved, due, rating) in enumerate(answers):
            submitted = START + timedelta(days=i)
            row = await make_report(
                session,
                reporter=citizen,
                category=category,
                agency=agency,
                status=ReportStatus.RESOLVED,
                submitted_at=submitted,
                due_at=submitted + due * H,
            )
            row.first_response_at = submitted + first * H
            row.resolved_at = submitted + resolved * H
            if rating is not None:
                session.add(
                    tables.Rating(report_id=row.id, satisfaction=rating, agency_id=agency.id)
                )


async def _cards(gql: GraphQLClient) -> dict[str, Any]:
    data = await gql.data(SCORECARDS)
    return {card["agency"]["name"]: card for card in data["agencyScorecards"]}


async def test_scorecard_with_enough_reports_shows_every_rate(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await _agency_with(
        session_factory,
        "Sở Xây dựng",
        # (first response, resolution, due) hours; the 50 h answer was due at 40 h.
        [
            (1, 10, 48, VERY),
            (2, 20, 48, VERY),
            (3, 30, 48, VERY),
            (4, 40, 48, OK),
            (5, 50, 40, BAD),
        ],
    )
    card = (await _cards(gql))["Sở Xây dựng"]
    assert (card["reports"], card["sampleTooSmall"], card["minimumSample"]) == (5, False, 5)
    assert card["onTime"] == {"answered": 5, "onTime": 4, "share": 0.8}
    assert card["timeToFirstResponse"] == {"count": 5, "medianHours": 3.0}
    assert card["timeToResolution"] == {"count": 5, "medianHours": 30.0}
    assert card["satisfaction"] == {
        "ratings": 5,
        "shares": [
            {"satisfaction": "VERY_SATISFIED", "count": 3, "share": 0.6},
            {"satisfaction": "SATISFIED", "count": 1, "share": 0.2},
            {"satisfaction": "DISSATISFIED", "count": 1, "share": 0.2},
        ],
    }


async def test_scorecard_below_the_minimum_sample_withholds_every_rate(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await _agency_with(session_factory, "Sở Y tế", [(1, 10, 48, VERY), (2, 20, 48, VERY)])
    card = (await _cards(gql))["Sở Y tế"]
    assert (card["reports"], card["sampleTooSmall"]) == (2, True)
    assert card["onTime"] == {"answered": 2, "onTime": 2, "share": None}
    assert card["timeToFirstResponse"] == {"count": 2, "medianHours": None}
    assert card["timeToResolution"] == {"count": 2, "medianHours": None}
    assert card["satisfaction"]["ratings"] == 2
    assert {share["share"] for share in card["satisfaction"]["shares"]} == {None}


async def test_a_rate_with_too_few_ratings_is_withheld_alone(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    answers = [(1, 10, 48, VERY), (2, 20, 48, None), (3, 30, 48, None)] + [(4, 40, 48, None)] * 2
    await _agency_with(session_factory, "Sở Giao thông", answers)
    card = (await _cards(gql))["Sở Giao thông"]
    assert card["sampleTooSmall"] is False
    assert card["onTime"]["share"] == 1.0
    assert card["satisfaction"]["ratings"] == 1
    assert {share["share"] for share in card["satisfaction"]["shares"]} == {None}


async def test_every_active_agency_has_a_scorecard_by_name(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session, session.begin():
        await make_agency(session, "Sở Tư pháp")
        await make_agency(session, "Sở Công Thương")
    await _agency_with(session_factory, "Sở Nội vụ", [(1, 10, 48, None)])
    data = await gql.data(SCORECARDS)
    cards = data["agencyScorecards"]
    assert [card["agency"]["name"] for card in cards] == [
        "Sở Công Thương",
        "Sở Nội vụ",
        "Sở Tư pháp",
    ]
    assert cards[0]["reports"] == 0
    assert cards[0]["sampleTooSmall"] is True
