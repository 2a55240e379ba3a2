"""Inputs that filter report lists, and their translation into resolvers' criteria."""

from __future__ import annotations

from datetime import datetime

import strawberry

from resolvers.reports import GeoBox, GeoCircle, ReportCriteria
from schema.enums import ReportStatus
from schema.errors import bad_input
from schema.node import decode_int_id

MAX_LIST_FILTER = 50
MAX_SEARCH_LENGTH = 200


@strawberry.input(description="A circle on the map.")
class GeoCircleInput:
    latitude: float = strawberry.field(description="Centre latitude, WGS 84 degrees.")
    longitude: float = strawberry.field(description="Centre longitude, WGS 84 degrees.")
    radius_meters: float = strawberry.field(description="Radius in meters (at most 100 km).")


@strawberry.input(description="A map window: the reports whose point lies inside it.")
class GeoBoxInput:
    south: float = strawberry.field(description="Southern edge, latitude in WGS 84 degrees.")
    west: float = strawberry.field(description="Western edge, longitude in WGS 84 degrees.")
    north: float = strawberry.field(description="Northern edge, latitude in WGS 84 degrees.")
    east: float = strawberry.field(
        description="Eastern edge, longitude; at least `west` (no box across the antimeridian)."
    )


def _aware(value: datetime | None, field: str) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise bad_input("Times need a UTC offset, e.g. 2026-01-31T08:00:00+07:00.", field=field)
    return value


@strawberry.input(description="Narrows a report list; all given conditions must hold.")
class ReportFilter:
    status: list[ReportStatus] | None = strawberry.field(
        default=None, description="Any of these statuses."
    )
    category_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Any of these categories."
    )
    agency_id: strawberry.ID | None = strawberry.field(
        default=None, description="Assigned to this agency."
    )
    area_id: strawberry.ID | None = strawberry.field(
        default=None, description="In this area or any area below it."
    )
    search: str | None = strawberry.field(
        default=None,
        description="Words to find in title, description and address, in any order; Vietnamese "
        "with or without diacritics (`duong` finds `đường`). Every word must match; the list is "
        "then ordered best match first (words in the title, whole words and the words together "
        "in order rank higher), newest first among equals.",
    )
    near: GeoCircleInput | None = strawberry.field(
        default=None, description="Inside this circle; the list is then ordered nearest first."
    )
    bbox: GeoBoxInput | None = strawberry.field(
        default=None, description="Inside this map window (edges included)."
    )
    mine: bool | None = strawberry.field(
        default=None, description="Only the viewer's own reports (requires signing in)."
    )
    overdue: bool | None = strawberry.field(
        default=None, description="Only reports past (true) or not past (false) their due date."
    )
    submitted_after: datetime | None = strawberry.field(
        default=None, description="Submitted at or after this time."
    )
    submitted_before: datetime | None = strawberry.field(
        default=None, description="Submitted before this time."
    )

    def to_criteria(self) -> ReportCriteria:
        if self.category_ids is not None and len(self.category_ids) > MAX_LIST_FILTER:
            raise bad_input(f"At most {MAX_LIST_FILTER} categories.", field="categoryIds")
        if self.search is not None and len(self.search) > MAX_SEARCH_LENGTH:
            raise bad_input(f"Search at most {MAX_SEARCH_LENGTH} characters.", field="search")
        near = None
        if self.near is not None:
            near = GeoCircle(self.near.latitude, self.near.longitude, self.near.radius_meters)
        bbox = None
        if self.bbox is not None:
            bbox = GeoBox(self.bbox.south, self.bbox.west, self.bbox.north, self.bbox.east)
        return ReportCriteria(
            statuses=tuple(self.status or ()),
            category_ids=tuple(
                decode_int_id(gid, "Category", "categoryIds") for gid in self.category_ids or ()
            ),
            agency_id=decode_int_id(self.agency_id, "Agency", "agencyId")
            if self.agency_id
            else None,
            area_id=decode_int_id(self.area_id, "Area", "areaId") if self.area_id else None,
            search=self.search,
            near=near,
            mine=bool(self.mine),
            overdue=self.overdue,
            submitted_after=_aware(self.submitted_after, "submittedAfter"),
            submitted_before=_aware(self.submitted_before, "submittedBefore"),
            bbox=bbox,
        )


def criteria_of(report_filter: ReportFilter | None) -> ReportCriteria:
    return report_filter.to_criteria() if report_filter is not None else ReportCriteria()
