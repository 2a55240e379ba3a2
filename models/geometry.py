"""Plane geometry on longitude/latitude rings, enough to place a report in its area."""

from __future__ import annotations

from collections.abc import Sequence


def point_in_ring(longitude: float, latitude: float, ring: Sequence[Sequence[float]]) -> bool:
    """Ray casting; a point on an edge may fall either side, which is fine for ward borders."""
    inside = False
    count = len(ring)
    for i in range(count):
        x1, y1 = ring[i][0], ring[i][1]
        x2, y2 = ring[(i + 1) % count][0], ring[(i + 1) % count][1]
        if (y1 > latitude) != (y2 > latitude):
            crossing = x1 + (latitude - y1) * (x2 - x1) / (y2 - y1)
            if longitude < crossing:
                inside = not inside
    return inside


def bounds(ring: Sequence[Sequence[float]]) -> tuple[float, float, float, float]:
    """(min_latitude, max_latitude, min_longitude, max_longitude) of a ring."""
    longitudes = [point[0] for point in ring]
    latitudes = [point[1] for point in ring]
    return min(latitudes), max(latitudes), min(longitudes), max(longitudes)
