"""Possible duplicates of a report being written: open reports close by, alike in words."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from models import tables
from models.enums import ReportStatus
from resolvers.reports import (
    GeoCircle,
    ReportCriteria,
    distance_key,
    meters_between,
    report_conditions,
)
from resolvers.search import content_words, likeness
from schema.context import Context
from schema.errors import bad_input

OPEN = (ReportStatus.SUBMITTED, ReportStatus.ASSIGNED, ReportStatus.IN_PROGRESS)
DEFAULT_RADIUS_METERS = 300.0
MAX_RADIUS_METERS = 1_000.0
MAX_RESULTS = 20
# Scored in Python over the nearest candidates only: same category, open and within a few
# hundred meters are few, and this bound keeps a crowded spot cheap.
CANDIDATES = 200
TEXT_WEIGHT = 0.7
NEARNESS_WEIGHT = 0.3
MAX_TEXT = 2_000


@dataclass(frozen=True)
class Similar:
    report: tables.Report
    distance_meters: float
    score: float


def _validate(latitude: float, longitude: float, radius: float, first: int, text: str) -> None:
    if not -90 <= latitude <= 90:
        raise bad_input("latitude must be between -90 and 90.", field="latitude")
    if not -180 <= longitude <= 180:
        raise bad_input("longitude must be between -180 and 180.", field="longitude")
    if not 0 < radius <= MAX_RADIUS_METERS:
        raise bad_input(
            f"radiusMeters must be above 0 and at most {MAX_RADIUS_METERS:.0f}.",
            field="radiusMeters",
        )
    if not 1 <= first <= MAX_RESULTS:
        raise bad_input(f"`first` must be between 1 and {MAX_RESULTS}.", field="first")
    if len(text) > MAX_TEXT:
        raise bad_input(f"text at most {MAX_TEXT} characters.", field="text")


async def similar_reports(
    ctx: Context,
    *,
    latitude: float,
    longitude: float,
    category_id: int,
    text: str,
    first: int,
    radius_meters: float = DEFAULT_RADIUS_METERS,
) -> list[Similar]:
    """Open reports the viewer may see, same category, within the radius; best first.

    score = TEXT_WEIGHT x (share of the text's words in the report) + NEARNESS_WEIGHT x
    (1 - distance / radius), in 0..1; ties go to the nearer, then the older report.
    """
    _validate(latitude, longitude, radius_meters, first, text)
    circle = GeoCircle(latitude, longitude, radius_meters)
    criteria = ReportCriteria(statuses=OPEN, category_ids=(category_id,), near=circle)
    report = tables.Report
    statement = (
        select(report)
        .where(*report_conditions(ctx.actor, criteria, ctx.now()))
        .order_by(distance_key(circle), report.id)
        .limit(CANDIDATES)
    )
    rows: list[tables.Report] = await ctx.db.scalars(statement)
    words = content_words(text)
    scored = []
    for row in rows:
        distance = meters_between(circle, row.latitude, row.longitude)
        nearness = max(0.0, 1 - distance / radius_meters)
        score = TEXT_WEIGHT * likeness(words, row) + NEARNESS_WEIGHT * nearness
        scored.append(Similar(row, round(distance, 1), round(score, 4)))
    scored.sort(key=lambda s: (-s.score, s.distance_meters, s.report.id))
    for item in scored[:first]:
        ctx.loaders.report.prime(item.report.id, item.report)
    return scored[:first]
