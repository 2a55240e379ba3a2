"""The audit log: every staff action, who did it, when and from where; rows are never changed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow
from models.columns import string_enum
from models.enums import Role

BigId = BigInteger().with_variant(Integer(), "sqlite")


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[Role | None] = mapped_column(string_enum(Role))
    actor_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    # A stable verb such as "report.ASSIGN" or "admin.create_staff_account".
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str] = mapped_column(String(64))
    client_ip: Mapped[str] = mapped_column(String(64))
    request_id: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (
        Index("ix_audit_log_actor_id_id", "actor_id", "id"),
        Index("ix_audit_log_target", "target_type", "target_id"),
    )
