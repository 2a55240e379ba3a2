"""The real app under uvicorn on a loopback port, in a thread that owns its event loop.

hypothesis drives plain synchronous tests; running the server (and the database set-up and
seeding, whose connections belong to a loop) in a thread of its own keeps every coroutine on
one loop and leaves the main thread's loop, which pytest-asyncio manages, untouched.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
import uuid
from pathlib import Path

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from models.db import create_engine, create_session_factory
from models.migrate import upgrade_to_head
from server import create_app
from settings import Settings
from tests.backends import Backend, create_database, drop_database
from tests.fuzz.world import Seeded, seed

SECRET_KEY = "fuzz-secret-key-that-is-not-used-anywhere-else"
REQUEST_HEADER = "X-Fuzz-Request"


class Watched:
    """The app, recording how it ended each request tagged with an `X-Fuzz-Request` header.

    An exception after the response has been sent (say, while a request's session closes)
    never reaches the client: only the server sees it, and `outcome` reports it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self._app = app
        self._outcomes: dict[str, str | None] = {}
        self._finished = threading.Condition()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        tag = None
        if scope["type"] == "http":
            tag = dict(scope["headers"]).get(REQUEST_HEADER.lower().encode())
        failure = None
        try:
            await self._app(scope, receive, send)
        except BaseException as exc:
            failure = f"the app raised {type(exc).__name__}: {exc}"
            raise
        finally:
            if tag is not None:
                with self._finished:
                    self._outcomes[tag.decode()] = failure
                    self._finished.notify_all()

    def outcome(self, tag: str, timeout: float) -> str | None:
        """None if the app finished the tagged request normally, else what went wrong."""
        with self._finished:
            if not self._finished.wait_for(lambda: tag in self._outcomes, timeout):
                return f"the app did not finish (or never received) the request within {timeout} s"
            return self._outcomes.pop(tag)


class LiveServer:
    """Create, migrate and seed the database, then serve; `stop` drops the database."""

    def __init__(self, backend: Backend, media_dir: Path) -> None:
        self.settings = Settings(
            database_url=backend.database_url,
            broadcast_url=backend.broadcast_url,
            secret_key=SECRET_KEY,
            media_dir=media_dir,
            auto_migrate=False,
            demo_data=False,
            sms_sender="memory",
            scheduler_interval_seconds=0,
            redis_prefix=f"phananh-fuzz-{uuid.uuid4().hex}:",
        )
        self._backend = backend
        # IPPROTO_TCP spelled out: asyncio sets TCP_NODELAY only on sockets that name it, and
        # without it every keep-alive response waits some 40 ms for a delayed ACK.
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        self.app = Watched(create_app(self.settings))
        self._seeded: Seeded | None = None
        self._server: uvicorn.Server | None = None
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="fuzz-server", daemon=True)

    @property
    def seeded(self) -> Seeded:
        assert self._seeded is not None, "the server has not started"
        return self._seeded

    def start(self, timeout: float = 60.0) -> None:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not (self._server is not None and self._server.started):
            if not self._thread.is_alive():
                raise RuntimeError("the fuzz server did not start") from self._failure
            if time.monotonic() > deadline:
                raise TimeoutError(f"the fuzz server did not start within {timeout} s")
            time.sleep(0.05)

    def stop(self, timeout: float = 60.0) -> None:
        if self._server is not None:
            self._server.should_exit = True
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise TimeoutError(f"the fuzz server did not stop within {timeout} s")
        if self._failure is not None:
            raise RuntimeError("the fuzz server failed") from self._failure

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        # uvicorn exits with SystemExit when the app's start-up fails: report it all to `start`.
        except BaseException as exc:
            self._failure = exc

    async def _serve(self) -> None:
        await create_database(self._backend)
        try:
            engine = create_engine(self._backend.database_url)
            try:
                await upgrade_to_head(engine)
                self._seeded = await seed(create_session_factory(engine))
            finally:
                await engine.dispose()
            config = uvicorn.Config(
                self.app,
                lifespan="on",
                ws="none",  # subscriptions are not fuzzed here
                access_log=False,
                log_config=None,  # leave logging to pytest
            )
            self._server = uvicorn.Server(config)
            await self._server.serve(sockets=[self._socket])
        finally:
            self._socket.close()
            await drop_database(self._backend)
