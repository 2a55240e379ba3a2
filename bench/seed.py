"""Seeds a dedicated PostgreSQL database with N reports for the benchmarks, fast, and reuses it.

    .venv/bin/python -m bench.seed --reports 100000            # -> phananh_bench_100000

The database is created fresh, migrated with models.migrate.upgrade_to_head and given the demo
directory (areas, categories, agencies, staff) by models.demo.seed_demo; then citizens, reports,
their events, ratings and photo rows go in by COPY (asyncpg `copy_records_to_table`) in batches,
with the secondary indexes dropped and rebuilt afterwards, which is several times faster than
maintaining them row by row. A JSON marker in the database's comment records what was seeded:
a later run with the same size reuses the database after deleting what benchmarks wrote to it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

import asyncpg

from bench import population
from bench.corpus import check_folding
from bench.rows import (
    ATTACHMENT_COLUMNS,
    EVENT_COLUMNS,
    EVENTS_PER_REPORT,
    RATING_COLUMNS,
    REPORT_COLUMNS,
    YEARS,
    Batch,
    Generator,
    Ids,
    number_codes,
)
from models.db import create_engine, create_session_factory
from models.demo import seed_demo
from models.migrate import upgrade_to_head
from models.tallies import rebuild_sql

logger = logging.getLogger("bench.seed")

SEED_VERSION = 1
BATCH = 20_000
BULK_TABLES = ("reports", "report_events", "ratings", "attachments", "users")
PG_DSN = os.environ.get("BENCH_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")


@dataclass(frozen=True)
class Seeded:
    """What the benchmarks need to know about a seeded database (stored in its comment)."""

    version: int
    database: str
    reports: int
    max_report_id: int
    max_event_id: int
    max_message_id: int
    codes: dict[str, int]
    coordinator_id: int
    citizen_first_id: int
    citizen_last_id: int
    public_report_id: int
    seconds: float

    @property
    def url(self) -> str:
        return database_url(self.database)


def database_dsn(name: str) -> str:
    """asyncpg's DSN of database `name` on the server of BENCH_PG_DSN."""
    return f"{PG_DSN.rsplit('/', 1)[0]}/{name}"


def database_url(name: str) -> str:
    """The application's DATABASE_URL for database `name`."""
    return database_dsn(name).replace("postgresql://", "postgresql+asyncpg://", 1)


async def ensure(reports: int, *, name: str | None = None, fresh: bool = False) -> Seeded:
    """A database seeded with `reports` reports: reused when its marker matches, else made."""
    name = name or f"phananh_bench_{reports}"
    if not fresh:
        found = await _marker(name)
        if found is not None and found.version == SEED_VERSION and found.reports == reports:
            engine = create_engine(database_url(name))
            try:
                # Migrations added since it was seeded (each fills what it adds).
                await upgrade_to_head(engine)
            finally:
                await engine.dispose()
            await _forget_writes(found)
            logger.info("reusing %s (%d reports)", name, reports)
            return found
    return await seed(reports, name)


async def _marker(name: str) -> Seeded | None:
    admin = await asyncpg.connect(PG_DSN)
    try:
        text = await admin.fetchval(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1",
            name,
        )
    finally:
        await admin.close()
    if not text:
        return None
    try:
        return Seeded(**json.loads(text))
    except (TypeError, ValueError):
        return None


async def _forget_writes(seeded: Seeded) -> None:
    """Delete what earlier benchmark runs wrote, so every run starts from the same data."""
    connection = await asyncpg.connect(database_dsn(seeded.database))
    try:
        async with connection.transaction():
            deleted = await connection.execute(
                "DELETE FROM reports WHERE id > $1", seeded.max_report_id
            )
            if deleted != "DELETE 0":
                # The deletion bypassed the application, which keeps the tallies.
                for statement in rebuild_sql("postgresql"):
                    await connection.execute(statement)
            await connection.execute("DELETE FROM report_events WHERE id > $1", seeded.max_event_id)
            await connection.execute("DELETE FROM messages WHERE id > $1", seeded.max_message_id)
            for year, last in seeded.codes.items():
                await connection.execute(
                    "UPDATE report_code_counters SET last_value = $2 WHERE year = $1",
                    int(year),
                    last,
                )
    finally:
        await connection.close()


async def seed(reports: int, name: str) -> Seeded:
    started = time.perf_counter()
    check_folding()
    admin = await asyncpg.connect(PG_DSN)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    engine = create_engine(database_url(name))
    try:
        await upgrade_to_head(engine)
        now = datetime.now(UTC)
        await seed_demo(create_session_factory(engine), now=now)
    finally:
        await engine.dispose()
    logger.info("migrated and demo directory loaded in %.1f s", time.perf_counter() - started)
    connection = await asyncpg.connect(database_dsn(name))
    try:
        seeded = await _bulk(connection, name, reports, now)
    finally:
        await connection.close()
    seeded = Seeded(**{**asdict(seeded), "seconds": round(time.perf_counter() - started, 1)})
    admin = await asyncpg.connect(PG_DSN)
    try:
        marker = json.dumps(asdict(seeded)).replace("'", "''")
        await admin.execute(f"COMMENT ON DATABASE \"{name}\" IS '{marker}'")
    finally:
        await admin.close()
    logger.info("seeded %s with %d reports in %.1f s", name, reports, seeded.seconds)
    return seeded


async def _bulk(connection: asyncpg.Connection, name: str, reports: int, now: datetime) -> Seeded:
    indexes = await _drop_indexes(connection)
    # Replica mode skips foreign-key triggers during COPY: the rows are made consistent here.
    await connection.execute("SET session_replication_role = replica")
    world = await population.load(connection, citizens=max(2_000, reports // 10))
    first = Ids(
        report=await connection.fetchval("SELECT coalesce(max(id), 0) + 1 FROM reports"),
        event=await connection.fetchval("SELECT coalesce(max(id), 0) + 1 FROM report_events"),
        rating=await connection.fetchval("SELECT coalesce(max(id), 0) + 1 FROM ratings"),
    )
    codes: dict[int, int] = {
        row["year"]: row["last_value"]
        for row in await connection.fetch("SELECT year, last_value FROM report_code_counters")
    }
    plan = _Plan(now, reports)
    generator = Generator(world, now)
    started = time.perf_counter()
    # Rows of the next batch are made in a thread while this one is copied: PostgreSQL ingests
    # on the other core meanwhile (a process pool was slower: pickling rows costs as much as
    # making them).
    making = asyncio.create_task(asyncio.to_thread(_make, generator, plan, 0, first))
    for number in range(plan.batches):
        batch = await making
        if number + 1 < plan.batches:
            making = asyncio.create_task(
                asyncio.to_thread(_make, generator, plan, number + 1, first)
            )
        await _copy(connection, batch, codes)
        if number % 10 == 9:
            done = (number + 1) * BATCH
            logger.info("%d reports in %.1f s", done, time.perf_counter() - started)
    await connection.execute("SET session_replication_role = origin")
    for year, last in codes.items():
        await connection.execute(
            "INSERT INTO report_code_counters (year, last_value) VALUES ($1, $2) "
            "ON CONFLICT (year) DO UPDATE SET last_value = excluded.last_value",
            year,
            last,
        )
    for table in ("reports", "report_events", "ratings", "users", "messages"):
        await connection.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 1) FROM {table}))"
        )
    # COPY bypassed the application, which keeps the report tallies (models.tallies).
    for statement in rebuild_sql("postgresql"):
        await connection.execute(statement)
    await _rebuild(name, indexes)
    return Seeded(
        version=SEED_VERSION,
        database=name,
        reports=reports,
        max_report_id=await connection.fetchval("SELECT max(id) FROM reports"),
        max_event_id=await connection.fetchval("SELECT max(id) FROM report_events"),
        max_message_id=await connection.fetchval("SELECT coalesce(max(id), 0) FROM messages"),
        codes={str(year): last for year, last in codes.items()},
        coordinator_id=world.coordinator_id,
        citizen_first_id=min(world.citizen_ids),
        citizen_last_id=max(world.citizen_ids),
        public_report_id=await connection.fetchval(
            "SELECT max(id) FROM reports WHERE is_public AND status = 'IN_PROGRESS'"
        ),
        seconds=0.0,
    )


@dataclass(frozen=True)
class _Plan:
    """Submission times spread evenly over the last YEARS years, in batches of BATCH."""

    now: datetime
    reports: int

    @property
    def batches(self) -> int:
        return -(-self.reports // BATCH)

    def moments(self, number: int) -> list[datetime]:
        span = timedelta(days=365 * YEARS)
        step = (span - timedelta(hours=1)) / self.reports
        offset = number * BATCH
        jitter = random.Random(number)
        # Ids follow submission time, as they do in production.
        return [
            self.now - span + step * (offset + i + jitter.random() * 0.9)
            for i in range(min(BATCH, self.reports - offset))
        ]


def _make(generator: Generator, plan: _Plan, number: int, first: Ids) -> Batch:
    """Batch `number`, with ids from ranges reserved for it (gaps between batches are fine)."""
    offset = number * BATCH
    ids = Ids(
        report=first.report + offset,
        event=first.event + offset * EVENTS_PER_REPORT,
        rating=first.rating + offset,
    )
    return generator.batch(number, ids, plan.moments(number))


async def _copy(connection: asyncpg.Connection, batch: Batch, codes: dict[int, int]) -> None:
    reports = number_codes(batch.reports, codes)
    await connection.copy_records_to_table("reports", records=reports, columns=REPORT_COLUMNS)
    for table, rows, columns in (
        ("report_events", batch.events, EVENT_COLUMNS),
        ("ratings", batch.ratings, RATING_COLUMNS),
        ("attachments", batch.attachments, ATTACHMENT_COLUMNS),
    ):
        await connection.copy_records_to_table(table, records=rows, columns=columns)


async def _drop_indexes(connection: asyncpg.Connection) -> list[str]:
    """Drop the bulk tables' secondary indexes (not those of constraints); their definitions."""
    rows = await connection.fetch(
        """
        SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
        FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
        WHERE t.relname = ANY($1::text[])
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        """,
        list(BULK_TABLES),
    )
    for row in rows:
        await connection.execute(f"DROP INDEX {row['name']}")
    return [row["definition"] for row in rows]


async def _rebuild(name: str, indexes: list[str]) -> None:
    """Rebuild the indexes two at a time (two cores), then vacuum for index-only scans."""
    started = time.perf_counter()
    # The trigram index is by far the slowest: start it first so the other builds overlap it.
    pending = sorted(indexes, key=lambda definition: "gin" not in definition)

    async def worker() -> None:
        connection = await asyncpg.connect(database_dsn(name))
        try:
            await connection.execute("SET maintenance_work_mem = '512MB'")
            while pending:
                await connection.execute(pending.pop(0))
        finally:
            await connection.close()

    await asyncio.gather(worker(), worker())
    logger.info("rebuilt %d indexes in %.1f s", len(indexes), time.perf_counter() - started)
    connection = await asyncpg.connect(database_dsn(name))
    try:
        await connection.execute(f"VACUUM (ANALYZE) {', '.join(BULK_TABLES)}")
    finally:
        await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--database", default=None, help="default: phananh_bench_<reports>")
    parser.add_argument("--fresh", action="store_true", help="re-seed even if the marker matches")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    seeded = asyncio.run(ensure(args.reports, name=args.database, fresh=args.fresh))
    print(json.dumps(asdict(seeded), indent=2))  # noqa: T201


if __name__ == "__main__":
    main()
