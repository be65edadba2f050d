"""The phone (#20 point 8): call events per second on the server, and from an event's arrival at the server to the
call ringing on a synced console (p99 under 500 ms)."""

from __future__ import annotations

import asyncio
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


def _call_events(call_id: str, number: str, ringing: list[str] | None = None) -> list[dict]:
    ringing = ringing or ["bench_ben", "bench_sue"]
    return [{"event": "newCall", "callId": call_id, "direction": "in", "from": number, "to": "0800 100",
             "user": ringing, "queue": "Billing"},
            {"event": "answer", "callId": call_id, "direction": "in", "user": ringing[:1]},
            {"event": "hangup", "callId": call_id, "direction": "in", "cause": "normalClearing"}]


async def _pop_latency(workdir, server, token: str, rounds: int) -> tuple[float, float, int]:
    """From posting ``newCall`` to the server to the console's pop of that call, composed on screen; the console
    looks at its store only when its pull brought calls (``phone_check_s=None``), as a synced console learns of them."""
    import httpx
    from sqlalchemy import select

    from agent_console.app import AgentConsoleApp
    from agent_console.config import Settings
    from agent_console.domain.clock import SystemClock
    from agent_console.screens.call_pop import CallPopScreen
    from agent_console.store.models import Agent

    _path, store, engine = _console(workdir, server, "bench_pop")
    with store.session() as session:
        agent = session.scalars(select(Agent).where(Agent.login == "bench_pop")).one()
    app = AgentConsoleApp(store=store, agent=agent, clock=SystemClock(), settings=Settings(timezone="UTC"),
                          sla_sweep_s=None, phone_check_s=None)
    engine.on_changes = app._pulled
    samples = []

    def popped(call_id: str) -> bool:
        pop = app.screen
        return (isinstance(pop, CallPopScreen) and pop.card.call_id == call_id and bool(pop.query("#call-pop-title"))
                and bool(str(pop.query_one("#call-pop-title").content)))

    async def until(condition, what: str) -> None:
        deadline = time.perf_counter() + 30
        while not condition():
            if time.perf_counter() > deadline:
                raise RuntimeError(f"{what} within 30 s")
            await asyncio.sleep(0.002)

    try:
        async with app.run_test(size=(120, 36)):
            engine.pull()
            engine.start()
            await asyncio.sleep(1.0)  # the engine online and listening to the event stream
            with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"},
                              timeout=30) as client:
                for i in range(rounds):
                    call_id = f"bench-pop-{i}-{uuid.uuid4().hex[:8]}"
                    events = _call_events(call_id, f"040 {3_000_000 + i}", ringing=["bench_pop"])
                    start = time.perf_counter()
                    response = await asyncio.to_thread(client.post, "/api/v1/cti/events", json=events[0])
                    if response.status_code != 200:
                        raise RuntimeError(f"event refused: {response.status_code}")
                    await until(lambda: popped(call_id), "no screen pop")
                    samples.append((time.perf_counter() - start) * 1000)
                    for event in events[1:]:  # answered and ended: the pop clears before the next call
                        await asyncio.to_thread(client.post, "/api/v1/cti/events", json=event)
                    await until(lambda: not isinstance(app.screen, CallPopScreen), "the pop did not clear")
    finally:
        engine.stop()
        engine.client.close()
        store.dispose()
    median, p99 = summarise(samples)
    return median, p99, len(samples)


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
    _add_account(server_db, "bench_pop", "supervisor")  # part 3's agent: no call of the other parts rings for them
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

        # 3. The same, up to the screen pop painted by the console (Textual, headless) of an agent it rings for.
        median, p99, count = asyncio.run(_pop_latency(workdir, server, token, rounds))
        yield Result("cti: call event at the server -> screen pop on a synced console", median, p99=p99,
                     target=500, target_on="p99", samples=count,
                     note="the pull's CallsChanged -> worker reads the caller card -> pop composed")
    finally:
        for engine in consoles:
            engine.stop()
            engine.client.close()
        server.stop()
