"""Limits on what one operation may ask for: its length, and the nodes it could return."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    ValidationRule,
)
from strawberry.extensions import SchemaExtension

from schema.errors import ErrorCode
from schema.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

MAX_QUERY_LENGTH = 20_000  # characters of GraphQL text
MAX_TOKENS = 1000  # lexical tokens of one document
MAX_NODES = 10_000  # list items an operation could return, multiplied along its nesting


class QueryLengthLimiter(SchemaExtension):
    """Refuse a document before parsing it when it is longer than any real client sends, and
    any variable holding a NUL character, which PostgreSQL cannot store in text."""

    def on_parse(self) -> Iterator[None]:
        query = self.execution_context.query or ""
        if len(query) > MAX_QUERY_LENGTH:
            raise GraphQLError(
                f"The operation is longer than {MAX_QUERY_LENGTH} characters.",
                extensions={"code": ErrorCode.BAD_USER_INPUT.value},
            )
        if _has_nul(self.execution_context.variables):
            raise GraphQLError(NUL_MESSAGE, extensions={"code": ErrorCode.BAD_USER_INPUT.value})
        yield


NUL_MESSAGE = "Text may not contain the NUL character (U+0000)."


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


class NulCharacterRule(ValidationRule):
    """String literals in the document follow the same rule as variables."""

    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        if "\x00" in node.value:
            self.report_error(
                GraphQLError(NUL_MESSAGE, extensions={"code": ErrorCode.BAD_USER_INPUT.value})
            )


def _page_size(node: FieldNode) -> int:
    """The items a list field may return: its literal `first`, else the worst case."""
    for argument in node.arguments or ():
        if argument.name.value == "first":
            if isinstance(argument.value, IntValueNode):
                return max(1, min(int(argument.value.value), MAX_PAGE_SIZE))
            return MAX_PAGE_SIZE  # a variable: assume the largest page it could ask for
    return DEFAULT_PAGE_SIZE


class NodeBudgetRule(ValidationRule):
    """The product of page sizes along each path, summed, must stay within MAX_NODES.

    Only paginated fields (those taking `first`) multiply; fragments are followed, so aliases
    and fragments cannot hide a fan-out.
    """

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        fragments = {
            definition.name.value: definition
            for definition in self.context.document.definitions
            if hasattr(definition, "type_condition") and hasattr(definition, "name")
        }
        total = self._cost(node.selection_set, 1, fragments, set())
        if total > MAX_NODES:
            self.report_error(
                GraphQLError(
                    f"This operation could return about {total} items; the limit is "
                    f"{MAX_NODES}. Ask for smaller pages.",
                    extensions={"code": ErrorCode.BAD_USER_INPUT.value},
                )
            )

    def _cost(
        self,
        selection_set: SelectionSetNode | None,
        multiplier: int,
        fragments: dict[str, Any],
        seen: set[str],
    ) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                takes_first = any(arg.name.value == "first" for arg in selection.arguments or ())
                size = multiplier * _page_size(selection) if takes_first else multiplier
                total += size if takes_first else 0
                total += self._cost(selection.selection_set, size, fragments, seen)
            elif isinstance(selection, InlineFragmentNode):
                total += self._cost(selection.selection_set, multiplier, fragments, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in seen or name not in fragments:
                    continue  # cycles are reported by graphql's own rules
                total += self._cost(
                    fragments[name].selection_set, multiplier, fragments, seen | {name}
                )
        return total
