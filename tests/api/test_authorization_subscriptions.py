"""The authorization matrix's subscriptions, asserted over real WebSockets, state by state.

Each actor opens one `graphql-transport-ws` connection and starts every subscription on it;
three events are then written on the canary's report (see SUBSCRIPTIONS), and what each
operation received, or how it was refused, must be the table's cell. No frame sent to an actor
denied the reporter's personal data may carry the canary phone or name.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import tables
from models.base import utcnow
from models.enums import ReportEventType, Visibility
from models.tokens import issue_access_token
from schema.node import encode_global_id
from settings import Settings
from tests.api.test_authorization_matrix import (
    ACTORS,
    CANARY_NAME,
    CANARY_PHONE,
    PERSONAL,
    STATES,
    SUBSCRIPTIONS,
    Cast,
    _reports_in,
)
from tests.api.world import build_world
from tests.factories import make_user
from tests.realtime.client import WSClient
from tests.realtime.conftest import LiveServer, Writer, serve

FIELDS = "type message { body } report { code reporter { displayName phone } }"


def _operation(field: str, variables: str = "", arguments: str = "") -> str:
    return f"subscription {variables} {{ {field}{arguments} {{ {FIELDS} }} }}"


OPERATIONS = {
    "reportEvents": _operation("reportEvents", "($report: ID!)", "(reportId: $report)"),
    "myReportEvents": _operation("myReportEvents"),
    "agencyInbox": _operation("agencyInbox", "($agency: ID)", "(agencyId: $agency)"),
    "triageQueue": _operation("triageQueue"),
    "publicReportEvents": _operation("publicReportEvents"),
    "followedReportEvents": _operation("followedReportEvents"),
}
PARTICIPANTS_BODY = "trigger-participants"
INTERNAL_BODY = "trigger-internal"
# Which of the three events each cell letter stands for.
RECEIVED: dict[str, set[str]] = {"-": set(), "p": {"p"}, "a": {"p", "a"}, "i": {"p", "a", "i"}}
REFUSED = {"UNAUTHENTICATED": "U", "FORBIDDEN": "F", "BAD_USER_INPUT": "N"}
# After every expected frame has arrived, how long a frame that should not exist may lag.
STRAGGLER_SECONDS = 0.3


class Recorder(WSClient):
    def unread(self, operation_id: str) -> list[dict[str, Any]]:
        """The operation's messages that arrived and were not read yet."""
        return self._inbox.pop(operation_id, [])


@pytest.fixture
async def live(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[LiveServer]:
    async with serve(settings) as server:
        yield server


@pytest.fixture
async def cast(session_factory: async_sessionmaker[AsyncSession]) -> Cast:
    world = await build_world(session_factory)
    async with session_factory() as session, session.begin():
        reporter = await make_user(session, display_name=CANARY_NAME, phone=CANARY_PHONE)
        users = (reporter, world.other_citizen, world.coordinator, world.officer)
        for user in (*users, world.other_officer, world.admin):
            session.add(tables.Follow(user_id=user.id, area_id=world.west.id))
    return Cast(world, reporter, clients={})


@pytest.fixture
async def sockets(
    live: LiveServer, cast: Cast, settings: Settings
) -> AsyncIterator[dict[str, Recorder]]:
    """One connection per actor, in ACTORS order."""
    world = cast.world
    users = {
        "reporter": cast.reporter,
        "citizen": world.other_citizen,
        "coordinator": world.coordinator,
        "officer": world.officer,
        "other_officer": world.other_officer,
        "admin": world.admin,
    }
    opened: dict[str, Recorder] = {}
    try:
        for actor in ACTORS:
            user = users.get(actor)
            token = None
            if user is not None:
                token, _ = issue_access_token(
                    settings.secret_key, user.id, user.role, user.agency_id, utcnow()
                )
            client = await Recorder.connect(live.url, token)
            assert isinstance(client, Recorder)
            opened[actor] = client
        yield opened
    finally:
        for client in opened.values():
            await client.close()


@pytest.mark.parametrize("state", list(STATES))
async def test_who_receives_each_subscription_in_each_state(
    session_factory: async_sessionmaker[AsyncSession],
    live: LiveServer,
    cast: Cast,
    sockets: dict[str, Recorder],
    state: str,
) -> None:
    (report,) = await _reports_in(session_factory, cast, state)
    await live.settled()  # the feeds start after the report's own history
    variables = {
        "report": encode_global_id("Report", report.id),
        "agency": encode_global_id("Agency", cast.world.environment.id),
    }
    started = {
        (actor, name): await sockets[actor].subscribe(query, variables)
        for actor in ACTORS
        for name, query in OPERATIONS.items()
    }
    accepted = sum(row[state].count(c) for row in SUBSCRIPTIONS.values() for c in "-pai")
    await _subscribed(live, accepted)

    writer = Writer(session_factory, live)
    coordinator = cast.world.coordinator
    await writer.message(report, coordinator, PARTICIPANTS_BODY, Visibility.PARTICIPANTS)
    await writer.message(report, coordinator, INTERNAL_BODY, Visibility.INTERNAL)
    await writer.step(report, ReportEventType.OVERDUE)
    await live.settled()

    received: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for (actor, name), operation in started.items():
        cell = SUBSCRIPTIONS[name][state][ACTORS.index(actor)]
        expected = 1 if cell in REFUSED.values() else len(RECEIVED[cell])
        received[actor, name] = await _read(sockets[actor], operation, expected)
    # Anything the table does not expect would be queued by now: let it arrive.
    await asyncio.gather(*(c.silent("stragglers", STRAGGLER_SECONDS) for c in sockets.values()))
    for (actor, name), operation in started.items():
        received[actor, name] += sockets[actor].unread(operation)

    observed = {
        name: "".join(_cell(received[actor, name]) for actor in ACTORS) for name in OPERATIONS
    }
    assert observed == {name: SUBSCRIPTIONS[name][state] for name in OPERATIONS}
    for index, actor in enumerate(ACTORS):
        messages = [m for (a, _), ms in received.items() if a == actor for m in ms]
        if PERSONAL[state][index] == "y":
            events = [_text(m) for m in messages if _event(m) is not None]
            assert all(CANARY_PHONE in e and CANARY_NAME in e for e in events), actor
        else:
            frames = [_text(m) for m in messages]
            assert not any(CANARY_PHONE in f or CANARY_NAME in f for f in frames), actor


async def _subscribed(live: LiveServer, count: int) -> None:
    """Wait for the feeds the table accepts; if fewer start, the table's check says which."""
    with contextlib.suppress(TimeoutError):
        await live.subscribed(count)


async def _read(client: Recorder, operation: str, count: int) -> list[dict[str, Any]]:
    """Up to `count` messages of an operation, fewer if it ends or falls silent first."""
    messages: list[dict[str, Any]] = []
    while len(messages) < count:
        try:
            message = await client.message(operation)
        except TimeoutError:
            break
        messages.append(message)
        if message["type"] in {"error", "complete"}:
            break
    return messages


def _cell(messages: list[dict[str, Any]]) -> str:
    """The table's letter for what one operation received."""
    kinds: list[str] = []
    for message in messages:
        payload = message.get("payload")
        errors = payload if message["type"] == "error" else (payload or {}).get("errors")
        if errors:
            code = str(errors[0].get("extensions", {}).get("code"))
            return REFUSED.get(code, f"?{code}")
        event = _event(message)
        if event is not None:
            kinds.append(_kind(event))
    for letter, expected in RECEIVED.items():
        if sorted(kinds) == sorted(expected):
            return letter
    return f"?{sorted(kinds)}"


def _event(message: dict[str, Any]) -> dict[str, Any] | None:
    if message["type"] != "next" or message["payload"].get("errors"):
        return None
    (event,) = message["payload"]["data"].values()
    result: dict[str, Any] = event
    return result


def _kind(event: dict[str, Any]) -> str:
    if event["type"] == ReportEventType.OVERDUE.value:
        return "p"
    body = str((event.get("message") or {}).get("body"))
    return {PARTICIPANTS_BODY: "a", INTERNAL_BODY: "i"}.get(body, f"?{event['type']}:{body}")


def _text(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False)
