"""The durable event log: report events read in commit order, never past the stable horizon.

An event's place in the log is `(tx_id, id)`. On PostgreSQL `tx_id` is the writing transaction's
id, and only events below the horizon (the oldest transaction still running in this database)
are read: every transaction below it has ended, so no event can later appear before a position
already handed out. On SQLite writers are serialised and `tx_id` is 0: `(0, id)` is commit order.

The horizon is this database's, not `pg_snapshot_xmin` (the whole cluster's): a long index
build in another database must not hold live events back. It is taken in a statement of its
own before the read, whose later snapshot then sees every transaction below it as ended.
"""

from __future__ import annotations

import contextlib
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Executable, or_, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import tables
from models.db import SessionScope
from models.enums import Satisfaction
from models.routing import lineage
from resolvers.loaders import Loaders

Position = tuple[int, int]
"""`(tx_id, id)` of an event: its place in commit order."""

START: Position = (0, 0)
# Up to this many distinct viewers on followed-events feeds, the followers lookup asks only
# about them; beyond, an IN list that long costs more than the rows it saves.
FOLLOWER_VIEWER_LIMIT = 1000
# Positions go into SQL as bigint; anything larger can only come from a forged cursor.
MAX_POSITION_VALUE = 2**63 - 1

_event = tables.ReportEvent
_report = tables.Report

# The oldest transaction id (as xid8) still running in this database, or the next one to be
# given out when none runs. pg_stat_activity and pg_prepared_xacts show 32-bit xids: each is
# widened with the epoch of the next xid, which no running transaction is 2^31 ids away from.
_HORIZON = text(
    """
    WITH now AS (SELECT (pg_snapshot_xmax(pg_current_snapshot())::text)::bigint AS next),
    running AS (
        SELECT backend_xid AS xid FROM pg_stat_activity
        WHERE datname = current_database() AND backend_xid IS NOT NULL
        UNION ALL
        SELECT transaction FROM pg_prepared_xacts WHERE database = current_database()
    )
    SELECT LEAST(
        now.next,
        (SELECT min(now.next - ((now.next - (xid::text)::bigint) % 4294967296 + 4294967296)
                    % 4294967296)
         FROM running)
    )
    FROM now
    """
)


class StatementScope(SessionScope):
    """A SessionScope that runs every statement in its own short session.

    Loaders built on it can be shared by all the subscribers that receive one batch of events,
    for as long as any of them needs it, without holding a database connection meanwhile.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        super().__init__(sessions)
        self._sessions = sessions

    async def rows(self, statement: Executable) -> list[tuple[Any, ...]]:
        async with self._sessions() as session:
            return [tuple(row) for row in (await session.execute(statement)).all()]

    async def scalars(self, statement: Executable) -> list[Any]:
        async with self._sessions() as session:
            return list((await session.scalars(statement)).all())

    async def scalar(self, statement: Executable) -> Any:
        async with self._sessions() as session:
            return await session.scalar(statement)

    async def close(self) -> None:
        return None


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    """A committed event with what the access policy and the feeds' filters need.

    `report` is the report as it stood when the batch was read; `loaders` are shared by every
    subscriber that receives the event, so nested fields are loaded once for all of them.
    """

    event: tables.ReportEvent
    report: tables.Report
    area_path: str | None
    satisfaction: Satisfaction | None
    loaders: Loaders
    # Who follows the report, directly or through an area above it: looked up with the batch
    # only while followed-events feeds run, and then for at least their viewers.
    followers: frozenset[int] = frozenset()

    @property
    def position(self) -> Position:
        return (self.event.tx_id, self.event.id)


def _after(position: Position) -> ColumnElement[bool]:
    return tuple_(_event.tx_id, _event.id) > tuple_(*position)


class EventLog:
    """Reads the report_events table in `(tx_id, id)` order, each read in one short session."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, postgres: bool) -> None:
        self.sessions = sessions
        self.postgres = postgres
        self._follow_viewers: Counter[int] = Counter()
        self._follow_generation = 0

    @contextlib.contextmanager
    def following(self, user_id: int) -> Iterator[None]:
        """While a followed-events feed of `user_id` runs, reads look up followers for it.

        Enter it before the feed subscribes to the pump: a read still running then looks
        its followers up again before handing its batch out (see `_followers`).
        """
        self._follow_viewers[user_id] += 1
        self._follow_generation += 1
        try:
            yield
        finally:
            self._follow_viewers[user_id] -= 1
            if self._follow_viewers[user_id] <= 0:
                del self._follow_viewers[user_id]

    async def _stable(self, session: AsyncSession) -> list[ColumnElement[bool]]:
        """The condition for stable events, for the session's next statements."""
        if not self.postgres:
            return []
        horizon = int(await session.scalar(_HORIZON))
        return [_event.tx_id < horizon]

    async def head(self) -> Position:
        """The newest stable position: a pump starting now delivers what comes after it."""
        async with self.sessions() as session:
            statement = (
                select(_event.tx_id, _event.id)
                .where(*await self._stable(session))
                .order_by(_event.tx_id.desc(), _event.id.desc())
                .limit(1)
            )
            row = (await session.execute(statement)).first()
        return (int(row[0]), int(row[1])) if row else START

    async def read(
        self,
        after: Position,
        *,
        limit: int,
        upto: Position | None = None,
        conditions: Sequence[ColumnElement[bool]] = (),
        followers: bool = True,
    ) -> list[LoggedEvent]:
        """Up to `limit` stable events after `after` (and at most `upto`), oldest first.

        `followers`: also look up who follows the events' reports and areas (while any
        followed-events feed is open); a replay for another kind of feed has no use for it.

        One statement joins what the policy and the filters need, so that deciding who receives
        an event costs no further query, however many subscribers there are.
        """
        statement = (
            select(_event, _report, tables.Area.path, tables.Rating)
            .join(_report, _report.id == _event.report_id)
            .outerjoin(tables.Area, tables.Area.id == _report.area_id)
            .outerjoin(tables.Rating, tables.Rating.id == _event.rating_id)
            .where(_after(after), *conditions)
            .order_by(_event.tx_id, _event.id)
            .limit(limit)
        )
        if upto is not None:
            statement = statement.where(tuple_(_event.tx_id, _event.id) <= tuple_(*upto))
        async with self.sessions() as session:
            if upto is None:  # everything up to `upto` was stable when it was handed out
                statement = statement.where(*await self._stable(session))
            rows = (await session.execute(statement)).all()
        targets: set[tuple[int, str | None]] = set()
        if followers:
            targets = {(report.id, path) for _, report, path, _ in rows}
        following = await self._followers(targets)
        loaders = Loaders(StatementScope(self.sessions))
        batch = []
        for event, report, area_path, rating in rows:
            loaders.report.prime(report.id, report)
            loaders.event.prime(event.id, event)
            if rating is not None:
                loaders.rating.prime(rating.id, rating)
            satisfaction = rating.satisfaction if rating is not None else None
            batch.append(
                LoggedEvent(
                    event,
                    report,
                    area_path,
                    satisfaction,
                    loaders,
                    following.get((report.id, area_path), frozenset()),
                )
            )
        return batch

    async def _followers(
        self, targets: set[tuple[int, str | None]]
    ) -> dict[tuple[int, str | None], frozenset[int]]:
        """The followers of each (report, area path), in one statement, while anyone asks.

        A feed that starts while this runs may already be among the subscribers the batch is
        handed to: if the viewers changed meanwhile, look again. This is the read's last await,
        so every subscriber present at the hand-out is covered.
        """
        found: dict[tuple[int, str | None], frozenset[int]] = {}
        generation = None
        while targets and self._follow_viewers and generation != self._follow_generation:
            generation = self._follow_generation
            viewers = set(self._follow_viewers)
            follow = tables.Follow
            area_ids = {area for _, path in targets if path for area in lineage(path)}
            statement = select(follow.user_id, follow.report_id, follow.area_id).where(
                or_(
                    follow.report_id.in_({report_id for report_id, _ in targets}),
                    follow.area_id.in_(area_ids),
                )
            )
            if len(viewers) <= FOLLOWER_VIEWER_LIMIT:
                statement = statement.where(follow.user_id.in_(viewers))
            by_report: defaultdict[int, set[int]] = defaultdict(set)
            by_area: defaultdict[int, set[int]] = defaultdict(set)
            async with self.sessions() as session:
                found_rows = (await session.execute(statement)).all()
            for user_id, report_id, area_id in found_rows:
                if report_id is not None:
                    by_report[report_id].add(user_id)
                elif area_id is not None:
                    by_area[area_id].add(user_id)
            found = {
                (report_id, path): frozenset(
                    by_report.get(report_id, set()).union(
                        *(by_area.get(area, set()) for area in lineage(path or ""))
                    )
                )
                for report_id, path in targets
            }
        return found

    async def has_pending(self, after: Position) -> bool:
        """Committed events after `after`: right after a full read, ones not stable yet.

        Not restricted to unstable ones: the horizon may have moved since that read, and
        an event that just became stable must not wait for the next poll either.
        """
        if not self.postgres:
            return False
        # Ordered and limited rather than EXISTS: after five runs PostgreSQL plans the prepared
        # statement generically, and its generic EXISTS plan scans the whole table (0.5 s at
        # a million reports, holding every delivery back); this form walks the index.
        statement = (
            select(_event.id).where(_after(after)).order_by(_event.tx_id, _event.id).limit(1)
        )
        async with self.sessions() as session:
            return (await session.scalar(statement)) is not None

    async def position_of(self, event_id: int) -> Position | None:
        """Where an event stands in the log, for a cursor that names only the event."""
        statement = select(_event.tx_id, _event.id).where(_event.id == event_id)
        async with self.sessions() as session:
            row = (await session.execute(statement)).first()
        return (int(row[0]), int(row[1])) if row else None

    async def report(self, report_id: int) -> tables.Report | None:
        async with self.sessions() as session:
            return await session.get(_report, report_id)

    async def area_path(self, area_id: int) -> str | None:
        statement = select(tables.Area.path).where(tables.Area.id == area_id)
        async with self.sessions() as session:
            path: str | None = await session.scalar(statement)
        return path
