"""Experiments on the read row: fixes for `reports(first: 50)`, measured before anyone makes them.

Each function monkeypatches the application inside a `python -m bench.serve` process only
(bench.patches lists them); BENCHMARKS.md records what each one changed.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from typing import Any

from strawberry.types.fields.resolver import StrawberryResolver

from models import policy, tables
from resolvers import reports as report_resolvers
from schema import reports as report_types
from schema.context import Info
from schema.directory import Agency, Area, Category
from schema.timeline import Attachment

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
    task. Proposed in schema/reports.py and resolvers/reports.py.
    """
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


def no_public_cache() -> None:
    """Run PhanAnh without its anonymous read cache (web.public_cache), for an A/B read row."""
    os.environ["PUBLIC_CACHE_SECONDS"] = "0"
