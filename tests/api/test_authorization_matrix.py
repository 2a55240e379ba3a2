"""The authorization matrix: every actor × operation × report state, asserted cell by cell.

The tables below are written from PRODUCT.md and API.md, not read from the code. A seeded
canary (an anonymous reporter's phone and name) must never reach an actor the table denies.
The subscriptions' table is asserted over WebSocket in test_authorization_subscriptions.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import tables
from models.base import utcnow
from models.enums import ReportStatus, Visibility
from models.tokens import issue_access_token
from schema.node import encode_global_id
from settings import Settings
from tests.api.world import World, build_world
from tests.conftest import GraphQLClient
from tests.factories import make_attachment, make_message, make_report, make_user

ACTORS = ("anonymous", "reporter", "citizen", "coordinator", "officer", "other_officer", "admin")
STATES = {
    "S": ReportStatus.SUBMITTED,
    "A": ReportStatus.ASSIGNED,
    "P": ReportStatus.IN_PROGRESS,
    "R": ReportStatus.RESOLVED,
    "C": ReportStatus.CLOSED,
    "X": ReportStatus.REJECTED,
}
CANARY_PHONE = "+84900000099"
CANARY_NAME = "CANARY-NAME-Vũ"

# Who sees the report at all, per state: one letter per actor, in ACTORS order.
READ = {
    "S": "-y-y--y",  # the reporter, coordinators and admins
    "A": "yyyyyyy",
    "P": "yyyyyyy",
    "R": "yyyyyyy",
    "C": "yyyyyyy",
    "X": "-y-y--y",
}
# Who sees the anonymous reporter's name and phone (the canary): reporter and handling staff.
PERSONAL = {
    "S": "-y-y--y",
    "A": "-y-yy-y",
    "P": "-y-yy-y",
    "R": "-y-yy-y",
    "C": "-y-yy-y",
    "X": "-y-y--y",
}
# Which message scopes each actor reads on a visible report: p(ublic), a(ll but internal), i(all).
SCOPES = {
    "S": "-a-i--i",
    "A": "papiipi",
    "P": "papiipi",
    "R": "papiipi",
    "C": "papiipi",
    "X": "-a-i--i",
}

# Subscriptions: what each actor receives of three events written on a report in each state
# (a public OVERDUE event, a PARTICIPANTS message and an INTERNAL note): p the public one,
# a the public and participants ones, i all three, - none; or the subscription is refused:
# U UNAUTHENTICATED, F FORBIDDEN, N BAD_USER_INPUT (no such report). Every signed-in actor
# follows the report's area, and agencyInbox names the agency the report is forwarded to.
SUBSCRIPTIONS: dict[str, dict[str, str]] = {
    "reportEvents": {
        "S": "NaNiNNi",
        "A": "papiipi",
        "P": "papiipi",
        "R": "papiipi",
        "C": "papiipi",
        "X": "NaNiNNi",
    },
    "myReportEvents": dict.fromkeys(STATES, "Ua-----"),
    "agencyInbox": {
        "S": "UFF--F-",
        "A": "UFFiiFi",
        "P": "UFFiiFi",
        "R": "UFFiiFi",
        "C": "UFFiiFi",
        "X": "UFF--F-",
    },
    "triageQueue": dict.fromkeys(STATES, "UFFpFFp"),
    "publicReportEvents": {
        "S": "-------",
        "A": "ppppppp",
        "P": "ppppppp",
        "R": "ppppppp",
        "C": "ppppppp",
        "X": "-------",
    },
    "followedReportEvents": {
        "S": "Ua-i--i",
        "A": "Uapiipi",
        "P": "Uapiipi",
        "R": "Uapiipi",
        "C": "Uapiipi",
        "X": "Ua-i--i",
    },
}

# Mutation outcomes: Y done, U UNAUTHENTICATED, F FORBIDDEN, N NOT_FOUND (invisible),
# T INVALID_TRANSITION, E INVALID_INPUT — one letter per actor, in ACTORS order.
T_ROW = {"S": "UTNTNNT", "X": "UTNTNNT"}
ALL_T = "UTTTTTT"
MUTATIONS: dict[str, dict[str, str]] = {
    "assignReport": {
        "S": "UFNYNNY",
        "A": "UFFYFFY",
        "P": "UFFYFFY",
        "R": ALL_T,
        "C": ALL_T,
        "X": "UTNTNNT",
    },
    "rejectReport": {
        "S": "UFNYNNY",
        "A": ALL_T,
        "P": ALL_T,
        "R": ALL_T,
        "C": ALL_T,
        "X": "UTNTNNT",
    },
    "acknowledgeReport": {
        "S": "UTNTNNT",
        "A": "UFFFYFF",
        "P": ALL_T,
        "R": ALL_T,
        "C": ALL_T,
        "X": "UTNTNNT",
    },
    "returnReport": {
        "S": "UTNTNNT",
        "A": "UFFFYFF",
        "P": "UFFFYFF",
        "R": ALL_T,
        "C": ALL_T,
        "X": "UTNTNNT",
    },
    "resolveReport": {
        "S": "UTNTNNT",
        "A": "UFFFYFF",
        "P": "UFFFYFF",
        "R": ALL_T,
        "C": ALL_T,
        "X": "UTNTNNT",
    },
    "sendBackAnswer": {
        "S": "UTNTNNT",
        "A": ALL_T,
        "P": ALL_T,
        "R": "UFFYFFY",
        "C": ALL_T,
        "X": "UTNTNNT",
    },
    "reopenReport": {
        "S": "UTNTNNT",
        "A": ALL_T,
        "P": ALL_T,
        "R": "UFFYFFY",
        "C": "UFFYFFY",
        "X": "UFNYNNY",
    },
    "closeReport": {
        "S": "UTNTNNT",
        "A": ALL_T,
        "P": ALL_T,
        "R": "UYFYFFY",
        "C": ALL_T,
        "X": "UTNTNNT",
    },
    "extendDeadline": {
        "S": "UTNTNNT",
        "A": "UFFYYFY",
        "P": "UFFYYFY",
        "R": ALL_T,
        "C": ALL_T,
        "X": "UTNTNNT",
    },
    "rateReport": {
        "S": "UTNTNNT",
        "A": ALL_T,
        "P": ALL_T,
        "R": "UYFFFFF",
        "C": "UYFFFFF",
        "X": "UTNTNNT",
    },
    "postPublicMessage": {
        "S": "UYNYNNY",
        "A": "UYFYYFY",
        "P": "UYFYYFY",
        "R": "UYFYYFY",
        "C": "UYFYYFY",
        "X": "UFNYNNY",
    },
    "postInternalNote": {
        "S": "UENYNNY",
        "A": "UEFYYFY",
        "P": "UEFYYFY",
        "R": "UEFYYFY",
        "C": "UEFYYFY",
        "X": "UFNYNNY",
    },
}


def _mutation(name: str, report_id: str) -> tuple[str, dict[str, Any]]:
    later = (utcnow() + timedelta(days=90)).isoformat()
    inputs: dict[str, tuple[str, dict[str, Any]]] = {
        "assignReport": ("AssignReportInput", {}),
        "rejectReport": ("RejectReportInput", {"reason": "Không phải phản ánh hiện trường"}),
        "acknowledgeReport": ("ReportActionInput", {}),
        "returnReport": ("ReportActionInput", {"note": "Không thuộc thẩm quyền"}),
        "resolveReport": ("ResolveReportInput", {"response": "Đã xử lý"}),
        "sendBackAnswer": ("ReportActionInput", {"note": "Chưa đạt"}),
        "reopenReport": ("ReportActionInput", {"note": "Mở lại"}),
        "closeReport": ("ReportActionInput", {}),
        "extendDeadline": ("ExtendDeadlineInput", {"dueAt": later, "reason": "Chờ vật tư"}),
        "rateReport": ("RateReportInput", {"satisfaction": "SATISFIED"}),
        "postPublicMessage": ("PostMessageInput", {"body": "Xin chào", "visibility": "PUBLIC"}),
        "postInternalNote": ("PostMessageInput", {"body": "Nội bộ", "visibility": "INTERNAL"}),
    }
    input_type, extra = inputs[name]
    field = "postMessage" if name.startswith("post") else name
    query = (
        f"mutation ($input: {input_type}!) {{ {field}(input: $input) {{ userErrors {{ code }} }} }}"
    )
    return query, {"input": {"reportId": report_id, **extra}}


@dataclass
class Cast:
    world: World
    reporter: tables.User
    clients: dict[str, GraphQLClient]


@pytest.fixture
async def cast(
    client: httpx.AsyncClient,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> Cast:
    world = await build_world(session_factory)
    async with session_factory() as session, session.begin():
        reporter = await make_user(session, display_name=CANARY_NAME, phone=CANARY_PHONE)
    users = {
        "reporter": reporter,
        "citizen": world.other_citizen,
        "coordinator": world.coordinator,
        "officer": world.officer,
        "other_officer": world.other_officer,
        "admin": world.admin,
    }
    clients = {"anonymous": GraphQLClient(client)}
    for name, user in users.items():
        # Tokens are issued directly: signing in is tested elsewhere, and 500 logins are slow.
        clients[name] = GraphQLClient(client)
        clients[name].token, _ = issue_access_token(
            settings.secret_key, user.id, user.role, user.agency_id, utcnow()
        )
    return Cast(world, reporter, clients)


async def _reports_in(
    sessions: async_sessionmaker[AsyncSession], cast: Cast, state: str, count: int = 1
) -> list[tables.Report]:
    """`count` anonymous reports by the canary in `state`, each with messages and a photo."""
    status = STATES[state]
    forwarded = state in "APRC"
    reports = []
    async with sessions() as session, session.begin():
        for _ in range(count):
            report = await make_report(
                session,
                reporter=cast.reporter,
                category=cast.world.category,
                status=status,
                area=cast.world.west,
                agency=cast.world.environment if forwarded else None,
                anonymous=True,
            )
            if status in (ReportStatus.RESOLVED, ReportStatus.CLOSED):
                report.resolved_at = utcnow()
            for visibility in Visibility:
                await make_message(
                    session, report, cast.world.coordinator, f"m-{visibility}", visibility
                )
            await make_attachment(session, report)
            reports.append(report)
    return reports


READ_ALL = """
query ($id: ID) { report(id: $id) {
  code reporter { displayName phone }
  messages { edges { node { body visibility } } }
  timeline { edges { node { type note message { body } } } }
  attachments { url }
} }
"""


@pytest.mark.parametrize("state", list(STATES))
async def test_who_reads_a_report_and_its_reporter(
    client: httpx.AsyncClient,
    session_factory: async_sessionmaker[AsyncSession],
    cast: Cast,
    state: str,
) -> None:
    (report,) = await _reports_in(session_factory, cast, state)
    report_id = encode_global_id("Report", report.id)
    for index, actor in enumerate(ACTORS):
        response = await cast.clients[actor].http.post(
            "/graphql",
            json={"query": READ_ALL, "variables": {"id": report_id}},
            headers=_auth(cast.clients[actor]),
        )
        body = json.dumps(response.json(), ensure_ascii=False)
        seen = response.json()["data"]["report"]
        assert (seen is not None) == (READ[state][index] == "y"), (state, actor)
        personal = PERSONAL[state][index] == "y"
        assert (CANARY_PHONE in body) == personal, (state, actor)
        assert (CANARY_NAME in body) == personal, (state, actor)
        if seen is None:
            continue
        scopes = {edge["node"]["visibility"] for edge in seen["messages"]["edges"]}
        expected = {"p": {"PUBLIC"}, "a": {"PUBLIC", "PARTICIPANTS"}, "i": set(Visibility)}
        assert scopes == expected[SCOPES[state][index]], (state, actor)
        assert ("m-INTERNAL" in body) == (SCOPES[state][index] == "i"), (state, actor)


# Every other way to find a report: by code, as a node, in the list, by search, as a likely
# duplicate. Each must agree with READ (duplicates: open reports only) and with PERSONAL.
FIND_ALL = """
query ($id: ID!, $code: String!, $categoryId: ID!, $lat: Float!, $lng: Float!) {
  byCode: report(code: $code) { code reporter { displayName phone } }
  node(id: $id) { ... on Report { code reporter { displayName phone } } }
  list: reports(first: 50) { edges { node { code reporter { displayName phone } } } }
  search: reports(first: 50, filter: {search: "ven song"}) {
    edges { node { code reporter { displayName phone } } }
  }
  similar: similarReports(latitude: $lat, longitude: $lng, categoryId: $categoryId, text: "rác") {
    report { code reporter { displayName phone } }
  }
}
"""
OPEN_STATES = "SAP"


@pytest.mark.parametrize("state", list(STATES))
async def test_who_finds_a_report_by_code_node_list_search_and_duplicates(
    client: httpx.AsyncClient,
    session_factory: async_sessionmaker[AsyncSession],
    cast: Cast,
    state: str,
) -> None:
    (report,) = await _reports_in(session_factory, cast, state)
    variables = {
        "id": encode_global_id("Report", report.id),
        "code": report.code,
        "categoryId": encode_global_id("Category", cast.world.category.id),
        "lat": report.latitude,
        "lng": report.longitude,
    }
    for index, actor in enumerate(ACTORS):
        response = await client.post(
            "/graphql",
            json={"query": FIND_ALL, "variables": variables},
            headers=_auth(cast.clients[actor]),
        )
        answer = response.json()
        assert "errors" not in answer, (state, actor, answer)
        data = answer["data"]
        found = {
            "byCode": data["byCode"] is not None,
            "node": data["node"] is not None,
            "list": any(e["node"]["code"] == report.code for e in data["list"]["edges"]),
            "search": any(e["node"]["code"] == report.code for e in data["search"]["edges"]),
            "similar": any(s["report"]["code"] == report.code for s in data["similar"]),
        }
        visible = READ[state][index] == "y"
        expected = dict.fromkeys(found, visible)
        expected["similar"] = visible and state in OPEN_STATES
        assert found == expected, (state, actor)
        body = json.dumps(answer, ensure_ascii=False)
        personal = visible and PERSONAL[state][index] == "y"
        assert (CANARY_PHONE in body) == personal, (state, actor)
        assert (CANARY_NAME in body) == personal, (state, actor)


@pytest.mark.parametrize("state", list(STATES))
async def test_who_downloads_a_reports_photo(
    client: httpx.AsyncClient,
    session_factory: async_sessionmaker[AsyncSession],
    cast: Cast,
    state: str,
    tmp_path: Any,
) -> None:
    (report,) = await _reports_in(session_factory, cast, state)
    async with session_factory() as session:
        attachment = (
            await session.scalars(
                tables.Attachment.__table__.select()
                .where(tables.Attachment.report_id == report.id)
                .with_only_columns(tables.Attachment.id)
            )
        ).first()
    for index, actor in enumerate(ACTORS):
        response = await client.get(f"/media/{attachment}", headers=_auth(cast.clients[actor]))
        # The factory's file is not on disk: a visible one is a 404 too, but only after the
        # policy allowed it. What must hold: never a 200 for a denied actor, never a 500.
        assert response.status_code in (200, 404), (state, actor)
        if READ[state][index] != "y":
            assert response.status_code == 404


@pytest.mark.parametrize("mutation", list(MUTATIONS))
@pytest.mark.parametrize("state", list(STATES))
async def test_who_may_take_each_step_in_each_state(
    session_factory: async_sessionmaker[AsyncSession], cast: Cast, mutation: str, state: str
) -> None:
    expected_row = MUTATIONS[mutation][state]
    for index, actor in enumerate(ACTORS):
        (report,) = await _reports_in(session_factory, cast, state)
        query, variables = _mutation(mutation, encode_global_id("Report", report.id))
        body = await cast.clients[actor].post(query, variables)
        assert _outcome(body) == expected_row[index], (mutation, state, actor, body)


def _outcome(body: dict[str, Any]) -> str:
    if body.get("errors"):
        code = body["errors"][0]["extensions"]["code"]
        return {"UNAUTHENTICATED": "U", "FORBIDDEN": "F"}.get(code, f"?{code}")
    payload = next(iter(body["data"].values()))
    errors = payload["userErrors"]
    if not errors:
        return "Y"
    code = errors[0]["code"]
    return {"NOT_FOUND": "N", "INVALID_TRANSITION": "T", "INVALID_INPUT": "E"}.get(code, f"?{code}")


def _auth(gql: GraphQLClient) -> dict[str, str]:
    return {"Authorization": f"Bearer {gql.token}"} if gql.token else {}
