"""Fixtures for the browser tests: a real server with the demo data, headless Chromium, helpers.

The server runs in a thread with its own event loop (uvicorn, the app's own lifespan), on the
suite's database and broker, so that the browser tests also run on PostgreSQL and Redis in CI.
Chromium is Debian's `/usr/bin/chromium`, driven by Playwright's async API from the suite's
event loop. Without the browser the tests are skipped, except under CI=true, where they fail.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    ViewportSize,
    async_playwright,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from server import create_app
from settings import Settings
from tests.backends import Backend, empty_all_tables

CHROMIUM = Path("/usr/bin/chromium")
HAVE_CHROMIUM = CHROMIUM.exists()
# What a CI machine or a developer's sandbox needs: no GPU, no sandboxing inside a container,
# and no calls home (updates, sync, QUIC probes) that would make a test wait on the internet.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
PASSWORD = "phananh-demo"
VIEWPORT: ViewportSize = {"width": 1360, "height": 900}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip every browser test when Chromium is missing, unless CI must run them."""
    if HAVE_CHROMIUM or os.environ.get("CI") == "true":
        return
    reason = f"{CHROMIUM} is missing: install Debian's `chromium` package to run the browser tests"
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.skip(reason=reason))


class ServerThread(threading.Thread):
    """uvicorn on a free loopback port, in a thread: the browser talks to it like to any server."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(name="browser-test-server", daemon=True)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port: int = self.sock.getsockname()[1]
        config = uvicorn.Config(
            create_app(settings), log_level="warning", loop="asyncio", timeout_graceful_shutdown=5
        )
        self.server = uvicorn.Server(config)

    def run(self) -> None:
        self.server.run(sockets=[self.sock])

    async def wait_started(self, seconds: float = 30.0) -> None:
        deadline = time.monotonic() + seconds
        while not self.server.started:
            if not self.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the browser tests' server did not start")
            await asyncio.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.join(timeout=15)
        self.sock.close()


@pytest.fixture(scope="module")
async def base_url(
    backend: Backend, engine: AsyncEngine, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """A server with the demo data (loaded by its own start-up, as `make run` does)."""
    await empty_all_tables(engine)
    settings = Settings(
        database_url=backend.database_url,
        broadcast_url=backend.broadcast_url,
        media_dir=tmp_path_factory.mktemp("media"),
        auto_migrate=False,  # the suite's `backend` fixture migrated the database
        demo_data=True,
        sms_sender="memory",
        scheduler_interval_seconds=0,
        redis_prefix=f"phananh-browser-{uuid.uuid4().hex}:",
    )
    server = ServerThread(settings)
    server.start()
    try:
        await server.wait_started()
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.stop()
        # The demo data must not leak into the next test module's "empty" database.
        await empty_all_tables(engine)


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    if not HAVE_CHROMIUM:
        pytest.fail(f"CI=true and {CHROMIUM} is missing: .ci/run installs Debian's chromium")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as playwright:
        # `launch` gives the browser a fresh temporary profile (user-data-dir) of its own.
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            await launched.close()


@dataclass
class Tab:
    """A page in its own browser context (its own storage: one person), and what it logged."""

    context: BrowserContext
    page: Page
    problems: list[str] = field(default_factory=list)

    def watch(self) -> None:
        def on_console(message: ConsoleMessage) -> None:
            # CSP violations and script errors are logged as console errors.
            if message.type == "error":
                self.problems.append(message.text)

        self.page.on("console", on_console)
        self.page.on("pageerror", lambda error: self.problems.append(str(error)))

    def unexpected_problems(self, *expected: str) -> list[str]:
        """What the page logged as errors, less messages containing one of `expected`."""
        return [text for text in self.problems if not any(part in text for part in expected)]

    async def screenshot(self, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        await self.page.screenshot(path=str(path), full_page=True)
        return path


OpenTab = Callable[[], Awaitable[Tab]]


@pytest.fixture
async def open_tab(browser: Browser) -> AsyncIterator[OpenTab]:
    """`await open_tab()` gives a new Tab; every tab is closed after the test."""
    tabs: list[Tab] = []

    async def open_one() -> Tab:
        context = await browser.new_context(viewport=VIEWPORT, locale="vi-VN")
        tab = Tab(context, await context.new_page())
        tab.watch()
        tabs.append(tab)
        return tab

    yield open_one
    for tab in tabs:
        await tab.context.close()


async def sign_in_console(tab: Tab, base_url: str, username: str) -> None:
    """Sign in on /console/ and wait until the list is loaded and the live feed is open."""
    page = tab.page
    await page.goto(f"{base_url}/console/")
    await page.get_by_label("Tên đăng nhập").fill(username)
    await page.get_by_label("Mật khẩu").fill(PASSWORD)
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.wait_for_selector("body[data-ready]")
    await wait_live(page)


async def wait_live(page: Page) -> None:
    # Functions, not expressions: Playwright evaluates a polled expression string with eval(),
    # which the page's CSP (rightly) forbids.
    await page.wait_for_function("() => window.__phananhLive?.status === 'live'")


class Api:
    """The GraphQL API as the tests' other actors use it (no browser needed to make events)."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.tokens: dict[str, str] = {}

    async def run(self, query: str, variables: dict[str, Any], as_user: str | None = None) -> Any:
        headers = {}
        if as_user is not None:
            headers["Authorization"] = f"Bearer {await self.token(as_user)}"
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        body = response.json()
        assert "errors" not in body, body["errors"]
        return body["data"]

    async def token(self, username: str) -> str:
        if username not in self.tokens:
            data = await self.run(
                "mutation ($u: String!, $p: String!) { login(input: {username: $u, password: $p})"
                " { accessToken userErrors { message } } }",
                {"u": username, "p": PASSWORD},
            )
            assert data["login"]["userErrors"] == [], data
            self.tokens[username] = data["login"]["accessToken"]
        return self.tokens[username]


@pytest.fixture
async def api(base_url: str) -> AsyncIterator[Api]:
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as http:
        yield Api(http)
