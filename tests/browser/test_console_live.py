"""The console and the tracker in headless Chromium: live updates, and resuming after a drop."""

from __future__ import annotations

import time
from typing import Any

from tests.browser.conftest import Api, OpenTab, Tab, sign_in_console, wait_live

# Wall time allowed between one person's action and another's screen showing it. On PostgreSQL
# an event goes out once no older write transaction runs on the whole server (realtime/log.py):
# a server shared with other busy databases can hold it back longer than this.
LIVE_WITHIN_SECONDS = 1.0
# While offline, Chromium itself logs each failed reconnection attempt as a console error.
OFFLINE_ERROR = "net::ERR_INTERNET_DISCONNECTED"

VIEWER_AGENCY = "{ viewer { agency { id name } } }"
REPORTS = """
query ($filter: ReportFilter) {
  reports(first: 50, filter: $filter) {
    edges { node { id code status suggestedAgency { id } timeline(first: 100) { totalCount } } }
  }
}
"""
ACKNOWLEDGE = """
mutation ($id: ID!) {
  acknowledgeReport(input: {reportId: $id, note: "Đã cử cán bộ xuống hiện trường."}) {
    report { status } userErrors { code message }
  }
}
"""
ASSIGN = """
mutation ($id: ID!, $agency: ID!) { assignReport(input: {reportId: $id, agencyId: $agency}) {
  report { status } userErrors { code message } } }
"""
POST_PUBLIC = """
mutation ($id: ID!, $body: String!) {
  postMessage(input: {reportId: $id, body: $body, visibility: PUBLIC}) {
    message { id } userErrors { code message }
  }
}
"""
TIMELINE_CURSORS = """
query ($code: String!) {
  report(code: $code) { timeline(first: 100) { edges { node { cursor } } } }
}
"""


async def _agency_of(api: Api, officer: str) -> dict[str, str]:
    data = await api.run(VIEWER_AGENCY, {}, as_user=officer)
    agency: dict[str, str] = data["viewer"]["agency"]
    return agency


async def _reports(api: Api, as_user: str, **filter: Any) -> list[dict[str, Any]]:
    data = await api.run(REPORTS, {"filter": filter}, as_user=as_user)
    return [edge["node"] for edge in data["reports"]["edges"]]


async def _event_ids(tab: Tab) -> list[str]:
    ids: list[str] = await tab.page.locator("#timeline [data-event-id]").evaluate_all(
        "items => items.map(item => item.dataset.eventId)"
    )
    return ids


async def _live_stats(tab: Tab) -> dict[str, int]:
    stats: dict[str, int] = await tab.page.evaluate("({...window.__phananhLive.stats})")
    return stats


async def test_officer_inbox_shows_an_assignment_made_in_another_browser(
    base_url: str, api: Api, open_tab: OpenTab
) -> None:
    agency = await _agency_of(api, "canhduong")
    waiting = await _reports(api, "dieuphoi", status=["SUBMITTED"])
    report = next(r for r in waiting if (r["suggestedAgency"] or {}).get("id") == agency["id"])

    officer: Tab = await open_tab()
    await sign_in_console(officer, base_url, "canhduong")
    await officer.page.evaluate("window.__notReloaded = true")
    row = officer.page.locator(f'li[data-code="{report["code"]}"]')
    assert await row.count() == 0

    coordinator: Tab = await open_tab()
    await sign_in_console(coordinator, base_url, "dieuphoi")
    await coordinator.page.locator(f'li[data-code="{report["code"]}"] button').click()
    await coordinator.page.locator('[data-action="ASSIGN"]').click()
    form = coordinator.page.locator('form[data-action="ASSIGN"]')
    # The suggested agency is chosen already: the coordinator only confirms.
    assert await form.get_by_label("Cơ quan xử lý").input_value() == agency["id"]
    await coordinator.screenshot("coordinator-assign")
    async with coordinator.page.expect_response(lambda r: r.url.endswith("/graphql")):
        await form.get_by_role("button", name="Xác nhận: Chuyển xử lý").click()
    assigned_at = time.monotonic()

    await row.wait_for(timeout=5_000)
    delay = time.monotonic() - assigned_at
    assert delay < LIVE_WITHIN_SECONDS, f"the assignment took {delay:.2f} s to appear"
    assert await officer.page.evaluate("window.__notReloaded") is True
    assert await officer.page.locator(".new-count").inner_text() == "1 mới"
    assert "is-new" in (await row.get_attribute("class") or "")
    assert await row.locator(".new-badge").inner_text() == "Mới"
    assert await officer.page.title() == "(1) Bảng điều khiển PhanAnh"
    assert await officer.page.evaluate("window.__phananhChimes()") >= 1
    await officer.screenshot("officer-inbox-live")

    await row.locator("button").click()
    await officer.page.locator("#detail article").wait_for()
    await officer.page.get_by_role("button", name="Tiếp nhận xử lý").wait_for()
    await officer.screenshot("officer-report")
    assert officer.problems == []
    assert coordinator.problems == []


async def test_tracker_shows_a_status_change_live(
    base_url: str, api: Api, open_tab: OpenTab
) -> None:
    agency = await _agency_of(api, "dienluc")
    report = (await _reports(api, "dienluc", agencyId=agency["id"], status=["ASSIGNED"]))[0]

    visitor: Tab = await open_tab()
    response = await visitor.page.goto(f"{base_url}/track/{report['code']}")
    # The page runs under the strict CSP, WebSocket included ('self' covers ws: to the same host).
    assert response is not None
    assert response.headers["content-security-policy"].startswith("default-src 'self';")
    await visitor.page.wait_for_selector("body[data-ready]")
    await wait_live(visitor.page)
    await visitor.page.evaluate("window.__notReloaded = true")
    status = visitor.page.locator("#report-status .badge").first
    assert await status.inner_text() == "Đã chuyển xử lý"

    data = await api.run(ACKNOWLEDGE, {"id": report["id"]}, as_user="dienluc")
    assert data["acknowledgeReport"]["userErrors"] == []
    changed_at = time.monotonic()

    await visitor.page.locator("#report-status .status-in_progress").wait_for(timeout=5_000)
    delay = time.monotonic() - changed_at
    assert delay < LIVE_WITHIN_SECONDS, f"the status change took {delay:.2f} s to appear"
    assert await visitor.page.locator("#timeline .event-acknowledged").count() == 1
    assert await visitor.page.evaluate("window.__notReloaded") is True
    await visitor.screenshot("tracker-live")
    assert visitor.problems == []


async def test_tracker_resumes_after_a_dropped_connection_without_loss_or_repeats(
    base_url: str, api: Api, open_tab: OpenTab
) -> None:
    agency = await _agency_of(api, "xaydung")
    report = (await _reports(api, "xaydung", agencyId=agency["id"], status=["IN_PROGRESS"]))[0]
    visitor: Tab = await open_tab()
    await visitor.page.goto(f"{base_url}/track/{report['code']}")
    await visitor.page.wait_for_selector("body[data-ready]")
    await wait_live(visitor.page)
    before = await _event_ids(visitor)
    assert len(before) == report["timeline"]["totalCount"]

    # The network goes away: the page notices and keeps trying to come back.
    await visitor.context.set_offline(True)
    await visitor.page.wait_for_function("() => window.__phananhLive.status === 'reconnecting'")
    bodies = [
        "Cập nhật 1: đã khảo sát.",
        "Cập nhật 2: đã có phương án.",
        "Cập nhật 3: đang thi công.",
    ]
    for body in bodies:
        data = await api.run(POST_PUBLIC, {"id": report["id"], "body": body}, as_user="xaydung")
        assert data["postMessage"]["userErrors"] == []
    assert await _event_ids(visitor) == before  # nothing could arrive while offline

    # Back online: it resumes from its last cursor and receives the three missed events.
    await visitor.context.set_offline(False)
    await visitor.page.wait_for_function(
        "count => document.querySelectorAll('#timeline [data-event-id]').length >= count",
        arg=len(before) + 3,
        timeout=10_000,
    )
    await wait_live(visitor.page)
    after = await _event_ids(visitor)
    assert after[: len(before)] == before
    assert len(after) == len(before) + 3 == len(set(after))
    timeline_text = await visitor.page.locator("#timeline").inner_text()
    assert all(timeline_text.count(body) == 1 for body in bodies)
    stats = await _live_stats(visitor)
    assert stats["connects"] == 2
    assert stats["drops"] >= 1

    # A replay that overlaps what the page shows (resuming from an older cursor) adds nothing.
    data = await api.run(TIMELINE_CURSORS, {"code": report["code"]})
    first_cursor = data["report"]["timeline"]["edges"][0]["node"]["cursor"]
    await visitor.page.evaluate(
        "cursor => { const live = window.__phananhLive;"
        " live.subscriptions.forEach(s => { s.cursor = cursor; }); live.drop(); }",
        first_cursor,
    )
    await visitor.page.wait_for_function("() => window.__phananhLive.stats.connects === 3")
    await visitor.page.wait_for_function(
        "count => window.__phananhLive.stats.duplicatesDropped >= count", arg=len(after) - 1
    )
    assert await _event_ids(visitor) == after

    # And it is live again: the next event arrives once.
    await api.run(POST_PUBLIC, {"id": report["id"], "body": "Đã hoàn thành."}, as_user="xaydung")
    await visitor.page.get_by_text("Đã hoàn thành.").wait_for(timeout=5_000)
    final = await _event_ids(visitor)
    assert len(final) == len(after) + 1 == len(set(final))
    await visitor.screenshot("tracker-resumed")
    assert visitor.unexpected_problems(OFFLINE_ERROR) == []


async def test_inbox_catches_up_on_an_assignment_made_while_offline(
    base_url: str, api: Api, open_tab: OpenTab
) -> None:
    agency = await _agency_of(api, "xaydung")
    waiting = await _reports(api, "dieuphoi", status=["SUBMITTED"])
    ours = [r for r in waiting if (r["suggestedAgency"] or {}).get("id") == agency["id"]]
    first, second = ours[:2]
    officer: Tab = await open_tab()
    await sign_in_console(officer, base_url, "xaydung")

    await api.run(ASSIGN, {"id": first["id"], "agency": agency["id"]}, as_user="dieuphoi")
    await officer.page.locator(f'li[data-code="{first["code"]}"]').wait_for(timeout=5_000)

    await officer.context.set_offline(True)
    await officer.page.wait_for_function("() => window.__phananhLive.status === 'reconnecting'")
    await api.run(ASSIGN, {"id": second["id"], "agency": agency["id"]}, as_user="dieuphoi")
    await officer.context.set_offline(False)

    second_row = officer.page.locator(f'li[data-code="{second["code"]}"]')
    await second_row.wait_for(timeout=10_000)
    await wait_live(officer.page)
    assert await second_row.count() == 1
    assert await officer.page.locator(f'li[data-code="{first["code"]}"]').count() == 1
    assert await officer.page.locator(".new-count").inner_text() == "2 mới"
    assert officer.unexpected_problems(OFFLINE_ERROR) == []
