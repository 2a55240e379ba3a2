"""What every exchange must satisfy, whatever the operation: the fuzz's oracle, pure functions.

`problems` lists what is wrong with one request's outcome: a dropped connection or an
exception the app raised (even after it had answered), a 5xx, a masked internal error (a bug
that the server hid), an error or user error that shows internals (a Python class, a stack
trace, a driver's name, SQL), or a secret that the caller's role may not receive.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"

# Fragments that only an unmasked Python or database error would show a client.
_INTERNALS = re.compile(
    "|".join(
        [
            r"Traceback",
            r'File "',
            r"(?i:sqlalchemy|asyncpg|aiosqlite|sqlite|psycopg|postgres)",
            r"\b(?:SELECT|INSERT INTO|DELETE FROM|WHERE|RETURNING)\s",
            r"\bUPDATE \S+ SET\b",
            r"<class '",
            r"\bNoneType\b",
            r" object at 0x[0-9a-fA-F]+",
            r"<\w+\.\w+: ",  # an enum's repr, e.g. <Role.ADMIN: 'ADMIN'>
            r"object has no attribute",
            r"positional argument",
            r"keyword argument",
            r"not subscriptable",
            r"invalid literal for",
            r"codec can't",
            r"\b(?:models|resolvers|realtime|starlette|uvicorn|builtins)\.\w",
        ]
    )
)
# A Python exception's class name; GraphQL type names (e.g. `UserError`) are allowed.
_EXCEPTION_NAME = re.compile(r"\b[A-Za-z_]\w*(?:Error|Exception|Warning)\b")


@dataclass(frozen=True)
class Exchange:
    """One request's outcome, as the client and the server saw it."""

    status: int  # 0 when the connection was dropped
    text: str
    dropped: str | None = None  # the client's transport error
    server_failure: str | None = None  # what the app raised, even after answering


def problems(
    role: str,
    exchange: Exchange,
    secrets: tuple[str, ...],
    graphql_type_names: frozenset[str],
) -> list[str]:
    """Everything wrong with one exchange (empty when it is acceptable)."""
    found: list[str] = []
    if exchange.dropped is not None:
        found.append(f"the server dropped the connection ({exchange.dropped})")
    if exchange.server_failure is not None:
        found.append(exchange.server_failure)
    if exchange.status >= 500:
        found.append(f"HTTP {exchange.status}")
    text = exchange.text
    try:
        body: Any = json.loads(text)
    except ValueError:
        body = None
    readable = text if body is None else json.dumps(body, ensure_ascii=False)
    found.extend(
        f"{role} received the secret {secret!r}" for secret in secrets if secret in readable
    )
    if body is None:
        found.extend(_internals("body", text, graphql_type_names))
        return found
    for error in _errors(body):
        extensions = error.get("extensions") or {}
        if isinstance(extensions, dict) and extensions.get("code") == INTERNAL_SERVER_ERROR:
            found.append(f"an {INTERNAL_SERVER_ERROR} at {error.get('path')}")
        shown = json.dumps(
            {"message": error.get("message"), "extensions": extensions}, ensure_ascii=False
        )
        found.extend(_internals("error", shown, graphql_type_names))
    for entry in _user_errors(body):
        found.extend(_internals("userError", entry, graphql_type_names))
    return found


def _internals(where: str, shown: str, graphql_type_names: frozenset[str]) -> list[str]:
    found = [
        f"{where} shows internals ({match.group(0)!r})" for match in _INTERNALS.finditer(shown)
    ]
    found.extend(
        f"{where} names the Python class {match.group(0)!r}"
        for match in _EXCEPTION_NAME.finditer(shown)
        if match.group(0) not in graphql_type_names
    )
    return found


def _errors(body: Any) -> list[dict[str, Any]]:
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list):
        return []
    return [error for error in errors if isinstance(error, dict)]


def _user_errors(value: Any) -> Iterator[str]:
    """Every `userErrors` entry anywhere in the response's data, as JSON."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "userErrors" and isinstance(item, list):
                yield from (
                    json.dumps(entry, ensure_ascii=False)
                    for entry in item
                    if isinstance(entry, dict)
                )
            else:
                yield from _user_errors(item)
    elif isinstance(value, list):
        for item in value:
            yield from _user_errors(item)
