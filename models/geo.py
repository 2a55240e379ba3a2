"""Administrative areas: a tree of any depth (no level is hard-coded), with optional boundaries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, utcnow


class Area(Base):
    """A province, ward, commune or any other unit; `path` makes "this area and below" one LIKE."""

    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="RESTRICT"))
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # A label for the unit's kind ("Tỉnh", "Phường", "Xã"): descriptive only, never a rule.
    kind: Mapped[str] = mapped_column(String(64), default="")
    # "/1/5/12/": the ids from the root down to this area, so descendants share the prefix.
    path: Mapped[str] = mapped_column(String(512), index=True)
    depth: Mapped[int] = mapped_column(Integer, default=0)
    # GeoJSON-style polygon ring: [[longitude, latitude], ...]; optional.
    # none_as_null: a missing boundary must be SQL NULL, not the JSON text "null".
    boundary: Mapped[list[list[float]] | None] = mapped_column(JSON(none_as_null=True))
    centroid_latitude: Mapped[float | None] = mapped_column(Float)
    centroid_longitude: Mapped[float | None] = mapped_column(Float)
    min_latitude: Mapped[float | None] = mapped_column(Float)
    max_latitude: Mapped[float | None] = mapped_column(Float)
    min_longitude: Mapped[float | None] = mapped_column(Float)
    max_longitude: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[Area | None] = relationship(remote_side=[id], lazy="raise")

    __table_args__ = (Index("ix_areas_parent_id_name", "parent_id", "name"),)
