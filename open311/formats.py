"""The two wire formats of GeoReport v2: one data shape, rendered as JSON or as the spec's XML."""

from __future__ import annotations

import enum
import json
import re
import xml.etree.ElementTree as ET
from typing import Any

from starlette.responses import Response

# A list under one of these keys becomes <key><item>…</item></key> in XML: the spec's names.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "service_requests_updates": "request_update",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}
# Characters XML 1.0 cannot carry at all (most C0 controls, lone surrogates, U+FFFE/FFFF):
# report text may contain them, and an XML parser would reject the whole document.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class Format(enum.StrEnum):
    """The path suffix: `.json` or `.xml`."""

    JSON = "json"
    XML = "xml"

    @property
    def media_type(self) -> str:
        if self is Format.JSON:
            return "application/json; charset=utf-8"
        return "text/xml; charset=utf-8"


class Open311Error(Exception):
    """A request the interface refuses: rendered in the spec's error shape with its status."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def clean(data: Any) -> Any:
    """The same data with every string made safe for XML, so both formats carry equal text."""
    if isinstance(data, str):
        return _NOT_XML.sub("\ufffd", data)
    if isinstance(data, list):
        return [clean(item) for item in data]
    if isinstance(data, dict):
        return {key: clean(value) for key, value in data.items()}
    return data


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, list):
        item_tag = ITEM_TAGS[element.tag]
        for item in value:
            _fill(ET.SubElement(element, item_tag), item)
    elif isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    else:
        element.text = _text(value)


def to_xml(root_tag: str, data: Any) -> bytes:
    """`data` under `<root_tag>`, lists named by ITEM_TAGS; ElementTree does the escaping."""
    root = ET.Element(root_tag)
    _fill(root, data)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}\n'.encode()


def render(fmt: Format, root_tag: str, data: Any, status: int = 200) -> Response:
    """One response body from one data shape; `root_tag` names the XML document element."""
    safe = clean(data)
    if fmt is Format.JSON:
        content = json.dumps(safe, ensure_ascii=False).encode()
    else:
        content = to_xml(root_tag, safe)
    return Response(content, status_code=status, media_type=fmt.media_type)


def error_response(fmt: Format, status: int, description: str) -> Response:
    """The spec's error list: `[{"code": 400, "description": …}]` / `<errors><error>…`."""
    return render(fmt, "errors", [{"code": status, "description": description}], status)
