"""Keyset pagination: bounded `first`, opaque cursors and Relay's `PageInfo`."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

import strawberry

from schema.errors import bad_input

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


@strawberry.type(description="Where a page of a connection stands.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(description="Items precede this page.")
    start_cursor: str | None = strawberry.field(description="The cursor of the first item.")
    end_cursor: str | None = strawberry.field(description="The cursor of the last item.")


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise bad_input(f"`first` must be between 1 and {MAX_PAGE_SIZE}.", field="first")
    return first


def encode_cursor(kind: str, *values: Any) -> str:
    raw = json.dumps([kind, *values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, kind: str, arity: int) -> list[Any]:
    """The values of a cursor made by `encode_cursor(kind, ...)`, or a BAD_USER_INPUT error."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (binascii.Error, UnicodeError, ValueError):
        raise bad_input("Malformed cursor.", field="after") from None
    if not isinstance(data, list) or len(data) != arity + 1 or data[0] != kind:
        raise bad_input("This cursor does not belong to this list.", field="after")
    values = data[1:]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        raise bad_input("Malformed cursor.", field="after")
    return values


def page_info(cursors: list[str], has_next: bool, has_previous: bool) -> PageInfo:
    return PageInfo(
        has_next_page=has_next,
        has_previous_page=has_previous,
        start_cursor=cursors[0] if cursors else None,
        end_cursor=cursors[-1] if cursors else None,
    )
