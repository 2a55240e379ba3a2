"""DateTime with a bounded range: every instant a client sends can be stored and shifted.

Python's datetimes stop at years 1 and 9999: an instant near either end (`9999-12-31T23:00-05:00`)
cannot even be converted to UTC, and the report lists shift times into Vietnam's day. Such an
instant is refused when the variable is read, as a malformed DateTime, rather than failing
later in a resolver or in the database driver.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.schema.types.base_scalars import DateTimeDefinition

from schema.errors import ErrorCode

# A day's margin on each side covers every UTC offset (at most ±14 h).
# Naive on purpose: compared with an input's wall time less its offset, never converted.
EARLIEST = datetime(1, 1, 2)  # noqa: DTZ001
LATEST = datetime(9999, 12, 30)  # noqa: DTZ001


def parse_instant(value: object) -> object:
    """strawberry's DateTime parsing, then the range check (as UTC when an offset is given)."""
    parse = DateTimeDefinition.parse_value
    assert parse is not None  # strawberry's DateTime always has one
    parsed = parse(value)
    if isinstance(parsed, datetime):
        # Compared as naive times: converting to UTC can itself overflow at the ends.
        offset = parsed.utcoffset() or timedelta()
        naive = parsed.replace(tzinfo=None)
        if not EARLIEST + offset <= naive <= LATEST + offset:
            raise StrawberryInputCoercionError(
                f'Value cannot represent a DateTime: "{value}". Out of the range PhanAnh '
                "stores (years 1 to 9999).",
                extensions={"code": ErrorCode.BAD_USER_INPUT.value},
            )
    return parsed


DATETIME = dataclasses.replace(DateTimeDefinition, parse_value=parse_instant)
