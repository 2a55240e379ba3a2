"""Rows of seeded reports with consistent lives: the report, its events, rating and photos.

Each report gets a fate (rejected at triage, or forwarded and carried through to closing) and
times drawn for each step; the status is the step reached by `now`. Old reports are therefore
closed and recent ones open, as in a real installation, and the statistics have real spread.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bench.corpus import PLACES, PointSampler, report_text
from models.calendar import VIETNAM_TZ
from models.enums import ReportEventType, ReportStatus, Role, Satisfaction
from resolvers.labels import COORDINATOR_LABEL, REPORTER_LABEL, SYSTEM_LABEL

REPORT_COLUMNS = (
    "id", "code", "title", "description", "status", "is_public", "category_id", "area_id",
    "latitude", "longitude", "address", "reporter_id", "is_anonymous", "assigned_agency_id",
    "due_at", "submitted_at", "updated_at", "first_response_at", "resolved_at", "closed_at",
    "overdue_notified_at", "search_text", "search_title", "version",
)  # fmt: skip
# tx_id is left to its default: the id of the seeding transaction, below every later one.
EVENT_COLUMNS = (
    "id", "report_id", "type", "at", "actor_id", "actor_role", "actor_agency_id", "actor_label",
    "from_status", "to_status", "note", "visibility", "rating_id", "agency_id",
)  # fmt: skip
RATING_COLUMNS = (
    "id",
    "report_id",
    "satisfaction",
    "comment",
    "agency_id",
    "rated_at",
    "updated_at",
)
ATTACHMENT_COLUMNS = (
    "id", "report_id", "purpose", "visibility", "content_type", "byte_size", "width", "height",
    "storage_name", "position", "created_at",
)  # fmt: skip

# Reports are spread over the last YEARS years (citizens signed up at the start of them).
YEARS = 4
REJECT_SHARE = 0.08
ANONYMOUS_SHARE = 0.05
PHOTO_SHARE = 0.25
RATED_SHARE = 0.6
SATISFACTIONS = (Satisfaction.VERY_SATISFIED, Satisfaction.SATISFIED, Satisfaction.DISSATISFIED)
SATISFACTION_WEIGHTS = (35, 45, 20)
ANSWERS = (
    "Đơn vị đã cử cán bộ kiểm tra và khắc phục xong.",
    "Đã phối hợp với địa phương xử lý dứt điểm.",
    "Đã lập biên bản, yêu cầu khắc phục và sẽ tiếp tục theo dõi.",
)
REJECT_REASON = "Nội dung không thuộc phạm vi tiếp nhận của hệ thống."


@dataclass
class World:
    """Database ids the rows refer to, read from the demo directory after it is seeded."""

    area_ids: dict[str, int]
    area_names: dict[str, str]
    category_ids: dict[str, int]
    due_days: dict[str, int]
    agency_for: dict[tuple[str, str], int]  # (category code, area code) -> agency id
    agency_names: dict[int, str]
    officer_for: dict[int, int]  # agency id -> an officer's user id
    coordinator_id: int
    citizen_ids: Sequence[int]


@dataclass
class Ids:
    """The next id of each table within one batch."""

    report: int
    event: int
    rating: int


# Id ranges reserved per report, so that batches made in parallel never collide: a report has at
# most 7 events (submitted, assigned, acknowledged, overdue, resolved, rated, closed).
EVENTS_PER_REPORT = 8


@dataclass
class Batch:
    reports: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    ratings: list[tuple[Any, ...]] = field(default_factory=list)
    attachments: list[tuple[Any, ...]] = field(default_factory=list)


def _hours(rng: random.Random, mean: float, low: float, high: float) -> timedelta:
    return timedelta(hours=min(max(rng.expovariate(1 / mean), low), high))


class Generator:
    """Makes the rows of one batch of reports, in id (and time) order, from the batch's number.

    A batch depends only on its number, so batches can be made by several processes in any
    order. Public codes are left empty (None): they are numbered per year, in order, by the
    caller (`number_codes`).
    """

    def __init__(self, world: World, now: datetime, seed: int = 2026) -> None:
        self.world = world
        self.now = now
        self.seed = seed
        self.rng = random.Random(seed)
        self.ids = Ids(0, 0, 0)
        self.sampler = PointSampler()
        self.places = [code for code, _, _ in PLACES]
        self.place_weights = list(itertools.accumulate(share for _, share, _ in PLACES))
        self.streets = {code: streets for code, _, streets in PLACES}
        self.categories = sorted(world.category_ids)

    def batch(self, number: int, first: Ids, submitted: Sequence[datetime]) -> Batch:
        self.rng = random.Random(self.seed * 1_000_003 + number)
        self.ids = first
        batch = Batch()
        for moment in submitted:
            self._report(batch, moment)
        return batch

    def _report(self, batch: Batch, submitted: datetime) -> None:
        rng, world = self.rng, self.world
        report_id = self.ids.report
        self.ids.report += 1
        category = rng.choice(self.categories)
        place = rng.choices(self.places, cum_weights=self.place_weights)[0]
        latitude, longitude = self.sampler.point(rng, place)
        text = report_text(rng, category, world.area_names[place], self.streets[place])
        reporter = rng.choice(world.citizen_ids)
        life = _Life(self, batch, report_id, reporter, submitted)
        agency = world.agency_for[(category, place)]
        if rng.random() < REJECT_SHARE:
            life.reject()
        else:
            life.carry(agency, world.due_days[category])
        if rng.random() < PHOTO_SHARE:
            for position in range(rng.randint(1, 3)):
                batch.attachments.append(self._photo(report_id, position, submitted))
        batch.reports.append(
            (
                report_id, None, text.title, text.description, life.status,
                life.is_public, world.category_ids[category], world.area_ids[place], latitude,
                longitude, text.address, reporter, rng.random() < ANONYMOUS_SHARE,
                life.agency, life.due_at, submitted, life.updated_at, life.first_response_at,
                life.resolved_at, life.closed_at, life.overdue_at, text.search_text,
                text.search_title, life.version,
            )
        )  # fmt: skip

    def _photo(self, report_id: int, position: int, at: datetime) -> tuple[Any, ...]:
        key = f"{self.rng.getrandbits(128):032x}"
        size = self.rng.randint(80_000, 900_000)
        return (
            key, report_id, "REPORT", "PUBLIC", "image/jpeg", size, 1600, 1200,
            f"{key}.jpg", position, at,
        )  # fmt: skip


class _Life:
    """One report's steps up to `now`, written as event rows as they happen."""

    def __init__(
        self, gen: Generator, batch: Batch, report_id: int, reporter: int, submitted: datetime
    ) -> None:
        self.gen, self.batch, self.report_id = gen, batch, report_id
        self.reporter = reporter
        self.at = submitted
        self.status = ReportStatus.SUBMITTED
        self.is_public = False
        self.agency: int | None = None
        self.due_at: datetime | None = None
        self.first_response_at: datetime | None = None
        self.resolved_at: datetime | None = None
        self.closed_at: datetime | None = None
        self.overdue_at: datetime | None = None
        self.updated_at = submitted
        self.version = 0
        self._event(ReportEventType.SUBMITTED, reporter, Role.CITIZEN, REPORTER_LABEL)

    def _event(
        self,
        kind: ReportEventType,
        actor: int | None,
        role: Role | None,
        label: str,
        *,
        to: ReportStatus | None = None,
        note: str | None = None,
        rating: int | None = None,
    ) -> None:
        ids = self.gen.ids
        agency_actor = self.agency if role is Role.AGENCY_OFFICER else None
        from_status = self.status if to is not None else None
        self.batch.events.append(
            (
                ids.event, self.report_id, kind.value, self.at, actor, role, agency_actor, label,
                from_status, to, note, "PUBLIC", rating, self.agency,
            )
        )  # fmt: skip
        ids.event += 1
        self.updated_at = self.at
        if kind is not ReportEventType.RATED:
            self.version += 1
        if to is not None:
            self.status = to

    def _step(self, delay: timedelta) -> bool:
        """Move the clock; False when that moment is still in the future."""
        if self.at + delay > self.gen.now:
            return False
        self.at += delay
        return True

    def reject(self) -> None:
        rng = self.gen.rng
        if self._step(_hours(rng, 10, 0.2, 96)):
            coordinator = self.gen.world.coordinator_id
            self._event(
                ReportEventType.REJECTED,
                coordinator,
                Role.COORDINATOR,
                COORDINATOR_LABEL,
                to=ReportStatus.REJECTED,
                note=REJECT_REASON,
            )

    def carry(self, agency: int, due_days: int) -> None:
        gen, rng = self.gen, self.gen.rng
        names, world = gen.world.agency_names, gen.world
        if not self._step(_hours(rng, 8, 0.2, 72)):
            return
        self.agency, self.is_public = agency, True
        # Working days, roughly: five of every seven calendar days.
        self.due_at = self.at + timedelta(days=due_days * 7 / 5)
        note = f"Chuyển {names[agency]} xử lý."
        coordinator = world.coordinator_id
        self._event(
            ReportEventType.ASSIGNED, coordinator, Role.COORDINATOR, COORDINATOR_LABEL,
            to=ReportStatus.ASSIGNED, note=note,
        )  # fmt: skip
        officer = world.officer_for.get(agency)
        label = names[agency]
        done = self._step(_hours(rng, 30, 0.5, 24 * 20))
        if done:
            self.first_response_at = self.at
            self._event(
                ReportEventType.ACKNOWLEDGED, officer, Role.AGENCY_OFFICER, label,
                to=ReportStatus.IN_PROGRESS,
            )  # fmt: skip
            done = self._step(_hours(rng, due_days * 24 * 0.9, 2, 24 * 90))
        if not done:
            self._overdue()
            return
        self.resolved_at = self.at
        self._event(
            ReportEventType.RESOLVED, officer, Role.AGENCY_OFFICER, label,
            to=ReportStatus.RESOLVED, note=rng.choice(ANSWERS),
        )  # fmt: skip
        self._close()

    def _overdue(self) -> None:
        """Still with the agency at `now`: past the due date, the scheduler has marked it."""
        if self.due_at is None or self.due_at >= self.gen.now:
            return
        self.overdue_at = self.due_at
        at, self.at = self.at, self.due_at
        note = f"Quá hạn xử lý (hạn {self.due_at.astimezone(VIETNAM_TZ):%d/%m/%Y})."
        self._event(ReportEventType.OVERDUE, None, None, SYSTEM_LABEL, note=note)
        self.at = max(at, self.due_at)
        self.updated_at = self.at

    def _close(self) -> None:
        gen, rng = self.gen, self.gen.rng
        if rng.random() < RATED_SHARE:
            if not self._step(_hours(rng, 48, 0.5, 24 * 6)):
                return
            rating_id = gen.ids.rating
            gen.ids.rating += 1
            satisfaction = rng.choices(SATISFACTIONS, SATISFACTION_WEIGHTS)[0]
            self.gen_rating(rating_id, satisfaction)
            self._event(
                ReportEventType.RATED, self.reporter, Role.CITIZEN, REPORTER_LABEL,
                rating=rating_id,
            )  # fmt: skip
            if satisfaction is Satisfaction.DISSATISFIED:
                return  # waits in the coordinator's triage queue
            actor, role, label = self.reporter, Role.CITIZEN, REPORTER_LABEL
        else:
            if not self._step(timedelta(days=7)):
                return
            actor, role, label = None, None, SYSTEM_LABEL
        self.closed_at = self.at
        self._event(ReportEventType.CLOSED, actor, role, label, to=ReportStatus.CLOSED)

    def gen_rating(self, rating_id: int, satisfaction: Satisfaction) -> None:
        comment = "Cảm ơn cơ quan đã xử lý nhanh." if self.gen.rng.random() < 0.3 else None
        self.batch.ratings.append(
            (rating_id, self.report_id, satisfaction.value, comment, self.agency, self.at, self.at)
        )


def number_codes(reports: list[tuple[Any, ...]], last: dict[int, int]) -> list[tuple[Any, ...]]:
    """Fill in public codes, PA-YYYY-NNNNNN, numbered per year in Vietnam after `last`."""
    numbered = []
    for row in reports:
        year = row[15].astimezone(VIETNAM_TZ).year
        last[year] = number = last.get(year, 0) + 1
        numbered.append((row[0], f"PA-{year:04d}-{number:06d}", *row[2:]))
    return numbered
