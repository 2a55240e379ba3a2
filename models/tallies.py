"""Report counts kept up to date with every write: the roll-up behind reportStats' counts.

`report_tallies` holds, per (public, status, category, agency, area, month of submission), how
many reports there are, how many were answered with a due date and how many of those on time.
It changes in the same flush, so in the same transaction, as the reports it counts: one
listener (`_tally_changes`, on every ORM session) turns each flushed insert, update or delete of a
report into a few additions and subtractions, applied as one upsert. Writes that bypass the ORM
(bulk SQL, COPY) must rebuild it (`rebuild_sql`), as `bench.seed` does.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Boolean, Integer, String, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import LoaderCallableStatus, Mapped, Session, mapped_column
from sqlalchemy.orm.state import InstanceState

from models.base import Base
from models.columns import string_enum
from models.enums import ReportStatus
from models.reports import Report

# Resolved or closed: the report was answered (stats.ANSWERED).
ANSWERED = frozenset({ReportStatus.RESOLVED, ReportStatus.CLOSED})
# Vietnam keeps UTC+7 all year (since 1975): a report's month is counted in its local time.
VIETNAM = timedelta(hours=7)
# A null agency or area is tallied as 0, so that the key can be a primary key on every backend.
NONE = 0


class ReportTally(Base):
    """How many reports share one combination of the figures' groupings."""

    __tablename__ = "report_tallies"

    is_public: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    status: Mapped[ReportStatus] = mapped_column(string_enum(ReportStatus), primary_key=True)
    category_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    agency_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    area_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # "2026-03", in Vietnam's time.
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    reports: Mapped[int] = mapped_column(Integer, default=0)
    # Resolved or closed with a due date, and of those resolved by it.
    answered: Mapped[int] = mapped_column(Integer, default=0)
    on_time: Mapped[int] = mapped_column(Integer, default=0)


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
)
KEY = ("is_public", "status", "category_id", "agency_id", "area_id", "month")
Key = tuple[bool, str, int, int, int, str]


def month_of(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment.astimezone(UTC) + VIETNAM).strftime("%Y-%m")


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


def _changes(session: Session) -> dict[Key, list[int]]:
    deltas: dict[Key, list[int]] = defaultdict(lambda: [0, 0, 0])

    def add(values: dict[str, Any], sign: int) -> None:
        found = _tally(values)
        if found is not None:
            key, amounts = found
            for index, amount in enumerate(amounts):
                deltas[key][index] += sign * amount

    for obj in session.new:
        if isinstance(obj, Report):
            add(_values(_state(obj), before=False), 1)
    for obj in session.dirty:
        if isinstance(obj, Report):
            state = _state(obj)
            if any(state.attrs[name].history.has_changes() for name in TALLIED):
                add(_values(state, before=True), -1)
                add(_values(state, before=False), 1)
    for obj in session.deleted:
        if isinstance(obj, Report):
            add(_values(_state(obj), before=True), -1)
    return {key: amounts for key, amounts in deltas.items() if any(amounts)}


def _state(obj: Report) -> InstanceState[Any]:
    return obj._sa_instance_state  # type: ignore[attr-defined,no-any-return]


@event.listens_for(Session, "after_flush")
def _tally_changes(session: Session, _context: Any) -> None:
    """Apply this flush's report changes to the tallies, in its transaction.

    After the flush the new rows have their defaults (`submitted_at`), and the attribute history
    still tells the values before it. Keys go in sorted order, so that concurrent transactions
    lock the same tally rows in the same order and cannot deadlock on them.
    """
    deltas = _changes(session)
    if not deltas:
        return
    connection = session.connection()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    table = ReportTally.__table__
    rows = [
        {
            **dict(zip(KEY, key, strict=True)),
            "reports": amounts[0],
            "answered": amounts[1],
            "on_time": amounts[2],
        }
        for key, amounts in sorted(deltas.items())
    ]
    statement = dialect.insert(table).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=list(KEY),
        set_={
            name: table.c[name] + statement.excluded[name]
            for name in ("reports", "answered", "on_time")
        },
    )
    connection.execute(statement)


def _keep_old_value(*_args: Any) -> None:
    """Nothing to do: listening with active_history makes SQLAlchemy keep the replaced value."""


# A tallied column set on a report whose value was not loaded (expired after a commit) would
# otherwise forget the old value, and its old tally could not be subtracted.
for _name in TALLIED:
    event.listen(getattr(Report, _name), "set", _keep_old_value, active_history=True)


def recount_sql(dialect: str) -> str:
    """A SELECT of every tally's key and amounts, counted afresh from the reports."""
    if dialect == "postgresql":
        month = "to_char(timezone('Asia/Ho_Chi_Minh', submitted_at), 'YYYY-MM')"
    else:
        month = "strftime('%Y-%m', submitted_at, '+7 hours')"
    answered = "status IN ('RESOLVED', 'CLOSED') AND due_at IS NOT NULL AND resolved_at IS NOT NULL"
    return f"""
        SELECT is_public, status, category_id, coalesce(assigned_agency_id, 0),
               coalesce(area_id, 0), {month}, count(*),
               sum(CASE WHEN {answered} THEN 1 ELSE 0 END),
               sum(CASE WHEN {answered} AND resolved_at <= due_at THEN 1 ELSE 0 END)
        FROM reports
        GROUP BY 1, 2, 3, 4, 5, 6
    """


def rebuild_sql(dialect: str) -> list[str]:
    """Statements that recount every tally from the reports (after writes outside the ORM)."""
    columns = ", ".join([*KEY, "reports", "answered", "on_time"])
    return [
        "DELETE FROM report_tallies",
        f"INSERT INTO report_tallies ({columns}) {recount_sql(dialect)}",
    ]
