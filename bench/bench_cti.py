"""The phone (#20 point 8): call events per second on the server — as fast as it takes them, and 200 events/s
sustained while the floor of the server bench (simulated agents pushing ops and pulling the feed) works, with the
floor's ``POST /ops`` p99 measured at the same time — and from an event's arrival at the server to the call ringing
on a synced console (p99 under 500 ms)."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

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


#: The rate the telephone system sends at in the sustained run (#20 point 8), over at most this many connections
#: at once (each sends its next event when it is due and the previous one was answered; a PBX posts events as calls
#: happen, in parallel).
SUSTAINED_RATE = 200
SUSTAINED_SENDERS = 32


async def _paced_events(base_url: str, token: str, rate: float, seconds: float) -> dict:
    """Call events at ``rate`` per second for ``seconds`` (each due at its own time; a sender behind schedule sends
    at once), over a few keep-alive connections. Returns the latencies and the rate the server kept up with."""
    import orjson

    from bench.lean_http import LeanClient

    total = int(rate * seconds)
    events = [event for i in range((total + 2) // 3)
              for event in _call_events(f"sus-{i}-{uuid.uuid4().hex[:6]}", f"089 {1_000_000 + i}")][:total]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    latencies: list[float] = []
    errors: list[str] = []
    next_index = 0
    started = time.perf_counter()

    async def sender(client) -> None:
        nonlocal next_index
        while next_index < total:
            index = next_index
            next_index += 1  # one event loop: no other sender runs between the read and the write
            due = started + index / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            response = await client.post("/api/v1/cti/events", content=orjson.dumps(events[index]), headers=headers)
            # From when the event was due: a server that falls behind the rate makes the senders late, and this grows.
            latencies.append((time.perf_counter() - due) * 1000)
            if response.status_code != 200:
                errors.append(f"{response.status_code} {response.content[:200]!r}")

    clients = [LeanClient(base_url) for _ in range(SUSTAINED_SENDERS)]
    for client in clients:
        await client.__aenter__()
    try:
        await asyncio.wait_for(asyncio.gather(*(sender(client) for client in clients)), seconds + 120)
    finally:
        for client in clients:
            await client.__aexit__(None, None, None)
    elapsed = time.perf_counter() - started
    return {"latencies": latencies, "errors": errors, "rate": len(latencies) / elapsed}


def _sustained(ctx: BenchContext):
    """200 events/s while the server bench's floor works, on a server of its own (SQLite, as a team starts)."""
    import httpx

    from bench.bench_server import _floor_in_processes

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.server.conftest import new_case_op, prepare_database, start_server

    agents = ctx.size(200, 20)
    seconds = ctx.size(20, 3)
    tmp = Path(tempfile.mkdtemp(dir=ctx.workdir))
    url = f"sqlite:///{tmp}/server.db"
    tokens = prepare_database(url)
    server = start_server("sqlite", url, tmp)
    try:
        agent_tokens = [token for login, token in tokens.items() if login.startswith("racer")]
        with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {tokens['sue']}"},
                          timeout=120) as client:
            case_uids = []
            for _ in range(max(1, agents // 25)):
                batch = [new_case_op("General") for _ in range(25)]
                client.post("/api/v1/ops", json={"ops": batch}).raise_for_status()
                case_uids += [op["payload"]["case"]["uid"] for op in batch]
        from bench.bench_server import _process_tree_cpu

        cpu_before = _process_tree_cpu(server.process.pid)
        floor: dict = {}
        floor_thread = threading.Thread(target=lambda: floor.update(
            _floor_in_processes(server.base_url, agent_tokens, case_uids, agents, seconds)))
        floor_thread.start()
        time.sleep(min(2.0, seconds / 4))  # the floor's processes up and pushing before the phone starts
        phone = asyncio.run(_paced_events(server.base_url, tokens["root"], SUSTAINED_RATE, seconds))
        floor_thread.join()
        server_cpu = _process_tree_cpu(server.process.pid) - cpu_before
    finally:
        server.stop()
    if phone["errors"] or floor.get("errors"):
        print(f"  errors: phone {phone['errors'][:3]}, floor {floor.get('errors', [])[:3]}", file=sys.stderr)
    median, p99 = summarise(phone["latencies"])
    yield Result(f"cti: {SUSTAINED_RATE} events/s with {agents} agents working, due -> answered (SQLite)", median,
                 p99=p99, target=500, target_on="p99", samples=len(phone["latencies"]),
                 note=f"{phone['rate']:,.0f} events/s sustained (target {SUSTAINED_RATE}), "
                      f"{len(phone['errors'])} errors")
    median, p99 = summarise(floor["ops"])
    yield Result(f"cti: POST /ops while {SUSTAINED_RATE} events/s arrive ({agents} agents, SQLite)", median,
                 p99=p99, target=100, target_on="p99", samples=len(floor["ops"]),
                 note=f"the server bench's floor and target; server CPU {server_cpu / floor['wall'] * 100:.0f}% of "
                      f"one core for {len(floor['ops']) + len(floor['changes'])} floor requests and "
                      f"{len(phone['latencies'])} events; {len(floor['errors'])} floor errors")


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

        from bench.bench_server import _process_tree_cpu

        cpu_before = _process_tree_cpu(server.process.pid)
        start = time.perf_counter()
        with ThreadPoolExecutor(senders) as pool:
            list(pool.map(send, [events[i::senders] for i in range(senders)]))
        elapsed = time.perf_counter() - start
        count = 3 * calls
        server_cpu = _process_tree_cpu(server.process.pid) - cpu_before
        # Server CPU per event does not depend on how busy the shared machine is, unlike the rate.
        yield Result(f"cti: {count:,} call events on the server ({senders} connections)", elapsed * 1000 / count,
                     target=5.0, note=f"{count / elapsed:,.0f} events/s (target 200 events/s = 5 ms per event), "
                                      f"server CPU {server_cpu / count * 1000:.2f} ms/event")
        yield from _sustained(ctx)

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
