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
from resolvers.services import Services
from settings import Settings


@dataclass
class Context:
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    services: Services
    db: SessionScope
    loaders: Loaders
    actor: Actor = ANONYMOUS
    client_ip: str = "unknown"
    request: Any = None
    response: Any = None
    # strawberry stores the WebSocket `connection_init` payload here.
    connection_params: Any = None

    def now(self) -> datetime:
        return utcnow()

    @classmethod
    def create(
        cls,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        services: Services,
        actor: Actor = ANONYMOUS,
        client_ip: str = "unknown",
        request: Any = None,
        response: Any = None,
        read_sessions: async_sessionmaker[AsyncSession] | None = None,
    ) -> Context:
        """`sessions` open write transactions; reads go through `db`, on `read_sessions`."""
        db = SessionScope(read_sessions or sessions)
        return cls(
            settings=settings,
            sessions=sessions,
            services=services,
            db=db,
            loaders=Loaders(db),
            actor=actor,
            client_ip=client_ip,
            request=request,
            response=response,
        )


Info = StrawberryInfo[Context, None]
