"""Relay's `Node` interface and opaque global ids ("Type:key", base64url-encoded)."""

from __future__ import annotations

import base64
import binascii

import strawberry

from models.base import parse_key
from schema.errors import bad_input


@strawberry.interface(description="An object with a globally unique, opaque id.")
class Node:
    id: strawberry.ID = strawberry.field(description="The object's global id.")


def encode_global_id(type_name: str, key: int | str) -> strawberry.ID:
    raw = f"{type_name}:{key}".encode()
    return strawberry.ID(base64.urlsafe_b64encode(raw).decode().rstrip("="))


def decode_global_id(global_id: str) -> tuple[str, str]:
    """Split a global id into its type name and key, or raise a BAD_USER_INPUT error."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        raw = base64.urlsafe_b64decode(padded.encode("ascii")).decode()
    except (binascii.Error, UnicodeError, ValueError):
        raise bad_input(f"Malformed id: {global_id[:64]!r}.", field="id") from None
    type_name, sep, key = raw.partition(":")
    if not sep or not type_name or not key:
        raise bad_input(f"Malformed id: {global_id[:64]!r}.", field="id")
    return type_name, key


def decode_int_id(global_id: str, expected_type: str, field: str = "id") -> int:
    """The integer key of a global id of `expected_type`, or a BAD_USER_INPUT error."""
    type_name, key = decode_global_id(global_id)
    pk = parse_key(key) if type_name == expected_type else None
    if pk is None:
        raise bad_input(f"Expected the id of a {expected_type}.", field=field)
    return pk
