"""The typed context every resolver receives, built per HTTP request (or per event)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.types import Info as StrawberryInfo

from models.base import utcnow
from models.db import SessionScope
from models.policy import ANONYMOUS, Actor
from resolvers.loaders import Loaders
from settings import Settings


@dataclass
class Context:
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    db: SessionScope
    loaders: Loaders
    actor: Actor = ANONYMOUS
    request: Any = None
    response: Any = None

    def now(self) -> datetime:
        return utcnow()

    @classmethod
    def for_request(
        cls,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        actor: Actor = ANONYMOUS,
        request: Any = None,
        response: Any = None,
    ) -> Context:
        db = SessionScope(sessions)
        return cls(
            settings=settings,
            sessions=sessions,
            db=db,
            loaders=Loaders(db),
            actor=actor,
            request=request,
            response=response,
        )


Info = StrawberryInfo[Context, None]
