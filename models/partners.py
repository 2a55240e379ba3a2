"""Partner apps: the API keys that let an Open311 client submit reports for its own account."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class ApiKey(Base):
    """One key of a partner app; only its keyed hash is stored, the key is shown once."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The partner app's name, as the administrator typed it.
    name: Mapped[str] = mapped_column(String(200))
    # HMAC-SHA256 under SECRET_KEY (models.tokens.digest): a leaked table is useless alone.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The key's first characters: enough to tell keys apart in a list and to revoke one.
    key_prefix: Mapped[str] = mapped_column(String(8), unique=True)
    # The partner's own citizen account: its reports follow the normal workflow under it.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()
