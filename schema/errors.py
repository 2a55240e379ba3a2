"""Errors a client can cause: typed top-level errors and the `UserError` of mutation payloads."""

from __future__ import annotations

import enum
from typing import Any

import strawberry
from graphql import GraphQLError


class ErrorCode(enum.StrEnum):
    """`extensions.code` of top-level errors."""

    BAD_USER_INPUT = "BAD_USER_INPUT"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


class ClientError(GraphQLError):
    """An error caused by the request, shown to the client as it is (never masked)."""

    def __init__(self, message: str, code: ErrorCode, **extensions: Any) -> None:
        super().__init__(message, extensions={"code": code.value, **extensions})


def bad_input(message: str, field: str | None = None) -> ClientError:
    if field is None:
        return ClientError(message, ErrorCode.BAD_USER_INPUT)
    return ClientError(message, ErrorCode.BAD_USER_INPUT, field=field)


def unauthenticated(message: str = "Sign in first.") -> ClientError:
    return ClientError(message, ErrorCode.UNAUTHENTICATED)


def forbidden(message: str = "Not allowed for your role.") -> ClientError:
    return ClientError(message, ErrorCode.FORBIDDEN)


@strawberry.type(description="An expected failure of a mutation: validation, state or version.")
class UserError:
    code: str = strawberry.field(description="A stable machine-readable code, e.g. `STALE`.")
    message: str = strawberry.field(description="A human-readable explanation.")
    field: list[str] | None = strawberry.field(
        default=None, description="The path of the input field at fault, when there is one."
    )


def user_errors(error: Exception) -> list[UserError]:
    """The `userErrors` of a payload for a use case's DomainError."""
    from models.errors import DomainError

    assert isinstance(error, DomainError)
    index = getattr(error, "index", None)  # media errors name the file at fault
    if index is not None:
        field: list[str] | None = ["attachments", str(index)]
    else:
        field = [error.field] if error.field else None
    return [UserError(code=error.code.value, message=error.message, field=field)]
