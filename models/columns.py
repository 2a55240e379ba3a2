"""Column helpers: enums stored as plain strings, identical on every backend."""

from __future__ import annotations

import enum

from sqlalchemy import Enum


def string_enum(enum_class: type[enum.Enum], length: int = 32) -> Enum:
    """A VARCHAR holding an enum's value, without native types or CHECKs to migrate later."""
    return Enum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )
