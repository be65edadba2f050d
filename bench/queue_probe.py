"""Run in a fresh process by bench_queue: open the console's queue headless over a store and time it.

Prints one JSON object. ``--baseline`` loads the same rows into Textual's own DataTable instead.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time

SIZE = (160, 50)


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def wait_until(pilot, condition, timeout: float = 120.0) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("condition not reached")
        await pilot.pause(0.001)


async def probe_console(store_path: str) -> dict:
    from agent_console.config import Settings
    from agent_console.domain.clock import SystemClock
    from agent_console.store import queries
    from agent_console.store.db import open_store
    from agent_console.app import AgentConsoleApp

    store = open_store(store_path)
    with store.session() as session:
        agent = queries.agent_by_login(session, "demo")
    app = AgentConsoleApp(store=store, agent=agent, clock=SystemClock(), settings=Settings())
    start = time.perf_counter()
    async with app.run_test(size=SIZE) as pilot:
        app_up = time.perf_counter()
        table = app.screen.query_one("#queue-table")
        await wait_until(pilot, lambda: table.row_count > 0)
        await pilot.pause()
        painted = time.perf_counter()
        rows = table.row_count

        moves = []
        for _ in range(60):
            t0 = time.perf_counter()
            await pilot.press("down")
            await pilot.pause()
            moves.append((time.perf_counter() - t0) * 1000)

        filter_input = app.screen.query_one("#queue-filter")
        await pilot.press("slash")
        await pilot.pause()
        keystrokes = []
        for char in "rechnung":
            before = table.case_ids
            t0 = time.perf_counter()
            await pilot.press(char)
            await wait_until(pilot, lambda: table.case_ids is not before or filter_input.value.endswith(char) and
                             not app.screen.workers)
            await pilot.pause()
            keystrokes.append((time.perf_counter() - t0) * 1000)
        filtered_rows = table.row_count
        memory = rss_mb()
    store.dispose()
    return {
        "rows": rows, "filtered_rows": filtered_rows,
        "app_up_ms": (app_up - start) * 1000, "open_ms": (painted - app_up) * 1000,
        "start_to_rows_ms": (painted - start) * 1000,
        "cursor_ms": statistics.median(moves[5:]), "cursor_p99_ms": sorted(moves)[-1],
        "filter_ms": statistics.median(keystrokes), "filter_max_ms": max(keystrokes),
        "rss_mb": memory,
    }


async def probe_datatable(store_path: str) -> dict:
    from rich.text import Text
    from textual.app import App
    from textual.widgets import DataTable

    from agent_console.store import queries
    from agent_console.store.db import open_store

    store = open_store(store_path)
    with store.session() as session:
        ids = queries.queue_case_ids(session, queries.QueueView(view="open"))
        rows = queries.queue_rows(session, ids)
    store.dispose()
    columns = ("key", "priority", "channel", "queue", "customer_name", "subject", "status", "tier")

    class Baseline(App):
        def compose(self):
            yield DataTable(id="t")

    app = Baseline()
    start = time.perf_counter()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(DataTable)
        table.add_columns(*columns)
        table.add_rows([[Text(str(rows[i][c])) for c in columns] for i in ids])
        await pilot.pause()
        painted = time.perf_counter()
        table.focus()
        moves = []
        for _ in range(30):
            t0 = time.perf_counter()
            await pilot.press("down")
            await pilot.pause()
            moves.append((time.perf_counter() - t0) * 1000)
        memory = rss_mb()
    return {"rows": len(ids), "open_ms": (painted - start) * 1000, "cursor_ms": statistics.median(moves[5:]),
            "rss_mb": memory}


if __name__ == "__main__":
    path = sys.argv[1]
    fn = probe_datatable if "--baseline" in sys.argv else probe_console
    print(json.dumps(asyncio.run(fn(path))))
