"""The team server under a floor of simulated agents on loopback, on SQLite and on PostgreSQL.

Each simulated agent, every 2 s: pushes a small batch of ops (a reply and an internal note on its case) and pulls
the change feed from its cursor — 200 agents make ~200 requests/s. The run is bounded in time and stops by itself.
Then one console's initial pull of the whole feed (100,000+ changes in the full run) from cursor 0.
"""

from __future__ import annotations

import asyncio
import gc
import random
import re
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import AsyncExitStack
from pathlib import Path

from bench.core import BenchContext, Result, benchmark, summarise
from bench.fixtures import AGENT_CONSOLE

PERIOD_S = 2.0


def _reply_ops(case_uid: str, n: int) -> list[dict]:
    return [{"op_id": str(uuid.uuid4()), "kind": "message.add", "payload": {"message": {
        "uid": str(uuid.uuid4()), "case_uid": case_uid, "direction": "out", "body": f"update {n}",
        "is_internal": internal}}} for internal in (False, True)]


_PAGE_END = re.compile(rb'"next_cursor":(\d+),"has_more":(?:true|false)}$')


def _page_cursor(body: bytes) -> tuple[int, int]:
    """A feed page's next cursor and number of changes. A console parses the whole page, on its own machine; here
    the page's tail is enough (the server writes each change as ``{"seq":…``, and a JSON string cannot contain that)."""
    end = _PAGE_END.search(body, max(0, len(body) - 80))
    if end is None:
        import orjson

        page = orjson.loads(body)
        return page["next_cursor"], len(page["changes"])
    return int(end.group(1)), body.count(b'{"seq":')


async def _agent(client, token: str, case_uid: str, until: float, latencies: dict, rng: random.Random) -> None:
    import orjson

    from bench.lean_http import HttpError

    # The client's own CPU shares the 2 cores with the server: bodies are encoded and pages parsed with orjson, and
    # requests go through a lean HTTP client (bench.lean_http).
    headers = {"Authorization": f"Bearer {token}"}
    post_headers = {**headers, "Content-Type": "application/json"}
    cursor = 0
    await asyncio.sleep(rng.random() * PERIOD_S)  # agents don't all start on the same tick
    n = 0
    while time.perf_counter() < until:
        tick = time.perf_counter()
        try:
            t0 = time.perf_counter()
            body = orjson.dumps({"ops": _reply_ops(case_uid, n)})
            response = await client.post("/api/v1/ops", content=body, headers=post_headers)
            latencies["ops"].append((time.perf_counter() - t0) * 1000)
            if response.status_code != 200:
                latencies["errors"].append(f"ops {response.status_code}")
            t0 = time.perf_counter()
            response = await client.get("/api/v1/changes", params={"cursor": cursor, "limit": 500}, headers=headers)
            latencies["changes"].append((time.perf_counter() - t0) * 1000)
            if response.status_code == 200:
                cursor, pulled = _page_cursor(response.content)
                latencies["pulled"] += pulled
            else:
                latencies["errors"].append(f"changes {response.status_code}")
        except (HttpError, OSError) as exc:  # counted, and the agent goes on (its client reconnects)
            latencies["errors"].append(f"{type(exc).__name__}: {exc}")
        n += 1
        await asyncio.sleep(max(0.0, PERIOD_S - (time.perf_counter() - tick)))


#: Processes the simulated floor runs in: agents on a floor are separate machines, and one event loop driving all
#: 200 would add its own queueing to every latency measured.
GENERATOR_PROCESSES = 2


def _floor_part(args: tuple) -> dict:
    base_url, tokens, case_uids, agents, first, seconds = args
    try:
        import uvloop
    except ImportError:
        return asyncio.run(_floor(base_url, tokens, case_uids, agents, seconds, first=first))
    return uvloop.run(_floor(base_url, tokens, case_uids, agents, seconds, first=first))


def _floor_in_processes(base_url: str, tokens: list[str], case_uids: list[str], agents: int, seconds: float) -> dict:
    import multiprocessing

    parts = min(GENERATOR_PROCESSES, agents)
    bounds = [agents * k // parts for k in range(parts + 1)]
    jobs = [(base_url, tokens, case_uids, bounds[k + 1] - bounds[k], bounds[k], seconds) for k in range(parts)]
    with multiprocessing.get_context("spawn").Pool(parts) as pool:
        results = pool.map(_floor_part, jobs)
    merged: dict = {"ops": [], "changes": [], "errors": [], "pulled": 0, "wall": 0.0, "cpu": 0.0}
    for part in results:
        for key in ("ops", "changes", "errors"):
            merged[key] += part[key]
        merged["pulled"] += part["pulled"]
        merged["cpu"] += part["cpu"]
        merged["wall"] = max(merged["wall"], part["wall"])
    return merged


async def _floor(base_url: str, tokens: list[str], case_uids: list[str], agents: int, seconds: float, *,
                 first: int = 0) -> dict:
    from bench.lean_http import LeanClient

    latencies: dict = {"ops": [], "changes": [], "errors": [], "pulled": 0}
    # One keep-alive connection per agent, as on a real floor.
    async with AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(LeanClient(base_url)) for _ in range(agents)]
        # The load generator's own full collections would show up as server latency: its set-up is frozen.
        gc.collect()
        gc.freeze()
        until = time.perf_counter() + seconds
        rng = random.Random(3 + first)
        started = time.perf_counter()
        cpu_started = time.process_time()
        floor = asyncio.gather(*(_agent(client, tokens[i % len(tokens)], case_uids[i % len(case_uids)], until,
                                        latencies, rng) for i, client in enumerate(clients, start=first)))
        await asyncio.wait_for(floor, seconds + 60)  # a server that stops answering ends the run, not hangs it
        latencies["cpu"] = time.process_time() - cpu_started
        latencies["wall"] = time.perf_counter() - started
    return latencies


def _process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its live descendants (uvicorn's workers)."""
    import os

    stats: dict[int, tuple[int, float]] = {}  # pid -> (parent pid, CPU seconds)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # ended meanwhile
            stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))
    tree = {pid}
    for _ in range(3):  # the server, uvicorn's supervisor, its workers
        tree |= {child for child, (parent, _cpu) in stats.items() if parent in tree}
    return sum(stats[member][1] for member in tree if member in stats)


def _run_backend(ctx: BenchContext, backend: str, agents: int, seconds: float, feed_rows: int):
    import httpx

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.server import pg
    from tests.server.conftest import new_case_op, prepare_database, start_server

    tmp = Path(tempfile.mkdtemp(dir=ctx.workdir))
    cluster = None
    if backend == "sqlite":
        url = f"sqlite:///{tmp}/server.db"
        extra: tuple[str, ...] = ()
    else:
        try:
            cluster = pg.start_cluster()
        except pg.PostgresUnavailable as exc:
            print(f"  skipped PostgreSQL: {exc}", file=sys.stderr)
            return
        url = cluster.create_database("bench")
        extra = ("--workers", "2")
    tokens_by_login = prepare_database(url)
    server = start_server(backend, url, tmp, *extra)
    try:
        agent_tokens = [token for login, token in tokens_by_login.items() if login.startswith("racer")]
        admin = {"Authorization": f"Bearer {tokens_by_login['sue']}"}
        with httpx.Client(base_url=server.base_url, headers=admin, timeout=120) as client:
            case_uids = []
            for _ in range(max(1, agents // 25)):
                batch = [new_case_op("General") for _ in range(25)]
                client.post("/api/v1/ops", json={"ops": batch}).raise_for_status()
                case_uids += [op["payload"]["case"]["uid"] for op in batch]
        postmaster = (int((cluster.datadir / "postmaster.pid").read_text().split()[0])
                      if cluster is not None else None)
        cpu_before = _process_tree_cpu(server.process.pid)
        pg_cpu_before = _process_tree_cpu(postmaster) if postmaster else 0.0
        lat = _floor_in_processes(server.base_url, agent_tokens, case_uids, agents, seconds)
        server_cpu = _process_tree_cpu(server.process.pid) - cpu_before
        pg_cpu = _process_tree_cpu(postmaster) - pg_cpu_before if postmaster else 0.0
        label = f"{backend}{' 2 workers' if extra else ''}, {agents} agents"
        requests = len(lat["ops"]) + len(lat["changes"])
        rate = requests / lat["wall"]
        # Server CPU per request does not depend on how busy the shared machine is, unlike the latencies.
        note = (f"{rate:.0f} req/s, {lat['pulled'] / lat['wall']:,.0f} changes/s pulled, "
                f"server CPU {server_cpu / max(1, requests) * 1000:.2f} ms/req, "
                + (f"PostgreSQL CPU {pg_cpu / max(1, requests) * 1000:.2f} ms/req, " if postmaster else "")
                + f"load generator CPU {lat['cpu'] / max(1, requests) * 1000:.2f} ms/req, {len(lat['errors'])} errors")
        for endpoint, name in (("ops", "POST /ops"), ("changes", "GET /changes")):
            median, p99 = summarise(lat[endpoint])
            yield Result(f"server: {name} ({label})", median, p99=p99, target=100, target_on="p99",
                         samples=len(lat[endpoint]), note=note)

        if backend != "sqlite":
            return  # the demo seeder writes SQLite files only; the feed pull is measured there
        # One console's first sync: the whole feed from cursor 0, after seeding the server's database directly.
        seed = [AGENT_CONSOLE, "--db", url.removeprefix("sqlite:///"), "seed", "demo", "--force",
                "--cases", str(feed_rows), "--customers", str(max(100, feed_rows // 10)), "--kb", "20"]
        subprocess.run(seed, check=True, capture_output=True)
        subprocess.run([AGENT_CONSOLE, "server", "feed", "publish", "--db", url], check=True, capture_output=True)
        with httpx.Client(base_url=server.base_url, headers=admin, timeout=300) as client:
            cursor, pulled, t0 = 0, 0, time.perf_counter()
            while True:
                page = client.get("/api/v1/changes", params={"cursor": cursor, "limit": 5000}).json()
                pulled += len(page["changes"])
                cursor = page["next_cursor"]
                if not page["has_more"]:
                    break
            elapsed = (time.perf_counter() - t0) * 1000
        yield Result(f"server: pull {pulled:,} changes from cursor 0 ({backend})", elapsed,
                     note=f"{pulled / (elapsed / 1000):,.0f} changes/s")
    finally:
        server.stop()
        if cluster is not None:
            cluster.stop()


@benchmark("server", "200 simulated agents (push + pull every 2 s) on SQLite and PostgreSQL; full feed pull")
def run(ctx: BenchContext):
    agents = ctx.size(200, 20)
    seconds = ctx.size(20, 3)
    feed_rows = ctx.size(10_000, 500)  # cases; with their messages, SLA events and customers ~11 changes each
    for backend in ("sqlite", "postgresql"):
        yield from _run_backend(ctx, backend, agents, seconds, feed_rows)
