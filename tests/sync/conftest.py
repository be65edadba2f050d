"""Consoles syncing with a real server: ``agent-console server`` in a subprocess on 127.0.0.1 (the server tests'
helpers), and console stores as real SQLite files driven through the same domain services as the screens."""

from __future__ import annotations

import itertools
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.server.conftest import ACCOUNTS, LiveServer, prepare_database, start_server
from tests.helpers import frozen_sqlite_copy


@dataclass
class Console:
    """One agent's console: a store file, its sync engine and the domain services acting as that agent."""

    login: str
    path: Path
    store: object
    engine: object

    @property
    def agent(self):
        from agent_console.store.models import Agent

        with self.store.session() as session:
            return session.scalars(select(Agent).where(Agent.login == self.login)).one()

    def cases(self):
        from agent_console.domain.cases import CaseService
        from agent_console.domain.clock import SystemClock

        return CaseService(self.store, SystemClock(), self.agent)

    def sync(self, **kwargs):
        return self.engine.sync_once(**kwargs)

    def case(self, uid: str):
        from agent_console.store.models import Case

        with self.store.session() as session:
            return session.scalars(select(Case).where(Case.uid == uid)).one()

    def pending(self) -> int:
        from agent_console.store import outbox

        return outbox.pending_count(self.store)

    def dump(self) -> dict:
        return canonical_dump(self.store)

    def close(self) -> None:
        self.engine.stop()
        self.engine.client.close()
        self.store.dispose()


def canonical_dump(store) -> dict:
    """Cases and messages by uid, with references by uid/login: equal on every replica that has synced."""
    from agent_console.store.models import Agent, Case, Customer, Message

    with store.session() as session:
        logins = dict(session.execute(select(Agent.id, Agent.login)).all())
        customers = dict(session.execute(select(Customer.id, Customer.uid)).all())
        case_uids = dict(session.execute(select(Case.id, Case.uid)).all())
        cases = {
            c.uid: {"key": c.key, "subject": c.subject, "status": c.status, "priority": c.priority, "queue": c.queue,
                    "assignee": logins.get(c.assignee_id), "customer": customers.get(c.customer_id),
                    "is_open": c.is_open, "version": c.version}
            for c in session.scalars(select(Case))
        }
        messages = {
            m.uid: {"case": case_uids[m.case_id], "body": m.body, "direction": m.direction,
                    "internal": m.is_internal, "author": logins.get(m.author_agent_id)}
            for m in session.scalars(select(Message))
        }
    return {"cases": cases, "messages": messages}


def server_dump(server: LiveServer) -> dict:
    """The same dump, read from the server's database."""
    from agent_console.store.db import Store, make_engine

    store = Store(server.db_url, make_engine(server.db_url))
    try:
        return canonical_dump(store)
    finally:
        store.dispose()


class Floor:
    """A server and the consoles that talk to it; everything is stopped at the end."""

    def __init__(self, tmp_path: Path, templates: "Templates", backend: str = "sqlite",
                 db_url: str | None = None) -> None:
        self.tmp_path = tmp_path
        self.templates = templates
        self.backend = backend
        if db_url is None:
            shutil.copy(templates.server_db, tmp_path / "server.db")
            self.db_url = f"sqlite:///{tmp_path / 'server.db'}"
            self.tokens = dict(templates.tokens)
        else:
            self.db_url = db_url
            self.tokens = prepare_database(db_url)
        self.server = self.start()
        self.consoles: list[Console] = []
        # Never reused, not even after `consoles` is cleared: a shared floor's next test copying a fresh store over an
        # earlier console's file would meet that console's leftover write-ahead log (a torn, "malformed" schema).
        self._console_numbers = itertools.count()

    def start(self, port: int | None = None) -> LiveServer:
        server = start_server(self.backend, self.db_url, self.tmp_path, port=port)
        server.tokens.update(self.tokens)
        return server

    def restart(self) -> None:
        port = int(self.server.base_url.rsplit(":", 1)[1])
        self.server.stop()
        self.server = self.start(port)

    def console(self, login: str, **engine_options) -> Console:
        from agent_console.domain.agents import upsert_agent
        from agent_console.domain.clock import SystemClock
        from agent_console.store.db import open_store
        from agent_console.sync import credentials
        from agent_console.sync.client import SyncClient
        from agent_console.sync.engine import SyncEngine

        path = self.tmp_path / f"console-{login}-{next(self._console_numbers)}.db"
        assert not path.exists()
        shutil.copy(self.templates.console_db, path)
        store = open_store(path)
        name, role, tier, queues = ACCOUNTS[login]
        upsert_agent(store, SystemClock(), login=login, name=name, role=role, tier=tier, queues=queues)
        token = self.server.token(login)
        credentials.save(path, credentials.Credentials(server=self.server.base_url, login=login, token=token,
                                                       name=name, role=role, tier=tier,
                                                       queues=[q for q in queues.split(",") if q]))
        creds = credentials.load(path)
        engine = SyncEngine(store, SyncClient(self.server.base_url, token), SystemClock(), login=login,
                            **{"queues": creds.visible_queues(), **engine_options})
        console = Console(login, path, store, engine)
        self.consoles.append(console)
        return console

    def close(self) -> None:
        for console in self.consoles:
            console.close()
        self.server.stop()


@dataclass
class Templates:
    """Built once per session and copied: a server database with the test accounts (and their tokens), and an
    empty console store at the current schema."""

    server_db: Path
    tokens: dict
    console_db: Path


@pytest.fixture(scope="session")
def templates(tmp_path_factory) -> Templates:
    from agent_console.store.db import open_store

    where = tmp_path_factory.mktemp("sync-templates")
    tokens = prepare_database(f"sqlite:///{where / 'built-server.db'}")
    frozen_sqlite_copy(where / "built-server.db", where / "server.db")
    open_store(where / "built-console.db").dispose()
    frozen_sqlite_copy(where / "built-console.db", where / "console.db")
    return Templates(where / "server.db", tokens, where / "console.db")


@pytest.fixture(scope="session")
def _shared_floor(tmp_path_factory, templates):
    floor = Floor(tmp_path_factory.mktemp("shared-floor"), templates)
    yield floor
    floor.close()


@pytest.fixture
def team(_shared_floor):
    """A server shared by the tests that neither stop nor kill it (they make their own cases and consoles)."""
    yield _shared_floor
    for console in _shared_floor.consoles:
        console.close()
    _shared_floor.consoles.clear()


@pytest.fixture
def pg_floor(tmp_path, templates, postgres_cluster):
    """A server on a database of its own in the session's PostgreSQL cluster."""
    import os
    import uuid as uuid_module

    url = postgres_cluster.create_database(f"sync_{os.getpid()}_{uuid_module.uuid4().hex[:8]}")
    floor = Floor(tmp_path, templates, backend="postgresql", db_url=url)
    yield floor
    floor.close()


@pytest.fixture
def floor(tmp_path, templates):
    """A server of the test's own (for tests that stop, restart or kill it)."""
    floor = Floor(tmp_path, templates)
    yield floor
    floor.close()


def outbox_statuses(store) -> dict[str, str]:
    from agent_console.store.models import OutboxOp

    with store.session() as session:
        return dict(session.execute(select(OutboxOp.op_id, OutboxOp.status)).all())


def messages_on_server(server: LiveServer) -> list[str]:
    return [m["body"] for m in server_dump(server)["messages"].values()]


def dumps(data) -> str:
    return json.dumps(data, sort_keys=True, indent=1)
