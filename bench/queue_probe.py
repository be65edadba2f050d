"""Run in a fresh process by bench_queue: open the console's queue over a store and time it.

Prints one JSON object. By default the console runs headless in this process (open time, key handling);
``--terminal`` runs the real binary on a pseudo-terminal and times keys to frames written to the terminal;
``--baseline`` loads the same rows into Textual's own DataTable instead.
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
    on a composed frame (headless: the frame is not turned into terminal output; ``probe_terminal`` times that).

    Textual draws at most one frame per 1/60 s: the first update after a pause is drawn at once, but a key posted
    right after the previous frame waits for the next frame slot (~16 ms) — callers leave a gap between keys, as
    key auto-repeat (20–30 per second) and typing do.

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
    from pathlib import Path

    from agent_console.config import Settings
    from agent_console.domain.clock import SystemClock
    from agent_console.store import queries
    from agent_console.store.db import open_store
    from agent_console.app import AgentConsoleApp

    store = open_store(store_path)
    with store.session() as session:
        agent = queries.agent_by_login(session, "demo")

    class Probe(AgentConsoleApp):
        # A subclass resolves CSS_PATH beside its own module: point it back at the app's stylesheets.
        CSS_PATH = [str(Path(sys.modules[AgentConsoleApp.__module__].__file__).parent / path)
                    for path in AgentConsoleApp.CSS_PATH]
        mounted_at = mounted_cpu = 0.0

        def on_mount(self) -> None:
            # Runs before the console's own on_mount (handlers run for every class of the MRO, subclass first):
            # "the app is up" — Textual, the CSS and the driver are ready; the console's start-up work follows.
            self.mounted_at = time.perf_counter()
            self.mounted_cpu = time.process_time()

    app = Probe(store=store, agent=agent, clock=SystemClock(), settings=Settings())
    start = time.perf_counter()
    async with app.run_test(size=SIZE) as pilot:
        ready = time.perf_counter()
        while not (app.screen.query("#queue-table") and app.screen.query_one("#queue-table").row_count):
            await asyncio.sleep(0.001)
        table = app.screen.query_one("#queue-table")
        rows_head = table.row_count
        frame = asyncio.get_running_loop().create_future()
        app.call_after_refresh(lambda: frame.done() or frame.set_result(time.perf_counter()))
        painted = await frame  # the first frame with rows (the head of the view; the rest follows)
        open_cpu = time.process_time() - app.mounted_cpu
        await wait_until(pilot, lambda: "counting" not in str(app.screen.query_one("#queue-status").render()))
        complete = time.perf_counter()
        rows = table.row_count

        await pilot.pause(0.5)  # let the filter's search texts finish loading
        moves = []
        for _ in range(60):
            await asyncio.sleep(0.05)  # keys as auto-repeat sends them, not faster than frames (see key_to_frame)
            row = table.cursor_row
            moves.append(await key_to_frame(app, "down", lambda: table.cursor_row != row))

        await pilot.press("slash")
        await pilot.pause()
        keystrokes = []
        for char in "rechnung":
            await asyncio.sleep(0.12)
            before = table.case_ids
            keystrokes.append(await key_to_frame(app, char, lambda: table.case_ids is not before))
        filtered_rows = table.row_count
        memory = rss_mb()
    store.dispose()
    return {
        "rows": rows, "rows_first_frame": rows_head, "filtered_rows": filtered_rows,
        "app_up_ms": (app.mounted_at - start) * 1000, "open_ms": (painted - app.mounted_at) * 1000,
        "ready_to_rows_ms": max(0.0, painted - ready) * 1000, "open_cpu_ms": open_cpu * 1000,
        "view_complete_ms": (complete - app.mounted_at) * 1000,
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
            await asyncio.sleep(0.05)  # as for the console: keys spaced as auto-repeat sends them
            row = table.cursor_row
            moves.append(await key_to_frame(app, "down", lambda: table.cursor_row != row))
        memory = rss_mb()
    return {"rows": len(ids), "open_ms": (painted - start) * 1000,
            "cursor_ms": statistics.median(m[1] for m in moves[5:]),
            "cursor_handled_ms": statistics.median(m[0] for m in moves[5:]),
            "rss_mb": memory}


def probe_terminal(store_path: str) -> dict:
    """The real console on a pseudo-terminal: keys as the bytes a terminal sends, spaced as a person (or key
    auto-repeat) sends them, each timed until the frame showing its effect has been written to the terminal."""
    import os
    import re
    import tempfile
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from terminal import KEYS, Terminal

    binary = str(Path(sys.executable).with_name("agent-console"))
    with tempfile.TemporaryDirectory() as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AGENT_CONSOLE_")}
        env.update(TERM="xterm-256color", COLORTERM="truecolor", HOME=home,
                   AGENT_CONSOLE_CONFIG=str(Path(home) / "none.toml"))
        term = Terminal([binary, "--db", store_path, "--agent", "demo"], SIZE, env)
        try:
            painted = term.wait_for(lambda: term.frame_with(re.compile(rb"AC-\d{6}"), 0), 60, "case rows")
            loaded = term.wait_for(lambda: term.frame_with(re.compile(rb"\d cases"), 0), 60, "the case count")
            term.idle(1.0)
            cpu, ui_cpu = term.cpu_seconds(), term.cpu_seconds(ui_thread_only=True)
            term.idle(3.0)
            idle_cpu = (term.cpu_seconds() - cpu) / 3.0
            idle_ui_cpu = (term.cpu_seconds(ui_thread_only=True) - ui_cpu) / 3.0

            # Key auto-repeat (~20/s) or a person pressing down: each key arrives after the last frame is out. The
            # first 40 moves stay within the first screenful; the next 40 scroll the table by a row each.
            moves, cpu_moves, ui_cpu_moves = [], [], []
            for batch in range(2):
                cpu, ui_cpu = term.cpu_seconds(), term.cpu_seconds(ui_thread_only=True)
                for _ in range(40):
                    term.idle(0.05)
                    moves.append(term.key_to_frame(KEYS["down"]))
                cpu_moves.append(term.cpu_seconds() - cpu)
                ui_cpu_moves.append(term.cpu_seconds(ui_thread_only=True) - ui_cpu)
            # Keys faster than frames (repeat above 60/s): Textual draws at most one frame per 1/60 s.
            burst = [term.key_to_frame(KEYS["down"]) for _ in range(30)]

            term.idle(0.3)
            term.key_to_frame(b"/")
            term.idle(0.3)
            keystrokes = []
            cpu, ui_cpu = term.cpu_seconds(), term.cpu_seconds(ui_thread_only=True)
            typed = ""
            for char in "rechnung":
                typed += char
                term.idle(0.12)  # a fast typist: 8 keys a second
                shown = re.compile(re.escape(repr(typed)).encode())
                keystrokes.append(term.key_to_frame(char.encode(), pattern=shown))
            cpu_typing = term.cpu_seconds() - cpu
            ui_cpu_typing = term.cpu_seconds(ui_thread_only=True) - ui_cpu
            memory = term.rss_mb()
        finally:
            term.close()
    return {
        "first_paint_ms": (painted - term.started) * 1000, "loaded_ms": (loaded - term.started) * 1000,
        "cursor_ms": statistics.median(moves[:40]), "cursor_p99_ms": max(moves[:40]),
        "scroll_ms": statistics.median(moves[40:]), "scroll_p99_ms": max(moves[40:]),
        "cursor_burst_ms": statistics.median(burst[5:]),
        "filter_ms": statistics.median(keystrokes), "filter_max_ms": max(keystrokes),
        # CPU the console used (not wall time: the machine may be busy with other things), per second while idle
        # (clock and countdown ticks), and per key including the idle ticks between keys; all threads (with the
        # SLA sweeps and view re-reads in workers) and the UI thread alone.
        "idle_cpu_pct": idle_cpu * 100, "idle_ui_cpu_pct": idle_ui_cpu * 100,
        "cpu_per_move_ms": cpu_moves[0] / 40 * 1000, "ui_cpu_per_move_ms": ui_cpu_moves[0] / 40 * 1000,
        "cpu_per_scroll_ms": cpu_moves[1] / 40 * 1000, "ui_cpu_per_scroll_ms": ui_cpu_moves[1] / 40 * 1000,
        "cpu_per_filter_key_ms": cpu_typing / len(keystrokes) * 1000,
        "ui_cpu_per_filter_key_ms": ui_cpu_typing / len(keystrokes) * 1000,
        "rss_mb": memory,
    }


if __name__ == "__main__":
    path = sys.argv[1]
    if "--terminal" in sys.argv:
        print(json.dumps(probe_terminal(path)))
    else:
        fn = probe_datatable if "--baseline" in sys.argv else probe_console
        print(json.dumps(asyncio.run(fn(path))))
