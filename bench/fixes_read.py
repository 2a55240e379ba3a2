"""Experiments on the read row: fixes for `reports(first: 50)`, measured before anyone makes them.

Each function monkeypatches the application inside a `python -m bench.serve` process only
(bench.patches lists them); BENCHMARKS.md records what each one changed.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import graphql
from starlette.types import Message, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.extensions import max_aliases, query_depth_limiter
from strawberry.types.fields.resolver import StrawberryResolver

import server
from models import policy, tables
from models.policy import ANONYMOUS
from resolvers import reports as report_resolvers
from schema import reports as report_types
from schema.context import Info
from schema.directory import Agency, Area, Category
from schema.timeline import Attachment


def validation_cache() -> None:
    """Let strawberry's ValidationCache hit: one validation rule class per limit, not per request.

    schema.root passes `lambda: QueryDepthLimiter(...)` and `lambda: MaxAliasesLimiter(...)`
    factories; each instance calls `create_validator`, which defines a new rule class, and the
    cache is keyed by the rule classes, so every request misses and validates again. The fix in
    schema.root: build the two rule classes once (or pass them with AddValidationRules).
    """
    query_depth_limiter.create_validator = functools.cache(query_depth_limiter.create_validator)
    max_aliases.create_validator = functools.cache(max_aliases.create_validator)


# Categories, areas and agencies: a few dozen rows that change only by an administrator.
_directory: dict[tuple[type[Any], int], Any] = {}


def _replace(type_: Any, name: str, resolver: Callable[..., Any], returns: Any) -> None:
    resolver.__annotations__ = {"self": Any, "info": Info, "return": returns}
    for found in type_.__strawberry_definition__.fields:
        if found.python_name == name:
            found.base_resolver = StrawberryResolver(resolver)
            return
    raise LookupError(f"{type_.__name__}.{name}")


def _directory_field(
    model: type[Any], column: str, loader: str, build: Callable[[Any], Any]
) -> Callable[..., Any]:
    """A resolver that answers from the directory cache, or loads (and caches) on a miss."""

    def resolve(self: Any, info: Info) -> Any:
        key = getattr(self.row, column)
        if key is None:
            return None
        row = _directory.get((model, key))
        if row is not None:
            return build(row)

        async def load() -> Any:
            found = await getattr(info.context.loaders, loader).load(key)
            if found is not None:
                _directory[(model, key)] = found
            return build(found) if found is not None else None

        return load()

    return resolve


def sync_nested_fields() -> None:
    """Resolve a list page's nested objects without a task per field.

    graphql-core runs every awaitable field of a list item as a task and gathers them per
    object: `reports(first: 50)` with category, area, agency and attachments starts about 250
    tasks. Here category, area and agency come from a per-process directory cache (loaded
    on first use), and the page's attachments are fetched with the page in the same number
    of statements, so these fields resolve synchronously and the page executes without a
    task. Proposed in schema/reports.py and resolvers/reports.py; includes `validation_cache`.
    """
    validation_cache()
    report = report_types.Report
    _replace(
        report,
        "category",
        _directory_field(tables.Category, "category_id", "category", Category.from_model),
        Category,
    )
    _replace(
        report, "area", _directory_field(tables.Area, "area_id", "area", Area.from_model), Area
    )
    _replace(
        report,
        "assigned_agency",
        _directory_field(tables.Agency, "assigned_agency_id", "agency", Agency.from_model),
        Agency,
    )
    list_reports = report_resolvers.list_reports

    async def list_reports_with_attachments(ctx: Any, *args: Any) -> Any:
        page = await list_reports(ctx, *args)
        keys = [(row.id, policy.visible_scopes(ctx.actor, row)) for row in page.rows]
        found = await ctx.loaders.report_attachments.load_many(keys)
        ctx.loaders.__dict__["prefetched_attachments"] = dict(zip(keys, found, strict=True))
        return page

    report_resolvers.list_reports = list_reports_with_attachments  # type: ignore[assignment]

    def attachments(self: Any, info: Info) -> list[Attachment] | Awaitable[list[Attachment]]:
        key = (self.row.id, policy.visible_scopes(info.context.actor, self.row))
        prefetched = info.context.loaders.__dict__.get("prefetched_attachments", {})
        if key in prefetched:
            return [Attachment.from_model(row) for row in prefetched[key]]

        async def load() -> list[Attachment]:
            rows = await info.context.loaders.report_attachments.load(key)
            return [Attachment.from_model(row) for row in rows]

        return load()

    _replace(report, "attachments", attachments, list[Attachment])


@functools.lru_cache(maxsize=256)
def _is_query(text: str) -> bool:
    try:
        document = graphql.parse(text)
    except graphql.GraphQLError:
        return False
    operations = [d for d in document.definitions if isinstance(d, graphql.OperationDefinitionNode)]
    return len(operations) == 1 and operations[0].operation is graphql.OperationType.QUERY


def public_read_cache(ttl_seconds: float = 1.0) -> None:
    """Serve anonymous read-only operations from a per-process cache for up to a second.

    Every anonymous visitor sees the same public data (models.policy), so an anonymous query's
    response depends only on its body while nothing changes: the first request in each second
    executes, the others get its bytes. A real cache would also drop entries when the event
    pump sees a public event, and bound its size. Proposed in server.py (PhanAnhGraphQL.__call__,
    after authentication). Includes `sync_nested_fields`.
    """
    sync_nested_fields()
    call = GraphQL.__call__
    cache: dict[bytes, tuple[float, list[Message]]] = {}

    async def cached_call(self: Any, scope: Scope, receive: Receive, send: Send) -> None:
        anonymous = scope["type"] == "http" and scope.get(server.ACTOR_KEY) == ANONYMOUS
        if not anonymous or scope.get("method") != "POST":
            await call(self, scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        found = cache.get(body)
        if found is not None and time.monotonic() - found[0] < ttl_seconds:
            for message in found[1]:
                await send(message)
            return
        sent: list[Message] = []

        async def replay() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        async def keep(message: Message) -> None:
            sent.append(message)
            await send(message)

        await call(self, scope, replay, keep)
        try:
            query = json.loads(body).get("query") or ""
        except ValueError:
            return
        ok = sent and sent[0].get("status") == 200
        if (
            ok
            and _is_query(query)
            and b'"errors"' not in b"".join(m.get("body", b"") for m in sent)
        ):
            if len(cache) > 1000:
                cache.clear()
            cache[body] = (time.monotonic(), sent)

    GraphQL.__call__ = cached_call  # type: ignore[method-assign]
