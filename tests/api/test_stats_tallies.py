"""The report tallies behind reportStats stay equal to a recount through every workflow step, and
the figures each viewer gets from them are the ones the reports give."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.reports import Report
from models.tallies import recount_durations_sql, recount_ratings_sql, recount_sql
from schema.node import decode_int_id, encode_global_id
from tests.api.test_lifecycle import ASSIGN, EXTEND, RATE, REJECT, RESOLVE, action, submit
from tests.api.world import World, build_world
from tests.conftest import GraphQLClient, sign_in

TOTALS = """
query ($filter: ReportFilter) {
  reportStats(filter: $filter) {
    generatedAt total byStatus { status count } onTime { answered onTime }
  }
}
"""


KEY = "is_public, status, category_id, agency_id, area_id, month"
KEPT = (
    f"SELECT {KEY}, reports, answered, on_time FROM report_tallies "
    "WHERE reports <> 0 OR answered <> 0 OR on_time <> 0",
    f"SELECT {KEY}, measure, bucket, reports FROM report_duration_tallies WHERE reports <> 0",
    f"SELECT {KEY}, rated_agency_id, satisfaction, ratings FROM report_rating_tallies "
    "WHERE ratings <> 0",
)
Rows = tuple[set[tuple[Any, ...]], ...]


async def _tallies(sessions: async_sessionmaker[AsyncSession]) -> Rows:
    """The counts, duration histograms and rating counts as the writes kept them."""
    return await _select(sessions, *(_same(query) for query in KEPT))


def _same(query: str) -> Callable[[str], str]:
    return lambda _dialect: query


async def _recount(sessions: async_sessionmaker[AsyncSession]) -> Rows:
    return await _select(sessions, recount_sql, recount_durations_sql, recount_ratings_sql)


async def _select(
    sessions: async_sessionmaker[AsyncSession], *queries: Callable[[str], str]
) -> Rows:
    found = []
    async with sessions() as session:
        dialect = session.get_bind().dialect.name
        for query in queries:
            rows = await session.execute(text(query(dialect)))
            found.append({_normal(row) for row in rows})
    return tuple(found)


def _normal(row: Any) -> tuple[Any, ...]:
    return (
        bool(row[0]),
        *row[1:6],
        *(value if isinstance(value, str) else int(value) for value in row[6:]),
    )


async def _steps(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    """Every kind of workflow write, one after the other, on two reports."""
    citizen = await sign_in(client, world.citizen)
    coordinator = await sign_in(client, world.coordinator)
    officer = await sign_in(client, world.officer)
    other_officer = await sign_in(client, world.other_officer)
    first = (await submit(citizen, world))["id"]
    second = (await submit(citizen, world, title="Ổ gà trước chợ"))["id"]
    note = {"note": "Ghi chú."}
    construction = encode_global_id("Agency", world.construction.id)
    return {
        "assign": (coordinator, ASSIGN, {"reportId": first}),
        "acknowledge": (officer, action("acknowledgeReport"), {"reportId": first}),
        "extend": (
            officer,
            EXTEND,
            {"reportId": first, "dueAt": "2099-01-01T00:00:00Z", "reason": "Chờ vật tư."},
        ),
        "resolve": (officer, RESOLVE, {"reportId": first, "response": "Đã xử lý."}),
        "send back": (coordinator, action("sendBackAnswer"), {"reportId": first, **note}),
        "resolve again": (officer, RESOLVE, {"reportId": first, "response": "Đã xong."}),
        "rate dissatisfied": (
            citizen,
            RATE,
            {"reportId": first, "satisfaction": "DISSATISFIED"},
        ),
        "reopen": (coordinator, action("reopenReport"), {"reportId": first, **note}),
        "return": (officer, action("returnReport"), {"reportId": first, **note}),
        "reassign": (coordinator, ASSIGN, {"reportId": first, "agencyId": construction}),
        "other agency resolves": (
            other_officer,
            RESOLVE,
            {"reportId": first, "response": "Đã sửa."},
        ),
        "change the rating": (
            citizen,
            RATE,
            {"reportId": first, "satisfaction": "VERY_SATISFIED"},
        ),
        "reopen closed": (coordinator, action("reopenReport"), {"reportId": first, **note}),
        "resolve reopened": (
            other_officer,
            RESOLVE,
            {"reportId": first, "response": "Đã sửa lại."},
        ),
        "close": (coordinator, action("closeReport"), {"reportId": first}),
        "reject": (coordinator, REJECT, {"reportId": second, "reason": "Không rõ vị trí."}),
        "reopen rejected": (coordinator, action("reopenReport"), {"reportId": second, **note}),
    }


async def test_tallies_equal_a_recount_after_every_workflow_step(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(session_factory)
    steps = await _steps(client, world)
    assert await _tallies(session_factory) == await _recount(session_factory)
    # Submitted days ago (an ORM write, as an import would be): its durations fill buckets
    # beyond the first minute.
    async with session_factory() as session, session.begin():
        report = await session.get(Report, decode_int_id(steps["assign"][2]["reportId"], "Report"))
        assert report is not None
        report.submitted_at -= timedelta(days=3, minutes=17)
    assert await _tallies(session_factory) == await _recount(session_factory)
    for name, (who, mutation, variables) in steps.items():
        data = await who.data(mutation, {"input": variables})
        (payload,) = data.values()
        assert payload["userErrors"] == [], (name, payload)
        assert await _tallies(session_factory) == await _recount(session_factory), name


async def test_a_citizen_counts_their_own_report_before_it_is_public(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(session_factory)
    citizen = await sign_in(client, world.citizen)
    await submit(citizen, world)
    mine = (await citizen.data(TOTALS))["reportStats"]
    other = await sign_in(client, world.other_citizen)
    theirs = (await other.data(TOTALS))["reportStats"]
    assert (mine["total"], theirs["total"]) == (1, 0)
    assert {"status": "SUBMITTED", "count": 1} in mine["byStatus"]


async def test_officers_count_public_reports_and_the_coordinator_every_report(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(session_factory)
    citizen = await sign_in(client, world.citizen)
    coordinator = await sign_in(client, world.coordinator)
    forwarded = (await submit(citizen, world))["id"]
    await submit(citizen, world, title="Chờ phân loại")
    rejected = (await submit(citizen, world, title="Không rõ"))["id"]
    await coordinator.data(ASSIGN, {"input": {"reportId": forwarded}})
    await coordinator.data(REJECT, {"input": {"reportId": rejected, "reason": "Không rõ."}})
    officer = await sign_in(client, world.officer)
    other_officer = await sign_in(client, world.other_officer)
    viewers = (officer, other_officer, coordinator)
    totals = [(await who.data(TOTALS))["reportStats"]["total"] for who in viewers]
    assert totals == [1, 1, 3]


async def test_anonymous_viewers_share_figures_and_their_time(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(session_factory)
    citizen = await sign_in(client, world.citizen)
    coordinator = await sign_in(client, world.coordinator)
    await coordinator.data(ASSIGN, {"input": {"reportId": (await submit(citizen, world))["id"]}})
    before = (await GraphQLClient(client).data(TOTALS))["reportStats"]
    await coordinator.data(ASSIGN, {"input": {"reportId": (await submit(citizen, world))["id"]}})
    after = (await GraphQLClient(client).data(TOTALS))["reportStats"]
    fresh = (await coordinator.data(TOTALS))["reportStats"]
    assert (before["total"], after["total"], fresh["total"]) == (1, 1, 2)
    assert after["generatedAt"] == before["generatedAt"] < fresh["generatedAt"]


async def test_tallies_stay_exact_when_writes_to_one_tally_run_at_once(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(session_factory)
    citizen = await sign_in(client, world.citizen)
    coordinator = await sign_in(client, world.coordinator)
    # Same category, area and month: every submission and assignment moves the same two tallies.
    made = await asyncio.gather(*(submit(citizen, world, title=f"Ổ gà số {i}") for i in range(6)))
    answers = await asyncio.gather(
        *(coordinator.data(ASSIGN, {"input": {"reportId": report["id"]}}) for report in made)
    )
    assert all(answer["assignReport"]["userErrors"] == [] for answer in answers)
    assert await _tallies(session_factory) == await _recount(session_factory)
    statuses = (await coordinator.data(TOTALS))["reportStats"]["byStatus"]
    assert {"status": "ASSIGNED", "count": 6} in statuses
