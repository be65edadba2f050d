"""Whole-process probe for bench_startup: start the console headless on a store, exit once the queue painted rows.

Run as ``python bench/first_paint.py STORE``; prints ``painted N T``: N rows in the view, T the wall-clock time
(``time.time()``) right after the first frame with rows was drawn, so the caller can measure spawn -> first paint
without counting the app's teardown and the interpreter's exit.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path


def main(store_path: str) -> None:
    from agent_console.app import AgentConsoleApp
    from agent_console.config import Settings
    from agent_console.domain.clock import SystemClock
    from agent_console.store import queries
    from agent_console.store.db import open_store

    store = open_store(store_path)
    with store.session() as session:
        agent = queries.agent_by_login(session, "demo")

    class Probe(AgentConsoleApp):
        painted_at = 0.0

        # A subclass resolves CSS_PATH beside its own module: point it back at the app's stylesheets.
        CSS_PATH = [str(Path(sys.modules[AgentConsoleApp.__module__].__file__).parent / path)
                    for path in AgentConsoleApp.CSS_PATH]

        def on_mount(self) -> None:
            # Textual runs the app's own on_mount too (handlers are called for every class in the MRO).
            self.set_interval(0.005, self._check)

        def _check(self) -> None:
            table = self.screen.query("#queue-table")
            if table and table.first().row_count > 0 and not self.painted_at:
                self.painted_at = -1.0
                self.call_after_refresh(self._painted, table.first().row_count)

        def _painted(self, rows: int) -> None:
            self.painted_at = time.time()
            self.exit(rows)

    app = Probe(store=store, agent=agent, clock=SystemClock(), settings=Settings())
    rows = app.run(headless=True, size=(160, 50))
    print(f"painted {rows} {app.painted_at:.6f}")


if __name__ == "__main__":
    main(sys.argv[1])
