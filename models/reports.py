"""The report aggregate: reports, their timeline events, messages, ratings and attachments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, validates
from sqlalchemy.sql import text

from models.base import Base, utcnow
from models.columns import string_enum
from models.enums import (
    AttachmentPurpose,
    ReportEventType,
    ReportStatus,
    Role,
    Satisfaction,
    Visibility,
)
from models.text import fold

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets a bigint for the long run.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class ReportCodeCounter(Base):
    """The last number handed out per year for public codes like PA-2026-000123."""

    __tablename__ = "report_code_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class Report(Base):
    """A citizen's field report; `version` is bumped by every change (optimistic concurrency)."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[ReportStatus] = mapped_column(string_enum(ReportStatus))
    # Set when the coordinator first forwards the report; never unset (see models.policy).
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    address: Mapped[str] = mapped_column(String(500), default="")
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    is_anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    assigned_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"))
    due_at: Mapped[datetime | None] = mapped_column()
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_response_at: Mapped[datetime | None] = mapped_column()
    resolved_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    overdue_notified_at: Mapped[datetime | None] = mapped_column()
    # Set when the agency was warned of the coming deadline (resolvers.deadlines); cleared with
    # the due date it warned about, like `overdue_notified_at`.
    deadline_warned_at: Mapped[datetime | None] = mapped_column()
    # Title, description and address folded to ASCII lower case (models.text.fold).
    search_text: Mapped[str] = mapped_column(Text, default="")
    # The folded title alone, so that search ranks title matches first; set with `title`.
    search_title: Mapped[str] = mapped_column(Text, default="", server_default="")
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    content_hash: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    __table_args__ = (
        UniqueConstraint("reporter_id", "idempotency_key"),
        # The default listing order is newest first: keyset pagination walks this index.
        Index("ix_reports_submitted_at_id", "submitted_at", "id"),
        Index("ix_reports_public_submitted", "is_public", "submitted_at", "id"),
        Index("ix_reports_status_submitted", "status", "submitted_at", "id"),
        Index("ix_reports_category_submitted", "category_id", "submitted_at", "id"),
        Index("ix_reports_agency_status", "assigned_agency_id", "status"),
        Index("ix_reports_area_id", "area_id"),
        Index("ix_reports_reporter_id", "reporter_id"),
        Index("ix_reports_due_at_open", "status", "due_at"),
        Index("ix_reports_lat_lon", "latitude", "longitude"),
        Index("ix_reports_duplicate_of_id", "duplicate_of_id"),
        # PostgreSQL: a trigram index serves `search_text LIKE '%term%'`. SQLite has no such
        # index type and scans; it gets an empty partial index of the same name (WHERE 0) only so
        # that one model describes the migrated schema of both backends.
        Index(
            "ix_reports_search_text_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
            sqlite_where=text("0"),
        ),
    )

    @validates("title")
    def _keep_search_title(self, _key: str, title: str) -> str:
        # Every writer (submission, Open311, demo data, factories) gets it without remembering.
        self.search_title = fold(title)
        return title


class Message(Base):
    """A message on a report between citizen and staff, in one of three visibility scopes."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    author_role: Mapped[Role] = mapped_column(string_enum(Role))
    author_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    # As on events: a role or an agency's name, never a staff member's personal name.
    author_label: Mapped[str] = mapped_column(String(300))
    visibility: Mapped[Visibility] = mapped_column(string_enum(Visibility))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_messages_report_id_id", "report_id", "id"),)


class Rating(Base):
    """The reporter's satisfaction with the result; one per report, changeable for a while."""

    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), unique=True
    )
    satisfaction: Mapped[Satisfaction] = mapped_column(string_enum(Satisfaction))
    comment: Mapped[str | None] = mapped_column(Text)
    # The agency rated: the one that had the report when it was rated (for scorecards).
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    rated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportEvent(Base):
    """One step on a report's timeline, written in the same transaction as the change."""

    __tablename__ = "report_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # The writing transaction's id on PostgreSQL (0 on SQLite, whose writers are serial): events
    # are read in (tx_id, id) order and only below the oldest running transaction, so "every
    # event after a cursor" can never later gain one that commits late (see realtime.log).
    tx_id: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    type: Mapped[ReportEventType] = mapped_column(string_enum(ReportEventType))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[Role | None] = mapped_column(string_enum(Role))
    actor_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    # What the public sees as "who": a role or an agency's name, never a private person's name.
    actor_label: Mapped[str] = mapped_column(String(300))
    from_status: Mapped[ReportStatus | None] = mapped_column(string_enum(ReportStatus))
    to_status: Mapped[ReportStatus | None] = mapped_column(string_enum(ReportStatus))
    note: Mapped[str | None] = mapped_column(Text)
    visibility: Mapped[Visibility] = mapped_column(string_enum(Visibility))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    rating_id: Mapped[int | None] = mapped_column(ForeignKey("ratings.id", ondelete="SET NULL"))
    # The agency the report was with at this step: agency consoles follow it.
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))

    __table_args__ = (
        Index("ix_report_events_report_id_id", "report_id", "id"),
        Index("ix_report_events_agency_id_id", "agency_id", "id"),
        Index("ix_report_events_tx_id_id", "tx_id", "id"),
    )


class Attachment(Base):
    """A photo or video stored under MEDIA_DIR with a server-generated name."""

    __tablename__ = "attachments"

    # A random id: media URLs must not be guessable by counting.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    purpose: Mapped[AttachmentPurpose] = mapped_column(string_enum(AttachmentPurpose))
    visibility: Mapped[Visibility] = mapped_column(string_enum(Visibility))
    content_type: Mapped[str] = mapped_column(String(100))
    byte_size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    storage_name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_attachments_report_id", "report_id", "position"),
        Index("ix_attachments_message_id", "message_id"),
    )
