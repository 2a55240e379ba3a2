"""Operations generated from the schema the server runs, with hostile and seeded values.

hypothesis-graphql builds queries and mutations from strawberry's printed SDL. Its own values
for `ID` and `String` are random text that never names an existing row, so those scalars get
strategies mixing random text with the seeded objects' real global ids and report codes (so
resolvers run on data, not only on "not found"), forged and malformed ids, and input known to
trouble code: LIKE wildcards, quotes, NUL, very long text. `DateTime` and `Upload`, which
hypothesis-graphql cannot generate, get valid, extreme and invalid values.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from functools import cached_property
from typing import Literal

import graphql
import hypothesis_graphql
from hypothesis import strategies as st
from hypothesis_graphql import Mode, nodes
from strawberry.printer import print_schema

from schema.node import encode_global_id
from schema.root import schema as app_schema
from tests.fuzz.world import Seeded

Kind = Literal["query", "mutation"]

SDL = print_schema(app_schema)
GRAPHQL_SCHEMA = graphql.build_schema(SDL)
TYPE_NAMES = frozenset(GRAPHQL_SCHEMA.type_map)
NODE_TYPES = (
    "Report",
    "Message",
    "ReportEvent",
    "Attachment",
    "User",
    "Area",
    "Category",
    "Agency",
)

MIN_INT = -(2**31)
MAX_INT = 2**31 - 1
# Text that has broken search, ids and storage elsewhere: wildcards, quotes, escapes, NUL,
# invisible and combining characters, Vietnamese with and without diacritics, and sizes
# just past the documented limits (titles 200, bodies 5,000, answers 10,000 characters).
AWKWARD_TEXT = (
    "",
    " ",
    "%",
    "_",
    "%_%",
    "\\",
    "'",
    '"',
    "' OR '1'='1",
    "\x00",
    "a\x00b",
    "\u200b",
    "\ufeff",
    "e\u0301",
    "🚧" * 3,
    "đường Quách Xuân Kỳ",
    "duong quach xuan ky",
    "ĐƯỜNG",
    "0912345678",
    "+84912345678",
    "PA-2026-000001",
    "PA-9999-999999",
    "x" * 201,
    "x" * 5_001,
    "đ" * 10_001,
)
AWKWARD_DATETIMES = (
    "",
    "now",
    "2026-02-30T00:00:00",
    "2026-13-01T00:00:00Z",
    "0001-01-01T00:00:00",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59",
    "9999-12-31T23:59:59-14:00",
    "2026-01-01",
    "T",
)


class OperationStrategies:
    """Strategies for operations of each kind, built once from what was seeded."""

    def __init__(self, seeded: Seeded) -> None:
        self._seeded = seeded

    def operations(self, kind: Kind) -> st.SearchStrategy[str]:
        """Three valid operations for every one with a single schema violation."""
        return self._queries if kind == "query" else self._mutations

    @cached_property
    def _queries(self) -> st.SearchStrategy[str]:
        positive = self._positive_queries
        return st.one_of(positive, positive, positive, self._negative_queries)

    @cached_property
    def _mutations(self) -> st.SearchStrategy[str]:
        positive = self._positive_mutations
        return st.one_of(positive, positive, positive, self._negative_mutations)

    @cached_property
    def _positive_queries(self) -> st.SearchStrategy[str]:
        return hypothesis_graphql.queries(GRAPHQL_SCHEMA, custom_scalars=self._scalars)

    @cached_property
    def _negative_queries(self) -> st.SearchStrategy[str]:
        return hypothesis_graphql.queries(
            GRAPHQL_SCHEMA, custom_scalars=self._scalars, mode=Mode.NEGATIVE
        )

    @cached_property
    def _positive_mutations(self) -> st.SearchStrategy[str]:
        return hypothesis_graphql.mutations(GRAPHQL_SCHEMA, custom_scalars=self._scalars)

    @cached_property
    def _negative_mutations(self) -> st.SearchStrategy[str]:
        return hypothesis_graphql.mutations(
            GRAPHQL_SCHEMA, custom_scalars=self._scalars, mode=Mode.NEGATIVE
        )

    @cached_property
    def _scalars(self) -> dict[str, st.SearchStrategy[graphql.ValueNode]]:
        return {
            "ID": self._ids(),
            "String": self._strings(),
            "DateTime": _datetimes(),
            "Upload": _text().map(nodes.String),
        }

    def _ids(self) -> st.SearchStrategy[graphql.ValueNode]:
        forged = st.builds(
            encode_global_id,
            st.sampled_from((*NODE_TYPES, "Nope", "")),
            st.one_of(st.integers(min_value=-(2**70), max_value=2**70), _text()),
        )
        return st.one_of(
            st.sampled_from(self._seeded.global_ids).map(nodes.String),
            forged.map(nodes.String),
            _text().map(nodes.String),
            st.integers(min_value=MIN_INT, max_value=MAX_INT).map(nodes.Int),
        )

    def _strings(self) -> st.SearchStrategy[graphql.ValueNode]:
        return st.one_of(
            _text(),
            st.sampled_from(AWKWARD_TEXT),
            st.sampled_from(self._seeded.report_codes),
        ).map(nodes.String)


def _text() -> st.SearchStrategy[str]:
    # No surrogates: they cannot be sent as UTF-8 JSON at all.
    return st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)


def _datetimes() -> st.SearchStrategy[graphql.ValueNode]:
    offsets = st.timedeltas(
        min_value=timedelta(hours=-23, minutes=-59), max_value=timedelta(hours=23, minutes=59)
    ).map(timezone)
    valid = st.datetimes(timezones=st.one_of(st.none(), st.just(UTC), offsets)).map(
        datetime.isoformat
    )
    return st.one_of(valid, st.sampled_from(AWKWARD_DATETIMES), _text()).map(nodes.String)
