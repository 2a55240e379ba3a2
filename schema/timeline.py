"""A report's timeline and its messages, each filtered to what the viewer may see."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from models import tables
from models.policy import visible_scopes
from resolvers.loaders import Loaders
from schema.context import Info
from schema.enums import ReportEventType, ReportStatus, Satisfaction, Visibility
from schema.errors import ClientError, bad_input
from schema.node import Node, encode_global_id
from schema.pagination import PageInfo, decode_cursor, encode_cursor

if TYPE_CHECKING:
    from schema.reports import Report

LazyReport = Annotated["Report", strawberry.lazy("schema.reports")]

# Cursor values go into SQL as bigint.
MAX_CURSOR_VALUE = 2**63 - 1


@strawberry.type(description="A photo or video, served under the visibility of what it belongs to.")
class Attachment(Node):
    url: str = strawberry.field(description="Where to download it: `/media/{id}`.")
    content_type: str = strawberry.field(description="The media type decided from the content.")
    byte_size: int = strawberry.field(description="Size in bytes.")
    width: int | None = strawberry.field(description="Pixels, for images.")
    height: int | None = strawberry.field(description="Pixels, for images.")

    @classmethod
    def from_model(cls, row: tables.Attachment) -> Attachment:
        return cls(
            id=encode_global_id("Attachment", row.id),
            url=f"/media/{row.id}",
            content_type=row.content_type,
            byte_size=row.byte_size,
            width=row.width,
            height=row.height,
        )


@strawberry.type(description="The reporter's satisfaction with the result.")
class Rating:
    satisfaction: Satisfaction = strawberry.field(description="How satisfied the citizen was.")
    comment: str | None = strawberry.field(description="The citizen's words, if any.")
    rated_at: datetime = strawberry.field(description="When the rating was given or last changed.")

    @classmethod
    def from_model(cls, row: tables.Rating) -> Rating:
        return cls(satisfaction=row.satisfaction, comment=row.comment, rated_at=row.updated_at)


def event_cursor(event_id: int) -> str:
    """A timeline edge's cursor: the event's place in its report's timeline, in id order.

    That is commit order within one report, because every use case writing a report's event
    first locks the report's row (FOR UPDATE; BEGIN IMMEDIATE on SQLite).
    """
    return encode_cursor("e", event_id)


def log_cursor(tx_id: int, event_id: int) -> str:
    """`ReportEvent.cursor`: the event's place in the whole log in commit order (realtime.log)."""
    return encode_cursor("e", tx_id, event_id)


def parse_event_cursor(cursor: str) -> tuple[int | None, int]:
    """`(tx_id, id)` of a `ReportEvent.cursor`, or `(None, id)` of a timeline edge's cursor."""
    try:
        tx_id, event_id = decode_cursor(cursor, "e", 2)
    except ClientError:
        tx_id, event_id = None, decode_cursor(cursor, "e", 1)[0]
    if not all(0 <= value <= MAX_CURSOR_VALUE for value in (tx_id or 0, event_id)):
        raise bad_input("Malformed cursor.", field="after")
    return tx_id, event_id


def message_cursor(message_id: int) -> str:
    return encode_cursor("m", message_id)


@strawberry.type(description="A message between the citizen and the staff on a report.")
class Message(Node):
    body: str = strawberry.field(description="The text.")
    visibility: Visibility = strawberry.field(description="Who may read it.")
    author_label: str = strawberry.field(
        description="Who wrote it, as the public sees it: a role or an agency's name."
    )
    created_at: datetime = strawberry.field(description="When it was posted.")
    row: strawberry.Private[tables.Message]

    @classmethod
    def from_model(cls, row: tables.Message) -> Message:
        return cls(
            id=encode_global_id("Message", row.id),
            body=row.body,
            visibility=row.visibility,
            author_label=row.author_label,
            created_at=row.created_at,
            row=row,
        )

    @strawberry.field(description="Photos added to the message.")
    async def attachments(self, info: Info) -> list[Attachment]:
        rows = await info.context.loaders.message_attachments.load(self.row.id)
        return [Attachment.from_model(row) for row in rows]


@strawberry.type(description="One step on a report's public timeline.")
class ReportEvent(Node):
    cursor: str = strawberry.field(
        description="The event's place in commit order: pass it as a subscription's `after` to "
        "resume there. (A timeline page resumes from its edges' cursors.)"
    )
    type: ReportEventType = strawberry.field(description="What happened.")
    at: datetime = strawberry.field(description="When it happened.")
    actor_label: str = strawberry.field(
        description="Who acted: `Người phản ánh`, `Ban chỉ đạo`, or the agency's name."
    )
    from_status: ReportStatus | None = strawberry.field(description="The status before the step.")
    to_status: ReportStatus | None = strawberry.field(description="The status after the step.")
    note: str | None = strawberry.field(description="The reason, answer or note given.")
    row: strawberry.Private[tables.ReportEvent]
    # A subscription event's own loaders (schema.subscription.EventExecutor resolves with them).
    loaders: strawberry.Private[Loaders | None] = None

    @classmethod
    def from_model(cls, row: tables.ReportEvent, loaders: Loaders | None = None) -> ReportEvent:
        return cls(
            id=encode_global_id("ReportEvent", row.id),
            cursor=log_cursor(row.tx_id, row.id),
            type=row.type,
            at=row.at,
            actor_label=row.actor_label,
            from_status=row.from_status,
            to_status=row.to_status,
            note=row.note,
            row=row,
            loaders=loaders,
        )

    @strawberry.field(description="The report this step belongs to.")
    async def report(self, info: Info) -> LazyReport:
        from schema.reports import Report

        row = await info.context.loaders.report.load(self.row.report_id)
        assert row is not None  # the event's foreign key guarantees it
        return Report.from_model(row)

    @strawberry.field(description="The message posted, for MESSAGE_POSTED steps.")
    async def message(self, info: Info) -> Message | None:
        if self.row.message_id is None:
            return None
        message = await info.context.loaders.message.load(self.row.message_id)
        report = await info.context.loaders.report.load(self.row.report_id)
        if message is None or report is None:
            return None
        if message.visibility not in visible_scopes(info.context.actor, report):
            return None
        return Message.from_model(message)

    @strawberry.field(description="The rating given, for RATED steps.")
    async def rating(self, info: Info) -> Rating | None:
        if self.row.rating_id is None:
            return None
        row = await info.context.loaders.rating.load(self.row.rating_id)
        return Rating.from_model(row) if row else None


@strawberry.type(description="An event in a connection.")
class ReportEventEdge:
    cursor: str = strawberry.field(description="The event's cursor.")
    node: ReportEvent = strawberry.field(description="The event.")


@strawberry.type(description="A page of a report's timeline, oldest first.")
class ReportEventConnection:
    edges: list[ReportEventEdge] = strawberry.field(description="The events on this page.")
    page_info: PageInfo = strawberry.field(description="Where this page stands.")
    total_count: int = strawberry.field(description="All events the viewer may see.")


@strawberry.type(description="A message in a connection.")
class MessageEdge:
    cursor: str = strawberry.field(description="The message's cursor.")
    node: Message = strawberry.field(description="The message.")


@strawberry.type(description="A page of a report's messages, oldest first.")
class MessageConnection:
    edges: list[MessageEdge] = strawberry.field(description="The messages on this page.")
    page_info: PageInfo = strawberry.field(description="Where this page stands.")
    total_count: int = strawberry.field(description="All messages the viewer may see.")
