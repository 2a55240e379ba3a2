"""Who and what the seeded reports refer to: the demo directory's ids, and many citizens.

The directory (areas, categories, agencies, routing rules, staff) is the demo's, loaded by
models.demo.seed_demo; citizens are added here by COPY, one for every ten reports, sharing the
demo password's hash (the benchmarks sign them in with tokens, not passwords).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from bench.corpus import person_name
from bench.rows import YEARS, World
from models.routing import lineage, nearest_agency


async def load(connection: asyncpg.Connection, *, citizens: int) -> World:
    """Read the demo directory's ids and add `citizens` citizens by COPY."""
    areas = {row["code"]: row for row in await connection.fetch("SELECT * FROM areas")}
    categories = {row["code"]: row for row in await connection.fetch("SELECT * FROM categories")}
    agencies = {row["code"]: row for row in await connection.fetch("SELECT * FROM agencies")}
    rules: dict[int, dict[int, int]] = {}
    for row in await connection.fetch("SELECT category_id, area_id, agency_id FROM routings"):
        rules.setdefault(row["category_id"], {})[row["area_id"]] = row["agency_id"]
    # "khac" has no rule on purpose: the ward's own people's committee takes it, else the city's.
    fallback = agencies["ubnd_dong_hoi"]["id"]
    agency_for: dict[tuple[str, str], int] = {}
    for category, cat_row in categories.items():
        for area, area_row in areas.items():
            found = nearest_agency(lineage(area_row["path"]), rules.get(cat_row["id"], {}))
            agency_for[(category, area)] = found or fallback
    users = await connection.fetch("SELECT id, username, agency_id, password_hash FROM users")
    officer_for = {row["agency_id"]: row["id"] for row in users if row["agency_id"] is not None}
    coordinator = next(row for row in users if row["username"] == "dieuphoi")
    first = await connection.fetchval("SELECT max(id) + 1 FROM users")
    rng = random.Random(7)
    created = datetime.now(UTC) - timedelta(days=365 * YEARS)
    records: list[tuple[Any, ...]] = [
        (
            first + i, "CITIZEN", f"+8491{i:07d}", created, person_name(rng),
            coordinator["password_hash"], True, created,
        )
        for i in range(citizens)
    ]  # fmt: skip
    await connection.copy_records_to_table(
        "users",
        records=records,
        columns=(
            "id", "role", "phone", "phone_verified_at", "display_name", "password_hash",
            "is_active", "created_at",
        ),
    )  # fmt: skip
    return World(
        area_ids={code: row["id"] for code, row in areas.items()},
        area_names={code: _lower_kind(row["name"]) for code, row in areas.items()},
        category_ids={code: row["id"] for code, row in categories.items()},
        due_days={code: row["default_due_days"] for code, row in categories.items()},
        agency_for=agency_for,
        agency_names={row["id"]: row["name"] for row in agencies.values()},
        officer_for=officer_for,
        coordinator_id=coordinator["id"],
        citizen_ids=range(first, first + citizens),
    )


def _lower_kind(name: str) -> str:
    """`Phường Đồng Hới` -> `phường Đồng Hới`, as addresses write it."""
    return name[:1].lower() + name[1:]
