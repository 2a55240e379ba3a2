"""Races: concurrent coordinators and duplicate submissions resolve to exactly one outcome.

Each test repeats its race RACE_ROUNDS times (5 by default; `RACE_ROUNDS=100 make test`
runs the long loop the lifecycle issue asks for).
"""

from __future__ import annotations

import asyncio
import os

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import tables
from models.enums import Role
from tests.api.test_lifecycle import ASSIGN, new_report, submit
from tests.api.world import build_world
from tests.conftest import sign_in
from tests.factories import make_user

RACE_ROUNDS = int(os.environ.get("RACE_ROUNDS", "5"))


async def test_of_two_concurrent_assignments_exactly_one_wins(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(session_factory)
    async with session_factory() as session, session.begin():
        second = await make_user(session, Role.COORDINATOR)
    citizen = await sign_in(client, world.citizen)
    first_coordinator = await sign_in(client, world.coordinator)
    second_coordinator = await sign_in(client, second)
    for _ in range(RACE_ROUNDS):
        report = await submit(citizen, world)
        variables = {"input": {"reportId": report["id"], "expectedVersion": report["version"]}}
        results = await asyncio.gather(
            first_coordinator.data(ASSIGN, variables), second_coordinator.data(ASSIGN, variables)
        )
        errors = [r["assignReport"]["userErrors"] for r in results]
        assert sorted(len(e) for e in errors) == [0, 1]
        assert [e for e in errors if e] == [[{"code": "STALE", "field": ["expectedVersion"]}]]


async def test_identical_submissions_at_the_same_instant_create_one_report(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(session_factory)
    citizen = await sign_in(client, world.citizen)
    submit_query = (
        "mutation ($input: SubmitReportInput!) "
        "{ submitReport(input: $input) { report { code } userErrors { code } } }"
    )
    for round_number in range(RACE_ROUNDS):
        variables = {"input": new_report(world, idempotencyKey=f"race-{round_number}")}
        results = await asyncio.gather(
            citizen.data(submit_query, variables), citizen.data(submit_query, variables)
        )
        codes = {r["submitReport"]["report"]["code"] for r in results}
        assert len(codes) == 1
    async with session_factory() as session:
        count = await session.scalar(select(func.count()).select_from(tables.Report))
    assert count == RACE_ROUNDS
