"""Nested fields load through DataLoaders: the statement count does not grow with the page."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from models.base import utcnow
from models.enums import ReportStatus, Role
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

LIST_WITH_NESTED = """
query ($first: Int) {
  reports(first: $first) {
    totalCount
    edges { node {
      code title status isOverdue
      category { name notice } area { name parent { name } } assignedAgency { name }
      attachments { url contentType byteSize }
      reporter { displayName }
      rating { satisfaction }
      timeline(first: 5) { totalCount edges { node { type actorLabel } } }
      messages(first: 5) { totalCount edges { node { body } } }
    } }
  }
}
"""


@contextmanager
def counting_statements(engine: AsyncEngine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        # Every statement counts: the realtime pump reads nothing while nobody subscribes.
        statements.append(args[2])

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def _many_reports(sessions: async_sessionmaker[AsyncSession], count: int) -> None:
    async with sessions() as session, session.begin():
        root = await make_area(session, "Tỉnh Quảng Trị")
        coordinator = await make_user(session, Role.COORDINATOR)
        for i in range(count):
            ward = await make_area(session, f"Phường {i}", parent=root)
            report = await make_report(
                session,
                reporter=await make_user(session),
                category=await make_category(session, f"Loại {i}"),
                status=ReportStatus.ASSIGNED,
                area=ward,
                agency=await make_agency(session, f"Cơ quan {i}"),
                submitted_at=utcnow() - timedelta(minutes=i),
            )
            await make_attachment(session, report)
            await make_message(session, report, coordinator)


async def test_statement_count_is_the_same_for_5_and_50_reports(
    app: Starlette, gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await _many_reports(session_factory, 50)
    engine: AsyncEngine = app.state.engine
    with counting_statements(engine) as small:
        data_small = await gql.data(LIST_WITH_NESTED, {"first": 5})
    with counting_statements(engine) as large:
        data_large = await gql.data(LIST_WITH_NESTED, {"first": 50})
    assert len(data_small["reports"]["edges"]) == 5
    assert len(data_large["reports"]["edges"]) == 50
    assert len(small) == len(large), (small, large)
