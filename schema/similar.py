"""The `SimilarReport` type: a possible duplicate of a report being written."""

from __future__ import annotations

import strawberry

from resolvers.similar import Similar
from schema.reports import Report


@strawberry.type(
    description="An open report near the given point that may describe the same problem."
)
class SimilarReport:
    report: Report = strawberry.field(description="The report.")
    distance_meters: float = strawberry.field(description="Its distance from the given point.")
    score: float = strawberry.field(
        description="How likely a duplicate, 0–1: 0.7 × the share of the text's words found in "
        "its title and description + 0.3 × nearness (1 at the point, 0 at the radius)."
    )

    @classmethod
    def from_result(cls, found: Similar) -> SimilarReport:
        return cls(
            report=Report.from_model(found.report),
            distance_meters=found.distance_meters,
            score=found.score,
        )
