"""Reading reports over HTTP: lookups, filters, keyset pagination and the public rule."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import tables
from models.base import utcnow
from models.enums import ReportStatus, Role, Visibility
from schema.node import encode_global_id
from tests.conftest import GraphQLClient
from tests.factories import (
    make_agency,
    make_area,
    make_attachment,
    make_category,
    make_message,
    make_report,
    make_user,
)

REPORT_BY_CODE = """
query ($code: String) {
  report(code: $code) {
    id code title status isOverdue
    category { name } area { name } assignedAgency { name }
    location { latitude longitude address }
    reporter { displayName phone }
    attachments { url contentType byteSize }
    timeline { totalCount edges { node { type actorLabel toStatus } } }
    messages { totalCount edges { node { body visibility } } }
  }
}
"""

REPORT_CODES = """
query ($first: Int, $after: String, $filter: ReportFilter) {
  reports(first: $first, after: $after, filter: $filter) {
    totalCount
    edges { cursor node { code } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def _world(sessions: async_sessionmaker[AsyncSession]) -> dict[str, Any]:
    async with sessions() as session, session.begin():
        root = await make_area(session, "Tỉnh Quảng Trị")
        ward = await make_area(session, "Phường Đồng Hới", parent=root)
        block = await make_area(session, "Tổ dân phố 1", parent=ward)
        other = await make_area(session, "Phường Đông Hà", parent=root)
        trash = await make_category(session, "Môi trường")
        road = await make_category(session, "Hạ tầng giao thông")
        agency = await make_agency(session, "Sở Xây dựng")
        citizen = await make_user(session, display_name="Nguyễn Thị Thu Thủy", phone="+84912345678")
        coordinator = await make_user(session, Role.COORDINATOR)
        now = utcnow()
        public = await make_report(
            session,
            reporter=citizen,
            category=trash,
            status=ReportStatus.ASSIGNED,
            area=block,
            agency=agency,
            submitted_at=now - timedelta(days=3),
            title="Đường ngập rác",
        )
        hidden = await make_report(
            session,
            reporter=citizen,
            category=road,
            area=other,
            submitted_at=now - timedelta(days=1),
            title="Ổ gà trên đường Lý Thường Kiệt",
        )
        late = await make_report(
            session,
            reporter=citizen,
            category=road,
            status=ReportStatus.IN_PROGRESS,
            area=other,
            agency=agency,
            submitted_at=now - timedelta(days=10),
            due_at=now - timedelta(days=1),
            title="Đèn đường hỏng",
        )
        await make_message(session, public, coordinator, "Đã chuyển xử lý.")
        await make_message(session, public, coordinator, "Ghi chú nội bộ", Visibility.INTERNAL)
        await make_attachment(session, public)
        return {
            "root": root,
            "ward": ward,
            "other": other,
            "trash": trash,
            "road": road,
            "agency": agency,
            "public": public,
            "hidden": hidden,
            "late": late,
        }


async def test_report_by_code_shows_public_fields(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await _world(session_factory)
    report = (await gql.data(REPORT_BY_CODE, {"code": world["public"].code}))["report"]
    assert report["code"] == world["public"].code
    assert report["category"]["name"] == "Môi trường"
    assert report["area"]["name"] == "Tổ dân phố 1"
    assert report["assignedAgency"]["name"] == "Sở Xây dựng"
    assert len(report["attachments"]) == 1
    assert report["attachments"][0]["url"].startswith("/media/")


async def test_anonymous_viewer_never_sees_the_reporters_phone(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await _world(session_factory)
    report = (await gql.data(REPORT_BY_CODE, {"code": world["public"].code}))["report"]
    assert report["reporter"] == {"displayName": "Nguyễn Thị Thu Thủy", "phone": None}


async def test_anonymous_viewer_sees_only_public_messages_and_events(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await _world(session_factory)
    report = (await gql.data(REPORT_BY_CODE, {"code": world["public"].code}))["report"]
    assert [edge["node"]["body"] for edge in report["messages"]["edges"]] == ["Đã chuyển xử lý."]
    assert report["messages"]["totalCount"] == 1
    types = [edge["node"]["type"] for edge in report["timeline"]["edges"]]
    assert types == ["SUBMITTED", "MESSAGE_POSTED"]


async def test_report_not_yet_forwarded_is_hidden_from_the_public(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await _world(session_factory)
    assert (await gql.data(REPORT_BY_CODE, {"code": world["hidden"].code}))["report"] is None
    codes = await gql.data(REPORT_CODES, {"first": 100})
    listed = {edge["node"]["code"] for edge in codes["reports"]["edges"]}
    assert world["hidden"].code not in listed
    assert codes["reports"]["totalCount"] == 2


async def test_report_by_global_id_and_node_agree(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await _world(session_factory)
    global_id = encode_global_id("Report", world["public"].id)
    data = await gql.data(
        "query ($id: ID!) { report(id: $id) { code } node(id: $id) { id ... on Report { code } } }",
        {"id": global_id},
    )
    assert data["report"]["code"] == world["public"].code
    assert data["node"] == {"id": global_id, "code": world["public"].code}


async def test_node_of_a_hidden_report_is_null(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await _world(session_factory)
    data = await gql.data(
        "query ($id: ID!) { node(id: $id) { id } }",
        {"id": encode_global_id("Report", world["hidden"].id)},
    )
    assert data["node"] is None


async def test_unknown_report_code_is_null(gql: GraphQLClient, session_factory: Any) -> None:
    await _world(session_factory)
    assert (await gql.data(REPORT_BY_CODE, {"code": "PA-2020-999999"}))["report"] is None


async def test_reports_are_listed_newest_first(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await _world(session_factory)
    data = await gql.data(REPORT_CODES, {"first": 10})
    codes = [edge["node"]["code"] for edge in data["reports"]["edges"]]
    assert codes == [world["public"].code, world["late"].code]


async def test_keyset_pages_cover_every_report_once(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory() as session, session.begin():
        citizen = await make_user(session)
        category = await make_category(session)
        moment = utcnow()
        # Several reports share one timestamp: the id breaks the tie.
        expected = [
            (
                await make_report(
                    session,
                    reporter=citizen,
                    category=category,
                    status=ReportStatus.ASSIGNED,
                    agency=await make_agency(session),
                    submitted_at=moment - timedelta(minutes=i // 3),
                )
            ).code
            for i in range(11)
        ]
    seen: list[str] = []
    after = None
    while True:
        page = (await gql.data(REPORT_CODES, {"first": 4, "after": after}))["reports"]
        seen += [edge["node"]["code"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert sorted(seen) == sorted(expected)
    assert len(seen) == len(set(seen)) == 11


async def test_filter_by_area_includes_its_descendants(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await _world(session_factory)
    ward = encode_global_id("Area", world["ward"].id)
    data = await gql.data(REPORT_CODES, {"filter": {"areaId": ward}})
    assert [e["node"]["code"] for e in data["reports"]["edges"]] == [world["public"].code]


async def test_filter_by_category_status_and_agency(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await _world(session_factory)
    road = encode_global_id("Category", world["road"].id)
    agency = encode_global_id("Agency", world["agency"].id)
    data = await gql.data(
        REPORT_CODES,
        {"filter": {"categoryIds": [road], "status": ["IN_PROGRESS"], "agencyId": agency}},
    )
    assert [e["node"]["code"] for e in data["reports"]["edges"]] == [world["late"].code]


async def test_filter_by_submission_time_window(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await _world(session_factory)
    after = (utcnow() - timedelta(days=5)).isoformat()
    data = await gql.data(REPORT_CODES, {"filter": {"submittedAfter": after}})
    assert [e["node"]["code"] for e in data["reports"]["edges"]] == [world["public"].code]


async def test_search_without_diacritics_finds_vietnamese_text(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await _world(session_factory)
    data = await gql.data(REPORT_CODES, {"filter": {"search": "den DUONG"}})
    assert [e["node"]["code"] for e in data["reports"]["edges"]] == [world["late"].code]


async def test_overdue_filter_and_flag(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await _world(session_factory)
    data = await gql.data(REPORT_CODES, {"filter": {"overdue": True}})
    assert [e["node"]["code"] for e in data["reports"]["edges"]] == [world["late"].code]
    flag = await gql.data(REPORT_BY_CODE, {"code": world["late"].code})
    assert flag["report"]["isOverdue"] is True


async def test_near_filter_keeps_reports_inside_the_circle(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await _world(session_factory)
    inside = {"latitude": 17.4690, "longitude": 106.6220, "radiusMeters": 500}
    far = {"latitude": 16.8, "longitude": 107.1, "radiusMeters": 500}
    assert (
        len((await gql.data(REPORT_CODES, {"filter": {"near": inside}}))["reports"]["edges"]) == 2
    )
    assert (await gql.data(REPORT_CODES, {"filter": {"near": far}}))["reports"]["edges"] == []


async def test_report_stats_count_visible_reports_by_status(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await _world(session_factory)
    data = await gql.data("{ reportStats { total byStatus { status count } } }")
    counts = {row["status"]: row["count"] for row in data["reportStats"]["byStatus"]}
    assert data["reportStats"]["total"] == 2
    assert (counts["ASSIGNED"], counts["IN_PROGRESS"], counts["SUBMITTED"]) == (1, 1, 0)


async def test_hidden_reports_are_not_in_the_table_of_the_public(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    world = await _world(session_factory)
    async with session_factory() as session:
        hidden = await session.get(tables.Report, world["hidden"].id)
        assert hidden is not None
        assert hidden.is_public is False
