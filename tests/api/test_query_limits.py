"""Each query limit, asserted with an operation just under it and one just over it."""

from __future__ import annotations

from schema.limits import MAX_QUERY_LENGTH, MAX_TOKENS
from schema.root import MAX_ALIASES, MAX_DEPTH
from tests.conftest import GraphQLClient


def _nested_areas(depth: int) -> str:
    """`{ areas { parent { … { id } } } }` whose deepest field is `depth` levels below `areas`."""
    inner = "id"
    for _ in range(depth - 1):
        inner = f"parent {{ {inner} }}"
    return f"{{ areas {{ {inner} }} }}"


def _error_messages(body: dict[str, object]) -> list[str]:
    errors = body.get("errors") or []
    assert isinstance(errors, list)
    return [str(error["message"]) for error in errors]


async def test_depth_at_the_limit_is_served(gql: GraphQLClient) -> None:
    assert _error_messages(await gql.post(_nested_areas(MAX_DEPTH))) == []


async def test_depth_over_the_limit_is_refused(gql: GraphQLClient) -> None:
    messages = _error_messages(await gql.post(_nested_areas(MAX_DEPTH + 1)))
    assert any("depth" in message for message in messages)


def _aliases(count: int) -> str:
    return "{ " + " ".join(f"a{i}: categories {{ id }}" for i in range(count)) + " }"


async def test_aliases_at_the_limit_are_served(gql: GraphQLClient) -> None:
    assert _error_messages(await gql.post(_aliases(MAX_ALIASES))) == []


async def test_aliases_over_the_limit_are_refused_even_through_fragments(
    gql: GraphQLClient,
) -> None:
    half = MAX_ALIASES // 2 + 1
    fields = " ".join(f"b{i}: categories {{ id }}" for i in range(half))
    query = f"query {{ ...F {fields} }} fragment F on Query {{ {fields.replace('b', 'c')} }}"
    messages = _error_messages(await gql.post(query))
    assert any("aliases" in message for message in messages)


def _tokens(count: int) -> str:
    """An operation of exactly `count` tokens, padded with a list of strings.

    (Repeating a field instead would trip graphql-core's field-merging check first.)
    """
    fixed = 16  # { reports ( filter : { search : [ … ] } ) { totalCount } }
    strings = " ".join('"x"' for _ in range(count - fixed))
    return f"{{ reports(filter: {{ search: [{strings}] }}) {{ totalCount }} }}"


async def test_tokens_at_the_limit_are_parsed(gql: GraphQLClient) -> None:
    messages = _error_messages(await gql.post(_tokens(MAX_TOKENS)))
    assert not any("token" in message.lower() for message in messages)
    assert messages  # the list is then refused as the wrong type, after parsing


async def test_tokens_over_the_limit_are_refused(gql: GraphQLClient) -> None:
    messages = _error_messages(await gql.post(_tokens(MAX_TOKENS + 1)))
    assert any("token" in message.lower() for message in messages)


async def test_query_just_under_the_length_limit_is_parsed(gql: GraphQLClient) -> None:
    query = "{ categories { id } }"
    padded = query + " " * (MAX_QUERY_LENGTH - len(query))
    assert _error_messages(await gql.post(padded)) == []


async def test_query_over_the_length_limit_is_refused(gql: GraphQLClient) -> None:
    padded = "{ categories { id } }" + " " * MAX_QUERY_LENGTH
    body = await gql.post(padded)
    assert any("longer than" in message for message in _error_messages(body))


NESTED_PAGES = """
{ reports(first: %d) { edges { node {
  timeline(first: %d) { edges { node { id } } }
  messages(first: %d) { edges { node { id } } }
} } } }
"""


async def test_node_budget_just_under_the_limit_is_served(gql: GraphQLClient) -> None:
    # 100 reports + 100 × (49 + 49) children = 9,900 items
    assert _error_messages(await gql.post(NESTED_PAGES % (100, 49, 49))) == []


async def test_node_budget_over_the_limit_is_refused(gql: GraphQLClient) -> None:
    # 100 reports + 100 × (50 + 50) children = 10,100 items
    messages = _error_messages(await gql.post(NESTED_PAGES % (100, 50, 50)))
    assert any("could return about 10100 items" in message for message in messages)


async def test_page_size_of_a_hundred_is_served_and_more_refused(gql: GraphQLClient) -> None:
    assert _error_messages(await gql.post("{ reports(first: 100) { totalCount } }")) == []
    assert await gql.error_codes("{ reports(first: 101) { totalCount } }") == ["BAD_USER_INPUT"]


async def test_nul_character_in_a_variable_is_bad_input(gql: GraphQLClient) -> None:
    query = "query ($q: String) { reports(filter: {search: $q}) { totalCount } }"
    assert await gql.error_codes(query, {"q": "a\x00b"}) == ["BAD_USER_INPUT"]


async def test_nul_character_in_a_string_literal_is_bad_input(gql: GraphQLClient) -> None:
    query = '{ reports(filter: {search: "a\\u0000b"}) { totalCount } }'
    assert await gql.error_codes(query) == ["BAD_USER_INPUT"]


async def test_batched_operations_are_refused(gql: GraphQLClient) -> None:
    batch = [{"query": "{ categories { name } }"}, {"query": "{ categories { name } }"}]
    response = await gql.http.post("/graphql", json=batch)
    assert response.status_code == 400
