"""Report counts kept up to date with every write: the roll-up behind reportStats' counts.

`report_tallies` holds, per (public, status, category, agency, area, month of submission), how
many reports there are, how many were answered with a due date and how many of those on time.
It changes in the same flush, so in the same transaction, as the reports it counts: one
listener (`_tally_changes`, on every ORM session) turns each flushed insert, update or delete of a
report into a few additions and subtractions, applied as one upsert. Writes that bypass the ORM
(bulk SQL, COPY) must rebuild it (`rebuild_sql`), as `bench.seed` does.

Beside the counts, the same flush keeps, per tally key, histograms of the time from submission
to the first response and to the resolution (`report_duration_tallies`, fixed log-spaced
buckets: `EDGES`), from which reportStats interpolates its medians, and the ratings per rated
agency and satisfaction (`report_rating_tallies`). A rating counts under its report's key, so a
report changing key moves its rating, and a rating changed moves its count.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Boolean, Integer, String, Table, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import LoaderCallableStatus, Mapped, Session, mapped_column
from sqlalchemy.orm.state import InstanceState

from models.base import Base
from models.columns import string_enum
from models.enums import ReportStatus, Satisfaction
from models.reports import Rating, Report

# Resolved or closed: the report was answered (stats.ANSWERED).
ANSWERED = frozenset({ReportStatus.RESOLVED, ReportStatus.CLOSED})
# Vietnam keeps UTC+7 all year (since 1975): a report's month is counted in its local time.
VIETNAM = timedelta(hours=7)
# A null agency or area is tallied as 0, so that the key can be a primary key on every backend.
NONE = 0
# Histogram buckets of a duration in seconds: [0, 60 s), then each edge 1.35 times the one
# before, rounded to the second, up to a bucket that starts past a year and is open-ended.
# Whole seconds, so that SQL (rebuilds) and Python (every flush) put a duration in the same
# bucket; 46 edges.
RATIO = 1.35
EDGES: tuple[int, ...] = (0, *(round(60 * RATIO**power) for power in range(45)))
# The measures of report_duration_tallies.
FIRST_RESPONSE, RESOLUTION = 0, 1


def bucket_of(seconds: float) -> int:
    """The histogram bucket of a duration (rounded to the millisecond, as the rebuild does)."""
    return max(bisect_right(EDGES, round(seconds, 3)) - 1, 0)


class TallyKey:
    """The groupings every tally is kept by: the first columns of its primary key."""

    is_public: Mapped[bool] = mapped_column(Boolean, primary_key=True, sort_order=-6)
    status: Mapped[ReportStatus] = mapped_column(
        string_enum(ReportStatus), primary_key=True, sort_order=-5
    )
    category_id: Mapped[int] = mapped_column(
        Integer, primary_key=True, autoincrement=False, sort_order=-4
    )
    agency_id: Mapped[int] = mapped_column(
        Integer, primary_key=True, autoincrement=False, sort_order=-3
    )
    area_id: Mapped[int] = mapped_column(
        Integer, primary_key=True, autoincrement=False, sort_order=-2
    )
    # "2026-03", in Vietnam's time.
    month: Mapped[str] = mapped_column(String(7), primary_key=True, sort_order=-1)


class ReportTally(TallyKey, Base):
    """How many reports share one combination of the figures' groupings."""

    __tablename__ = "report_tallies"

    reports: Mapped[int] = mapped_column(Integer, default=0)
    # Resolved or closed with a due date, and of those resolved by it.
    answered: Mapped[int] = mapped_column(Integer, default=0)
    on_time: Mapped[int] = mapped_column(Integer, default=0)


class ReportDurationTally(TallyKey, Base):
    """How many reports of one tally key took a duration within one histogram bucket."""

    __tablename__ = "report_duration_tallies"

    # FIRST_RESPONSE or RESOLUTION, counted from submission.
    measure: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # An index into EDGES: the bucket starts at EDGES[bucket] seconds.
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    reports: Mapped[int] = mapped_column(Integer, default=0)


class ReportRatingTally(TallyKey, Base):
    """How many reports of one tally key were rated at one level, per rated agency."""

    __tablename__ = "report_rating_tallies"

    # The agency that had the report when it was rated (scorecards), 0 for none.
    rated_agency_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    satisfaction: Mapped[Satisfaction] = mapped_column(string_enum(Satisfaction), primary_key=True)
    ratings: Mapped[int] = mapped_column(Integer, default=0)


# The report columns a tally depends on.
TALLIED = (
    "is_public",
    "status",
    "category_id",
    "assigned_agency_id",
    "area_id",
    "submitted_at",
    "due_at",
    "resolved_at",
    "first_response_at",
)
RATED = ("satisfaction", "agency_id")
KEY = ("is_public", "status", "category_id", "agency_id", "area_id", "month")
Key = tuple[bool, str, int, int, int, str]
DURATION_KEY = (*KEY, "measure", "bucket")
RATING_KEY = (*KEY, "rated_agency_id", "satisfaction")
# A rating as tallied: (rated agency, satisfaction).
Rated = tuple[int, str]


def month_of(moment: datetime) -> str:
    return local_time(moment).strftime("%Y-%m")


def local_time(moment: datetime) -> datetime:
    """`moment` on Vietnam's clock (naive), by which reports are tallied per month."""
    return (_aware(moment).astimezone(UTC) + VIETNAM).replace(tzinfo=None)


def _tally(values: dict[str, Any]) -> tuple[Key, tuple[int, int, int]] | None:
    """A report's key and its (reports, answered, on time) contribution."""
    if values["status"] is None or values["category_id"] is None or not values["submitted_at"]:
        return None
    status = ReportStatus(values["status"])
    due, resolved = values["due_at"], values["resolved_at"]
    answered = status in ANSWERED and due is not None and resolved is not None
    key: Key = (
        bool(values["is_public"]),
        status.value,
        int(values["category_id"]),
        int(values["assigned_agency_id"] or NONE),
        int(values["area_id"] or NONE),
        month_of(values["submitted_at"]),
    )
    return key, (1, int(answered), int(answered and resolved <= due))


def _values(state: InstanceState[Any], *, before: bool) -> dict[str, Any]:
    """The tallied columns as they are now, or as they were before this flush's changes."""
    found = {}
    for name in TALLIED:
        history = state.attrs[name].history
        if before and history.deleted:
            found[name] = history.deleted[0]
        elif before and history.added:
            # Set without a known old value: only on a pending (new) object, which had none.
            found[name] = None
        else:
            value = state.attrs[name].loaded_value
            found[name] = (
                getattr(state.obj(), name) if value is LoaderCallableStatus.NO_VALUE else value
            )
    return found


def _seconds(start: datetime, end: datetime) -> float:
    return (_aware(end) - _aware(start)).total_seconds()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass
class Deltas:
    """One flush's changes to the three roll-ups."""

    tallies: dict[Key, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))
    durations: dict[tuple[Any, ...], int] = field(default_factory=lambda: defaultdict(int))
    ratings: dict[tuple[Any, ...], int] = field(default_factory=lambda: defaultdict(int))

    def add(self, values: dict[str, Any] | None, rated: Rated | None, sign: int) -> None:
        """Count (sign 1) or uncount (-1) one report as it stands, with its rating if any."""
        found = _tally(values) if values is not None else None
        if found is None or values is None:
            return
        key, amounts = found
        for index, amount in enumerate(amounts):
            self.tallies[key][index] += sign * amount
        start = values["submitted_at"]
        for measure, name in ((FIRST_RESPONSE, "first_response_at"), (RESOLUTION, "resolved_at")):
            if values[name] is not None:
                self.durations[(*key, measure, bucket_of(_seconds(start, values[name])))] += sign
        if rated is not None:
            self.ratings[(*key, *rated)] += sign


def _rated(state: InstanceState[Any], *, before: bool) -> Rated:
    values = {}
    for name in RATED:
        history = state.attrs[name].history
        if before and history.deleted:
            values[name] = history.deleted[0]
        else:
            values[name] = getattr(state.obj(), name)
    return int(values["agency_id"] or NONE), Satisfaction(values["satisfaction"]).value


def _changes(session: Session) -> Deltas:
    """Per report touched: its contribution before this flush taken off, the one after added.

    A report's rating comes from the flush when it changed in it, else from the database; a
    report's tallied columns likewise (a rating changed alone moves nothing but its count).
    """
    # Report id -> tallied values (before, after); None: no report (not yet, or no longer).
    reports: dict[int, tuple[dict[str, Any] | None, dict[str, Any] | None]] = {}
    # Report id -> rating (before, after); None: not rated.
    ratings: dict[int, tuple[Rated | None, Rated | None]] = {}
    for obj in session.new:
        if isinstance(obj, Report):
            reports[obj.id] = (None, _values(_state(obj), before=False))
        elif isinstance(obj, Rating):
            ratings[obj.report_id] = (None, _rated(_state(obj), before=False))
    for obj in session.dirty:
        state = _state(obj)
        if isinstance(obj, Report):
            if any(state.attrs[name].history.has_changes() for name in TALLIED):
                reports[obj.id] = (_values(state, before=True), _values(state, before=False))
        elif isinstance(obj, Rating) and any(
            state.attrs[name].history.has_changes() for name in RATED
        ):
            ratings[obj.report_id] = (_rated(state, before=True), _rated(state, before=False))
    for obj in session.deleted:
        if isinstance(obj, Report):
            # Its rating goes with it (ON DELETE CASCADE), already gone from the database.
            reports[obj.id] = (_values(_state(obj), before=True), None)
        elif isinstance(obj, Rating):
            ratings[obj.report_id] = (_rated(_state(obj), before=True), None)
    deltas = Deltas()
    if not reports and not ratings:
        return deltas
    connection = session.connection()
    # A report new in this flush has no rating stored yet: only older ones are looked up.
    older = [key for key, (before, _) in reports.items() if before is not None]
    stored = _stored_ratings(connection, [key for key in older if key not in ratings])
    unchanged = _stored_reports(connection, [key for key in ratings if key not in reports])
    for report_id in sorted(reports.keys() | ratings.keys()):
        same = unchanged.get(report_id)
        before, after = reports.get(report_id, (same, same))
        rated = stored.get(report_id)
        rated_before, rated_after = ratings.get(report_id, (rated, rated))
        deltas.add(before, rated_before, -1)
        deltas.add(after, rated_after, 1)
    return deltas


def _stored_ratings(connection: Any, report_ids: list[int]) -> dict[int, Rated]:
    if not report_ids:
        return {}
    rating = Rating.__table__
    statement = select(rating.c.report_id, rating.c.agency_id, rating.c.satisfaction).where(
        rating.c.report_id.in_(report_ids)
    )
    return {
        row[0]: (int(row[1] or NONE), Satisfaction(row[2]).value)
        for row in connection.execute(statement)
    }


def _stored_reports(connection: Any, report_ids: list[int]) -> dict[int, dict[str, Any]]:
    if not report_ids:
        return {}
    report = Report.__table__
    columns = [report.c[name] for name in TALLIED]
    statement = select(report.c.id, *columns).where(report.c.id.in_(report_ids))
    return {
        row[0]: dict(zip(TALLIED, row[1:], strict=True)) for row in connection.execute(statement)
    }


def _state(obj: Any) -> InstanceState[Any]:
    return obj._sa_instance_state  # type: ignore[no-any-return]


@event.listens_for(Session, "after_flush")
def _tally_changes(session: Session, _context: Any) -> None:
    """Apply this flush's report and rating changes to the roll-ups, in its transaction.

    After the flush the new rows have their defaults (`submitted_at`), and the attribute history
    still tells the values before it. Tables go in one order and keys in sorted order, so that
    concurrent transactions lock the same rows in the same order and cannot deadlock on them.
    """
    deltas = _changes(session)
    tallies = {key: amounts for key, amounts in deltas.tallies.items() if any(amounts)}
    durations = {key: amount for key, amount in deltas.durations.items() if amount}
    ratings = {key: amount for key, amount in deltas.ratings.items() if amount}
    if not (tallies or durations or ratings):
        return
    connection = session.connection()
    names = ("reports", "answered", "on_time")
    _upsert(
        connection,
        ReportTally.__table__,
        KEY,
        [
            dict(zip(names, amounts, strict=True)) | _row(KEY, key)
            for key, amounts in tallies.items()
        ],
        names,
    )
    _upsert(
        connection,
        ReportDurationTally.__table__,
        DURATION_KEY,
        [{"reports": amount} | _row(DURATION_KEY, key) for key, amount in durations.items()],
        ("reports",),
    )
    _upsert(
        connection,
        ReportRatingTally.__table__,
        RATING_KEY,
        [{"ratings": amount} | _row(RATING_KEY, key) for key, amount in ratings.items()],
        ("ratings",),
    )


def _row(names: Iterable[str], key: tuple[Any, ...]) -> dict[str, Any]:
    return dict(zip(names, key, strict=True))


def _upsert(
    connection: Any,
    table: Any,
    key: tuple[str, ...],
    rows: list[dict[str, Any]],
    amounts: tuple[str, ...],
) -> None:
    """Add `amounts` to the rows of `table`, creating those missing, in key order."""
    if not rows:
        return
    assert isinstance(table, Table)
    rows.sort(key=lambda row: tuple(row[name] for name in key))
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=list(key),
        set_={name: table.c[name] + statement.excluded[name] for name in amounts},
    )
    connection.execute(statement)


def _keep_old_value(*_args: Any) -> None:
    """Nothing to do: listening with active_history makes SQLAlchemy keep the replaced value."""


# A tallied column set on a report whose value was not loaded (expired after a commit) would
# otherwise forget the old value, and its old tally could not be subtracted.
for _name in TALLIED:
    event.listen(getattr(Report, _name), "set", _keep_old_value, active_history=True)
for _name in RATED:
    event.listen(getattr(Rating, _name), "set", _keep_old_value, active_history=True)


def _month_sql(dialect: str) -> str:
    if dialect == "postgresql":
        return "to_char(timezone('Asia/Ho_Chi_Minh', submitted_at), 'YYYY-MM')"
    return "strftime('%Y-%m', submitted_at, '+7 hours')"


def _seconds_sql(dialect: str, end: str) -> str:
    """Seconds from submission to `end`, to the millisecond (as `bucket_of` rounds)."""
    if dialect == "postgresql":
        return f"round(extract(epoch FROM {end} - submitted_at)::numeric, 3)"
    return f"round((julianday({end}) - julianday(submitted_at)) * 86400.0, 3)"


def _bucket_sql(seconds: str) -> str:
    arms = " ".join(
        f"WHEN {seconds} < {EDGES[index + 1]} THEN {index}" for index in range(len(EDGES) - 1)
    )
    return f"CASE {arms} ELSE {len(EDGES) - 1} END"


_KEY_SQL = "is_public, status, category_id, coalesce(assigned_agency_id, 0), coalesce(area_id, 0)"


def recount_sql(dialect: str) -> str:
    """A SELECT of every tally's key and amounts, counted afresh from the reports."""
    answered = "status IN ('RESOLVED', 'CLOSED') AND due_at IS NOT NULL AND resolved_at IS NOT NULL"
    return f"""
        SELECT {_KEY_SQL}, {_month_sql(dialect)}, count(*),
               sum(CASE WHEN {answered} THEN 1 ELSE 0 END),
               sum(CASE WHEN {answered} AND resolved_at <= due_at THEN 1 ELSE 0 END)
        FROM reports
        GROUP BY 1, 2, 3, 4, 5, 6
    """


def recount_durations_sql(dialect: str) -> str:
    """A SELECT of every duration histogram bucket, counted afresh from the reports."""
    parts = [
        f"""SELECT is_public, status, category_id,
                   coalesce(assigned_agency_id, 0) AS agency_id, coalesce(area_id, 0) AS area_id,
                   {_month_sql(dialect)} AS month, {measure} AS measure,
                   {_seconds_sql(dialect, end)} AS seconds
            FROM reports WHERE {end} IS NOT NULL"""
        for measure, end in ((FIRST_RESPONSE, "first_response_at"), (RESOLUTION, "resolved_at"))
    ]
    return f"""
        SELECT is_public, status, category_id, agency_id, area_id, month, measure,
               {_bucket_sql("seconds")}, count(*)
        FROM ({parts[0]} UNION ALL {parts[1]}) AS durations
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    """


def recount_ratings_sql(dialect: str) -> str:
    """A SELECT of every rating count, counted afresh from the ratings and their reports."""
    return f"""
        SELECT r.is_public, r.status, r.category_id, coalesce(r.assigned_agency_id, 0),
               coalesce(r.area_id, 0), {_month_sql(dialect)}, coalesce(g.agency_id, 0),
               g.satisfaction, count(*)
        FROM ratings AS g JOIN reports AS r ON r.id = g.report_id
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    """


def rebuild_sql(dialect: str) -> list[str]:
    """Statements that recount every roll-up from the reports (after writes outside the ORM)."""
    tallies = ", ".join([*KEY, "reports", "answered", "on_time"])
    return [
        "DELETE FROM report_tallies",
        f"INSERT INTO report_tallies ({tallies}) {recount_sql(dialect)}",
        *rebuild_details_sql(dialect),
    ]


def rebuild_details_sql(dialect: str) -> list[str]:
    """Statements that recount the duration histograms and the rating counts."""
    durations = ", ".join([*DURATION_KEY, "reports"])
    ratings = ", ".join([*RATING_KEY, "ratings"])
    return [
        "DELETE FROM report_duration_tallies",
        f"INSERT INTO report_duration_tallies ({durations}) {recount_durations_sql(dialect)}",
        "DELETE FROM report_rating_tallies",
        f"INSERT INTO report_rating_tallies ({ratings}) {recount_ratings_sql(dialect)}",
    ]
