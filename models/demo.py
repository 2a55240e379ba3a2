"""Seeds an empty database with a realistic demo of Quảng Trị province, once, in one transaction."""

from __future__ import annotations

import asyncio
import itertools
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import demo_data as data
from models.calendar import VIETNAM_TZ, WorkCalendar
from models.codes import next_report_code
from models.directory import Agency, Category, Holiday, Routing, agency_categories
from models.enums import ReportEventType, ReportStatus, Role, Visibility
from models.geo import Area
from models.passwords import hash_password
from models.reports import Message, Rating, Report, ReportEvent
from models.text import fold
from models.users import User

DEMO_PASSWORD = "phananh-demo"

CITIZEN_LABEL = "Người phản ánh"
COORDINATOR_LABEL = "Ban chỉ đạo"
SYSTEM_LABEL = "Hệ thống"


def _describe(staff: data.StaffSeed) -> str:
    if staff.role is Role.ADMIN:
        return "Administrator: agencies, staff, categories, areas and holidays"
    if staff.role is Role.COORDINATOR:
        return f"Coordinator (Ban chỉ đạo): {staff.display_name}"
    agency = next(seed.name for seed in data.AGENCIES if seed.code == staff.agency)
    return f"Officer of {agency}: {staff.display_name}"


# (login, role, description) for the README; every account's password is DEMO_PASSWORD.
DEMO_ACCOUNTS: list[tuple[str, str, str]] = [
    *((staff.username, staff.role.value, _describe(staff)) for staff in data.STAFF),
    *((c.phone, Role.CITIZEN.value, f"Citizen: {c.display_name}") for c in data.CITIZENS),
]


async def seed_demo(
    sessions: async_sessionmaker[AsyncSession], *, now: datetime | None = None
) -> bool:
    """Insert the demo data unless it is there already; True when this call inserted it."""
    now = datetime.now(UTC) if now is None else now
    if now.tzinfo is None:
        raise ValueError("seed_demo needs a timezone-aware `now`")
    now = now.astimezone(UTC)
    async with sessions() as session:
        if await _is_seeded(session):
            return False
        # argon2 is deliberately slow: hash once, off the event loop, and share the hash.
        password_hash = await asyncio.to_thread(hash_password, DEMO_PASSWORD)
        try:
            world = await _add_directory(session, now)
            await _add_people(session, world, password_hash, now)
            await _add_reports(session, world, now)
            await session.commit()
        except IntegrityError:
            # Another process seeded at the same moment (two nodes starting together).
            await session.rollback()
            if await _is_seeded(session):
                return False
            raise
    return True


async def _is_seeded(session: AsyncSession) -> bool:
    found = await session.scalar(select(Area.id).where(Area.code == data.ROOT_AREA_CODE))
    return found is not None


@dataclass
class _World:
    """What later steps refer to by code, username or phone, with database ids assigned."""

    areas: dict[str, Area] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)
    agencies: dict[str, Agency] = field(default_factory=dict)
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    users: dict[str, User] = field(default_factory=dict)
    reports: dict[str, Report] = field(default_factory=dict)

    def agency_by_id(self, agency_id: int | None) -> Agency:
        return next(agency for agency in self.agencies.values() if agency.id == agency_id)


# --- Directory ---------------------------------------------------------------------------------


async def _add_directory(session: AsyncSession, now: datetime) -> _World:
    created = now - timedelta(days=180)
    world = _World(calendar=WorkCalendar(frozenset(day for day, _ in data.HOLIDAYS)))
    await _add_areas(session, world, created)
    for position, seed in enumerate(data.CATEGORIES, start=1):
        category = Category(
            code=seed.code,
            name=seed.name,
            description=seed.description,
            default_due_days=seed.due_days,
            notice=seed.notice,
            sort_order=position * 10,
            created_at=created,
        )
        world.categories[seed.code] = category
        session.add(category)
    for agency_seed in data.AGENCIES:
        agency = Agency(
            code=agency_seed.code,
            name=agency_seed.name,
            description=agency_seed.description,
            area_id=world.areas[agency_seed.area].id,
            created_at=created,
        )
        world.agencies[agency_seed.code] = agency
        session.add(agency)
    session.add_all(Holiday(day=day, name=name) for day, name in data.HOLIDAYS)
    await session.flush()
    await session.execute(
        insert(agency_categories),
        [
            {"agency_id": world.agencies[seed.code].id, "category_id": world.categories[code].id}
            for seed in data.AGENCIES
            for code in seed.categories
        ],
    )
    session.add_all(
        Routing(
            category_id=world.categories[category].id,
            area_id=world.areas[area].id,
            agency_id=world.agencies[agency].id,
        )
        for category, area, agency in data.ROUTINGS
    )
    return world


async def _add_areas(session: AsyncSession, world: _World, created: datetime) -> None:
    for seed in data.AREAS:  # parents come before their children
        parent = world.areas[seed.parent] if seed.parent else None
        area = Area(
            code=seed.code,
            name=seed.name,
            kind=seed.kind,
            parent_id=parent.id if parent else None,
            path="/",  # needs the id: completed right after the flush
            depth=parent.depth + 1 if parent else 0,
            boundary=[[lon, lat] for lon, lat in seed.boundary] or None,
            created_at=created,
        )
        if seed.boundary:
            _set_bounds(area, seed.boundary)
            area.centroid_longitude, area.centroid_latitude = _centroid(seed.boundary)
        session.add(area)
        await session.flush()
        area.path = f"{parent.path if parent else '/'}{area.id}/"
        world.areas[seed.code] = area
    # An area drawn without a boundary (the province) covers the boundaries below it.
    for seed in data.AREAS:
        if seed.boundary:
            continue
        area = world.areas[seed.code]
        points = tuple(
            point
            for below in data.AREAS
            if below is not seed and world.areas[below.code].path.startswith(area.path)
            for point in below.boundary
        )
        if points:
            _set_bounds(area, points)
            lons = [lon for lon, _ in points]
            lats = [lat for _, lat in points]
            area.centroid_longitude = round((min(lons) + max(lons)) / 2, 6)
            area.centroid_latitude = round((min(lats) + max(lats)) / 2, 6)


def _set_bounds(area: Area, points: data.Ring) -> None:
    area.min_longitude = min(lon for lon, _ in points)
    area.max_longitude = max(lon for lon, _ in points)
    area.min_latitude = min(lat for _, lat in points)
    area.max_latitude = max(lat for _, lat in points)


def _centroid(ring: data.Ring) -> tuple[float, float]:
    """The centroid (longitude, latitude) of a closed polygon ring, by the shoelace formula."""
    twice_area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in itertools.pairwise(ring):
        cross = x0 * y1 - x1 * y0
        twice_area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    return round(cx / (3 * twice_area), 6), round(cy / (3 * twice_area), 6)


def _inside(ring: data.Ring, lon: float, lat: float) -> bool:
    """Ray casting: whether the point lies inside the closed ring."""
    inside = False
    for (x0, y0), (x1, y1) in itertools.pairwise(ring):
        if (y0 > lat) != (y1 > lat) and lon < x0 + (lat - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def _place(seed_area: str, rng: random.Random) -> tuple[float, float]:
    """A (latitude, longitude) inside the area and outside its sub-areas, from the seeded rng."""
    ring = next(area.boundary for area in data.AREAS if area.code == seed_area)
    below = [area.boundary for area in data.AREAS if area.parent == seed_area and area.boundary]
    lons = [lon for lon, _ in ring]
    lats = [lat for _, lat in ring]
    while True:
        lon = round(rng.uniform(min(lons), max(lons)), 6)
        lat = round(rng.uniform(min(lats), max(lats)), 6)
        if _inside(ring, lon, lat) and not any(_inside(inner, lon, lat) for inner in below):
            return lat, lon


# --- People ------------------------------------------------------------------------------------


async def _add_people(
    session: AsyncSession, world: _World, password_hash: str, now: datetime
) -> None:
    for staff in data.STAFF:
        world.users[staff.username] = User(
            role=staff.role,
            username=staff.username,
            display_name=staff.display_name,
            password_hash=password_hash,
            agency_id=world.agencies[staff.agency].id if staff.agency else None,
            created_at=now - timedelta(days=150),
        )
    for citizen in data.CITIZENS:
        world.users[citizen.phone] = User(
            role=Role.CITIZEN,
            phone=citizen.phone,
            phone_verified_at=now - timedelta(days=90),
            display_name=citizen.display_name,
            password_hash=password_hash,
            created_at=now - timedelta(days=90),
        )
    session.add_all(world.users.values())
    await session.flush()


# --- Reports -----------------------------------------------------------------------------------


@dataclass
class _Entry:
    """A timeline event waiting for the ids of its report, message or rating."""

    event: ReportEvent
    message: Message | None = None
    rating: Rating | None = None


async def _add_reports(session: AsyncSession, world: _World, now: datetime) -> None:
    rng = random.Random(2026)
    entries: list[_Entry] = []
    # Oldest first, so that ids and public codes follow submission order.
    for seed in sorted(data.REPORTS, key=lambda report: -report.days_ago):
        jitter = timedelta(minutes=rng.randrange(180))  # not all at the same minute of the day
        story = _Story(seed, world, now - timedelta(days=seed.days_ago) - jitter)
        for step in seed.steps:
            story.apply(step)
        story.finish(now)
        code = await next_report_code(session, story.submitted_at.year)
        report = story.build(code, *_place(seed.area, rng))
        session.add(report)
        await session.flush()
        # The ORM numbers every inserted row version 1; the story has been changed since.
        await session.execute(
            update(Report).where(Report.id == report.id).values(version=story.version)
        )
        world.reports[seed.key] = report
        for message in story.messages:
            message.report_id = report.id
        session.add_all(story.messages)
        if story.rating is not None:
            story.rating.report_id = report.id
            session.add(story.rating)
        for entry in story.entries:
            entry.event.report_id = report.id
        entries.extend(story.entries)
    await session.flush()
    # Event ids follow time across all reports, as they would have in production.
    for entry in sorted(entries, key=lambda entry: entry.event.at):
        entry.event.message_id = entry.message.id if entry.message else None
        entry.event.rating_id = entry.rating.id if entry.rating else None
        session.add(entry.event)
    await session.flush()


class _Story:
    """Plays one report's steps, keeping its fields and its timeline consistent with each other."""

    def __init__(self, seed: data.ReportSeed, world: _World, submitted_at: datetime) -> None:
        self.seed = seed
        self.world = world
        self.reporter = world.users[seed.reporter]
        self.category = world.categories[seed.category]
        self.submitted_at = self.at = submitted_at
        self.status = ReportStatus.SUBMITTED
        self.agency: Agency | None = None
        self.is_public = False
        self.due_at: datetime | None = None
        self.first_response_at: datetime | None = None
        self.resolved_at: datetime | None = None
        self.closed_at: datetime | None = None
        self.overdue_notified_at: datetime | None = None
        self.duplicate_of_id: int | None = None
        self.entries: list[_Entry] = []
        self.messages: list[Message] = []
        self.rating: Rating | None = None
        self._record(ReportEventType.SUBMITTED, self.reporter, to_status=ReportStatus.SUBMITTED)

    def apply(self, step: data.Step) -> None:
        self.at += timedelta(hours=step.hours)
        actor = self.reporter if step.by == data.REPORTER else self.world.users[step.by]
        if actor.role is Role.AGENCY_OFFICER and (
            self.agency is None or actor.agency_id != self.agency.id
        ):
            raise ValueError(f"{self.seed.key}: {step.by} does not hold the report")
        match step:
            case data.Assign():
                self._expect(ReportStatus.SUBMITTED)
                self.agency = self.world.agencies[step.agency]
                self.is_public = True
                self.due_at = self._due(step.due_days)
                note = f"Chuyển {self.agency.name} xử lý."
                note = f"{note} {step.note}" if step.note else note
                self._move(ReportEventType.ASSIGNED, actor, ReportStatus.ASSIGNED, note)
            case data.Acknowledge():
                self._expect(ReportStatus.ASSIGNED)
                self.first_response_at = self.first_response_at or self.at
                self._move(ReportEventType.ACKNOWLEDGED, actor, ReportStatus.IN_PROGRESS, step.note)
            case data.Resolve():
                self._expect(ReportStatus.IN_PROGRESS)
                self.resolved_at = self.at
                self._move(ReportEventType.RESOLVED, actor, ReportStatus.RESOLVED, step.answer)
            case data.SendBack():
                self._expect(ReportStatus.RESOLVED)
                self.resolved_at = None
                self._move(
                    ReportEventType.ANSWER_SENT_BACK, actor, ReportStatus.IN_PROGRESS, step.note
                )
            case data.Rate():
                self._expect(ReportStatus.RESOLVED)
                assert self.agency is not None
                assert self.rating is None
                self.rating = Rating(
                    satisfaction=step.satisfaction,
                    comment=step.comment,
                    agency_id=self.agency.id,
                    rated_at=self.at,
                    updated_at=self.at,
                )
                self._record(ReportEventType.RATED, actor, rating=self.rating)
            case data.Close():
                self._expect(ReportStatus.RESOLVED)
                self.closed_at = self.at
                closing = "Người phản ánh đã đánh giá kết quả." if self.rating else None
                self._move(ReportEventType.CLOSED, actor, ReportStatus.CLOSED, closing)
            case data.Reject():
                self._expect(ReportStatus.SUBMITTED)
                note = step.reason
                if step.duplicate_of is not None:
                    original = self.world.reports[step.duplicate_of]
                    self.duplicate_of_id = original.id
                    note = f"Trùng với phản ánh {original.code}. {note}"
                self._move(ReportEventType.REJECTED, actor, ReportStatus.REJECTED, note)
            case data.Return():
                self._expect(ReportStatus.ASSIGNED, ReportStatus.IN_PROGRESS)
                self._move(ReportEventType.RETURNED, actor, ReportStatus.SUBMITTED, step.reason)
                self.agency = self.due_at = None
            case data.Extend():
                self._expect(ReportStatus.ASSIGNED, ReportStatus.IN_PROGRESS)
                assert self.due_at is not None
                self.due_at = self.world.calendar.add_working_days(self.due_at, step.days)
                note = f"{step.reason} Hạn mới: {self.due_at.astimezone(VIETNAM_TZ):%d/%m/%Y}."
                self._record(ReportEventType.DEADLINE_EXTENDED, actor, note=note)
            case data.Reopen():
                self._expect(ReportStatus.RESOLVED, ReportStatus.CLOSED)
                self.due_at = self._due(step.due_days)
                self.resolved_at = self.closed_at = None
                self._move(ReportEventType.REOPENED, actor, ReportStatus.ASSIGNED, step.note)
            case data.Post():
                message = Message(
                    author_id=actor.id,
                    author_role=actor.role,
                    author_agency_id=actor.agency_id,
                    author_label=self._label(actor),
                    visibility=step.visibility,
                    body=step.body,
                    created_at=self.at,
                )
                self.messages.append(message)
                self._record(
                    ReportEventType.MESSAGE_POSTED,
                    actor,
                    visibility=step.visibility,
                    message=message,
                )

    def finish(self, now: datetime) -> None:
        """Mark an open report past its due date as overdue, then check the story's times."""
        open_statuses = (ReportStatus.ASSIGNED, ReportStatus.IN_PROGRESS)
        if self.status in open_statuses and self.due_at is not None and self.due_at < now:
            self.overdue_notified_at = self.due_at
            note = f"Quá hạn xử lý (hạn {self.due_at.astimezone(VIETNAM_TZ):%d/%m/%Y})."
            self._record(ReportEventType.OVERDUE, None, note=note, at=self.due_at)
            self.entries.sort(key=lambda entry: entry.event.at)
        if self.at > now:
            raise ValueError(f"{self.seed.key}: its story ends after `now`")

    @property
    def version(self) -> int:
        """The submission is version 1; every event that changed the report adds one."""
        unchanged = (ReportEventType.MESSAGE_POSTED, ReportEventType.RATED)
        return sum(1 for entry in self.entries if entry.event.type not in unchanged)

    def build(self, code: str, latitude: float, longitude: float) -> Report:
        seed = self.seed
        return Report(
            code=code,
            title=seed.title,
            description=seed.description,
            status=self.status,
            is_public=self.is_public,
            category_id=self.category.id,
            area_id=self.world.areas[seed.area].id,
            latitude=latitude,
            longitude=longitude,
            address=seed.address,
            reporter_id=self.reporter.id,
            is_anonymous=seed.anonymous,
            assigned_agency_id=self.agency.id if self.agency else None,
            duplicate_of_id=self.duplicate_of_id,
            due_at=self.due_at,
            submitted_at=self.submitted_at,
            updated_at=max(entry.event.at for entry in self.entries),
            first_response_at=self.first_response_at,
            resolved_at=self.resolved_at,
            closed_at=self.closed_at,
            overdue_notified_at=self.overdue_notified_at,
            search_text=fold(f"{seed.title} {seed.description} {seed.address}"),
        )

    def _expect(self, *statuses: ReportStatus) -> None:
        if self.status not in statuses:
            raise ValueError(f"{self.seed.key}: step not allowed from {self.status}")

    def _due(self, days: int | None) -> datetime:
        return self.world.calendar.add_working_days(self.at, days or self.category.default_due_days)

    def _move(
        self, kind: ReportEventType, actor: User, to_status: ReportStatus, note: str | None = None
    ) -> None:
        self._record(kind, actor, note=note, from_status=self.status, to_status=to_status)
        self.status = to_status

    def _record(
        self,
        kind: ReportEventType,
        actor: User | None,
        *,
        note: str | None = None,
        from_status: ReportStatus | None = None,
        to_status: ReportStatus | None = None,
        visibility: Visibility = Visibility.PUBLIC,
        message: Message | None = None,
        rating: Rating | None = None,
        at: datetime | None = None,
    ) -> None:
        event = ReportEvent(
            type=kind,
            at=at or self.at,
            actor_id=actor.id if actor else None,
            actor_role=actor.role if actor else None,
            actor_agency_id=actor.agency_id if actor else None,
            actor_label=self._label(actor),
            from_status=from_status,
            to_status=to_status,
            note=note,
            visibility=visibility,
            agency_id=self.agency.id if self.agency else None,
        )
        self.entries.append(_Entry(event, message, rating))

    def _label(self, actor: User | None) -> str:
        if actor is None:
            return SYSTEM_LABEL
        if actor.role is Role.CITIZEN:
            return CITIZEN_LABEL
        if actor.role is Role.AGENCY_OFFICER:
            return self.world.agency_by_id(actor.agency_id).name
        return COORDINATOR_LABEL
