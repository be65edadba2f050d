"""The public help center beside the floor: 200 visitors searching and reading articles while 200 simulated agents
push and pull (bench_server's floor), on one SQLite team server on loopback.

Each visitor, every 2 s: a search on ``/help?q=…`` and one article page, in German or English — 200 visitors make
~200 page requests/s on top of the floor's ~200 API requests/s. The visitors go to the help center's own process
(``--help-workers``, on its own port), as a deployment that follows docs/help-center.md does. The floor runs twice for the same time: alone, then
with the visitors, so the report shows what the visitors cost the agents' ``/ops``. Bounded in count and time.
"""

from __future__ import annotations

import asyncio
import gc
import os
import random
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack
from pathlib import Path
from urllib.parse import quote

from bench.core import BenchContext, Result, benchmark, summarise

PERIOD_S = 2.0
VISITOR_PROCESSES = 1
#: The help center's own processes (``agent-console server --help-workers``, docs/help-center.md): the visitors
#: reach them on the help port, as the reverse proxy in front of a server sends ``/help`` there. 0 (set
#: ``AGENT_CONSOLE_BENCH_HELP_WORKERS=0``): the visitors on the server's own port, for a comparison.
HELP_WORKERS = int(os.environ.get("AGENT_CONSOLE_BENCH_HELP_WORKERS", "1"))
#: Searches as customers type them: stems, umlauts written out, typos, words no article has.
QUERIES = ("Rücksendung", "Ruecksendung", "rucksendungen", "Rechnung", "Passwort vergessen", "Lieferung",
           "return", "invoice", "delivery late", "pasword", "refund", "Gutschein", "nichtvorhanden")
TOPICS = (("ruecksendung", "Rücksendung", "Rücksendung eines Artikels: Etikett drucken, Paket abgeben."),
          ("rechnung", "Rechnung", "Rechnung doppelt erhalten oder Betrag falsch: so prüfen Sie die Rechnung."),
          ("passwort", "Passwort", "Passwort vergessen? Über den Link auf der Anmeldeseite setzen Sie es zurück."),
          ("lieferung", "Lieferung", "Die Lieferung verspätet sich: Sendungsverfolgung und Zustellung."),
          ("returns", "Returns", "Returning an item: print the label and drop off the parcel for a refund."),
          ("invoice", "Invoice", "An invoice arrived twice or shows a wrong amount: how to check it."),
          ("password", "Password", "Forgot your password? Reset it by the link on the sign-in page."),
          ("delivery", "Delivery", "Your delivery is late: tracking and delivery times."))


def seed_help_articles(db_url: str, count: int) -> list[str]:
    """``count`` public articles (German and English, a Markdown body of a screen or so), plus internal ones."""
    from agent_console.server.db import open_server_store
    from agent_console.store.models import KBArticle

    slugs: list[str] = []
    store = open_server_store(db_url)
    try:
        with store.transaction() as session:
            for n in range(count):
                slug, word, text = TOPICS[n % len(TOPICS)]
                language = "en" if slug in ("returns", "invoice", "password", "delivery") else "de"
                body = (f"{text}\n\n## {word} {n}\n\n" + "\n".join(f"{k}. {text}" for k in range(1, 6))
                        + f"\n\n| {word} | Wert |\n|---|---|\n| a | {n} |\n\n" + text * 4)
                session.add(KBArticle(slug=f"{slug}-{n}", title=f"{word} {n}", language=language, public=n % 5 != 4,
                                      body=body))
                if n % 5 != 4:
                    slugs.append(f"{slug}-{n}")
    finally:
        store.dispose()
    return slugs


async def _visitor(client, slugs: list[str], until: float, latencies: dict, rng: random.Random) -> None:
    from bench.lean_http import HttpError

    await asyncio.sleep(rng.random() * PERIOD_S)
    while time.perf_counter() < until:
        tick = time.perf_counter()
        language = rng.choice(("de", "en"))
        headers = {"Accept-Language": language}
        try:
            t0 = time.perf_counter()
            response = await client.get("/help", params={"q": rng.choice(QUERIES)}, headers=headers)
            latencies["search"].append((time.perf_counter() - t0) * 1000)
            if response.status_code != 200:
                latencies["errors"].append(f"search {response.status_code}")
            t0 = time.perf_counter()
            path = "/help" if rng.random() < 0.2 else f"/help/articles/{quote(rng.choice(slugs))}"
            response = await client.get(path, headers=headers)
            latencies["article"].append((time.perf_counter() - t0) * 1000)
            if response.status_code != 200:
                latencies["errors"].append(f"article {response.status_code}")
        except (HttpError, OSError) as exc:
            latencies["errors"].append(f"{type(exc).__name__}: {exc}")
        await asyncio.sleep(max(0.0, PERIOD_S - (time.perf_counter() - tick)))


async def _visitors(base_url: str, slugs: list[str], visitors: int, seconds: float) -> dict:
    from bench.lean_http import LeanClient

    latencies: dict = {"search": [], "article": [], "errors": []}
    async with AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(LeanClient(base_url)) for _ in range(visitors)]
        gc.collect()
        gc.freeze()
        until = time.perf_counter() + seconds
        rng = random.Random(11)
        await asyncio.wait_for(asyncio.gather(*(_visitor(client, slugs, until, latencies, rng)
                                                for client in clients)), seconds + 60)
    return latencies


def _visitors_part(args: tuple) -> dict:
    base_url, slugs, visitors, seconds = args
    try:
        import uvloop
    except ImportError:
        return asyncio.run(_visitors(base_url, slugs, visitors, seconds))
    return uvloop.run(_visitors(base_url, slugs, visitors, seconds))


def _visitors_in_process(base_url: str, slugs: list[str], visitors: int, seconds: float) -> dict:
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(VISITOR_PROCESSES) as pool:
        return pool.apply(_visitors_part, ((base_url, slugs, visitors, seconds),))


def _wait_for(base_url: str) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(base_url + "/readyz", timeout=2).raise_for_status()
            return
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _load() -> float:
    import os

    return os.getloadavg()[0]


@benchmark("help", "200 help-center visitors (search + article every 2 s) beside the 200-agent floor; /ops with and "
                   "without them")
def run(ctx: BenchContext):
    import httpx

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bench.bench_server import _floor_in_processes, _process_tree_cpu
    from tests.server.conftest import new_case_op, prepare_database, start_server
    from tests.server.pg import free_port

    agents = ctx.size(200, 20)
    visitors = ctx.size(200, 20)
    seconds = ctx.size(20, 3)
    articles = ctx.size(500, 40)
    tmp = Path(tempfile.mkdtemp(dir=ctx.workdir))
    url = f"sqlite:///{tmp}/server.db"
    tokens_by_login = prepare_database(url)
    slugs = seed_help_articles(url, articles)
    help_port = free_port()
    helpers = ("--help-workers", str(HELP_WORKERS), "--help-port", str(help_port)) if HELP_WORKERS else ()
    server = start_server("sqlite", url, tmp, *helpers)
    help_url = f"http://127.0.0.1:{help_port}" if HELP_WORKERS else server.base_url
    try:
        _wait_for(help_url)
        agent_tokens = [token for login, token in tokens_by_login.items() if login.startswith("racer")]
        admin = {"Authorization": f"Bearer {tokens_by_login['sue']}"}
        with httpx.Client(base_url=server.base_url, headers=admin, timeout=120) as client:
            case_uids = []
            for _ in range(max(1, agents // 25)):
                batch = [new_case_op("General") for _ in range(25)]
                client.post("/api/v1/ops", json={"ops": batch}).raise_for_status()
                case_uids += [op["payload"]["case"]["uid"] for op in batch]
        for query in QUERIES:  # the first search loads the index's pages and the stemmer: not a visitor's wait
            httpx.get(help_url + "/help", params={"q": query}, timeout=120).raise_for_status()
        cpu_before = _process_tree_cpu(server.process.pid)
        alone = _floor_in_processes(server.base_url, agent_tokens, case_uids, agents, seconds)
        cpu_alone = _process_tree_cpu(server.process.pid) - cpu_before
        with ThreadPoolExecutor(2) as pool:
            visiting = pool.submit(_visitors_in_process, help_url, slugs, visitors, seconds)
            beside = pool.submit(_floor_in_processes, server.base_url, agent_tokens, case_uids, agents, seconds)
            seen, floor = visiting.result(), beside.result()
        cpu_both = _process_tree_cpu(server.process.pid) - cpu_before - cpu_alone
        pages = len(seen["search"]) + len(seen["article"])
        # What the visitors cost the server: its CPU with them less its CPU for the floor alone (per floor request).
        floor_share = cpu_alone / max(1, len(alone["ops"]) + len(alone["changes"])) * (len(floor["ops"])
                                                                                        + len(floor["changes"]))
        note = (f"{visitors} visitors on {HELP_WORKERS} help process(es), {len(slugs)} public articles, {agents} "
                f"agents, {seconds} s; "
                f"{pages / seconds:.0f} pages/s, server CPU {(cpu_both - floor_share) / max(1, pages) * 1000:.2f} "
                f"ms/page; {len(seen['errors'])} visitor errors, {len(floor['errors'])} floor errors; "
                f"shared machine (load {_load():.1f})")
        for name, key in (("search /help?q=", "search"), ("article or list page", "article")):
            median, p99 = summarise(seen[key])
            yield Result(f"help: {name} ({visitors} visitors beside the floor)", median, p99=p99, target=50,
                         target_on="p99", samples=len(seen[key]), note=note)
        for label, lat in (("floor alone", alone), ("with visitors", floor)):
            median, p99 = summarise(lat["ops"])
            yield Result(f"help: floor POST /ops ({label}, {agents} agents)", median, p99=p99, target=100,
                         target_on="p99", samples=len(lat["ops"]), note=f"{len(lat['errors'])} errors")
    finally:
        server.stop()
