"""Public report codes, PA-YYYY-NNNNNN, numbered per year without gaps from a counter row."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from models.reports import ReportCodeCounter

CODE_PATTERN = re.compile(r"^PA-(\d{4})-(\d{6,})$")


def format_code(year: int, number: int) -> str:
    return f"PA-{year:04d}-{number:06d}"


def is_report_code(text: str) -> bool:
    return CODE_PATTERN.match(text.strip().upper()) is not None


async def next_report_code(session: AsyncSession, year: int) -> str:
    """Take the next number for `year` inside the caller's transaction.

    One upsert creates the counter row on first use or increments it in place, so concurrent
    submissions serialise on one row for the shortest possible time and numbers never repeat.
    """
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(ReportCodeCounter).values(year=year, last_value=1)
    result = await session.execute(
        statement.on_conflict_do_update(
            index_elements=["year"],
            set_={"last_value": ReportCodeCounter.last_value + 1},
        ).returning(ReportCodeCounter.last_value)
    )
    number = result.scalar_one()
    return format_code(year, number)


async def peek_last_number(session: AsyncSession, year: int) -> int:
    value = await session.scalar(
        select(ReportCodeCounter.last_value).where(ReportCodeCounter.year == year)
    )
    return value or 0
