"""Turning policy answers into the top-level errors API.md names."""

from __future__ import annotations

from models.policy import Actor
from schema.errors import forbidden, unauthenticated


def require_signed_in(actor: Actor) -> int:
    if actor.user_id is None:
        raise unauthenticated()
    return actor.user_id


def require(actor: Actor, allowed: bool, message: str = "Not allowed for your role.") -> None:
    """UNAUTHENTICATED for an anonymous visitor, FORBIDDEN for a signed-in one, when not allowed."""
    if allowed:
        return
    if actor.user_id is None:
        raise unauthenticated()
    raise forbidden(message)
