"""The `Subscription` root: the live feeds of `ReportEvent`, each filtered for its viewer.

Every feed is served by this process's event pump (realtime.pump): the viewer's rights are
checked when the subscription starts and again, through models.policy, for every event. Each
event then runs with a copy of the connection's context holding that event's own loaders (see
`EventExecutor`), because strawberry reuses one context for a whole WebSocket connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextvars import ContextVar
from typing import Annotated, Any

import strawberry
from graphql import Executor
from starlette.websockets import WebSocket
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from models.policy import can_see_report
from realtime.feeds import CloseCode, SubscriberClosedError
from realtime.log import LoggedEvent, Position
from realtime.pump import EventPump
from realtime.topics import (
    AgencyTopic,
    FollowTopic,
    PublicTopic,
    ReporterTopic,
    ReportTopic,
    Topic,
    TriageTopic,
    with_followers,
)
from resolvers.guards import require, require_signed_in
from schema.context import Context, Info
from schema.errors import ClientError, ErrorCode, bad_input
from schema.filters import ReportFilter, criteria_of
from schema.node import decode_int_id
from schema.timeline import ReportEvent, parse_event_cursor

# After closing the socket, how long a feed waits for strawberry to cancel it.
CLOSE_GRACE_SECONDS = 10.0

After = Annotated[
    str | None,
    strawberry.argument(
        description="A `ReportEvent.cursor`: first replay every later event the viewer may "
        "see, in order, then go on live."
    ),
]


class EventExecutor(StrawberryGraphQLCoreExecutionContext):
    """Runs each subscription event with a copy of the context holding the event's loaders.

    The loaders come with the event from the pump's batch and are shared by every subscriber
    of that event: nested fields (`report { category { name } }`) are loaded once for all of
    them, in short sessions, instead of through the connection's hours-long context.
    """

    def build_per_event_executor(self, payload: Any) -> Executor[Any]:
        executor = super().build_per_event_executor(payload)
        # graphql-core 3.3.2 copies the executor shallowly, sharing one sub-field memo among all
        # of a subscription's events; its keys never repeat, so it grows for the subscription's
        # whole life. A fresh memo per event keeps memory flat.
        executor._relevant_sub_fields = {}
        context = self.context_value
        loaders = payload.loaders if isinstance(payload, ReportEvent) else None
        if loaders is not None and isinstance(context, Context):
            executor.context_value = dataclasses.replace(context, db=loaders.db, loaders=loaders)
        return executor


@strawberry.type(
    description="Live report events over WebSocket (`graphql-transport-ws`, or the legacy "
    "`graphql-ws`). Each feed sends only events the viewer may see; pass the last received "
    "`cursor` as `after` when reconnecting to miss nothing and repeat nothing."
)
class Subscription:
    @strawberry.subscription(description="One report's live timeline, as the viewer may see it.")
    async def report_events(
        self,
        info: Info,
        report_id: Annotated[strawberry.ID, strawberry.argument(description="The report.")],
        after: After = None,
    ) -> AsyncIterator[ReportEvent]:
        pump = _pump(info)
        actor = info.context.actor
        pk = decode_int_id(report_id, "Report", "reportId")
        topic = ReportTopic(actor, pk)
        report = await pump.log.report(pk)
        if report is None or not can_see_report(actor, report):
            raise bad_input("No such report.", field="reportId")
        return await _start(info, pump, topic, after)

    @strawberry.subscription(description="Every event on the signed-in citizen's own reports.")
    async def my_report_events(self, info: Info, after: After = None) -> AsyncIterator[ReportEvent]:
        pump = _pump(info)
        require_signed_in(info.context.actor)
        return await _start(info, pump, ReporterTopic(info.context.actor), after)

    @strawberry.subscription(
        description="An agency's console: events of reports while they are with the agency, "
        "including the return that takes one away. Officers follow their own agency; "
        "coordinators and administrators name any."
    )
    async def agency_inbox(
        self,
        info: Info,
        agency_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="The agency; the viewer's own when omitted."),
        ] = None,
        after: After = None,
    ) -> AsyncIterator[ReportEvent]:
        pump = _pump(info)
        actor = info.context.actor
        require(actor, actor.is_staff, "Only agency staff and coordinators have an inbox.")
        pk = decode_int_id(agency_id, "Agency", "agencyId") if agency_id is not None else None
        if actor.is_coordinator and pk is None:
            raise bad_input("Give the agency's id.", field="agencyId")
        if not actor.is_coordinator:
            pk = pk if pk is not None else actor.agency_id
            require(actor, pk == actor.agency_id, "Officers follow their own agency's inbox.")
        assert pk is not None
        return await _start(info, pump, AgencyTopic(actor, pk), after)

    @strawberry.subscription(
        description="The coordinators' triage queue: reports submitted, returned by an agency, "
        "overdue, reopened, or rated dissatisfied."
    )
    async def triage_queue(self, info: Info, after: After = None) -> AsyncIterator[ReportEvent]:
        pump = _pump(info)
        actor = info.context.actor
        require(actor, actor.is_coordinator, "The triage queue is for coordinators.")
        return await _start(info, pump, TriageTopic(actor), after)

    @strawberry.subscription(
        description="The public feed: public events of public reports matching the filter "
        "(status, categories, agency, area with its descendants, search, near, dates)."
    )
    async def public_report_events(
        self,
        info: Info,
        filter: Annotated[
            ReportFilter | None,
            strawberry.argument(description="Only events of reports matching this filter."),
        ] = None,
        after: After = None,
    ) -> AsyncIterator[ReportEvent]:
        pump = _pump(info)
        actor = info.context.actor
        criteria = criteria_of(filter)
        if criteria.mine:
            require_signed_in(actor)
        area_path = None
        if criteria.area_id is not None:
            area_path = await pump.log.area_path(criteria.area_id)
            if area_path is None:
                raise bad_input("No such area.", field="areaId")
        topic = PublicTopic(criteria, area_path, reporter_id=actor.user_id, now=info.context.now)
        return await _start(info, pump, topic, after)

    @strawberry.subscription(
        description="Events of the reports the viewer follows, directly or through an area "
        "(with every area below it), each as the viewer may see it. Following and unfollowing "
        "count from the next event on, without subscribing again."
    )
    async def followed_report_events(
        self, info: Info, after: After = None
    ) -> AsyncIterator[ReportEvent]:
        pump = _pump(info)
        user_id = require_signed_in(info.context.actor)
        feed = await _start(info, pump, FollowTopic(info.context.actor), after)
        return with_followers(pump.log, user_id, feed)


def _pump(info: Info) -> EventPump:
    pump = info.context.services.events.pump
    if pump is None:
        raise ClientError("Live updates are not available.", ErrorCode.INTERNAL_SERVER_ERROR)
    return pump


async def _position(pump: EventPump, after: str) -> Position:
    tx_id, event_id = parse_event_cursor(after)
    if tx_id is not None:
        return (tx_id, event_id)
    # A timeline edge's cursor names only the event: find its place in the log.
    position = await pump.log.position_of(event_id)
    if position is None:
        raise bad_input("This cursor names no event.", field="after")
    return position


async def _start(
    info: Info, pump: EventPump, topic: Topic, after: str | None
) -> AsyncIterator[ReportEvent]:
    """Check the cursor before the stream starts, so a bad one is the operation's `error`."""
    position = await _position(pump, after) if after else None
    return _feed(info, pump, topic, position)


FeedSource = Callable[[EventPump, Topic, Position | None], AsyncIterator[LoggedEvent]]
# Where a feed's events come from, when not from its own pump subscriber: set by schema.fanout
# in a shared feed's task (one subscriber for a group) and in a member's replay.
FEED_SOURCE: ContextVar[FeedSource | None] = ContextVar("feed_source", default=None)


async def _feed(
    info: Info, pump: EventPump, topic: Topic, position: Position | None
) -> AsyncGenerator[ReportEvent, None]:
    source = FEED_SOURCE.get()
    items = (
        pump.stream(topic, position, _socket_closer(info.context.request))
        if source is None
        else source(pump, topic, position)
    )
    try:
        async for item in items:
            yield ReportEvent.from_model(item.event, item.loaders)
    except SubscriberClosedError:
        # The socket is being closed (1013 or 1012): wait for strawberry to cancel this feed
        # rather than complete it, so that no message follows the close.
        if isinstance(info.context.request, WebSocket):
            await asyncio.sleep(CLOSE_GRACE_SECONDS)


_closing: set[asyncio.Task[None]] = set()


def _socket_closer(request: Any) -> Callable[[CloseCode], None] | None:
    """Close the whole connection: its client reconnects and resumes every feed from its cursor.

    Called by the pump, which cannot wait: the close runs as its own task, so it goes out even
    while this connection's sender is blocked on a client that stopped reading.
    """
    if not isinstance(request, WebSocket):
        return None

    def close(code: CloseCode) -> None:
        task = asyncio.create_task(_close(request, code))
        _closing.add(task)
        task.add_done_callback(_closing.discard)

    return close


_REASONS = {
    CloseCode.TRY_AGAIN_LATER: "Fell behind: resume from your last cursor.",
    CloseCode.SERVICE_RESTART: "Server restarting: resume from your last cursor.",
}


async def _close(websocket: WebSocket, code: CloseCode) -> None:
    with contextlib.suppress(Exception):  # already closed, by the client or another feed
        await websocket.close(code=int(code), reason=_REASONS[code])
