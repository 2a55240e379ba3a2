"""Medians from the roll-up's duration histograms (used from stats.EXACT_BELOW matching reports
on): within one bucket of the exact ones, per filter and per agency, with the same counts."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.tallies import RATIO
from resolvers import stats
from schema.node import encode_global_id
from tests.api.test_stats import _fixture, _stats
from tests.api.test_stats_scorecards import BAD, OK, VERY, _agency_with, _cards
from tests.conftest import GraphQLClient, sign_in
from tests.factories import make_user

MEASURES = ("timeToFirstResponse", "timeToResolution")


def _within_a_bucket(approximate: dict[str, Any], exact: dict[str, Any]) -> bool:
    """Same count; a median off by less than a bucket's width (35 %, a minute in the first)."""
    if approximate["count"] != exact["count"]:
        return False
    guess, truth = approximate["medianHours"], exact["medianHours"]
    if truth is None or guess is None:
        return bool(guess == truth)
    return bool(abs(guess - truth) < (RATIO - 1) * truth + 1 / 60 + 0.01)


async def _citizen(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> GraphQLClient:
    """A signed-in viewer who sees the public reports: their figures are never shared."""
    async with sessions() as session, session.begin():
        user = await make_user(session)
    return await sign_in(client, user)


@pytest.mark.parametrize(
    "report_filter",
    [None, {"status": ["RESOLVED"]}, {"status": ["CLOSED", "RESOLVED"]}],
)
async def test_histogram_medians_lie_within_a_bucket_of_the_exact_ones(
    client: httpx.AsyncClient,
    session_factory: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
    report_filter: dict[str, Any] | None,
) -> None:
    await _fixture(session_factory)
    gql = await _citizen(client, session_factory)
    exact = await _stats(gql, report_filter)
    monkeypatch.setattr(stats, "EXACT_BELOW", 1)
    approximate = await _stats(gql, report_filter)
    for measure in MEASURES:
        assert _within_a_bucket(approximate[measure], exact[measure]), measure
    assert approximate["satisfaction"] == exact["satisfaction"]


async def test_histogram_medians_follow_the_area_filter(
    client: httpx.AsyncClient,
    session_factory: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fixture = await _fixture(session_factory)
    gql = await _citizen(client, session_factory)
    ward = {"areaId": encode_global_id("Area", fixture.ward1.id)}
    exact = await _stats(gql, ward)
    monkeypatch.setattr(stats, "EXACT_BELOW", 1)
    approximate = await _stats(gql, ward)
    # W1 holds B1: R1 (10 h) and R2 (30 h) resolved; R6 not yet.
    assert approximate["timeToResolution"]["count"] == 2
    for measure in MEASURES:
        assert _within_a_bucket(approximate[measure], exact[measure]), measure


async def test_coordinator_histogram_medians_count_reports_in_triage(
    client: httpx.AsyncClient,
    session_factory: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fixture = await _fixture(session_factory)
    async with session_factory() as session:
        coordinator = await session.merge(fixture.coordinator)
    gql = await sign_in(client, coordinator)
    exact = await _stats(gql)
    monkeypatch.setattr(stats, "EXACT_BELOW", 1)
    approximate = await _stats(gql)
    assert approximate["total"] == exact["total"] == 6
    for measure in MEASURES:
        assert _within_a_bucket(approximate[measure], exact[measure]), measure


async def test_scorecard_histogram_medians_lie_within_a_bucket_of_the_exact_ones(
    gql: GraphQLClient,
    session_factory: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await _agency_with(
        session_factory,
        "Sở Xây dựng",
        [
            (1, 10, 48, VERY),
            (2, 20, 48, VERY),
            (3, 30, 48, VERY),
            (4, 40, 48, OK),
            (5, 50, 40, BAD),
        ],
    )
    exact = (await _cards(gql))["Sở Xây dựng"]
    monkeypatch.setattr(stats, "EXACT_BELOW", 1)
    approximate = (await _cards(gql))["Sở Xây dựng"]
    for measure in MEASURES:
        assert _within_a_bucket(approximate[measure], exact[measure]), measure
    assert approximate["satisfaction"] == exact["satisfaction"]
