"""The phone (#20 point 8): call events per second on the server, and from an event's arrival at the server to the
call ringing on a synced console (p99 under 500 ms)."""

from __future__ import annotations

import sqlite3
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from bench.bench_sync import _add_account, _console, _Server
from bench.core import BenchContext, Result, benchmark, summarise


def _api_token(db_path, login: str) -> str:
    from agent_console.domain.clock import SystemClock
    from agent_console.server.auth import issue_token
    from agent_console.server.db import open_server_store
    from agent_console.store.accounts import account_by_login

    store = open_server_store(str(db_path))
    try:
        with store.transaction() as session:
            token, _row = issue_token(session, account_by_login(session, login).id, SystemClock().now(),
                                      kind="api", name="bench phone", lifetime=None)
    finally:
        store.dispose()
    return token


def _call_events(call_id: str, number: str) -> list[dict]:
    return [{"event": "newCall", "callId": call_id, "direction": "in", "from": number, "to": "0800 100",
             "user": ["bench_ben", "bench_sue"], "queue": "Billing"},
            {"event": "answer", "callId": call_id, "direction": "in", "user": ["bench_ben"]},
            {"event": "hangup", "callId": call_id, "direction": "in", "cause": "normalClearing"}]


@benchmark("cti", "Call events per second on the server; a call event -> ringing on a synced console")
def run(ctx: BenchContext):
    import httpx

    calls = ctx.size(700, 100)          # three events each
    senders = 4
    rounds = ctx.size(50, 10)
    workdir = ctx.workdir / "cti"
    workdir.mkdir(exist_ok=True)
    server_db = workdir / "server.db"
    _add_account(server_db, "bench_sue", "supervisor")
    _add_account(server_db, "bench_ben", "supervisor")
    token = _api_token(server_db, "bench_sue")
    server = _Server(server_db, workdir / "server.log")
    consoles = []
    try:
        # 1. Events from the telephone system, several connections at once (a PBX sends them as calls happen).
        events = [_call_events(f"bench-{i}-{uuid.uuid4().hex[:6]}", f"030 {1_000_000 + i}") for i in range(calls)]

        def send(batch: list[list[dict]]) -> None:
            with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"},
                              timeout=30) as client:
                for call in batch:
                    for event in call:
                        response = client.post("/api/v1/cti/events", json=event)
                        if response.status_code != 200:
                            raise RuntimeError(f"event refused: {response.status_code} {response.text[:200]}")

        start = time.perf_counter()
        with ThreadPoolExecutor(senders) as pool:
            list(pool.map(send, [events[i::senders] for i in range(senders)]))
        elapsed = time.perf_counter() - start
        count = 3 * calls
        yield Result(f"cti: {count:,} call events on the server ({senders} connections)", elapsed * 1000 / count,
                     target=5.0, note=f"{count / elapsed:,.0f} events/s (target 200 events/s = 5 ms per event)")

        # 2. An event arrives at the server -> the call rings on a console syncing in the background.
        path, store, engine = _console(workdir, server, "bench_ben")
        consoles.append(engine)
        engine.pull()
        engine.start()
        time.sleep(1.0)  # the engine online and listening to the event stream
        samples = []
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client, \
                sqlite3.connect(path, timeout=30) as conn:
            for i in range(rounds):
                call_id = f"pop-{i}-{uuid.uuid4().hex[:8]}"
                start = time.perf_counter()
                response = client.post("/api/v1/cti/events", json=_call_events(call_id, f"040 {2_000_000 + i}")[0])
                if response.status_code != 200:
                    raise RuntimeError(f"event refused: {response.status_code}")
                deadline = start + 30
                while not conn.execute("SELECT 1 FROM calls WHERE call_id = ?", (call_id,)).fetchone():
                    if time.perf_counter() > deadline:
                        raise RuntimeError("a call did not reach the console within 30 s")
                    time.sleep(0.002)
                samples.append((time.perf_counter() - start) * 1000)
        median, p99 = summarise(samples)
        yield Result("cti: call event at the server -> ringing on a synced console", median, p99=p99, target=500,
                     target_on="p99", samples=len(samples), note="SSE wakes the console's pull")
    finally:
        for engine in consoles:
            engine.stop()
            engine.client.close()
        server.stop()
