"""Search over HTTP: Vietnamese with or without diacritics, any word order, best matches first."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

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
    edges { cursor node { code title } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def _public_reports(
    sessions: async_sessionmaker[AsyncSession], *texts: tuple[str, str]
) -> list[tables.Report]:
    """One forwarded report per (title, description), the later ones newer, with a plain address
    that matches no query of these tests."""
    async with sessions() as session, session.begin():
        citizen = await make_user(session)
        category = await make_category(session)
        agency = await make_agency(session)
        start = utcnow() - timedelta(days=30)
        return [
            await make_report(
                session,
                reporter=citizen,
                category=category,
                agency=agency,
                status=ReportStatus.ASSIGNED,
                title=title,
                description=description,
                address="Tổ 5, Bắc Lý",
                submitted_at=start + timedelta(hours=i),
            )
            for i, (title, description) in enumerate(texts)
        ]


async def _codes(gql: GraphQLClient, search: str, **variables: Any) -> list[str]:
    data = await gql.data(CODES, {"first": 50, "filter": {"search": search}, **variables})
    return [edge["node"]["code"] for edge in data["reports"]["edges"]]


async def test_search_without_diacritics_finds_every_spelling(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    reports = await _public_reports(
        session_factory,
        ("Đường ngập nước", "Sau mưa."),
        ("DUONG NGAP NUOC", "Viết hoa không dấu."),
        ("Ngập trên đường", "Chữ thường có dấu."),
        ("Cống tắc", "Không liên quan."),
    )
    found = await _codes(gql, "duong")
    assert sorted(found) == sorted(report.code for report in reports[:3])


async def test_search_with_diacritics_finds_text_written_without(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    reports = await _public_reports(
        session_factory, ("duong ngap nuoc", "khong dau"), ("Cây đổ", "Gãy cành.")
    )
    assert await _codes(gql, "ĐƯỜNG") == [reports[0].code]


async def test_words_match_in_any_order(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    reports = await _public_reports(
        session_factory, ("Đường ngập nước", "Sau mưa."), ("Đường tối", "Không có đèn.")
    )
    assert await _codes(gql, "nước ngập ĐƯỜNG") == [reports[0].code]


async def test_every_word_must_match(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    reports = await _public_reports(
        session_factory, ("Đèn đường hỏng", "Tối om."), ("Đường ngập", "Nước lên cao.")
    )
    assert await _codes(gql, "den duong") == [reports[0].code]


async def test_a_search_that_matches_nothing_is_an_empty_page(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await _public_reports(session_factory, ("Đèn đường hỏng", "Tối om."))
    data = await gql.data(CODES, {"filter": {"search": "xyzzy đường"}})
    assert data["reports"] == {
        "totalCount": 0,
        "edges": [],
        "pageInfo": {"hasNextPage": False, "endCursor": None},
    }


async def test_title_matches_rank_above_description_matches(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    in_title, in_description = await _public_reports(
        session_factory,
        ("Cống thoát nước bị tắc", "Mùi hôi."),  # older
        ("Mùi hôi", "Cống thoát nước bị tắc."),  # newer
    )
    assert await _codes(gql, "cong tac") == [in_title.code, in_description.code]


async def test_whole_words_rank_above_parts_of_words(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    whole, part = await _public_reports(
        session_factory,
        ("Ổ gà đường Hà Huy Tập", "Sâu."),  # older: "ha" as a word
        ("Ổ gà đường Thanh Niên", "Sâu."),  # newer: "ha" only inside "thanh"
    )
    assert await _codes(gql, "ha") == [whole.code, part.code]


async def test_ranking_order_breaks_ties_newest_first(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    # Ranks for "den duong" (title 2 + whole word 1 per word, + 1 for the words in order):
    a, b, c, d, e = await _public_reports(
        session_factory,
        ("Đèn đường hỏng", "Tối om."),  # 3 + 3 + 1 = 7
        ("Đường phố tối", "Đèn chiếu sáng hỏng."),  # 1 + 3 = 4
        ("Hỏng đèn", "Trên đường Lý Thường Kiệt."),  # 3 + 1 = 4, newer than b
        ("Cống tràn", "Nước tràn ra đèn đường."),  # 1 + 1 + 1 = 3
        ("Đèn đường không sáng", "Cả tuần."),  # 7, newer than a
    )
    assert await _codes(gql, "den duong") == [e.code, a.code, c.code, b.code, d.code]


async def test_ranked_pages_cover_every_match_once_in_order(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    texts = [("Đèn đường hỏng", "Tối."), ("Hỏng đèn", "Trên đường."), ("Đường", "đèn")] * 3
    await _public_reports(session_factory, *texts)
    whole = await _codes(gql, "den duong")
    seen: list[str] = []
    after = None
    while True:
        variables = {"first": 2, "after": after, "filter": {"search": "den duong"}}
        page = (await gql.data(CODES, variables))["reports"]
        seen += [edge["node"]["code"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == whole
    assert len(seen) == len(set(seen)) == 9


async def test_pages_put_older_best_matches_before_newer_weaker_ones(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    # Ranks for "o ga" (the best, 7: both words whole in the title and in order):
    top1, weaker, top2, weakest, top3 = await _public_reports(
        session_factory,
        ("Ổ gà sâu", "Nguy hiểm."),  # 7, the oldest
        ("Gà đi lạc vào ổ điện", "Nguy hiểm."),  # 3 + 3 = 6
        ("Ổ gà giữa đường", "Xe ngã."),  # 7
        ("Đường hỏng", "Có ổ gà."),  # "o" in the title (hong): 3 + 1 + 1 = 5
        ("Ổ gà trước chợ", "Sâu."),  # 7, the newest
    )
    seen: list[list[str]] = []
    after = None
    while True:
        variables = {"first": 2, "after": after, "filter": {"search": "ổ gà"}}
        page = (await gql.data(CODES, variables))["reports"]
        seen.append([edge["node"]["code"] for edge in page["edges"]])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [[top3.code, top2.code], [top1.code, weaker.code], [weakest.code]]


async def test_a_cursor_from_another_order_is_refused(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await _public_reports(session_factory, ("Đèn đường hỏng", "Tối."), ("Đèn hỏng", "Tối."))
    newest = await gql.data(CODES, {"first": 1})
    cursor = newest["reports"]["pageInfo"]["endCursor"]
    variables = {"first": 1, "after": cursor, "filter": {"search": "den"}}
    assert await gql.error_codes(CODES, variables) == ["BAD_USER_INPUT"]
