"""Cursors and global ids: round trips, and typed errors for anything else."""

from __future__ import annotations

import pytest
from graphql import GraphQLError

from schema.node import decode_global_id, decode_int_id, encode_global_id
from schema.pagination import MAX_PAGE_SIZE, decode_cursor, encode_cursor, page_size


def test_global_id_round_trips() -> None:
    assert decode_global_id(encode_global_id("Report", 42)) == ("Report", "42")
    assert decode_int_id(encode_global_id("Report", 42), "Report") == 42


def test_global_id_of_another_type_is_refused() -> None:
    with pytest.raises(GraphQLError) as raised:
        decode_int_id(encode_global_id("Area", 42), "Report")
    assert raised.value.extensions == {"code": "BAD_USER_INPUT", "field": "id"}


def test_cursor_round_trips_and_checks_its_kind() -> None:
    cursor = encode_cursor("r", 1_700_000_000_000_000, 7)
    assert decode_cursor(cursor, "r", 2) == [1_700_000_000_000_000, 7]
    with pytest.raises(GraphQLError):
        decode_cursor(cursor, "e", 1)


@pytest.mark.parametrize("cursor", ["", "!!!", "bnVsbA", "WyJyIiwiYSIsMV0", "WyJyIix0cnVlLDFd"])
def test_malformed_cursors_are_bad_input(cursor: str) -> None:
    with pytest.raises(GraphQLError) as raised:
        decode_cursor(cursor, "r", 2)
    assert raised.value.extensions is not None
    assert raised.value.extensions["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize("first", [0, -5, MAX_PAGE_SIZE + 1, 100_000])
def test_page_size_outside_bounds_is_bad_input(first: int) -> None:
    with pytest.raises(GraphQLError):
        page_size(first)
