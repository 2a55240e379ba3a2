"""Reading both formats of an endpoint and checking they carry the same data."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import httpx

from models import tables
from tests.conftest import sign_in

BASE = "/open311/v2"
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
# The spec's list elements and the name of their items; everything else is a record or a value.
LISTS = {
    "services": "service",
    "service_requests": "request",
    "service_requests_updates": "request_update",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}
ISSUE_KEY = """
mutation ($name: String!) {
  issueApiKey(input: {name: $name}) { apiKey keyPrefix userErrors { code field } }
}
"""
REVOKE_KEY = """
mutation ($prefix: String!) {
  revokeApiKey(input: {keyPrefix: $prefix}) { keyPrefix name revokedAt userErrors { code } }
}
"""


def xml_to_data(element: ET.Element) -> Any:
    """An XML document in the JSON shape, every value as text (XML has no other type)."""
    if element.tag in LISTS:
        assert all(child.tag == LISTS[element.tag] for child in element), element.tag
        return [xml_to_data(child) for child in element]
    if len(element):
        return {child.tag: xml_to_data(child) for child in element}
    return element.text or ""


def as_text(data: Any) -> Any:
    """JSON data with every value written as XML writes it: null is empty, booleans lower case."""
    if isinstance(data, list):
        return [as_text(item) for item in data]
    if isinstance(data, dict):
        return {key: as_text(value) for key, value in data.items()}
    if data is None:
        return ""
    if isinstance(data, bool):
        return "true" if data else "false"
    return str(data)


async def get_both(
    client: httpx.AsyncClient, path: str, params: dict[str, str] | None = None
) -> tuple[int, Any]:
    """GET `path.json` and `path.xml`; assert same status and same data; return the JSON."""
    as_json = await client.get(f"{BASE}/{path}.json", params=params)
    as_xml = await client.get(f"{BASE}/{path}.xml", params=params)
    assert as_json.status_code == as_xml.status_code, (as_json.text, as_xml.text)
    assert as_json.headers["content-type"] == JSON_TYPE
    assert as_xml.headers["content-type"] == XML_TYPE
    data = as_json.json()
    assert xml_to_data(ET.fromstring(as_xml.content)) == as_text(data)
    return as_json.status_code, data


def assert_error(response: httpx.Response, status: int) -> str:
    """The spec's error shape, in whichever format the response is; returns the description."""
    assert response.status_code == status, response.text
    if response.headers["content-type"] == XML_TYPE:
        root = ET.fromstring(response.content)
        assert root.tag == "errors"
        errors = xml_to_data(root)
    else:
        assert response.headers["content-type"] == JSON_TYPE
        errors = as_text(response.json())
    [error] = errors
    assert error["code"] == str(status), error
    description: str = error["description"]
    assert description
    return description


async def issue_key(client: httpx.AsyncClient, admin: tables.User, name: str) -> str:
    """An api_key issued the way an administrator does it: the GraphQL mutation."""
    gql = await sign_in(client, admin)
    data = await gql.data(ISSUE_KEY, {"name": name})
    payload = data["issueApiKey"]
    assert payload["userErrors"] == [], payload
    key: str = payload["apiKey"]
    assert key.startswith(payload["keyPrefix"])
    return key
