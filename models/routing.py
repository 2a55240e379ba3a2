"""Routing rules apply to an area and everything below it; the nearest rule wins."""

from __future__ import annotations

from collections.abc import Mapping


def lineage(path: str) -> list[int]:
    """The ids from the root down to the area, from its materialised path "/1/5/12/"."""
    return [int(part) for part in path.strip("/").split("/") if part]


def nearest_agency(area_ids: list[int], agency_by_area: Mapping[int, int]) -> int | None:
    """The agency of the deepest area in the lineage that has a rule."""
    for area_id in reversed(area_ids):
        if area_id in agency_by_area:
            return agency_by_area[area_id]
    return None
