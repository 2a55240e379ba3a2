"""Follows: a user following one report, or one area and so every report in it or below it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow
from models.reports import BigId


class Follow(Base):
    """Exactly one of `report_id` and `area_id` is set; following twice keeps one row."""

    __tablename__ = "follows"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    report_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("reports.id", ondelete="CASCADE")
    )
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint("(report_id IS NULL) <> (area_id IS NULL)", name="one_target"),
        # Target first: the event pump looks up the followers of a batch's reports and areas
        # (realtime.log); the same keys make a second follow a no-op.
        UniqueConstraint("report_id", "user_id"),
        UniqueConstraint("area_id", "user_id"),
        # `viewer.following`, newest first.
        Index("ix_follows_user_id_id", "user_id", "id"),
    )
