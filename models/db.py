"""Engines and session factories for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy import Executable, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

CONNECT_TIMEOUT_SECONDS = 5.0
# Waiting longer for a pooled connection than an operation may last helps no one.
POOL_TIMEOUT_SECONDS = 10.0

# SQLSTATEs of a lost or refused connection: class 08, and a server shutting down, crashed or
# still starting up (57P01-57P03).
_UNAVAILABLE_STATES = ("08", "57P01", "57P02", "57P03")


def is_unavailable(error: BaseException) -> bool:
    """Whether `error` means the database cannot be reached now (down, restarting, killed
    connection, pool exhausted), as opposed to a bug or a refused statement.

    The cause is looked for along the whole chain: SQLAlchemy wraps the driver's error, which
    wraps the socket's, and a failed first connection surfaces as the bare `OSError`.
    """
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        # TimeoutError: asyncpg's connect timeout (an unreachable host) comes through bare.
        if isinstance(current, ConnectionError | TimeoutError | sa_exc.TimeoutError):
            return True
        if isinstance(current, sa_exc.DBAPIError) and current.connection_invalidated:
            return True
        state = getattr(current, "sqlstate", None) or getattr(current, "pgcode", None)
        if isinstance(state, str) and state.startswith(_UNAVAILABLE_STATES):
            return True
        # asyncpg's "connection is closed" (a killed backend noticed between statements).
        if type(current).__name__ in {"ConnectionDoesNotExistError", "InterfaceError"} and (
            "closed" in str(current)
        ):
            return True
        original = getattr(current, "orig", None)
        current = (
            original
            if isinstance(original, BaseException) and id(original) not in seen
            else current.__cause__ or current.__context__
        )
    return False


def create_engine(
    database_url: str,
    *,
    for_writes: bool = False,
    statement_timeout_ms: int | None = None,
    **kwargs: Any,
) -> AsyncEngine:
    """An async engine with the per-backend settings this application relies on.

    On SQLite, `for_writes` makes every transaction `BEGIN IMMEDIATE`: the write lock is taken
    before the first read, so two writers queue instead of both reading a version and one then
    failing to upgrade its stale snapshot. PostgreSQL needs no such split.
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        database = url.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url, connect_args={"timeout": 30}, pool_pre_ping=False, **kwargs
        )
        begin = "BEGIN IMMEDIATE" if for_writes else "BEGIN"
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        # pysqlite's own transaction handling is off (isolation_level=None in _sqlite_on_connect):
        # SQLAlchemy emits BEGIN itself, so the transaction spans reads too.
        event.listen(
            engine.sync_engine, "begin", lambda connection: connection.exec_driver_sql(begin)
        )
        return engine
    # asyncpg waits 60 s for a connection by default: with the server unreachable, requests
    # would hang that long instead of failing fast with a 503.
    connect_args: dict[str, Any] = {"timeout": CONNECT_TIMEOUT_SECONDS}
    connect_args.update(kwargs.pop("connect_args", {}))
    if statement_timeout_ms:
        # A runaway query is cancelled by PostgreSQL itself, whatever the client does.
        connect_args["server_settings"] = {"statement_timeout": str(statement_timeout_ms)}
    kwargs["connect_args"] = connect_args
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("pool_timeout", POOL_TIMEOUT_SECONDS)
    kwargs.setdefault("max_overflow", 10)
    # Stale connections (a restarted server, killed backends) are replaced, not handed out.
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers run while one writer commits; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
    dbapi_connection.isolation_level = None


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


class SessionScope:
    """One lazily opened session shared by a request's resolvers, one statement at a time.

    GraphQL resolves sibling fields concurrently and an AsyncSession refuses concurrent use, so
    statements queue on a lock; the request still holds a single connection, never one per field.
    """

    def __init__(self, factory: async_sessionmaker[AsyncSession]) -> None:
        self._factory = factory
        self._session: AsyncSession | None = None
        self._lock = asyncio.Lock()
        self._closed = False

    def _current(self) -> AsyncSession:
        if self._closed:
            raise RuntimeError("the request is over: its session is closed")
        if self._session is None:
            self._session = self._factory()
        return self._session

    async def rows(self, statement: Executable) -> list[tuple[Any, ...]]:
        async with self._lock:
            result = await self._current().execute(statement)
            return [tuple(row) for row in result.all()]

    async def scalars(self, statement: Executable) -> list[Any]:
        async with self._lock:
            return list((await self._current().scalars(statement)).all())

    async def scalar(self, statement: Executable) -> Any:
        async with self._lock:
            return await self._current().scalar(statement)

    async def close(self) -> None:
        # A sibling field may still be running a statement when the request ends (a failed
        # non-null field aborts the response): wait for it rather than close under it.
        async with self._lock:
            self._closed = True
            if self._session is not None:
                session, self._session = self._session, None
                try:
                    await session.close()
                except Exception as exc:
                    if not is_unavailable(exc):
                        raise
                    # The connection died under the request (a killed backend, a restart):
                    # the client has its answer already; drop the connection, not the pool.
                    await session.invalidate()
