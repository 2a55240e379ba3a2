"""Per-request DataLoaders: every nested field loads in one batched statement per level."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import aliased
from strawberry.dataloader import DataLoader

from models import tables
from models.db import SessionScope
from models.enums import Visibility
from models.routing import lineage, nearest_agency


@dataclass(frozen=True)
class PageKey:
    """One report's page of a child list (events, messages) as one viewer may see it."""

    report_id: int
    scopes: frozenset[Visibility]
    first: int
    after_id: int = 0


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def _by_key(keys: Sequence[K], rows: Iterable[V], key_of: Any) -> list[V | None]:
    found = {key_of(row): row for row in rows}
    return [found.get(key) for key in keys]


class Loaders:
    """Created per HTTP request or per subscription event; never shared between them."""

    def __init__(self, db: SessionScope) -> None:
        self.db = db

    async def _rows_by_id(self, model: Any, keys: Sequence[Any]) -> list[Any]:
        rows = await self.db.scalars(select(model).where(model.id.in_(set(keys))))
        return _by_key(keys, rows, lambda row: row.id)

    @cached_property
    def report(self) -> DataLoader[int, tables.Report | None]:
        return DataLoader(lambda keys: self._rows_by_id(tables.Report, keys))

    @cached_property
    def category(self) -> DataLoader[int, tables.Category | None]:
        return DataLoader(lambda keys: self._rows_by_id(tables.Category, keys))

    @cached_property
    def area(self) -> DataLoader[int, tables.Area | None]:
        return DataLoader(lambda keys: self._rows_by_id(tables.Area, keys))

    @cached_property
    def agency(self) -> DataLoader[int, tables.Agency | None]:
        return DataLoader(lambda keys: self._rows_by_id(tables.Agency, keys))

    @cached_property
    def user(self) -> DataLoader[int, tables.User | None]:
        return DataLoader(lambda keys: self._rows_by_id(tables.User, keys))

    @cached_property
    def message(self) -> DataLoader[int, tables.Message | None]:
        return DataLoader(lambda keys: self._rows_by_id(tables.Message, keys))

    @cached_property
    def event(self) -> DataLoader[int, tables.ReportEvent | None]:
        return DataLoader(lambda keys: self._rows_by_id(tables.ReportEvent, keys))

    @cached_property
    def attachment(self) -> DataLoader[str, tables.Attachment | None]:
        return DataLoader(lambda keys: self._rows_by_id(tables.Attachment, keys))

    @cached_property
    def rating(self) -> DataLoader[int, tables.Rating | None]:
        return DataLoader(lambda keys: self._rows_by_id(tables.Rating, keys))

    @cached_property
    def rating_by_report(self) -> DataLoader[int, tables.Rating | None]:
        async def load(keys: Sequence[int]) -> list[tables.Rating | None]:
            statement = select(tables.Rating).where(tables.Rating.report_id.in_(set(keys)))
            return _by_key(keys, await self.db.scalars(statement), lambda r: r.report_id)

        return DataLoader(load)

    @cached_property
    def follows_report(self) -> DataLoader[tuple[int, int], bool]:
        """Whether (user, report) is followed directly, for a whole list at once."""
        return DataLoader(lambda keys: self._follows(tables.Follow.report_id, keys))

    @cached_property
    def follows_area(self) -> DataLoader[tuple[int, int], bool]:
        """Whether (user, area) is followed (the area itself, not one above it)."""
        return DataLoader(lambda keys: self._follows(tables.Follow.area_id, keys))

    async def _follows(self, target: Any, keys: Sequence[tuple[int, int]]) -> list[bool]:
        follow = tables.Follow
        statement = select(follow.user_id, target).where(
            follow.user_id.in_({user_id for user_id, _ in keys}),
            target.in_({target_id for _, target_id in keys}),
        )
        found = {(row[0], row[1]) for row in await self.db.rows(statement)}
        return [key in found for key in keys]

    @cached_property
    def report_attachments(
        self,
    ) -> DataLoader[tuple[int, frozenset[Visibility]], list[tables.Attachment]]:
        """The attachments of the report itself (not of its messages), by viewer scopes."""

        async def load(
            keys: Sequence[tuple[int, frozenset[Visibility]]],
        ) -> list[list[tables.Attachment]]:
            model = tables.Attachment
            statement = (
                select(model)
                .where(model.report_id.in_({report_id for report_id, _ in keys}))
                .where(model.message_id.is_(None))
                .order_by(model.report_id, model.position, model.created_at)
            )
            grouped: dict[int, list[tables.Attachment]] = defaultdict(list)
            for row in await self.db.scalars(statement):
                grouped[row.report_id].append(row)
            return [
                [row for row in grouped.get(report_id, []) if row.visibility in scopes]
                for report_id, scopes in keys
            ]

        return DataLoader(load)

    @cached_property
    def message_attachments(self) -> DataLoader[int, list[tables.Attachment]]:
        async def load(keys: Sequence[int]) -> list[list[tables.Attachment]]:
            model = tables.Attachment
            statement = (
                select(model)
                .where(model.message_id.in_(set(keys)))
                .order_by(model.message_id, model.position)
            )
            grouped: dict[int, list[tables.Attachment]] = defaultdict(list)
            for row in await self.db.scalars(statement):
                assert row.message_id is not None
                grouped[row.message_id].append(row)
            return [grouped.get(key, []) for key in keys]

        return DataLoader(load)

    @cached_property
    def suggested_agency(self) -> DataLoader[tuple[int, int | None], int | None]:
        """The routing rule's agency for (category, area), for a whole triage list at once."""

        async def load(keys: Sequence[tuple[int, int | None]]) -> list[int | None]:
            area_ids = {area_id for _, area_id in keys if area_id is not None}
            paths = {
                row[0]: lineage(row[1])
                for row in await self.db.rows(
                    select(tables.Area.id, tables.Area.path).where(tables.Area.id.in_(area_ids))
                )
            }
            ancestors = {ancestor for chain in paths.values() for ancestor in chain}
            routing = tables.Routing
            rules: dict[int, dict[int, int]] = defaultdict(dict)
            for category_id, area_id, agency_id in await self.db.rows(
                select(routing.category_id, routing.area_id, routing.agency_id).where(
                    routing.category_id.in_({category for category, _ in keys}),
                    routing.area_id.in_(ancestors),
                )
            ):
                rules[category_id][area_id] = agency_id
            return [
                nearest_agency(paths.get(area_id, []), rules[category_id]) if area_id else None
                for category_id, area_id in keys
            ]

        return DataLoader(load)

    @cached_property
    def event_page(self) -> DataLoader[PageKey, list[tables.ReportEvent]]:
        return DataLoader(lambda keys: self._first_per_report(tables.ReportEvent, keys))

    @cached_property
    def message_page(self) -> DataLoader[PageKey, list[tables.Message]]:
        return DataLoader(lambda keys: self._first_per_report(tables.Message, keys))

    @cached_property
    def event_count(self) -> DataLoader[tuple[int, frozenset[Visibility]], int]:
        return DataLoader(lambda keys: self._count_per_report(tables.ReportEvent, keys))

    @cached_property
    def message_count(self) -> DataLoader[tuple[int, frozenset[Visibility]], int]:
        return DataLoader(lambda keys: self._count_per_report(tables.Message, keys))

    async def _first_per_report(self, model: Any, keys: Sequence[PageKey]) -> list[list[Any]]:
        """`first + 1` rows per report after a cursor, for a whole batch in one statement."""
        groups: dict[tuple[frozenset[Visibility], int, int], set[int]] = defaultdict(set)
        for key in keys:
            groups[(key.scopes, key.first, key.after_id)].add(key.report_id)
        pages: dict[PageKey, list[Any]] = {}
        for (scopes, first, after_id), report_ids in groups.items():
            rank = (
                func.row_number().over(partition_by=model.report_id, order_by=model.id).label("rn")
            )
            inner = (
                select(model, rank)
                .where(model.report_id.in_(report_ids))
                .where(model.visibility.in_(scopes))
                .where(model.id > after_id)
                .subquery()
            )
            row_alias = aliased(model, inner)
            statement = (
                select(row_alias)
                .where(inner.c.rn <= first + 1)
                .order_by(inner.c.report_id, inner.c.id)
            )
            grouped: dict[int, list[Any]] = defaultdict(list)
            for row in await self.db.scalars(statement):
                grouped[row.report_id].append(row)
            for report_id in report_ids:
                pages[PageKey(report_id, scopes, first, after_id)] = grouped.get(report_id, [])
        return [pages[key] for key in keys]

    async def _count_per_report(
        self, model: Any, keys: Sequence[tuple[int, frozenset[Visibility]]]
    ) -> list[int]:
        groups: dict[frozenset[Visibility], set[int]] = defaultdict(set)
        for report_id, scopes in keys:
            groups[scopes].add(report_id)
        counts: dict[tuple[int, frozenset[Visibility]], int] = {}
        for scopes, report_ids in groups.items():
            condition: ColumnElement[bool] = model.visibility.in_(scopes)
            statement = (
                select(model.report_id, func.count())
                .where(model.report_id.in_(report_ids), condition)
                .group_by(model.report_id)
            )
            found = {row[0]: int(row[1]) for row in await self.db.rows(statement)}
            for report_id in report_ids:
                counts[(report_id, scopes)] = found.get(report_id, 0)
        return [counts[key] for key in keys]
