"""A small province for workflow tests: two wards with boundaries, routing, staff and a citizen."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import tables
from models.enums import Role
from tests.factories import make_agency, make_area, make_category, make_user

# Two square wards side by side near Đồng Hới: longitude 106.60–106.62 and 106.62–106.64.
WEST = [[106.60, 17.46], [106.62, 17.46], [106.62, 17.48], [106.60, 17.48], [106.60, 17.46]]
EAST = [[106.62, 17.46], [106.64, 17.46], [106.64, 17.48], [106.62, 17.48], [106.62, 17.46]]
IN_WEST = (17.47, 106.61)
IN_EAST = (17.47, 106.63)
OUTSIDE = (10.77, 106.70)  # Hồ Chí Minh City


@dataclass
class World:
    province: tables.Area
    west: tables.Area
    east: tables.Area
    category: tables.Category
    construction: tables.Agency
    environment: tables.Agency
    citizen: tables.User
    other_citizen: tables.User
    coordinator: tables.User
    officer: tables.User  # of `environment`, the agency the routing suggests
    other_officer: tables.User  # of `construction`
    admin: tables.User


async def build_world(sessions: async_sessionmaker[AsyncSession]) -> World:
    async with sessions() as session, session.begin():
        province = await make_area(session, "Tỉnh Quảng Trị")
        west = await make_area(session, "Phường Đồng Hới", province, WEST)
        east = await make_area(session, "Phường Đồng Thuận", province, EAST)
        category = await make_category(session, "Môi trường")
        construction = await make_agency(session, "Sở Xây dựng")
        environment = await make_agency(session, "Sở Nông nghiệp và Môi trường")
        session.add(
            tables.Routing(category_id=category.id, area_id=province.id, agency_id=environment.id)
        )
        return World(
            province=province,
            west=west,
            east=east,
            category=category,
            construction=construction,
            environment=environment,
            citizen=await make_user(session, display_name="Nguyễn Thị Thu Thủy"),
            other_citizen=await make_user(session, display_name="Lê Văn Hùng"),
            coordinator=await make_user(session, Role.COORDINATOR, display_name="Trần Điều Phối"),
            officer=await make_user(session, Role.AGENCY_OFFICER, agency=environment),
            other_officer=await make_user(session, Role.AGENCY_OFFICER, agency=construction),
            admin=await make_user(session, Role.ADMIN),
        )


def jpeg_with_gps(width: int = 64, height: int = 32) -> bytes:
    """A JPEG carrying EXIF GPS and camera data, as phones write them."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "PhoneModel X"  # Model
    exif[0x8825] = {1: "N", 2: (17.0, 28.0, 8.0), 3: "E", 4: (106.0, 37.0, 20.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()
