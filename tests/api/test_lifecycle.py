"""A report's whole life through the HTTP API, with real multipart uploads."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import tables
from models.base import utcnow
from models.enums import ReportEventType, ReportStatus
from schema.node import encode_global_id
from settings import Settings
from tests.api.world import IN_EAST, IN_WEST, OUTSIDE, World, build_world, jpeg_with_gps
from tests.conftest import GraphQLClient, sign_in
from tests.factories import make_report

FIELDS = """
  report {
    id code status version isPublic: isOverdue dueAt
    area { name } assignedAgency { name } attachments { url contentType }
    timeline { edges { node { type actorLabel fromStatus toStatus note } } }
  }
  userErrors { code field }
"""
SUBMIT = f"""
mutation ($input: SubmitReportInput!) {{ submitReport(input: $input) {{ {FIELDS} }} }}
"""
ASSIGN = f"""
mutation ($input: AssignReportInput!) {{ assignReport(input: $input) {{ {FIELDS} }} }}
"""
REJECT = f"""
mutation ($input: RejectReportInput!) {{ rejectReport(input: $input) {{ {FIELDS} }} }}
"""
RESOLVE = f"""
mutation ($input: ResolveReportInput!) {{ resolveReport(input: $input) {{ {FIELDS} }} }}
"""
EXTEND = f"""
mutation ($input: ExtendDeadlineInput!) {{ extendDeadline(input: $input) {{ {FIELDS} }} }}
"""
RATE = f"""
mutation ($input: RateReportInput!) {{ rateReport(input: $input) {{ {FIELDS} }} }}
"""
MESSAGE = """
mutation ($input: PostMessageInput!) {
  postMessage(input: $input) { message { body visibility authorLabel } userErrors { code field } }
}
"""


def action(name: str) -> str:
    return f"mutation ($input: ReportActionInput!) {{ {name}(input: $input) {{ {FIELDS} }} }}"


def new_report(world: World, **overrides: Any) -> dict[str, Any]:
    latitude, longitude = overrides.pop("point", IN_WEST)
    return {
        "categoryId": encode_global_id("Category", world.category.id),
        "title": "Rác thải ven sông Nhật Lệ",
        "description": "Rác tồn đọng nhiều ngày, bốc mùi.",
        "latitude": latitude,
        "longitude": longitude,
        "address": "Đường Quách Xuân Kỳ",
        **overrides,
    }


async def submit(gql: GraphQLClient, world: World, **overrides: Any) -> dict[str, Any]:
    data = await gql.data(SUBMIT, {"input": new_report(world, **overrides)})
    assert data["submitReport"]["userErrors"] == [], data
    report: dict[str, Any] = data["submitReport"]["report"]
    return report


async def clients(client: httpx.AsyncClient, world: World) -> dict[str, GraphQLClient]:
    return {
        "citizen": await sign_in(client, world.citizen),
        "coordinator": await sign_in(client, world.coordinator),
        "officer": await sign_in(client, world.officer),
    }


async def test_citizen_submits_with_photos_and_their_location_data_is_gone(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(session_factory)
    citizen = await sign_in(client, world.citizen)
    data = await citizen.upload(
        SUBMIT,
        {"input": new_report(world, attachments=[None, None])},
        {"input.attachments.0": jpeg_with_gps(), "input.attachments.1": jpeg_with_gps(40, 80)},
    )
    report = data["submitReport"]["report"]
    assert report["status"] == "SUBMITTED"
    assert report["area"] == {"name": "Phường Đồng Hới"}
    assert [a["contentType"] for a in report["attachments"]] == ["image/jpeg", "image/jpeg"]
    response = await client.get(
        report["attachments"][0]["url"], headers={"Authorization": f"Bearer {citizen.token}"}
    )
    assert response.status_code == 200
    assert response.headers["x-content-type-options"] == "nosniff"
    assert b"PhoneMaker" not in response.content
    assert not Image.open(__import__("io").BytesIO(response.content)).getexif()


async def test_photo_of_a_report_awaiting_triage_is_hidden_from_the_public(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(session_factory)
    citizen = await sign_in(client, world.citizen)
    data = await citizen.upload(
        SUBMIT,
        {"input": new_report(world, attachments=[None])},
        {"input.attachments.0": jpeg_with_gps()},
    )
    url = data["submitReport"]["report"]["attachments"][0]["url"]
    assert (await client.get(url)).status_code == 404


def _photos(count: int) -> tuple[list[None], dict[str, bytes]]:
    return [None] * count, {f"input.attachments.{i}": jpeg_with_gps() for i in range(count)}


async def test_five_photos_are_taken_and_a_sixth_is_refused(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(session_factory)
    citizen = await sign_in(client, world.citizen)
    slots, files = _photos(5)
    data = await citizen.upload(SUBMIT, {"input": new_report(world, attachments=slots)}, files)
    assert len(data["submitReport"]["report"]["attachments"]) == 5
    slots, files = _photos(6)
    data = await citizen.upload(SUBMIT, {"input": new_report(world, attachments=slots)}, files)
    assert data["submitReport"]["report"] is None
    assert [e["code"] for e in data["submitReport"]["userErrors"]] == ["TOO_MANY_FILES"]


async def test_upload_that_is_not_an_image_is_a_user_error(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(session_factory)
    citizen = await sign_in(client, world.citizen)
    data = await citizen.upload(
        SUBMIT,
        {"input": new_report(world, attachments=[None])},
        {"input.attachments.0": b"#!/bin/sh\necho not a photo\n"},
    )
    assert data["submitReport"]["userErrors"] == [
        {"code": "UNSUPPORTED_MEDIA_TYPE", "field": ["attachments", "0"]}
    ]


async def test_multipart_without_a_preflight_header_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql",
        data={"operations": '{"query": "{ categories { id } }"}', "map": "{}"},
        files={"x": ("a.txt", b"x")},
    )
    assert response.status_code == 400


async def test_full_life_from_submission_to_closure(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(session_factory)
    as_ = await clients(client, world)
    report = await submit(as_["citizen"], world)
    rid = report["id"]

    assigned = (await as_["coordinator"].data(ASSIGN, {"input": {"reportId": rid}}))["assignReport"]
    assert assigned["report"]["status"] == "ASSIGNED"
    assert assigned["report"]["assignedAgency"] == {"name": "Sở Nông nghiệp và Môi trường"}
    assert assigned["report"]["dueAt"] is not None
    public = await GraphQLClient(client).data(
        "query ($id: ID) { report(id: $id) { status } }", {"id": rid}
    )
    assert public["report"] == {"status": "ASSIGNED"}

    acknowledged = await as_["officer"].data(
        action("acknowledgeReport"), {"input": {"reportId": rid}}
    )
    assert acknowledged["acknowledgeReport"]["report"]["status"] == "IN_PROGRESS"

    resolved = await as_["officer"].upload(
        RESOLVE,
        {"input": {"reportId": rid, "response": "Đã thu gom rác.", "attachments": [None]}},
        {"input.attachments.0": jpeg_with_gps()},
    )
    assert resolved["resolveReport"]["report"]["status"] == "RESOLVED"
    assert len(resolved["resolveReport"]["report"]["attachments"]) == 1

    rated = await as_["citizen"].data(
        RATE, {"input": {"reportId": rid, "satisfaction": "VERY_SATISFIED", "comment": "Tốt"}}
    )
    final = rated["rateReport"]["report"]
    assert final["status"] == "CLOSED"
    steps = [(e["node"]["type"], e["node"]["actorLabel"]) for e in final["timeline"]["edges"]]
    assert steps == [
        ("SUBMITTED", "Người phản ánh"),
        ("ASSIGNED", "Ban chỉ đạo"),
        ("ACKNOWLEDGED", "Sở Nông nghiệp và Môi trường"),
        ("RESOLVED", "Sở Nông nghiệp và Môi trường"),
        ("RATED", "Người phản ánh"),
        ("CLOSED", "Người phản ánh"),
    ]


async def test_a_satisfied_rating_and_the_closing_it_brings_commit_in_one_transaction(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(session_factory)
    async with session_factory() as session, session.begin():
        report = await make_report(
            session,
            reporter=world.citizen,
            category=world.category,
            status=ReportStatus.RESOLVED,
            agency=world.environment,
        )
    citizen = await sign_in(client, world.citizen)
    rid = encode_global_id("Report", report.id)
    await citizen.data(RATE, {"input": {"reportId": rid, "satisfaction": "SATISFIED"}})
    async with session_factory() as session:
        events = (
            await session.execute(
                select(tables.ReportEvent.type, tables.ReportEvent.tx_id)
                .where(tables.ReportEvent.report_id == report.id)
                .order_by(tables.ReportEvent.id.desc())
                .limit(2)
            )
        ).all()
    (closed, closed_tx), (rated, rated_tx) = events
    assert (rated, closed) == (ReportEventType.RATED, ReportEventType.CLOSED)
    # One writing transaction (on PostgreSQL its id; SQLite writes one at a time, all 0).
    assert closed_tx == rated_tx


async def test_dissatisfied_rating_keeps_the_report_open_and_the_coordinator_reopens_it(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(session_factory)
    as_ = await clients(client, world)
    rid = (await submit(as_["citizen"], world))["id"]
    await as_["coordinator"].data(ASSIGN, {"input": {"reportId": rid}})
    await as_["officer"].data(RESOLVE, {"input": {"reportId": rid, "response": "Xong."}})
    rated = await as_["citizen"].data(
        RATE, {"input": {"reportId": rid, "satisfaction": "DISSATISFIED", "comment": "Chưa sạch"}}
    )
    assert rated["rateReport"]["report"]["status"] == "RESOLVED"
    reopened = await as_["coordinator"].data(
        action("reopenReport"), {"input": {"reportId": rid, "note": "Người dân chưa hài lòng."}}
    )
    assert reopened["reopenReport"]["report"]["status"] == "ASSIGNED"
    assert reopened["reopenReport"]["report"]["assignedAgency"] is not None


async def test_agency_returns_a_report_to_triage_and_loses_it(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(session_factory)
    as_ = await clients(client, world)
    rid = (await submit(as_["citizen"], world))["id"]
    await as_["coordinator"].data(ASSIGN, {"input": {"reportId": rid}})
    returned = await as_["officer"].data(
        action("returnReport"), {"input": {"reportId": rid, "note": "Không thuộc thẩm quyền."}}
    )
    report = returned["returnReport"]["report"]
    assert report["status"] == "SUBMITTED"
    assert report["assignedAgency"] is None
    rerouted = await as_["coordinator"].data(
        ASSIGN,
        {"input": {"reportId": rid, "agencyId": encode_global_id("Agency", world.construction.id)}},
    )
    assert rerouted["assignReport"]["report"]["assignedAgency"] == {"name": "Sở Xây dựng"}


async def test_return_without_a_reason_is_refused(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(session_factory)
    as_ = await clients(client, world)
    rid = (await submit(as_["citizen"], world))["id"]
    await as_["coordinator"].data(ASSIGN, {"input": {"reportId": rid}})
    refused = await as_["officer"].data(action("returnReport"), {"input": {"reportId": rid}})
    assert refused["returnReport"]["userErrors"] == [{"code": "INVALID_INPUT", "field": ["note"]}]


async def test_coordinator_sends_an_unfit_answer_back(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(session_factory)
    as_ = await clients(client, world)
    rid = (await submit(as_["citizen"], world))["id"]
    await as_["coordinator"].data(ASSIGN, {"input": {"reportId": rid}})
    await as_["officer"].data(RESOLVE, {"input": {"reportId": rid, "response": "Đã xem."}})
    sent_back = await as_["coordinator"].data(
        action("sendBackAnswer"), {"input": {"reportId": rid, "note": "Trả lời chưa đầy đủ."}}
    )
    assert sent_back["sendBackAnswer"]["report"]["status"] == "IN_PROGRESS"


async def test_rejection_as_duplicate_points_to_the_original(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(session_factory)
    as_ = await clients(client, world)
    original = await submit(as_["citizen"], world)
    copy = await submit(as_["citizen"], world, title="Rác ven sông lần nữa")
    data = await as_["coordinator"].data(
        REJECT, {"input": {"reportId": copy["id"], "duplicateOfId": original["id"]}}
    )
    report = data["rejectReport"]["report"]
    assert report["status"] == "REJECTED"
    assert (
        report["timeline"]["edges"][-1]["node"]["note"] == f"Trùng với phản ánh {original['code']}."
    )


async def test_deadline_extension_needs_a_later_date(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(session_factory)
    as_ = await clients(client, world)
    rid = (await submit(as_["citizen"], world))["id"]
    assigned = await as_["coordinator"].data(ASSIGN, {"input": {"reportId": rid}})
    due = assigned["assignReport"]["report"]["dueAt"]
    earlier = (utcnow() + timedelta(hours=1)).isoformat()
    refused = await as_["officer"].data(
        EXTEND, {"input": {"reportId": rid, "dueAt": earlier, "reason": "Cần thêm thời gian"}}
    )
    assert refused["extendDeadline"]["userErrors"] == [
        {"code": "INVALID_INPUT", "field": ["dueAt"]}
    ]
    later = (utcnow() + timedelta(days=60)).isoformat()
    extended = await as_["officer"].data(
        EXTEND, {"input": {"reportId": rid, "dueAt": later, "reason": "Chờ vật tư"}}
    )
    assert extended["extendDeadline"]["report"]["dueAt"] > due


async def test_a_deadline_past_the_calendar_is_bad_input_not_a_500(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(session_factory)
    as_ = await clients(client, world)
    rid = (await submit(as_["citizen"], world))["id"]
    await as_["coordinator"].data(ASSIGN, {"input": {"reportId": rid}})
    codes = await as_["officer"].error_codes(
        EXTEND,
        {"input": {"reportId": rid, "dueAt": "9999-12-31T23:00:00-05:00", "reason": "Xa quá"}},
    )
    assert codes == ["BAD_USER_INPUT"]


async def test_stale_expected_version_is_refused(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(session_factory)
    as_ = await clients(client, world)
    report = await submit(as_["citizen"], world)
    await as_["coordinator"].data(
        ASSIGN, {"input": {"reportId": report["id"], "expectedVersion": report["version"]}}
    )
    stale = await as_["coordinator"].data(
        ASSIGN, {"input": {"reportId": report["id"], "expectedVersion": report["version"]}}
    )
    assert stale["assignReport"]["userErrors"] == [{"code": "STALE", "field": ["expectedVersion"]}]


async def test_point_outside_the_service_area_is_refused(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(session_factory)
    citizen = await sign_in(client, world.citizen)
    data = await citizen.data(SUBMIT, {"input": new_report(world, point=OUTSIDE)})
    assert data["submitReport"]["userErrors"] == [
        {"code": "OUTSIDE_SERVICE_AREA", "field": ["latitude"]}
    ]


async def test_area_is_found_from_the_point(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(session_factory)
    citizen = await sign_in(client, world.citizen)
    report = await submit(citizen, world, point=IN_EAST)
    assert report["area"] == {"name": "Phường Đồng Thuận"}


async def test_same_idempotency_key_returns_the_first_report(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(session_factory)
    citizen = await sign_in(client, world.citizen)
    first = await submit(citizen, world, idempotencyKey="offline-42")
    again = await submit(citizen, world, idempotencyKey="offline-42")
    assert again["code"] == first["code"]
    mine = await citizen.data("{ reports(filter: {mine: true}) { totalCount } }")
    assert mine["reports"]["totalCount"] == 1


async def test_same_idempotency_key_with_other_content_is_refused(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(session_factory)
    citizen = await sign_in(client, world.citizen)
    await submit(citizen, world, idempotencyKey="offline-42")
    data = await citizen.data(
        SUBMIT, {"input": new_report(world, idempotencyKey="offline-42", title="Khác")}
    )
    assert data["submitReport"]["userErrors"] == [
        {"code": "IDEMPOTENCY_KEY_REUSED", "field": ["idempotencyKey"]}
    ]


async def test_anonymous_visitor_cannot_submit(
    gql: GraphQLClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(session_factory)
    assert await gql.error_codes(SUBMIT, {"input": new_report(world)}) == ["UNAUTHENTICATED"]


async def test_messages_reach_only_whom_their_visibility_allows(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(session_factory)
    as_ = await clients(client, world)
    rid = (await submit(as_["citizen"], world))["id"]
    await as_["coordinator"].data(ASSIGN, {"input": {"reportId": rid}})
    for body, visibility in [
        ("Công khai", "PUBLIC"),
        ("Riêng", "PARTICIPANTS"),
        ("Nội bộ", "INTERNAL"),
    ]:
        posted = await as_["officer"].data(
            MESSAGE, {"input": {"reportId": rid, "body": body, "visibility": visibility}}
        )
        assert posted["postMessage"]["message"]["authorLabel"] == "Sở Nông nghiệp và Môi trường"
    query = "query ($id: ID) { report(id: $id) { messages { edges { node { body } } } } }"

    async def bodies(viewer: GraphQLClient) -> list[str]:
        data = await viewer.data(query, {"id": rid})
        return [edge["node"]["body"] for edge in data["report"]["messages"]["edges"]]

    assert await bodies(GraphQLClient(client)) == ["Công khai"]
    assert await bodies(await sign_in(client, world.other_citizen)) == ["Công khai"]
    assert await bodies(as_["citizen"]) == ["Công khai", "Riêng"]
    assert await bodies(as_["coordinator"]) == ["Công khai", "Riêng", "Nội bộ"]
    assert await bodies(await sign_in(client, world.other_officer)) == ["Công khai"]


async def test_citizen_cannot_write_internal_notes(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(session_factory)
    citizen = await sign_in(client, world.citizen)
    rid = (await submit(citizen, world))["id"]
    data = await citizen.data(
        MESSAGE, {"input": {"reportId": rid, "body": "x", "visibility": "INTERNAL"}}
    )
    assert data["postMessage"]["userErrors"] == [{"code": "INVALID_INPUT", "field": ["visibility"]}]


async def test_step_not_possible_in_the_current_state_is_invalid_transition(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(session_factory)
    as_ = await clients(client, world)
    rid = (await submit(as_["citizen"], world))["id"]
    data = await as_["coordinator"].data(RESOLVE, {"input": {"reportId": rid, "response": "x"}})
    assert data["resolveReport"]["userErrors"][0]["code"] == "INVALID_TRANSITION"


async def test_officer_of_another_agency_cannot_see_or_act_on_the_report(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(session_factory)
    as_ = await clients(client, world)
    rid = (await submit(as_["citizen"], world))["id"]
    other = await sign_in(client, world.other_officer)
    data = await other.data(action("acknowledgeReport"), {"input": {"reportId": rid}})
    assert data["acknowledgeReport"]["userErrors"] == [{"code": "NOT_FOUND", "field": ["reportId"]}]


async def test_citizen_acting_as_staff_is_forbidden(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(session_factory)
    citizen = await sign_in(client, world.citizen)
    rid = (await submit(citizen, world))["id"]
    assert await citizen.error_codes(ASSIGN, {"input": {"reportId": rid}}) == ["FORBIDDEN"]


async def test_coordinator_sees_the_suggested_agency_and_possible_actions(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(session_factory)
    as_ = await clients(client, world)
    rid = (await submit(as_["citizen"], world))["id"]
    query = "query ($id: ID) { report(id: $id) { suggestedAgency { name } availableActions } }"
    seen = (await as_["coordinator"].data(query, {"id": rid}))["report"]
    assert seen["suggestedAgency"] == {"name": "Sở Nông nghiệp và Môi trường"}
    assert set(seen["availableActions"]) == {"ASSIGN", "REJECT", "POST_MESSAGE"}
    by_citizen = (await as_["citizen"].data(query, {"id": rid}))["report"]
    assert by_citizen == {"suggestedAgency": None, "availableActions": ["POST_MESSAGE"]}


async def test_citizen_submitting_too_fast_is_rate_limited(
    client: httpx.AsyncClient, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    world = await build_world(session_factory)
    citizen = await sign_in(client, world.citizen)
    for number in range(10):
        await submit(citizen, world, title=f"Phản ánh số {number}")
    data = await citizen.data(SUBMIT, {"input": new_report(world, title="Một lần nữa")})
    error = data["submitReport"]["userErrors"][0]
    assert error["code"] == "RATE_LIMITED"
    retry = await citizen.data(SUBMIT, {"input": new_report(world, title="Phản ánh số 1")})
    assert retry["submitReport"]["userErrors"][0]["code"] == "RATE_LIMITED"


# Starlette's multipart parser leaves its spooled temporary file to the garbage collector when
# the body is cut off (an anonymous, already-unlinked temporary file, never under MEDIA_DIR).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
async def test_cut_off_upload_leaves_no_report_and_no_file(
    client: httpx.AsyncClient,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    world = await build_world(session_factory)
    citizen = await sign_in(client, world.citizen)
    operations = json.dumps(
        {"query": SUBMIT, "variables": {"input": new_report(world, attachments=[None])}}
    )
    boundary = "phananh-cut"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n'
        f"{operations}\r\n"
        f'--{boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n'
        '{"0": ["variables.input.attachments.0"]}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="0"; filename="a.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode() + jpeg_with_gps()[:300]  # the connection drops mid-file: no closing boundary
    response = await client.post(
        "/graphql",
        content=body,
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "GraphQL-Preflight": "1",
            "Authorization": f"Bearer {citizen.token}",
        },
    )
    assert response.status_code < 500
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(tables.Report)) == 0
    media = settings.media_dir
    assert not media.exists() or not any(path.is_file() for path in media.rglob("*"))
