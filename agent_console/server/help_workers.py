"""The public help center in processes of its own (``agent-console server --help-workers N``).

The team server is one process on SQLite: every help-center page would take its turn on the same interpreter (one
GIL) as the floor's ops and feed pages, and 200 visitors slow the agents down. With ``--help-workers N`` the server
command also starts a help server on a port of its own (``--help-port``, default the server's port + 1): N processes
sharing that port, each serving only the customers' pages — ``/help`` (search, articles, "Did this solve your
problem?", the language), ``/help/contact`` and ``/survey/TOKEN`` — over its own connections to the same database.
The server's own port still serves those pages too; the reverse proxy in front sends ``/help`` and ``/survey`` to the
help port (docs/help-center.md).

* Writes of the help pages (answers, contact forms, survey answers, the searches in groups of a second) go through
  the server's write path like any process's: the change feed gets them in order, and the main process sees them
  by its feed check (NOTIFY on PostgreSQL, every 2 s on SQLite).
* The help server is started and stopped by the server command: its socket is bound first (a port in use fails
  the command at once), it ends when the server ends, and by itself when the server process is gone.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from fastapi import FastAPI

from agent_console.domain.clock import Clock, SystemClock
from agent_console.server.help_searches import SearchRecorder
from agent_console.store.server_db import ServerStore

#: How often a help server checks that the server process that started it is still there (seconds).
PARENT_CHECK_SECONDS = 1.0
STOP_WAIT_SECONDS = 10.0


@dataclass
class HelpState:
    """What the help center's routes use of the server (``routes.deps.state``)."""

    store: ServerStore
    clock: Clock
    schema_head: str
    searches: SearchRecorder | None = field(default=None)


def create_help_app(db_url: str, *, clock: Clock | None = None, search_group_seconds: float = 1.0) -> FastAPI:
    """The help center's own app over the database at ``db_url`` (at the current schema)."""
    from agent_console.server.app import BodyLimit
    from agent_console.server.language import RequestLanguage
    from agent_console.server.routes import health, help, help_contact, survey
    from agent_console.store.db import head_revision
    from agent_console.store.server_db import open_server_store

    clock = clock or SystemClock()
    store = open_server_store(db_url, clock=clock)
    server = HelpState(store=store, clock=clock, schema_head=head_revision(),
                       searches=SearchRecorder(store, clock, every_seconds=search_group_seconds))

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        from agent_console.i18n import LANGUAGES
        from agent_console.server import help_cache
        from agent_console.server.app import _settle_garbage_collector, _warm_up

        _warm_up()
        # The pages are rendered beside the first requests (a thread), so the port answers at once.
        threading.Thread(target=help_cache.warm, args=(store, tuple(LANGUAGES)), name="help-warm-up",
                         daemon=True).start()
        _settle_garbage_collector()
        server.searches.start()
        try:
            yield
        finally:
            server.searches.stop()
            store.dispose()

    app = FastAPI(title="Agent Console help center", lifespan=lifespan, openapi_url=None, docs_url=None,
                  redoc_url=None)
    app.state.server = server
    for module in (health, help, help_contact, survey):
        app.include_router(module.router)
    app.add_middleware(BodyLimit)
    app.add_middleware(RequestLanguage)
    return app


def help_app_from_env() -> FastAPI:
    """For uvicorn's ``--factory`` in each help process (the database URL as for the server's workers)."""
    from agent_console.server.app import ENV_DB, ENV_SEARCH_GROUP, _seconds

    url = os.environ.get(ENV_DB)
    if not url:
        raise RuntimeError(f"set {ENV_DB} to the server's database URL")
    return create_help_app(url, search_group_seconds=_seconds(ENV_SEARCH_GROUP, 1.0))


class HelpWorkers:
    """The help server's process (a supervisor of ``count`` uvicorn workers when more than one), on a socket bound
    here before it starts."""

    def __init__(self, url: str, *, host: str, port: int, count: int, log_level: str,
                 forwarded_allow_ips: str = "") -> None:
        from agent_console.server.app import NoDelayConfig

        self.url = url
        self.count = count
        # The proxies believed are the server's: the contact form's limit per client needs the visitor's address.
        self.config = NoDelayConfig("agent_console.server.help_workers:help_app_from_env", factory=True, host=host,
                                    port=port, workers=count, log_level=log_level, timeout_graceful_shutdown=5,
                                    proxy_headers=bool(forwarded_allow_ips.strip()),
                                    forwarded_allow_ips=forwarded_allow_ips.strip())
        self.process = None

    def start(self) -> None:
        import multiprocessing

        from agent_console.server.app import ENV_DB

        os.environ[ENV_DB] = self.url  # read by the help processes' app factory (the server's workers do the same)
        sock = self.config.bind_socket()
        self.process = multiprocessing.get_context("spawn").Process(
            target=_run_help_server, args=(self.config, sock, os.getpid()), name="agent-console-help", daemon=False)
        self.process.start()
        sock.close()  # the help process has its own copy

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(STOP_WAIT_SECONDS)
            if self.process.is_alive():
                self.process.kill()
                self.process.join()
        self.process = None


def _run_help_server(config, sock, parent_pid: int) -> None:
    import signal

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    def watch_parent() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_CHECK_SECONDS)
        os.kill(os.getpid(), signal.SIGTERM)  # the server is gone: end as if it had stopped us

    threading.Thread(target=watch_parent, name="help-parent-watch", daemon=True).start()
    if config.workers > 1:
        # uvicorn hands its workers the number of our stdin to reopen, but this process's stdin (multiprocessing's
        # /dev/null) is not passed on to them: they would fail at start.
        sys.stdin = None
        Multiprocess(config, sockets=[sock]).run()
    else:
        try:
            uvicorn.Server(config).run(sockets=[sock])
        except KeyboardInterrupt:
            pass
