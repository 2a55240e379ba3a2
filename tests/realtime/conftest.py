"""Fixtures for live delivery: a real uvicorn on loopback, a small world, tokens, event writers."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from models import tables
from models.base import utcnow
from models.enums import ReportEventType, ReportStatus, Role, Satisfaction, Visibility
from models.tokens import issue_access_token
from realtime.pump import EventPump
from schema.fanout import FeedGroups
from server import WS_MAX_BYTES, create_app
from settings import Settings
from tests.backends import Backend
from tests.factories import (
    make_agency,
    make_area,
    make_category,
    make_event,
    make_message,
    make_report,
    make_user,
)
from tests.realtime.client import TRANSPORT_WS, WSClient


@dataclass
class LiveServer:
    """A running server: its app (for the pump and the publisher) and its WebSocket URL."""

    app: Starlette
    port: int

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    @property
    def pump(self) -> EventPump:
        pump: EventPump = self.app.state.pump
        return pump

    @property
    def feeds(self) -> int:
        """Feeds receiving live events: the pump's subscribers, some of them shared by a group
        of identical subscriptions (schema.fanout), plus the other members of those groups."""
        groups: FeedGroups = self.app.state.feed_groups
        return self.pump.subscriber_count + groups.shared_members

    async def subscribed(self, count: int = 1) -> None:
        """Wait until `count` feeds are registered with the pump: events after that reach them."""
        async with asyncio.timeout(10):
            while self.feeds < count:  # noqa: ASYNC110 (no hook for tests)
                await asyncio.sleep(0.005)

    async def settled(self) -> None:
        """Wait until all that is committed is stable, and read if the pump has feeds.

        A feed started afterwards then begins after it (the pump starts from the stable head).
        """
        newest = select(tables.ReportEvent.tx_id, tables.ReportEvent.id)
        newest = newest.order_by(tables.ReportEvent.tx_id.desc(), tables.ReportEvent.id.desc())
        async with self.pump.log.sessions() as session:
            row = (await session.execute(newest.limit(1))).first()
        head = (row[0], row[1]) if row else (0, 0)
        async with asyncio.timeout(10):
            while await self.pump.log.head() < head:  # noqa: ASYNC110 (no hook for tests)
                await asyncio.sleep(0.005)
            while self.pump.subscriber_count and self.pump.position < head:
                self.pump.wake()
                await asyncio.sleep(0.005)

    async def committed(self, report_id: int) -> None:
        """What a use case does after its commit."""
        await self.app.state.services.events.committed(report_id)


def free_socket(port: int = 0) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    return sock


@contextlib.asynccontextmanager
async def serve(settings: Settings, port: int = 0) -> AsyncIterator[LiveServer]:
    """uvicorn in this event loop, on loopback, with the app's own lifespan."""
    app = create_app(settings)
    sock = free_socket(port)
    config = uvicorn.Config(
        app, log_level="warning", timeout_graceful_shutdown=5, ws_max_size=WS_MAX_BYTES
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(10):
            while not server.started:
                assert not task.done(), "the server did not start"
                await asyncio.sleep(0.01)
        yield LiveServer(app, sock.getsockname()[1])
    finally:
        server.should_exit = True
        await task
        sock.close()


@pytest.fixture
async def live(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[LiveServer]:
    async with serve(settings) as server:
        yield server


@dataclass
class World:
    ward: tables.Area
    block: tables.Area  # inside `ward`
    other_ward: tables.Area
    category: tables.Category
    other_category: tables.Category
    agency: tables.Agency
    other_agency: tables.Agency
    citizen: tables.User
    other_citizen: tables.User
    coordinator: tables.User
    officer: tables.User
    other_officer: tables.User

    def reporting(self) -> dict[str, Any]:
        """make_report's arguments for the citizen's report in the first category."""
        return {"reporter": self.citizen, "category": self.category}


@pytest.fixture
async def world(session_factory: async_sessionmaker[AsyncSession]) -> World:
    async with session_factory() as session, session.begin():
        province = await make_area(session, "Tỉnh Quảng Trị")
        agency = await make_agency(session, "Sở Nông nghiệp và Môi trường")
        other_agency = await make_agency(session, "Sở Xây dựng")
        ward = await make_area(session, "Phường Đồng Hới", province)
        return World(
            ward=ward,
            block=await make_area(session, "Tổ dân phố 3", ward),
            other_ward=await make_area(session, "Phường Đông Hà", province),
            category=await make_category(session, "Môi trường"),
            other_category=await make_category(session, "Giao thông"),
            agency=agency,
            other_agency=other_agency,
            citizen=await make_user(session, display_name="Nguyễn Thị Thu Thủy"),
            other_citizen=await make_user(session, display_name="Lê Văn Hùng"),
            coordinator=await make_user(session, Role.COORDINATOR),
            officer=await make_user(session, Role.AGENCY_OFFICER, agency=agency),
            other_officer=await make_user(session, Role.AGENCY_OFFICER, agency=other_agency),
        )


@pytest.fixture
def token(settings: Settings) -> Callable[[tables.User], str]:
    def issue(user: tables.User) -> str:
        return issue_access_token(
            settings.secret_key, user.id, user.role, user.agency_id, utcnow()
        )[0]

    return issue


@pytest.fixture
async def connect(
    live: LiveServer, token: Callable[[tables.User], str]
) -> AsyncIterator[Callable[..., Awaitable[WSClient]]]:
    """`await connect(user)` (or `connect()` for an anonymous visitor); closed after the test."""
    clients: list[WSClient] = []

    async def open_client(
        user: tables.User | None = None, protocol: str = TRANSPORT_WS
    ) -> WSClient:
        client = await WSClient.connect(live.url, token(user) if user else None, protocol)
        clients.append(client)
        return client

    yield open_client
    for client in clients:
        await client.close()


class Writer:
    """Writes events the way use cases do: in one transaction, then `committed(report_id)`."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], live: LiveServer) -> None:
        self.sessions = sessions
        self.live = live

    async def report(self, world: World, **fields: Any) -> tables.Report:
        fields.setdefault("reporter", world.citizen)
        fields.setdefault("category", world.category)
        async with self.sessions() as session, session.begin():
            report = await make_report(session, **fields)
        await self.live.committed(report.id)
        await self.live.settled()
        return report

    async def step(
        self,
        report: tables.Report,
        type: ReportEventType,
        to_status: ReportStatus | None = None,
        *,
        agency: tables.Agency | None = None,
        visibility: Visibility = Visibility.PUBLIC,
        note: str | None = None,
    ) -> tables.ReportEvent:
        async with self.sessions() as session, session.begin():
            row = await session.get(tables.Report, report.id, with_for_update=True)
            assert row is not None
            if agency is not None:
                row.assigned_agency_id = agency.id
                row.is_public = True
            if to_status is not None:
                row.status = to_status
            event = await make_event(
                session, row, type, to_status=to_status, visibility=visibility, note=note
            )
        await self.live.committed(report.id)
        return event

    async def rating(self, report: tables.Report, satisfaction: Satisfaction) -> tables.ReportEvent:
        async with self.sessions() as session, session.begin():
            rating = tables.Rating(report_id=report.id, satisfaction=satisfaction)
            session.add(rating)
            await session.flush()
            row = await session.get(tables.Report, report.id)
            assert row is not None
            event = await make_event(session, row, ReportEventType.RATED, label="Người phản ánh")
            event.rating_id = rating.id
        await self.live.committed(report.id)
        return event

    async def message(
        self, report: tables.Report, author: tables.User, body: str, visibility: Visibility
    ) -> tables.Message:
        async with self.sessions() as session, session.begin():
            row = await session.get(tables.Report, report.id)
            assert row is not None
            message = await make_message(session, row, author, body, visibility)
        await self.live.committed(report.id)
        return message


@pytest.fixture
def writer(session_factory: async_sessionmaker[AsyncSession], live: LiveServer) -> Writer:
    return Writer(session_factory, live)


@pytest.fixture
def requires_postgres(backend: Backend) -> None:
    if not backend.is_postgres:
        pytest.skip("SQLite serialises writers: commit order is id order, nothing to race")


@pytest.fixture
def requires_redis(backend: Backend) -> None:
    if not (backend.is_postgres and backend.broadcast_url.startswith("redis")):
        pytest.skip("needs PostgreSQL and Redis (TEST_DATABASE_URL, TEST_BROADCAST_URL)")
