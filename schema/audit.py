"""The audit log as administrators read it."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from models import tables
from resolvers import audit
from schema.context import Info
from schema.enums import Role
from schema.node import decode_int_id, encode_global_id
from schema.pagination import PageInfo, decode_cursor, encode_cursor, page_info, page_size


@strawberry.type(description="One staff action: who, what, when and from where.")
class AuditEntry:
    at: datetime = strawberry.field(description="When it happened.")
    actor_id: strawberry.ID | None = strawberry.field(description="The staff account (User id).")
    actor_role: Role | None = strawberry.field(description="The actor's role at the time.")
    action: str = strawberry.field(description="What, e.g. `report.ASSIGN`.")
    target_type: str = strawberry.field(description="The kind of object acted on.")
    target_id: str = strawberry.field(description="Its key (a report's public code, an id).")
    client_ip: str = strawberry.field(description="The address the request came from.")
    request_id: str = strawberry.field(description="The request id, as in the server log.")
    details: JSON = strawberry.field(description="Action-specific details.")

    @classmethod
    def from_model(cls, row: tables.AuditEntry) -> AuditEntry:
        return cls(
            at=row.at,
            actor_id=encode_global_id("User", row.actor_id) if row.actor_id else None,
            actor_role=row.actor_role,
            action=row.action,
            target_type=row.target_type,
            target_id=row.target_id,
            client_ip=row.client_ip,
            request_id=row.request_id,
            details=row.details,  # type: ignore[arg-type]  # JSON is a NewType over Any
        )


@strawberry.type(description="An audit entry in a connection.")
class AuditEntryEdge:
    cursor: str = strawberry.field(description="The entry's cursor.")
    node: AuditEntry = strawberry.field(description="The entry.")


@strawberry.type(description="A page of the audit log, newest first.")
class AuditEntryConnection:
    edges: list[AuditEntryEdge] = strawberry.field(description="The entries on this page.")
    page_info: PageInfo = strawberry.field(description="Where this page stands.")


@strawberry.type
class AuditQueries:
    @strawberry.field(description="Administrators: staff actions, newest first.")
    async def audit_log(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        actor_id: strawberry.ID | None = None,
        target_type: str | None = None,
        target_id: str | None = None,
    ) -> AuditEntryConnection:
        size = page_size(first)
        before = decode_cursor(after, "a", 1)[0] if after else None
        actor = decode_int_id(actor_id, "User", "actorId") if actor_id else None
        rows, has_next = await audit.list_entries(
            info.context, size, before, actor, target_type, target_id
        )
        edges = [
            AuditEntryEdge(cursor=encode_cursor("a", row.id), node=AuditEntry.from_model(row))
            for row in rows
        ]
        return AuditEntryConnection(
            edges=edges,
            page_info=page_info([edge.cursor for edge in edges], has_next, before is not None),
        )
