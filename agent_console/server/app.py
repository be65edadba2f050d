"""The FastAPI application: ``create_app(db_url)``; ``app_from_env`` is the factory uvicorn workers import."""

from __future__ import annotations

import asyncio
import os
import socket
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta

import orjson
import uvicorn
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError, OperationalError

from agent_console import __version__
from agent_console.domain.clock import Clock, SystemClock
from agent_console.i18n import _
from agent_console.server.auth import SESSION_HOURS, StreamGuard, TokenChecker
from agent_console.server.db import open_server_store
from agent_console.store.server_db import ServerStore
from agent_console.server.feed import FeedWatcher, broadcaster
from agent_console.server.help_searches import SearchRecorder
from agent_console.server.language import RequestLanguage, validation_problems
from agent_console.store.server_feed import latest_seq
from agent_console.server.ratelimit import LoginLimiter
from agent_console.server.cti_fast import CallEventFastPath
from agent_console.server.cti_writer import CallEventWriter
from agent_console.server.writer import OpsWriter

ENV_DB = "AGENT_CONSOLE_SERVER_DB"
#: How often each worker checks the feed for changes made outside it that sent no notification (seconds).
ENV_POLL = "AGENT_CONSOLE_SERVER_POLL_SECONDS"
#: How often the help center's searches are written in one group (seconds; ``server/help_searches.py``).
ENV_SEARCH_GROUP = "AGENT_CONSOLE_HELP_SEARCH_SECONDS"
#: Bodies above this are refused with 413 before they are read (a full batch of 500 ops is far below it).
MAX_BODY_BYTES = 8 * 1024 * 1024
#: Routes whose bodies may be larger: a raw mail with its attachments (base64) for the mail gateway's intake.
LARGE_BODY_PATHS = {"/api/v1/mail/inbound": 56 * 1024 * 1024}


@dataclass
class ServerState:
    store: ServerStore
    clock: Clock
    limiter: LoginLimiter
    session_lifetime: timedelta
    heartbeat_seconds: float
    schema_head: str
    watcher: FeedWatcher | None = field(default=None)
    writer: OpsWriter | None = field(default=None)
    #: Records the telephone system's call events in groups (``POST /api/v1/cti/events``).
    cti_writer: CallEventWriter | None = field(default=None)
    tokens: TokenChecker | None = field(default=None)
    #: Ends /events streams whose token stopped being valid.
    streams: StreamGuard | None = field(default=None)
    #: The help center's searches, written in groups (``server/help_searches.py``).
    searches: SearchRecorder | None = field(default=None)


class BodyLimit:
    """Reads each request's body before the app does and refuses it early: 413 when it is larger than ``limit`` bytes
    (declared in Content-Length, or counted as it arrives when sent chunked), 400 when it is not UTF-8 (every body
    of this API is JSON). The app then gets the whole body at once."""

    def __init__(self, app, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.default_limit = limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = LARGE_BODY_PATHS.get(scope.get("path", ""), self.default_limit)
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                return await _refuse(send, 413, _("request body larger than {limit} bytes").format(limit=limit))
        chunks: list[bytes] = []
        received = 0
        first = None
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: let the app see that
                first = message
                break
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > limit:
                return await _refuse(send, 413, _("request body larger than {limit} bytes").format(limit=limit))
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if first is None:
            try:
                body.decode("utf-8")
            except UnicodeDecodeError as exc:
                return await _refuse(send, 400, _("request body is not valid UTF-8 (at byte {position})").format(
                    position=exc.start))
            first = {"type": "http.request", "body": body, "more_body": False}
        pending = [first]

        async def replay():
            if pending:
                return pending.pop()
            return await receive()

        await self.app(scope, replay, send)


class AllowedMethods:
    """``OPTIONS`` on any path of the API answers 204 with ``Allow`` listing the methods the path supports, and a 405
    lists all of them too (the router names only those of the first route on the path). The methods come from the
    OpenAPI schema, so ``Allow`` and the documentation agree."""

    _HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}

    def __init__(self, app) -> None:
        self.app = app
        self._paths: list[tuple[list[str], set[str]]] | None = None

    def _methods(self, scope) -> set[str] | None:
        if self._paths is None:
            schema = scope["app"].openapi()
            paths = [(template.strip("/").split("/"),
                      {method.upper() for method in operations if method in self._HTTP_METHODS} | {"OPTIONS"})
                     for template, operations in schema.get("paths", {}).items()]
            # A literal segment wins over a parameter (``/cases/search`` before ``/cases/{key}``), as in the router.
            self._paths = sorted(paths, key=lambda path: sum(part.startswith("{") for part in path[0]))
        segments = scope["path"].strip("/").split("/")
        for template, methods in self._paths:
            if len(template) == len(segments) and all(
                    part == segment or (part.startswith("{") and part.endswith("}") and segment)
                    for part, segment in zip(template, segments)):
                return methods
        return None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if scope["method"] == "OPTIONS":
            methods = self._methods(scope)
            if methods is not None:
                await send({"type": "http.response.start", "status": 204,
                            "headers": [(b"allow", ", ".join(sorted(methods)).encode())]})
                await send({"type": "http.response.body", "body": b""})
                return

        async def send_with_allow(message):
            if message["type"] == "http.response.start" and message["status"] == 405:
                methods = self._methods(scope)
                if methods is not None:
                    headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"allow"]
                    headers.append((b"allow", ", ".join(sorted(methods)).encode()))
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_allow)


async def _refuse(send, status: int, detail: str) -> None:
    body = orjson.dumps({"detail": detail})
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


def create_app(db_url: str, *, clock: Clock | None = None, session_hours: float = SESSION_HOURS,
               heartbeat_seconds: float = 15.0, login_failures: int = 5, login_window_seconds: float = 60.0,
               migrate: bool = False, poll_seconds: float = 2.0, mail_from: str = "",
               search_group_seconds: float = 1.0) -> FastAPI:
    """The API over the database at ``db_url`` (a path or SQLAlchemy URL at the current schema, or migrated first
    when ``migrate``). Replies on e-mail cases are queued as mail from ``mail_from`` (empty: none are)."""
    from agent_console.store.db import head_revision

    clock = clock or SystemClock()
    store = open_server_store(db_url, clock=clock, migrate=migrate)
    store.mail_from = mail_from.strip()
    server = ServerState(store=store, clock=clock,
                         limiter=LoginLimiter(store, clock, login_failures, login_window_seconds),
                         session_lifetime=timedelta(hours=session_hours), heartbeat_seconds=heartbeat_seconds,
                         schema_head=head_revision(), tokens=TokenChecker(store),
                         searches=SearchRecorder(store, clock, every_seconds=search_group_seconds))

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        with store.engine.connect() as conn:
            broadcaster.bind(asyncio.get_running_loop(), latest_seq(conn))
        server.watcher = FeedWatcher(store, poll_seconds)
        server.watcher.start()
        _warm_up()
        _settle_garbage_collector()
        server.writer = OpsWriter(store, clock)
        server.writer.start()
        server.cti_writer = CallEventWriter(store, clock)
        server.cti_writer.start()
        server.streams = StreamGuard(store, clock)
        server.streams.start(broadcaster.wake)
        server.searches.start()
        try:
            yield
        finally:
            server.searches.stop()
            await server.streams.stop()
            server.writer.stop()
            server.writer = None
            server.cti_writer.stop()
            server.cti_writer = None
            server.watcher.stop()
            server.tokens.close()
            store.dispose()

    app = FastAPI(
        title="Agent Console server",
        version=__version__,
        description="The team's backend for Agent Console: shared queue, change feed, ops, events. "
                    "See docs/server.md.",
        lifespan=lifespan,
    )
    app.state.server = server

    from agent_console.server.routes import (admin, auth, cases, cti, feed, health, help, help_contact, mail,
                                             monitor, ops, presence, reports, search, survey, wallboard)

    for module in (health, auth, cases, feed, ops, monitor, admin, presence, cti, mail, search, help, help_contact,
                   reports, survey, wallboard):
        app.include_router(module.router)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError):
        return JSONResponse({"detail": validation_problems(exc.errors())}, status_code=422)

    @app.exception_handler(IntegrityError)
    async def integrity(_request: Request, exc: IntegrityError):
        return JSONResponse({"detail": _("the change conflicts with data on the server (a uid or key exists "
                                         "already); nothing was written")}, status_code=409)

    @app.exception_handler(DataError)
    async def out_of_range(_request: Request, exc: DataError):
        # A value the database cannot hold (a number beyond its column, say) is the request's fault, not the server's.
        return JSONResponse({"detail": _("a value in the request is out of range for the database")}, status_code=400)

    @app.exception_handler(OperationalError)
    async def unavailable(_request: Request, exc: OperationalError):
        return JSONResponse({"detail": _("the database is busy or unavailable; retry")}, status_code=503,
                            headers={"Retry-After": "1"})

    app.add_middleware(CallEventFastPath)  # innermost: the body whole (BodyLimit), the request's language set
    app.add_middleware(BodyLimit)
    app.add_middleware(AllowedMethods)
    app.add_middleware(RequestLanguage)
    _document_body_errors(app)
    return app


def _document_body_errors(app: FastAPI) -> None:
    """Every operation that takes a body also answers what ``BodyLimit`` refuses: 400 and 413."""
    schema_of = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
            for operations in schema_of().get("paths", {}).values():
                for operation in operations.values():
                    if isinstance(operation, dict) and "requestBody" in operation:
                        responses = operation.setdefault("responses", {})
                        responses.setdefault("400", {"description": "The body is not valid UTF-8", "content": error})
                        responses.setdefault("413", {"description": f"The body is larger than {MAX_BODY_BYTES} bytes",
                                                     "content": error})
        return app.openapi_schema

    app.openapi = openapi


def _warm_up() -> None:
    # The first message of each language builds its Snowball stemmer (a module import, ~0.1–0.5 s) inside a
    # database trigger, i.e. while holding the write lock: build them before the first request instead.
    from agent_console.store.search import normalise

    for language in ("en", "de", ""):
        normalise("warm up", language)


def _settle_garbage_collector() -> None:
    # Everything loaded at start (SQLAlchemy and pydantic models, FastAPI routes) lives as long as the process; frozen,
    # it is no longer walked by every full collection, each of which would otherwise stall all requests in flight.
    import gc

    gc.collect()
    gc.freeze()


def app_from_env() -> FastAPI:
    """For ``uvicorn --factory`` (each worker process builds its own app)."""
    url = os.environ.get(ENV_DB)
    if not url:
        raise RuntimeError(f"set {ENV_DB} to the server's database URL")
    return create_app(url, poll_seconds=_seconds(ENV_POLL, 2.0), mail_from=_mail_from_settings(),
                      search_group_seconds=_seconds(ENV_SEARCH_GROUP, 1.0))


def _seconds(name: str, default: float) -> float:
    value = os.environ.get(name, "")
    return float(value) if value.replace(".", "", 1).isdigit() and float(value) > 0 else default


def _mail_from_settings() -> str:
    """``mail_from`` of the settings (``AGENT_CONSOLE_MAIL_FROM`` or the settings file) of the server's user."""
    from agent_console.config import SettingsError, load_settings

    try:
        return load_settings().mail_from
    except SettingsError as exc:
        raise RuntimeError(f"cannot read the mail settings: {exc}") from None


class NoDelayConfig(uvicorn.Config):
    def bind_socket(self) -> socket.socket:
        # uvicorn binds the workers' shared listener with proto 0, and asyncio only sets TCP_NODELAY on accepted
        # sockets whose proto is TCP: every keep-alive response would wait ~40 ms for a delayed ACK (uvicorn #3149).
        sock = super().bind_socket()
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto == 0:
            sock = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
        return sock


def serve(url: str, *, host: str, port: int, workers: int = 1, log_level: str = "info",
          forwarded_allow_ips: str = "") -> None:
    """Run the server under uvicorn (``workers`` processes) until interrupted. ``X-Forwarded-For`` and
    ``X-Forwarded-Proto`` are believed only from the proxies in ``forwarded_allow_ips`` (comma-separated addresses
    or networks); empty, the default, believes no one (uvicorn's own default trusts 127.0.0.1)."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    os.environ[ENV_DB] = url
    config = NoDelayConfig("agent_console.server.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                    log_level=log_level, timeout_graceful_shutdown=5,
                    proxy_headers=bool(forwarded_allow_ips.strip()), forwarded_allow_ips=forwarded_allow_ips.strip())
    server = uvicorn.Server(config)
    try:
        if workers > 1:
            Multiprocess(config, sockets=[config.bind_socket()]).run()
        else:
            server.run()
    except KeyboardInterrupt:
        pass
