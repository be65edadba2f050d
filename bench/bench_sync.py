"""Sync: a new console's first sync of 100,000 cases, a push of 1,000 ops, and the time from a change in one console
to its appearance in another — against a real server subprocess on 127.0.0.1 over a temporary SQLite database.

The server's database is a seeded demo store whose rows are written into the change feed once, by the server's own
serialiser (as if every case had arrived through the server), before the clock starts.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

from bench.core import BenchContext, Result, benchmark, summarise
from bench.fixtures import seeded_store

PASSWORD = "bench password 1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _fill_feed(db_path: Path) -> int:
    """Every tracked row of a seeded store into ``change_log``, in dependency order; returns the change count."""
    from sqlalchemy import insert, select
    from sqlmodel import Session

    from agent_console.store.server_feed import TRACKED, serialise_changes
    from agent_console.store.db import make_engine, sqlite_url
    from agent_console.store.models import ChangeLogEntry
    from agent_console.sync.replica import ENTITIES

    engine = make_engine(sqlite_url(db_path))
    order = [ENTITIES[name] for name in ENTITIES if ENTITIES[name] in TRACKED]
    total = 0
    now = __import__("datetime").datetime.now(__import__("datetime").timezone.utc)
    try:
        for model in order:
            last_id = 0
            while True:
                with Session(engine) as session:
                    objects = session.scalars(select(model).where(model.id > last_id).order_by(model.id)
                                              .limit(5000)).all()
                    if not objects:
                        break
                    last_id = objects[-1].id
                    rows = serialise_changes(session, objects)
                    session.execute(insert(ChangeLogEntry.__table__),
                                    [{"entity": e, "uid": u, "data": d, "at": now, "queue": q} for e, u, d, q in rows])
                    session.commit()
                    total += len(rows)
    finally:
        engine.dispose()
    return total


def _add_account(db_path: Path, login: str, role: str) -> None:
    from agent_console.domain.clock import SystemClock
    from agent_console.server.auth import hash_password
    from agent_console.server.db import open_server_store
    from agent_console.server.routes.admin import create_account

    store = open_server_store(str(db_path), migrate=True)
    try:
        create_account(store, SystemClock(), login=login, name=login.title(), role=role, tier=3, queues="",
                       password_hash=hash_password(PASSWORD))
    finally:
        store.dispose()


class _Server:
    def __init__(self, db_path: Path, log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("AGENT_CONSOLE_")}
        self.log = log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "agent_console", "server", "--db", f"sqlite:///{db_path}", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "warning"], stdout=self.log, stderr=subprocess.STDOUT, env=env)
        import httpx

        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: {log.read_text(errors='replace')[-500:]}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the server did not become ready within 60 s")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def _console(workdir: Path, server: _Server, login: str, **options):
    from agent_console.domain.agents import upsert_agent
    from agent_console.domain.clock import SystemClock
    from agent_console.store.db import open_store
    from agent_console.sync.client import SyncClient
    from agent_console.sync.engine import SyncEngine

    path = workdir / f"console-{login}-{uuid.uuid4().hex[:6]}.db"
    store = open_store(path)
    client = SyncClient(server.url)
    answer = client.login(login, PASSWORD)
    upsert_agent(store, SystemClock(), login=login, name=answer["agent"]["name"], role=answer["agent"]["role"],
                 tier=answer["agent"]["tier"])
    return path, store, SyncEngine(store, client, SystemClock(), login=login, **options)


@benchmark("sync", "Initial sync into an empty console, push of 1,000 ops, change propagation console to console")
def run(ctx: BenchContext):
    from sqlalchemy import select

    from agent_console.domain.cases import CaseService
    from agent_console.domain.clock import SystemClock
    from agent_console.store.models import Agent, Case

    cases = ctx.size(100_000, 2_000)
    pushes = ctx.size(1_000, 200)
    rounds = ctx.size(10, 3)
    workdir = ctx.workdir / "sync"
    workdir.mkdir(exist_ok=True)
    server_db = workdir / "server.db"
    shutil.copy(seeded_store(ctx, cases), server_db)
    for suffix in ("-wal", "-shm"):
        Path(f"{server_db}{suffix}").unlink(missing_ok=True)
    from agent_console.store.db import sqlite_url, upgrade

    upgrade(sqlite_url(server_db))
    setup_start = time.perf_counter()
    changes = _fill_feed(server_db)
    print(f"  feed of {changes:,} changes written in {time.perf_counter() - setup_start:.0f} s", file=sys.stderr)
    _add_account(server_db, "bench_sue", "supervisor")
    _add_account(server_db, "bench_ben", "supervisor")
    server = _Server(server_db, workdir / "server.log")
    consoles = []
    try:
        # 1. A new console pulls everything from cursor 0.
        path, store, engine = _console(workdir, server, "bench_sue")
        consoles.append(engine)
        start = time.perf_counter()
        report = engine.pull()
        initial_ms = (time.perf_counter() - start) * 1000
        with store.session() as session:
            local_cases = session.scalar(select(__import__("sqlalchemy").func.count()).select_from(Case))
        if local_cases != cases:
            raise RuntimeError(f"the console has {local_cases} cases after the initial sync, expected {cases}")
        yield Result(f"sync: initial pull of {cases:,} cases ({changes:,} changes)", initial_ms,
                     target=None if ctx.quick else 30_000,
                     note=f"{report.pages} pages; {changes / (initial_ms / 1000):,.0f} changes/s")

        # 2. Push 1,000 ops (replies and notes) made locally.
        with store.session() as session:
            agent = session.scalars(select(Agent).where(Agent.login == "bench_sue")).one()
            targets = session.scalars(select(Case.id).where(Case.is_open == True).limit(200)).all()  # noqa: E712
        service = CaseService(store, SystemClock(), agent)
        for i in range(pushes):
            (service.note if i % 2 else service.reply)(targets[i % len(targets)], f"Bench message {i}")
        start = time.perf_counter()
        pushed = engine.push()
        push_ms = (time.perf_counter() - start) * 1000
        if pushed.applied != pushes:
            raise RuntimeError(f"{pushed.applied} of {pushes} ops applied")
        yield Result(f"sync: push of {pushes:,} ops", push_ms, target=None if ctx.quick else 2_000,
                     note=f"{pushes / (push_ms / 1000):,.0f} ops/s")
        engine.pull()

        # 3. A note written in one console shows in another: both run their background engines.
        path_b, store_b, engine_b = _console(workdir, server, "bench_ben")
        consoles.append(engine_b)
        engine_b.pull()
        engine.start()
        engine_b.start()
        time.sleep(1.0)  # both engines online and listening
        samples = []
        for i in range(rounds):
            body = f"Propagation {i} {uuid.uuid4().hex}"
            start = time.perf_counter()
            service.note(targets[i], body)
            engine.nudge()
            deadline = start + 30
            with sqlite3.connect(path_b, timeout=30) as conn:
                while not conn.execute("SELECT 1 FROM messages WHERE body = ?", (body,)).fetchone():
                    if time.perf_counter() > deadline:
                        raise RuntimeError("a change did not reach the other console within 30 s")
                    time.sleep(0.005)
            samples.append((time.perf_counter() - start) * 1000)
        median, p99 = summarise(samples)
        yield Result("sync: change in one console -> visible in another", median, p99=p99, target=2_000,
                     samples=len(samples), note="push on local change, SSE wakes the other console's pull")
    finally:
        for engine in consoles:
            engine.stop()
            engine.client.close()
        server.stop()
