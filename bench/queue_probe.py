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


async def key_to_frame(app, key: str, changed, timeout: float = 30.0) -> tuple[float, float]:
    """Milliseconds from posting a key (as the terminal driver does) until it was handled, and until its effect is
    on a drawn frame (Textual paces frames at 60 per second, so the second includes up to ~17 ms of waiting).

    Pilot's press()/pause() wait for idleness in 20 ms sleeps, a floor far above what is measured here; this posts
    the key event itself, yields until ``changed()`` says the widget reacted, then waits for the next refresh.
    """
    from textual import events

    loop = asyncio.get_running_loop()
    start = time.perf_counter()
    app.post_message(events.Key(key, key if len(key) == 1 else None))
    while not changed():
        if time.perf_counter() - start > timeout:
            raise TimeoutError(f"key {key!r} had no effect")
        await asyncio.sleep(0)
    handled = time.perf_counter()
    drawn = loop.create_future()
    app.call_after_refresh(lambda: drawn.done() or drawn.set_result(None))
    await drawn
    return (handled - start) * 1000, (time.perf_counter() - start) * 1000


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

        await pilot.pause(0.5)  # let the full view and the filter's search texts finish loading
        moves = []
        for _ in range(60):
            row = table.cursor_row
            moves.append(await key_to_frame(app, "down", lambda: table.cursor_row != row))

        await pilot.press("slash")
        await pilot.pause()
        keystrokes = []
        for char in "rechnung":
            before = table.case_ids
            keystrokes.append(await key_to_frame(app, char, lambda: table.case_ids is not before))
        filtered_rows = table.row_count
        memory = rss_mb()
    store.dispose()
    return {
        "rows": rows, "filtered_rows": filtered_rows,
        "app_up_ms": (app_up - start) * 1000, "open_ms": (painted - app_up) * 1000,
        "start_to_rows_ms": (painted - start) * 1000,
        "cursor_ms": statistics.median(m[1] for m in moves[5:]), "cursor_p99_ms": max(m[1] for m in moves),
        "cursor_handled_ms": statistics.median(m[0] for m in moves[5:]),
        "filter_ms": statistics.median(k[1] for k in keystrokes), "filter_max_ms": max(k[1] for k in keystrokes),
        "filter_handled_ms": statistics.median(k[0] for k in keystrokes),
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
        await pilot.pause()
        moves = []
        for _ in range(30):
            row = table.cursor_row
            moves.append(await key_to_frame(app, "down", lambda: table.cursor_row != row))
        memory = rss_mb()
    return {"rows": len(ids), "open_ms": (painted - start) * 1000,
            "cursor_ms": statistics.median(m[1] for m in moves[5:]),
            "cursor_handled_ms": statistics.median(m[0] for m in moves[5:]),
            "rss_mb": memory}


if __name__ == "__main__":
    path = sys.argv[1]
    fn = probe_datatable if "--baseline" in sys.argv else probe_console
    print(json.dumps(asyncio.run(fn(path))))
