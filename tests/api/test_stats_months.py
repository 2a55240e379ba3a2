"""reportStats over whole months of submission (Vietnam's time) comes from the roll-up, which
is keyed by month, and gives the figures the reports give; other date ranges count the reports."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from resolvers import stats
from resolvers.reports import ReportCriteria
from tests.api.test_stats import _fixture, _stats
from tests.api.test_stats_histograms import MEASURES, _citizen, _within_a_bucket

# April 2026 in Vietnam (UTC+7): R3 (submitted 2026-03-31 20:00 UTC), R4 and R6 public.
APRIL = {"submittedAfter": "2026-03-31T17:00:00Z", "submittedBefore": "2026-04-30T17:00:00Z"}
# The same reports, but the range starts a second into April: not a month start.
MID_APRIL = {**APRIL, "submittedAfter": "2026-03-31T17:00:01Z"}


async def test_a_range_of_whole_months_gives_the_figures_of_its_reports(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await _fixture(session_factory)
    gql = await _citizen(client, session_factory)
    whole, counted = await _stats(gql, APRIL), await _stats(gql, MID_APRIL)
    assert whole == counted
    assert (whole["total"], whole["byMonth"]) == (3, [{"month": "2026-04", "count": 3}])
    assert whole["satisfaction"]["ratings"] == 1


async def test_histogram_medians_over_whole_months_lie_within_a_bucket_of_the_exact_ones(
    client: httpx.AsyncClient,
    session_factory: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await _fixture(session_factory)
    gql = await _citizen(client, session_factory)
    exact = await _stats(gql, APRIL)
    monkeypatch.setattr(stats, "EXACT_BELOW", 1)
    approximate: dict[str, Any] = await _stats(gql, APRIL)
    # R3 (6 h) and R4 (1 h) responded; R4 resolved (20 h).
    assert (
        approximate["timeToFirstResponse"]["count"],
        approximate["timeToResolution"]["count"],
    ) == (2, 1)
    for measure in MEASURES:
        assert _within_a_bucket(approximate[measure], exact[measure]), measure


@pytest.mark.parametrize(
    ("after", "before", "rolled_up"),
    [
        (datetime(2026, 3, 31, 17, tzinfo=UTC), None, True),
        (None, datetime(2026, 12, 31, 17, tzinfo=UTC), True),
        (datetime(2026, 4, 1, tzinfo=UTC), None, False),
        (None, datetime(2026, 4, 30, 17, 0, 0, 1, tzinfo=UTC), False),
    ],
)
def test_only_ranges_from_month_starts_in_vietnam_use_the_roll_up(
    after: datetime | None, before: datetime | None, rolled_up: bool
) -> None:
    criteria = ReportCriteria(submitted_after=after, submitted_before=before)
    assert stats._rolled_up(criteria) is rolled_up
