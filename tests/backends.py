"""Which database and broker the suite runs on, chosen by environment, and how to reset them."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from models.tables import Base


@dataclass(frozen=True)
class Backend:
    database_url: str
    broadcast_url: str
    admin_url: str | None = None  # PostgreSQL: where the throwaway database is created

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith("postgresql")

    @property
    def name(self) -> str:
        database = "postgresql" if self.is_postgres else "sqlite"
        broker = "redis" if self.broadcast_url.startswith("redis") else "memory"
        return f"{database}+{broker}"


def chosen_backend(tmp_dir: Path) -> Backend:
    """TEST_DATABASE_URL / TEST_BROADCAST_URL select PostgreSQL and Redis; SQLite otherwise."""
    broadcast_url = os.environ.get("TEST_BROADCAST_URL") or "memory://"
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return Backend(f"sqlite+aiosqlite:///{tmp_dir / 'test.db'}", broadcast_url)
    throwaway = f"phananh_test_{uuid.uuid4().hex[:10]}"
    database_url = make_url(url).set(database=throwaway).render_as_string(hide_password=False)
    return Backend(database_url, broadcast_url, admin_url=url)


def _asyncpg_dsn(sqlalchemy_url: str) -> str:
    return (
        make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(hide_password=False)
    )


async def create_database(backend: Backend) -> None:
    if backend.admin_url is None:
        return
    database = make_url(backend.database_url).database
    connection = await asyncpg.connect(_asyncpg_dsn(backend.admin_url))
    try:
        await connection.execute(f'CREATE DATABASE "{database}"')
    finally:
        await connection.close()


async def drop_database(backend: Backend) -> None:
    if backend.admin_url is None:
        return
    database = make_url(backend.database_url).database
    connection = await asyncpg.connect(_asyncpg_dsn(backend.admin_url))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        await connection.close()


async def empty_all_tables(engine: AsyncEngine) -> None:
    """Delete every row (but alembic's version) so each test starts from an empty schema."""
    tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
    async with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{name}"' for name in tables)
            await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            # Self-references (areas, reports) make any delete order fail unless checked at commit.
            await connection.execute(text("PRAGMA defer_foreign_keys=ON"))
            for name in tables:
                await connection.execute(text(f'DELETE FROM "{name}"'))
        await connection.commit()
