"""reportStats over HTTP: every figure on a small fixture whose numbers were worked out by hand.

The public sees R1–R4 and R6; R5 is still in triage (coordinators only).

| report | category | area | agency | status      | submitted (UTC)  | 1st response | resolved | due  | rating          |
| R1     | C1       | B1   | G1     | CLOSED      | 2026-03-02 00:00 | +2 h         | +10 h    | +48h | VERY_SATISFIED  |
| R2     | C1       | B1   | G1     | RESOLVED    | 2026-03-05 00:00 | +4 h         | +30 h    | +24h | DISSATISFIED    |
| R3     | C2       | W2   | G1     | IN_PROGRESS | 2026-03-31 20:00 | +6 h         |          | +72h |                 |
| R4     | C2       | W2   | G2     | RESOLVED    | 2026-04-10 00:00 | +1 h         | +20 h    | +72h | SATISFIED       |
| R5     | C1       |      |        | SUBMITTED   | 2026-04-11 00:00 |              |          |      |                 |
| R6     | C1       | W1   | G2     | ASSIGNED    | 2026-04-12 00:00 |              |          | +72h |                 |

Areas: P > W1 > B1, P > W2. R3 is 2026-04-01 03:00 in Vietnam: an April report.
"""  # noqa: E501

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import tables
from models.enums import ReportStatus, Role, Satisfaction
from schema.node import encode_global_id
from tests.conftest import GraphQLClient, sign_in
from tests.factories import make_agency, make_area, make_category, make_report, make_user

STATS = """
query ($filter: ReportFilter) {
  reportStats(filter: $filter) {
    total
    byStatus { status count }
    byCategory { category { name } count }
    byAgency { agency { name } count }
    byArea { area { name } count }
    byMonth { month count }
    onTime { answered onTime share }
    timeToFirstResponse { count medianHours }
    timeToResolution { count medianHours }
    satisfaction { ratings shares { satisfaction count share } }
  }
}
"""
H = timedelta(hours=1)


@dataclass
class Fixture:
    province: tables.Area
    ward1: tables.Area
    coordinator: tables.User


async def _fixture(sessions: async_sessionmaker[AsyncSession]) -> Fixture:
    async with sessions() as session, session.begin():
        p = await make_area(session, "P")
        w1 = await make_area(session, "W1", parent=p)
        b1 = await make_area(session, "B1", parent=w1)
        w2 = await make_area(session, "W2", parent=p)
        c1, c2 = await make_category(session, "C1"), await make_category(session, "C2")
        g1, g2 = await make_agency(session, "G1"), await make_agency(session, "G2")
        citizen = await make_user(session)
        coordinator = await make_user(session, Role.COORDINATOR)

        async def report(
            category: tables.Category,
            area: tables.Area | None,
            agency: tables.Agency | None,
            status: ReportStatus,
            submitted: datetime,
            first: float | None = None,
            resolved: float | None = None,
            due: float | None = None,
            rating: Satisfaction | None = None,
        ) -> None:
            row = await make_report(
                session,
                reporter=citizen,
                category=category,
                area=area,
                agency=agency,
                status=status,
                submitted_at=submitted,
                due_at=submitted + due * H if due is not None else None,
            )
            row.first_response_at = submitted + first * H if first is not None else None
            row.resolved_at = submitted + resolved * H if resolved is not None else None
            if status is ReportStatus.CLOSED:
                row.closed_at = row.resolved_at
            if rating is not None and agency is not None:
                session.add(
                    tables.Rating(report_id=row.id, satisfaction=rating, agency_id=agency.id)
                )

        def day(month: int, day: int, hour: int = 0) -> datetime:
            return datetime(2026, month, day, hour, tzinfo=UTC)

        closed, resolved = ReportStatus.CLOSED, ReportStatus.RESOLVED
        await report(c1, b1, g1, closed, day(3, 2), 2, 10, 48, Satisfaction.VERY_SATISFIED)
        await report(c1, b1, g1, resolved, day(3, 5), 4, 30, 24, Satisfaction.DISSATISFIED)
        await report(c2, w2, g1, ReportStatus.IN_PROGRESS, day(3, 31, 20), 6, None, 72)
        await report(c2, w2, g2, resolved, day(4, 10), 1, 20, 72, Satisfaction.SATISFIED)
        await report(c1, None, None, ReportStatus.SUBMITTED, day(4, 11))
        await report(c1, w1, g2, ReportStatus.ASSIGNED, day(4, 12), None, None, 72)
        return Fixture(province=p, ward1=w1, coordinator=coordinator)


async def _stats(gql: GraphQLClient, report_filter: dict[str, Any] | None = None) -> Any:
    return (await gql.data(STATS, {"filter": report_filter}))["reportStats"]


async def test_total_counts_only_what_the_viewer_may_see(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await _fixture(session_factory)
    assert (await _stats(gql))["total"] == 5
    staff = await sign_in(gql.http, world.coordinator)
    assert (await _stats(staff))["total"] == 6


async def test_counts_by_status(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await _fixture(session_factory)
    counts = {row["status"]: row["count"] for row in (await _stats(gql))["byStatus"]}
    assert counts == {
        "SUBMITTED": 0,
        "ASSIGNED": 1,
        "IN_PROGRESS": 1,
        "RESOLVED": 2,
        "CLOSED": 1,
        "REJECTED": 0,
    }


async def test_counts_by_category_and_agency_most_first(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await _fixture(session_factory)
    stats = await _stats(gql)
    assert stats["byCategory"] == [
        {"category": {"name": "C1"}, "count": 3},
        {"category": {"name": "C2"}, "count": 2},
    ]
    assert stats["byAgency"] == [
        {"agency": {"name": "G1"}, "count": 3},
        {"agency": {"name": "G2"}, "count": 2},
    ]


async def test_unassigned_reports_count_under_a_null_agency(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await _fixture(session_factory)
    staff = await sign_in(gql.http, world.coordinator)
    assert (await _stats(staff))["byAgency"][-1] == {"agency": None, "count": 1}


@pytest.mark.parametrize(
    ("within", "expected"),
    [
        (None, [("P", 5)]),
        ("province", [("W1", 3), ("W2", 2)]),
        ("ward1", [("B1", 2), ("W1", 1)]),
    ],
)
async def test_counts_by_area_one_level_below_the_filter(
    gql: GraphQLClient,
    session_factory: async_sessionmaker[AsyncSession],
    within: str | None,
    expected: list[tuple[str, int]],
) -> None:
    world = await _fixture(session_factory)
    area = getattr(world, within) if within else None
    stats = await _stats(gql, {"areaId": encode_global_id("Area", area.id)} if area else None)
    assert [(row["area"]["name"], row["count"]) for row in stats["byArea"]] == expected


async def test_counts_by_month_in_vietnam_time(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await _fixture(session_factory)
    assert (await _stats(gql))["byMonth"] == [
        {"month": "2026-03", "count": 2},
        {"month": "2026-04", "count": 3},
    ]


async def test_share_answered_on_time(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await _fixture(session_factory)
    # R1 (10 h of 48) and R4 (20 h of 72) on time, R2 (30 h of 24) late.
    assert (await _stats(gql))["onTime"] == {"answered": 3, "onTime": 2, "share": 0.6667}


async def test_median_time_to_first_response_averages_the_middle_pair(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await _fixture(session_factory)
    # 1, 2, 4, 6 hours: (2 + 4) / 2.
    assert (await _stats(gql))["timeToFirstResponse"] == {"count": 4, "medianHours": 3.0}


async def test_median_time_to_resolution_is_the_middle_value(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await _fixture(session_factory)
    # 10, 20, 30 hours.
    assert (await _stats(gql))["timeToResolution"] == {"count": 3, "medianHours": 20.0}


async def test_satisfaction_shares(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await _fixture(session_factory)
    assert (await _stats(gql))["satisfaction"] == {
        "ratings": 3,
        "shares": [
            {"satisfaction": "VERY_SATISFIED", "count": 1, "share": 0.3333},
            {"satisfaction": "SATISFIED", "count": 1, "share": 0.3333},
            {"satisfaction": "DISSATISFIED", "count": 1, "share": 0.3333},
        ],
    }


async def test_figures_follow_the_filter(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await _fixture(session_factory)
    ward = encode_global_id("Area", world.ward1.id)
    stats = await _stats(gql, {"areaId": ward})  # R1, R2, R6
    assert stats["total"] == 3
    assert stats["onTime"] == {"answered": 2, "onTime": 1, "share": 0.5}
    assert stats["timeToResolution"] == {"count": 2, "medianHours": 20.0}


async def test_rates_are_null_without_reports(gql: GraphQLClient, session_factory: Any) -> None:
    stats = await _stats(gql)
    assert stats["total"] == 0
    assert stats["onTime"] == {"answered": 0, "onTime": 0, "share": None}
    assert stats["timeToFirstResponse"] == {"count": 0, "medianHours": None}
    assert stats["satisfaction"]["shares"][0]["share"] is None
    assert stats["byMonth"] == stats["byArea"] == stats["byCategory"] == []
