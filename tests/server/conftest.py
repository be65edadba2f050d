"""Real servers for the API tests: ``agent-console server`` in a subprocess on 127.0.0.1 with a random port, over a
temporary SQLite file and over a database in the session's PostgreSQL cluster (``postgres_cluster``, in
tests/conftest.py: one for the whole session)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.server import pg
from tests.helpers import frozen_sqlite_copy

PASSWORD = "correct horse battery"
#: login -> (name, role, tier, queues)
ACCOUNTS = {
    "root": ("Root Admin", "admin", 3, ""),
    "sue": ("Sue Supervisor", "supervisor", 3, ""),
    "anna": ("Anna Agent", "agent", 1, "Billing"),
    "ben": ("Ben Second", "agent", 2, ""),
    **{f"racer{i}": (f"Racer {i}", "agent", 3, "") for i in range(10)},
}


@dataclass
class LiveServer:
    backend: str
    db_url: str
    base_url: str
    process: subprocess.Popen
    log: Path
    tokens: dict[str, str] = field(default_factory=dict)

    def login(self, login: str, password: str = PASSWORD) -> httpx.Response:
        return httpx.post(f"{self.base_url}/api/v1/auth/login", json={"login": login, "password": password},
                          timeout=30)

    def token(self, login: str) -> str:
        if login not in self.tokens:
            response = self.login(login)
            assert response.status_code == 200, response.text
            self.tokens[login] = response.json()["access_token"]
        return self.tokens[login]

    def client(self, login: str | None = None, token: str | None = None) -> httpx.Client:
        headers = {}
        if login or token:
            headers["Authorization"] = f"Bearer {token or self.token(login)}"
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=30)

    def ops(self, login: str, *ops: dict) -> httpx.Response:
        with self.client(login) as client:
            return client.post("/api/v1/ops", json={"ops": list(ops)})

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def new_case_op(queue: str = "Billing", *, subject: str = "Invoice twice", customer: str | None = None,
                channel: str = "email", priority: str = "normal") -> dict:
    customer = customer or f"{uuid.uuid4().hex[:10]}@example.com"
    case_uid = str(uuid.uuid4())
    return {
        "op_id": str(uuid.uuid4()), "kind": "case.create",
        "payload": {
            "case": {"uid": case_uid, "subject": subject, "channel": channel, "queue": queue,
                     "priority": priority, "created_at": "2026-11-23T08:00:00+00:00"},
            "customer": {"uid": str(uuid.uuid4()), "name": "Carla Customer", "email": customer},
            "message": {"uid": str(uuid.uuid4()), "case_uid": case_uid, "direction": "in", "channel": channel,
                        "body": "I was charged twice.", "is_internal": False},
        },
    }


def prepare_database(db_url: str) -> dict[str, str]:
    """Schema at head and the test accounts (the same code path as `agent-console server users add`), with a
    session token for each (issued like a log-in does, minus the deliberately slow argon2 check per account).

    An empty database (a new SQLite file, a new PostgreSQL database) becomes a copy of a template built that way once
    per test process and backend — running every migration took seconds per server. Each copy is a database of its
    own: what one test writes no other sees. A database that already has tables is upgraded as it is."""
    copied = _copy_of_template(db_url, "accounts", _build_database)
    return dict(copied) if copied is not None else _build_database(db_url)


def migrate_database(db_url: str) -> None:
    """Schema at head and nothing else, in an empty database: a copy of a template migrated once (as above)."""
    from agent_console.store.db import upgrade

    def build(url: str) -> dict:
        upgrade(url)
        return {}

    if _copy_of_template(db_url, "schema", build) is None:
        upgrade(db_url)


#: (what, backend and PostgreSQL cluster) -> (template database URL, its accounts' tokens); built on first use.
_TEMPLATES: dict[tuple[str, str], tuple[str, dict[str, str]]] = {}


def _copy_of_template(db_url: str, what: str, build) -> dict | None:
    """Make the empty database ``db_url`` a copy of the ``what`` template (``build(url)`` makes one and returns its
    tokens) and return the tokens; None, and nothing done, when ``db_url`` is not empty."""
    from sqlalchemy.engine import make_url

    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        target = Path(url.database)
        if target.exists() and target.stat().st_size > 0:
            return None
        template, tokens = _template((what, "sqlite"), build,
                                     lambda name: f"sqlite:///{_template_dir() / name}.db")
        shutil.copyfile(make_url(template).database, target)
        shutil.copymode(make_url(template).database, target)  # private, as the store creates its files
        return tokens
    maintenance = _maintenance_dsn(url)
    if _pg_has_tables(url):
        return None
    template, tokens = _template((what, f"postgresql:{url.host}:{url.port}"), build,
                                 lambda name: _pg_create(maintenance, name, url))
    import psycopg

    with psycopg.connect(maintenance, autocommit=True) as conn:  # the new database was made empty a moment ago
        conn.execute(f'DROP DATABASE "{url.database}"')
        conn.execute(f'CREATE DATABASE "{url.database}" TEMPLATE "{make_url(template).database}"')
    return tokens


def _template(key: tuple[str, str], build, new_database) -> tuple[str, dict[str, str]]:
    if key not in _TEMPLATES:
        template_url = new_database(f"agent_console_template_{os.getpid()}_{uuid.uuid4().hex[:6]}")
        tokens = build(template_url)
        if template_url.startswith("sqlite"):
            built = Path(template_url.removeprefix("sqlite:///"))
            frozen = built.with_name(f"frozen-{built.name}")
            frozen_sqlite_copy(built, frozen)
            template_url = f"sqlite:///{frozen}"
        _TEMPLATES[key] = (template_url, tokens)
    return _TEMPLATES[key]


def _template_dir() -> Path:
    import atexit
    import tempfile

    where = Path(tempfile.mkdtemp(prefix="agent-console-server-template-"))
    atexit.register(shutil.rmtree, where, True)
    return where


def _maintenance_dsn(url) -> str:
    password = f" password={url.password}" if url.password else ""
    return f"host={url.host} port={url.port} user={url.username}{password} dbname=postgres"


def _pg_create(maintenance: str, name: str, like) -> str:
    import psycopg

    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return like.set(database=name).render_as_string(hide_password=False)


def _pg_has_tables(url) -> bool:
    import psycopg

    dsn = _maintenance_dsn(url).replace("dbname=postgres", f"dbname={url.database}")
    with psycopg.connect(dsn) as conn:
        return conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0] > 0


def _build_database(db_url: str) -> dict[str, str]:
    from agent_console.domain.clock import SystemClock
    from agent_console.server.auth import hash_password, issue_token
    from agent_console.server.db import open_server_store
    from agent_console.server.routes.admin import create_account
    from agent_console.store.db import upgrade

    upgrade(db_url)
    store = open_server_store(db_url)
    password_hash = hash_password(PASSWORD)
    tokens = {}
    try:
        for login, (name, role, tier, queues) in ACCOUNTS.items():
            agent = create_account(store, SystemClock(), login=login, name=name, role=role, tier=tier,
                                   queues=queues, password_hash=password_hash)
            with store.transaction() as session:
                tokens[login], _row = issue_token(session, agent.id, SystemClock().now())
    finally:
        store.dispose()
    return tokens


def start_server(backend: str, db_url: str, log_dir: Path, *extra: str, env_extra: dict | None = None,
                 port: int | None = None, db_args: tuple[str, ...] | None = None) -> LiveServer:
    """``db_args`` replaces ``--db db_url`` on the command line (e.g. ``--db-file``, or nothing with the URL in the
    environment)."""
    port = port or pg.free_port()
    log = log_dir / f"server-{backend}-{port}.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGENT_CONSOLE_")}
    env.update(env_extra or {})
    root = Path(__file__).resolve().parents[2]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "agent_console", "server", *(("--db", db_url) if db_args is None else db_args),
             "--host", "127.0.0.1",
             "--port", str(port), "--log-level", "warning", *extra],
            stdout=out, stderr=subprocess.STDOUT, env=env, cwd=root,
        )
    server = LiveServer(backend, db_url, f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited ({process.returncode}): {log.read_text(errors='replace')}")
        try:
            if httpx.get(f"{server.base_url}/readyz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"the server did not become ready: {log.read_text(errors='replace')}")
        time.sleep(0.1)


class Databases:
    """Fresh databases on demand: SQLite files, or databases in the session's PostgreSQL cluster."""

    def __init__(self, request, tmp_dir: Path) -> None:
        self.request = request
        self.tmp_dir = tmp_dir
        self.count = 0

    def new(self, backend: str) -> str:
        self.count += 1
        if backend == "sqlite":
            return f"sqlite:///{self.tmp_dir / f'server{self.count}.db'}"
        cluster = self.request.getfixturevalue("postgres_cluster")
        return cluster.create_database(f"agent_console_{os.getpid()}_{self.count}_{uuid.uuid4().hex[:6]}")


@pytest.fixture(scope="session")
def databases(request, tmp_path_factory):
    return Databases(request, tmp_path_factory.mktemp("server-dbs"))


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def live(request, databases, tmp_path_factory):
    """One server per backend for the whole session (tests make their own cases, so they do not interfere)."""
    url = databases.new(request.param)
    tokens = prepare_database(url)
    server = start_server(request.param, url, tmp_path_factory.mktemp("server-logs"))
    server.tokens.update(tokens)
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_server(request, databases, tmp_path_factory):
    """A server of its own (for tests that change process-wide state, e.g. the log-in rate limit)."""
    url = databases.new(request.param)
    tokens = prepare_database(url)
    server = start_server(request.param, url, tmp_path_factory.mktemp("server-logs"))
    server.tokens.update(tokens)
    yield server
    server.stop()
