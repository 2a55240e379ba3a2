"""The `User` type: the signed-in viewer, or an account as an administrator sees it."""

from __future__ import annotations

import strawberry

from models import tables
from schema.context import Info
from schema.directory import Agency
from schema.enums import Role
from schema.follows import FollowConnection, following_connection
from schema.node import Node, encode_global_id


@strawberry.type(description="An account. Only its owner and administrators can read one.")
class User(Node):
    display_name: str = strawberry.field(description="The name the person chose.")
    phone: str | None = strawberry.field(description="The phone number in E.164 (citizens).")
    role: Role = strawberry.field(description="What the account may do.")
    agency_pk: strawberry.Private[int | None]
    pk: strawberry.Private[int]

    @classmethod
    def from_model(cls, row: tables.User) -> User:
        return cls(
            id=encode_global_id("User", row.id),
            display_name=row.display_name,
            phone=row.phone,
            role=row.role,
            agency_pk=row.agency_id,
            pk=row.id,
        )

    @strawberry.field(description="The agency of an agency officer.")
    async def agency(self, info: Info) -> Agency | None:
        if self.agency_pk is None:
            return None
        row = await info.context.loaders.agency.load(self.agency_pk)
        return Agency.from_model(row) if row else None

    @strawberry.field(
        description="What this user follows (reports and areas), most recently followed first; "
        "only the user themself may read it."
    )
    async def following(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> FollowConnection:
        return await following_connection(info, self.pk, first, after)
