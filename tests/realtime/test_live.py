"""Live delivery: each of the five feeds sends what it follows, committed after it starts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from models.enums import ReportEventType, ReportStatus, Satisfaction, Visibility
from schema.node import encode_global_id
from tests.realtime.client import EVENT_FIELDS, WSClient
from tests.realtime.conftest import LiveServer, World, Writer

Connect = Callable[..., Awaitable[WSClient]]
E = ReportEventType
S = ReportStatus

REPORT_EVENTS = f"""
subscription ($id: ID!) {{ reportEvents(reportId: $id) {{ {EVENT_FIELDS} report {{ code }} }} }}
"""
MY_REPORT_EVENTS = f"subscription {{ myReportEvents {{ {EVENT_FIELDS} report {{ code }} }} }}"
AGENCY_INBOX = f"subscription {{ agencyInbox {{ {EVENT_FIELDS} report {{ code }} }} }}"
TRIAGE_QUEUE = f"subscription {{ triageQueue {{ {EVENT_FIELDS} rating {{ satisfaction }} }} }}"
PUBLIC_EVENTS = f"""
subscription ($filter: ReportFilter) {{
  publicReportEvents(filter: $filter) {{ {EVENT_FIELDS} report {{ code }} }}
}}
"""


def gid(type_name: str, key: int) -> str:
    return encode_global_id(type_name, key)


async def test_report_events_sends_one_reports_events_in_commit_order(
    live: LiveServer, connect: Connect, writer: Writer, world: World
) -> None:
    report = await writer.report(world)
    other = await writer.report(world)
    client = await connect(world.citizen)
    feed = await client.subscribe(REPORT_EVENTS, {"id": gid("Report", report.id)})
    await live.subscribed()
    await writer.step(report, E.ASSIGNED, S.ASSIGNED, agency=world.agency)
    await writer.step(other, E.ASSIGNED, S.ASSIGNED, agency=world.agency)
    await writer.step(report, E.ACKNOWLEDGED, S.IN_PROGRESS)
    first, second = await client.events(feed, 2)
    assert [first["type"], second["type"]] == ["ASSIGNED", "ACKNOWLEDGED"]
    assert {first["report"]["code"], second["report"]["code"]} == {report.code}


async def test_my_report_events_sends_events_of_the_viewers_reports_only(
    live: LiveServer, connect: Connect, writer: Writer, world: World
) -> None:
    mine = await writer.report(world)
    theirs = await writer.report(world, reporter=world.other_citizen)
    client = await connect(world.citizen)
    feed = await client.subscribe(MY_REPORT_EVENTS)
    await live.subscribed()
    await writer.step(theirs, E.ASSIGNED, S.ASSIGNED, agency=world.agency)  # public, not mine
    await writer.step(mine, E.ASSIGNED, S.ASSIGNED, agency=world.agency)
    event = await client.event(feed)
    assert (event["type"], event["report"]["code"]) == ("ASSIGNED", mine.code)


async def test_agency_inbox_sends_the_officers_agency_events_only(
    live: LiveServer, connect: Connect, writer: Writer, world: World
) -> None:
    ours = await writer.report(world)
    elsewhere = await writer.report(world)
    client = await connect(world.officer)
    feed = await client.subscribe(AGENCY_INBOX)
    await live.subscribed()
    await writer.step(elsewhere, E.ASSIGNED, S.ASSIGNED, agency=world.other_agency)
    await writer.step(ours, E.ASSIGNED, S.ASSIGNED, agency=world.agency)
    await writer.message(ours, world.officer, "Đã tiếp nhận", Visibility.INTERNAL)
    assigned, note = await client.events(feed, 2)
    assert (assigned["type"], assigned["report"]["code"]) == ("ASSIGNED", ours.code)
    assert note["type"] == "MESSAGE_POSTED"


async def test_triage_queue_sends_what_needs_a_coordinators_decision(
    live: LiveServer, connect: Connect, writer: Writer, world: World
) -> None:
    client = await connect(world.coordinator)
    feed = await client.subscribe(TRIAGE_QUEUE)
    await live.subscribed()
    report = await writer.report(world)  # SUBMITTED
    await writer.step(report, E.ASSIGNED, S.ASSIGNED, agency=world.agency)
    await writer.step(report, E.RETURNED, S.SUBMITTED)
    await writer.rating(report, Satisfaction.SATISFIED)
    other = await writer.report(world, reporter=world.other_citizen)
    await writer.rating(other, Satisfaction.DISSATISFIED)
    events = await client.events(feed, 5)
    kinds = [event["type"] for event in events]
    assert kinds == ["SUBMITTED", "ASSIGNED", "RETURNED", "SUBMITTED", "RATED"]
    assert events[4]["rating"] == {"satisfaction": "DISSATISFIED"}


async def test_public_report_events_sends_public_events_matching_the_filter(
    live: LiveServer, connect: Connect, writer: Writer, world: World
) -> None:
    in_block = await writer.report(world, area=world.block)
    other_category = await writer.report(world, area=world.ward, category=world.other_category)
    other_ward = await writer.report(world, area=world.other_ward)
    client = await connect()
    feed = await client.subscribe(
        PUBLIC_EVENTS,
        {
            "filter": {
                "areaId": gid("Area", world.ward.id),  # the block lies inside the ward
                "categoryIds": [gid("Category", world.category.id)],
                "status": ["ASSIGNED"],
            }
        },
    )
    await live.subscribed()
    for report in (other_category, other_ward, in_block):
        await writer.step(report, E.ASSIGNED, S.ASSIGNED, agency=world.agency)
    event = await client.event(feed)
    assert (event["type"], event["report"]["code"]) == ("ASSIGNED", in_block.code)
    assert await client.silent(feed, 0.3)
