"""GraphQL types of report statistics and agency scorecards (figures from resolvers.stats)."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Any

import strawberry

from models.enums import ReportStatus as Status
from models.enums import Satisfaction as Rated
from resolvers import stats
from resolvers.reports import ReportCriteria
from schema.context import Info
from schema.directory import Agency, Area, Category
from schema.enums import ReportStatus, Satisfaction


def _share(count: int, base: int, minimum: int) -> float | None:
    return round(count / base, 4) if base >= max(minimum, 1) else None


@strawberry.type(description="How many reports stand in one status.")
class StatusCount:
    status: ReportStatus = strawberry.field(description="The status.")
    count: int = strawberry.field(description="How many reports.")


def _by_status(counts: dict[Status, int]) -> list[StatusCount]:
    return [StatusCount(status=status, count=counts.get(status, 0)) for status in Status]


@strawberry.type(description="How many reports fall in one category.")
class CategoryCount:
    category: Category = strawberry.field(description="The category.")
    count: int = strawberry.field(description="How many reports.")


@strawberry.type(description="How many reports are assigned to one agency.")
class AgencyCount:
    agency: Agency | None = strawberry.field(description="The agency; null: not assigned.")
    count: int = strawberry.field(description="How many reports.")


@strawberry.type(description="How many reports lie in one area (and the areas below it).")
class AreaCount:
    area: Area | None = strawberry.field(description="The area; null: reports without an area.")
    count: int = strawberry.field(description="How many reports.")


@strawberry.type(description="How many reports were submitted in one month.")
class MonthCount:
    month: str = strawberry.field(description="The month in Vietnam's time, e.g. `2026-03`.")
    count: int = strawberry.field(description="How many reports.")


@strawberry.type(description="Answers given by the due date.")
class OnTimeFigures:
    answered: int = strawberry.field(description="Resolved or closed reports that had a due date.")
    on_time: int = strawberry.field(description="Of those, answered at or before the due date.")
    share: float | None = strawberry.field(
        description="onTime / answered (0–1); null when too few reports were answered."
    )


@strawberry.type(description="How long something took, over the reports where it happened.")
class DurationFigures:
    count: int = strawberry.field(description="Reports measured.")
    median_hours: float | None = strawberry.field(
        description="The median in hours (0.01 h), counted from submission; null when too few. "
        "Exact when the filter selects fewer than 20,000 reports or filters on more than "
        "status, category, agency, area and whole months of submission (a date range from "
        "and to midnights starting a month in Vietnam); otherwise interpolated in histograms "
        "whose buckets grow 1.35-fold from one minute to a year, off by less than one bucket: "
        "under 35 % of the exact median (under a minute below one minute), usually a few "
        "percent."
    )


@strawberry.type(description="One satisfaction level's part of the ratings.")
class SatisfactionShare:
    satisfaction: Satisfaction = strawberry.field(description="The level.")
    count: int = strawberry.field(description="Ratings at this level.")
    share: float | None = strawberry.field(
        description="count / all ratings (0–1); null when too few ratings."
    )


@strawberry.type(description="Citizens' ratings of the results.")
class SatisfactionFigures:
    ratings: int = strawberry.field(description="How many reports were rated.")
    shares: list[SatisfactionShare] = strawberry.field(description="Every level, in order.")


def _on_time(figures: stats.OnTime, minimum: int) -> OnTimeFigures:
    share = _share(figures.on_time, figures.answered, minimum)
    return OnTimeFigures(answered=figures.answered, on_time=figures.on_time, share=share)


def _duration(figures: stats.Median, minimum: int) -> DurationFigures:
    hours = figures.hours if figures.count >= max(minimum, 1) else None
    return DurationFigures(count=figures.count, median_hours=hours)


def _satisfaction(counts: dict[Rated, int], minimum: int) -> SatisfactionFigures:
    total = sum(counts.values())
    shares = [
        SatisfactionShare(
            satisfaction=level,
            count=counts.get(level, 0),
            share=_share(counts.get(level, 0), total, minimum),
        )
        for level in Rated
    ]
    return SatisfactionFigures(ratings=total, shares=shares)


@strawberry.type(
    description="Figures over the reports a filter selects and the viewer may see; each field "
    "is computed only when asked for. Anonymous viewers share figures for a short while (a "
    "minute by default): every figure was computed at `generatedAt` or within that while after."
)
class ReportStats:
    generated_at: datetime = strawberry.field(
        description="When these figures were computed (for anonymous viewers: the earliest "
        "moment any of them was)."
    )
    criteria: strawberry.Private[ReportCriteria]
    conditions: strawberry.Private[Any]
    figures: strawberry.Private[stats.Figures]

    @classmethod
    def create(cls, info: Info, criteria: ReportCriteria) -> ReportStats:
        conditions = stats.conditions_for(info.context, criteria)
        figures = stats.figures_for(info.context, criteria)
        return cls(
            generated_at=figures.generated_at,
            criteria=criteria,
            conditions=conditions,
            figures=figures,
        )

    async def _tallies(self, info: Info) -> list[stats.Tally]:
        return await self.figures.get(  # type: ignore[no-any-return]
            "tallies", lambda: stats.tallies(info.context, self.criteria, self.conditions)
        )

    async def _durations(self, info: Info) -> stats.Durations:
        # Before taking the figures' lock for the medians, which need the number of reports.
        reports = sum(tally.reports for tally in await self._tallies(info))
        found = await self.figures.get(
            "durations",
            lambda: stats.durations(info.context, self.criteria, self.conditions, reports),
        )
        return found.get(None, stats.Durations())  # type: ignore[no-any-return]

    @strawberry.field(description="All matching reports.")
    async def total(self, info: Info) -> int:
        return sum(tally.reports for tally in await self._tallies(info))

    @strawberry.field(description="Counts per status, every status.")
    async def by_status(self, info: Info) -> list[StatusCount]:
        return _by_status(stats.counts_by_status(await self._tallies(info)))

    @strawberry.field(description="Counts per category, most reports first.")
    async def by_category(self, info: Info) -> list[CategoryCount]:
        counts = stats.count_by(await self._tallies(info), lambda tally: tally.category_id)
        ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        rows = await info.context.loaders.category.load_many([key for key, _ in ordered])
        return [
            CategoryCount(category=Category.from_model(row), count=count)
            for row, (_, count) in zip(rows, ordered, strict=True)
            if row is not None
        ]

    @strawberry.field(description="Counts per assigned agency, most reports first; null last.")
    async def by_agency(self, info: Info) -> list[AgencyCount]:
        counts = stats.count_by(await self._tallies(info), lambda tally: tally.agency_id)
        ordered = sorted(counts.items(), key=lambda i: (-i[1], i[0] is None, i[0] or 0))
        keys = [key for key, _ in ordered if key is not None]
        rows = {row.id: row for row in await info.context.loaders.agency.load_many(keys) if row}
        return [
            AgencyCount(agency=Agency.from_model(rows[key]) if key in rows else None, count=count)
            for key, count in ordered
        ]

    @strawberry.field(
        description="Counts per area one level below the filter's `areaId` (per top-level area "
        "without one), most reports first; reports in that area itself count under it."
    )
    async def by_area(self, info: Info) -> list[AreaCount]:
        ctx = info.context
        found = await self._tallies(info)
        counts = await self.figures.get(
            "by_area", lambda: stats.counts_by_area(ctx, found, self.criteria.area_id)
        )
        keys = [key for key, _ in counts if key is not None]
        rows = {row.id: row for row in await ctx.loaders.area.load_many(keys) if row}
        return [
            AreaCount(area=Area.from_model(rows[key]) if key in rows else None, count=count)
            for key, count in counts
        ]

    @strawberry.field(description="Counts per month of submission, oldest first.")
    async def by_month(self, info: Info) -> list[MonthCount]:
        counts = stats.counts_by_month(await self._tallies(info))
        return [MonthCount(month=month, count=count) for month, count in counts]

    @strawberry.field(description="Answers given by the due date.")
    async def on_time(self, info: Info) -> OnTimeFigures:
        return _on_time(stats.on_time(await self._tallies(info)), 1)

    @strawberry.field(description="Time from submission to the agency's first response.")
    async def time_to_first_response(self, info: Info) -> DurationFigures:
        return _duration((await self._durations(info)).first_response, 1)

    @strawberry.field(description="Time from submission to the agency's answer (resolution).")
    async def time_to_resolution(self, info: Info) -> DurationFigures:
        return _duration((await self._durations(info)).resolution, 1)

    @strawberry.field(description="Citizens' satisfaction with the results.")
    async def satisfaction(self, info: Info) -> SatisfactionFigures:
        found = await self.figures.get(
            "satisfaction",
            lambda: stats.satisfaction(info.context, self.criteria, self.conditions),
        )
        return _satisfaction(found.get(None, {}), 1)


@strawberry.type(
    description="An agency's record over the matching reports assigned to it, for comparing "
    "agencies. Small numbers mislead: a rate with fewer than `minimumSample` reports behind it "
    "is null."
)
class AgencyScorecard:
    agency: Agency = strawberry.field(description="The agency.")
    reports: int = strawberry.field(description="Matching reports assigned to the agency.")
    by_status: list[StatusCount] = strawberry.field(description="Its reports per status.")
    on_time: OnTimeFigures = strawberry.field(description="Answers given by the due date.")
    time_to_first_response: DurationFigures = strawberry.field(
        description="Time from submission to the agency's first response."
    )
    time_to_resolution: DurationFigures = strawberry.field(
        description="Time from submission to the agency's answer."
    )
    satisfaction: SatisfactionFigures = strawberry.field(
        description="Ratings given while the report was with this agency."
    )
    sample_too_small: bool = strawberry.field(
        description="Fewer than `minimumSample` reports: every rate is null."
    )
    minimum_sample: int = strawberry.field(description="Reports needed behind a rate.")

    @classmethod
    def from_figures(cls, card: stats.Scorecard) -> AgencyScorecard:
        too_small = card.reports < stats.MIN_SAMPLE
        # Too few reports withholds every rate, even one with enough ratings re-routed to it.
        minimum = sys.maxsize if too_small else stats.MIN_SAMPLE
        return cls(
            agency=Agency.from_model(card.agency),
            reports=card.reports,
            by_status=_by_status(card.by_status),
            on_time=_on_time(card.on_time, minimum),
            time_to_first_response=_duration(card.first_response, minimum),
            time_to_resolution=_duration(card.resolution, minimum),
            satisfaction=_satisfaction(card.ratings, minimum),
            sample_too_small=too_small,
            minimum_sample=stats.MIN_SAMPLE,
        )
