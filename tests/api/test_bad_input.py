"""Bad input to reads gets a clear, typed error, never a 500 or a masked one."""

from __future__ import annotations

import httpx
import pytest

from schema.node import encode_global_id
from tests.conftest import GraphQLClient


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("query ($id: ID!) { node(id: $id) { id } }", {"id": "%%%not-base64%%%"}),
        ("query ($id: ID!) { node(id: $id) { id } }", {"id": "bm9jb2xvbg"}),  # "nocolon"
        ("query ($id: ID) { report(id: $id) { id } }", {"id": encode_global_id("Area", 1)}),
        ("query ($id: ID) { report(id: $id) { id } }", {"id": encode_global_id("Report", "x")}),
        ("{ report { id } }", {}),
        ('{ report(id: "x", code: "PA-2026-000001") { id } }', {}),
        ('{ report(code: "not a code") { id } }', {}),
        ("{ reports(first: 100000) { totalCount } }", {}),
        ("{ reports(first: 0) { totalCount } }", {}),
        ("{ reports(first: -1) { totalCount } }", {}),
        ('{ reports(after: "garbage!") { totalCount } }', {}),
        ('{ reports(after: "WyJlIiwxXQ") { totalCount } }', {}),  # an event cursor
        ('{ reports(filter: {areaId: "QXJlYTp4"}) { totalCount } }', {}),
        ('{ reports(filter: {categoryIds: ["zzz"]}) { totalCount } }', {}),
        ('{ reports(filter: {submittedAfter: "2026-01-01T00:00:00"}) { totalCount } }', {}),
        (
            "{ reports(filter: {near: {latitude: 95, longitude: 106, radiusMeters: 10}}) "
            "{ totalCount } }",
            {},
        ),
        (
            "{ reports(filter: {near: {latitude: 17, longitude: 106, radiusMeters: 1e9}}) "
            "{ totalCount } }",
            {},
        ),
        ("{ reports(filter: {mine: true}) { totalCount } }", {}),
        ('{ areas(parentId: "QWdlbmN5OjE") { id } }', {}),
        # A key no 32-bit primary key can hold (PostgreSQL refuses it as a parameter).
        (
            "query ($id: ID) { areas(parentId: $id) { id } }",
            {"id": encode_global_id("Area", 2**31)},
        ),
        (
            "query ($id: ID!) { reports(filter: {areaId: $id}) { totalCount } }",
            {"id": encode_global_id("Area", 10**17)},
        ),
        # Instants Python cannot shift into UTC or into Vietnam's day.
        ('{ reportStats(filter: {submittedAfter: "9999-12-31T20:00:00Z"}) { total } }', {}),
        (
            '{ reports(filter: {submittedBefore: "0001-01-01T01:00:00+05:00"}) { totalCount } }',
            {},
        ),
    ],
)
async def test_bad_read_input_is_a_typed_client_error(
    gql: GraphQLClient, query: str, variables: dict[str, str]
) -> None:
    codes = await gql.error_codes(query, variables)
    assert codes
    assert set(codes) <= {"BAD_USER_INPUT", "UNAUTHENTICATED"}


async def test_unknown_global_id_of_a_known_type_is_null(gql: GraphQLClient) -> None:
    data = await gql.data(
        "query ($id: ID!) { node(id: $id) { id } }", {"id": encode_global_id("Report", 999)}
    )
    assert data["node"] is None


async def test_a_global_id_beyond_any_key_is_null(gql: GraphQLClient) -> None:
    data = await gql.data(
        "query ($id: ID!) { node(id: $id) { id } }", {"id": encode_global_id("Area", 2**31)}
    )
    assert data["node"] is None


async def test_syntax_error_is_reported_not_masked(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ reports(first: "})
    assert response.status_code == 200
    assert "Syntax Error" in response.json()["errors"][0]["message"]


async def test_invalid_json_body_is_a_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400


async def test_unknown_field_is_a_validation_error_without_suggestions(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/graphql", json={"query": "{ report { titel } }"})
    message = response.json()["errors"][0]["message"]
    assert "titel" in message
    assert "Did you mean" not in message


async def test_queries_deeper_than_the_limit_are_refused(gql: GraphQLClient) -> None:
    deep = (
        "{ areas { parent { parent { parent { parent { parent { parent { parent { parent { "
        "parent { parent { parent { id } } } } } } } } } } } } }"
    )
    body = await gql.post(deep)
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]
