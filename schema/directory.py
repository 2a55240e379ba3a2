"""GraphQL types of the directory: areas, categories and agencies."""

from __future__ import annotations

import strawberry

from models import tables
from schema.context import Info
from schema.node import Node, encode_global_id


@strawberry.type(description="A point on the map, with the address the citizen gave.")
class GeoPoint:
    latitude: float = strawberry.field(description="WGS 84 latitude in degrees.")
    longitude: float = strawberry.field(description="WGS 84 longitude in degrees.")
    address: str | None = strawberry.field(default=None, description="A human-readable address.")


@strawberry.type(description="An administrative unit; areas form a tree of any depth.")
class Area(Node):
    name: str = strawberry.field(description="The unit's name, e.g. `Phường Đồng Hới`.")
    code: str = strawberry.field(description="A stable code.")
    kind: str = strawberry.field(description="The unit's kind as a label, e.g. `Phường`, `Xã`.")
    depth: int = strawberry.field(description="0 for a root, 1 for its children, and so on.")
    centroid: GeoPoint | None = strawberry.field(description="A representative point, if known.")
    parent_pk: strawberry.Private[int | None]
    pk: strawberry.Private[int]

    @classmethod
    def from_model(cls, row: tables.Area) -> Area:
        centroid = None
        if row.centroid_latitude is not None and row.centroid_longitude is not None:
            centroid = GeoPoint(latitude=row.centroid_latitude, longitude=row.centroid_longitude)
        return cls(
            id=encode_global_id("Area", row.id),
            name=row.name,
            code=row.code,
            kind=row.kind,
            depth=row.depth,
            centroid=centroid,
            parent_pk=row.parent_id,
            pk=row.id,
        )

    @strawberry.field(description="The unit this one belongs to; null for a root.")
    async def parent(self, info: Info) -> Area | None:
        if self.parent_pk is None:
            return None
        row = await info.context.loaders.area.load(self.parent_pk)
        return Area.from_model(row) if row else None

    @strawberry.field(
        description="The viewer follows this area itself (`followArea`); false when not signed in."
    )
    async def viewer_is_following(self, info: Info) -> bool:
        user_id = info.context.actor.user_id
        if user_id is None:
            return False
        return await info.context.loaders.follows_area.load((user_id, self.pk))


@strawberry.type(description="A kind of problem citizens report, with its default deadline.")
class Category(Node):
    code: str = strawberry.field(description="A stable code; Open311's `service_code`.")
    name: str = strawberry.field(description="The name shown to citizens, in Vietnamese.")
    description: str = strawberry.field(description="What belongs in this category.")
    default_due_days: int = strawberry.field(
        description="Working days the agency has to answer, unless the coordinator sets another."
    )
    notice: str | None = strawberry.field(
        description="A notice to show before submitting, e.g. emergency numbers."
    )

    @classmethod
    def from_model(cls, row: tables.Category) -> Category:
        return cls(
            id=encode_global_id("Category", row.id),
            code=row.code,
            name=row.name,
            description=row.description,
            default_due_days=row.default_due_days,
            notice=row.notice,
        )


@strawberry.type(description="A competent agency that handles reports forwarded to it.")
class Agency(Node):
    code: str = strawberry.field(description="A stable code.")
    name: str = strawberry.field(description="The agency's public name.")
    description: str = strawberry.field(description="What the agency is responsible for.")
    area_pk: strawberry.Private[int | None]

    @classmethod
    def from_model(cls, row: tables.Agency) -> Agency:
        return cls(
            id=encode_global_id("Agency", row.id),
            code=row.code,
            name=row.name,
            description=row.description,
            area_pk=row.area_id,
        )

    @strawberry.field(description="The area the agency serves.")
    async def area(self, info: Info) -> Area | None:
        if self.area_pk is None:
            return None
        row = await info.context.loaders.area.load(self.area_pk)
        return Area.from_model(row) if row else None
