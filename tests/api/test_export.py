"""GET /export/reports.csv: public reports as open data, filtered, streamed, no personal data."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import tables
from models.enums import ReportStatus
from resolvers import export
from schema.node import encode_global_id
from tests.factories import make_agency, make_area, make_category, make_report, make_user

CANARY_NAME = "Hoàng Thị Canary"
CANARY_PHONE = "+84987654321"
URL = "/export/reports.csv"


@dataclass
class Data:
    ward: tables.Area
    trash: tables.Category
    assigned: tables.Report  # in the ward, trash, March
    resolved: tables.Report  # road, April
    closed: tables.Report  # in the ward, road, May
    submitted: tables.Report  # not public yet
    rejected: tables.Report


async def _data(sessions: async_sessionmaker[AsyncSession]) -> Data:
    async with sessions() as session, session.begin():
        ward = await make_area(session, "Phường Đồng Hới")
        other = await make_area(session, "Phường Đông Hà")
        trash = await make_category(session, "Môi trường")
        road = await make_category(session, "Giao thông")
        agency = await make_agency(session, "Sở Xây dựng")
        canary = await make_user(session, display_name=CANARY_NAME, phone=CANARY_PHONE)

        async def report(
            status: ReportStatus,
            area: tables.Area,
            category: tables.Category,
            month: int,
            title: str = "Rác thải ven sông",
        ) -> tables.Report:
            forwarded = status not in (ReportStatus.SUBMITTED, ReportStatus.REJECTED)
            row = await make_report(
                session,
                reporter=canary,
                category=category,
                area=area,
                agency=agency if forwarded else None,
                status=status,
                title=title,
                submitted_at=datetime(2026, month, 10, tzinfo=UTC),
            )
            row.is_public = forwarded or status is ReportStatus.REJECTED
            return row

        return Data(
            ward=ward,
            trash=trash,
            assigned=await report(ReportStatus.ASSIGNED, ward, trash, 3),
            resolved=await report(ReportStatus.RESOLVED, other, road, 4),
            closed=await report(ReportStatus.CLOSED, ward, road, 5),
            submitted=await report(ReportStatus.SUBMITTED, ward, trash, 6),
            rejected=await report(ReportStatus.REJECTED, ward, trash, 6),
        )


def _table(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.content.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


async def test_csv_has_a_header_and_one_row_per_public_report_oldest_first(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    data = await _data(session_factory)
    response = await client.get(URL)
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["content-disposition"]
    first_line = response.content.decode("utf-8-sig").split("\r\n")[0]
    assert first_line == ",".join(export.HEADER)
    rows = _table(response)
    assert [row["code"] for row in rows] == [
        data.assigned.code,
        data.resolved.code,
        data.closed.code,
    ]
    assert rows[0]["category_name"] == "Môi trường"
    assert rows[0]["area_name"] == "Phường Đồng Hới"
    assert rows[0]["agency"] == "Sở Xây dựng"
    assert rows[0]["submitted_at"] == "2026-03-10T00:00:00+00:00"


async def test_csv_holds_no_personal_data(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await _data(session_factory)
    body = (await client.get(URL)).content.decode("utf-8-sig")
    assert CANARY_NAME not in body
    assert CANARY_PHONE not in body
    assert CANARY_PHONE.removeprefix("+84") not in body


async def test_csv_escapes_commas_quotes_newlines_and_formulas(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    data = await _data(session_factory)
    tricky = 'Ổ gà, "rất sâu"\nở góc phố'
    async with session_factory() as session, session.begin():
        (await session.get_one(tables.Report, data.assigned.id)).title = tricky
        (await session.get_one(tables.Report, data.resolved.id)).title = "=HYPERLINK(1)"
    rows = _table(await client.get(URL))
    assert rows[0]["title"] == tricky
    assert rows[1]["title"] == "'=HYPERLINK(1)"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=closed,RESOLVED", ["resolved", "closed"]),
        ("status=ASSIGNED&status=CLOSED", ["assigned", "closed"]),
        ("category={trash}", ["assigned"]),
        ("area={ward}", ["assigned", "closed"]),
        ("area_id={ward_id}", ["assigned", "closed"]),
        ("submitted_after=2026-04-01&submitted_before=2026-05-01", ["resolved"]),
        ("submitted_after=2026-04-10T07:00:00%2B07:00", ["resolved", "closed"]),
        ("submitted_after=2026-04-10T07:00:01+07:00", ["closed"]),  # "+" arrives as a space
        ("status=SUBMITTED", []),
    ],
)
async def test_csv_filters(
    client: httpx.AsyncClient,
    session_factory: async_sessionmaker[AsyncSession],
    query: str,
    expected: list[str],
) -> None:
    data = await _data(session_factory)
    url = f"{URL}?" + query.format(
        trash=data.trash.code,
        ward=data.ward.code,
        ward_id=encode_global_id("Area", data.ward.id),
    )
    rows = _table(await client.get(url))
    assert [row["code"] for row in rows] == [getattr(data, name).code for name in expected]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("status=DONE", "Unknown status `DONE`"),
        ("category=nope", "Unknown category code `nope`"),
        ("area=nope", "Unknown area"),
        ("area_id=QXJlYTp4", "area_id"),
        ("submitted_after=yesterday", "`submitted_after` must be a date"),
        ("submitted_before=2026-01-31T08:00:00", "needs a UTC offset"),
        ("submitted_after=2026-05-01&submitted_before=2026-04-01", "must be before"),
        ("sort=title", "Unknown parameter `sort`"),
    ],
)
async def test_csv_bad_parameter_is_a_400_with_a_message(
    client: httpx.AsyncClient,
    session_factory: async_sessionmaker[AsyncSession],
    query: str,
    message: str,
) -> None:
    await _data(session_factory)
    response = await client.get(f"{URL}?{query}")
    assert response.status_code == 400
    assert message in response.text


async def test_csv_streams_every_row_once_across_batches(
    client: httpx.AsyncClient,
    session_factory: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with session_factory() as session, session.begin():
        citizen = await make_user(session)
        category = await make_category(session)
        agency = await make_agency(session)
        moment = datetime(2026, 6, 1, tzinfo=UTC)
        codes = [
            (
                await make_report(
                    session,
                    reporter=citizen,
                    category=category,
                    agency=agency,
                    status=ReportStatus.ASSIGNED,
                    submitted_at=moment + timedelta(minutes=i // 2),  # pairs share a time
                )
            ).code
            for i in range(7)
        ]
    monkeypatch.setattr(export, "BATCH", 2)
    rows = _table(await client.get(URL))
    assert [row["code"] for row in rows] == codes
