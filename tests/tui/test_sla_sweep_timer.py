"""The console's SLA sweep never overlaps itself, and a failed worker is written to the console's log file."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import agent_console.app
from agent_console.app import AgentConsoleApp
from agent_console.config import Settings
from agent_console.console_log import log_path
from tests.helpers import wait_until_async

INTERVAL_S = 0.02
APP_CSS = str(Path(agent_console.app.__file__).with_name("app.tcss"))


class SlowSweepConsole(AgentConsoleApp):
    """A console whose sweep blocks until the test lets it go: a sweep far slower than the interval."""

    CSS_PATH = APP_CSS

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.running = 0
        self.most_at_once = 0
        self.started = 0
        self.finished = 0

    def _sweep(self) -> None:
        with self.lock:
            self.running += 1
            self.started += 1
            self.most_at_once = max(self.most_at_once, self.running)
        try:
            self.release.wait(timeout=30)
        finally:
            with self.lock:
                self.running -= 1
                self.finished += 1


async def test_a_sweep_slower_than_the_interval_never_runs_beside_another(store, clock, agents):
    app = SlowSweepConsole(store=store, agent=agents["anna"], clock=clock, settings=Settings(timezone="UTC"),
                           sla_sweep_s=INTERVAL_S)
    async with app.run_test():
        await wait_until_async(lambda: app.started == 1, message="the first sweep starts")
        # Many intervals pass while the first sweep is still running; an explicit request is refused too.
        held_since = time.monotonic()
        await wait_until_async(lambda: time.monotonic() - held_since > 15 * INTERVAL_S)
        app.sweep_sla()
        assert (app.started, app.running) == (1, 1)

        app.release.set()  # from now on every sweep ends at once
        await wait_until_async(lambda: app.finished >= 3, message="the sweep is re-armed after each run")
    assert app.most_at_once == 1


class FailingSweepConsole(AgentConsoleApp):
    CSS_PATH = APP_CSS

    def _sweep(self) -> None:
        raise RuntimeError("the sweep broke on purpose")


async def test_a_failed_worker_is_written_to_the_log_file(store, clock, agents):
    app = FailingSweepConsole(store=store, agent=agents["anna"], clock=clock, settings=Settings(timezone="UTC"),
                              sla_sweep_s=None)
    async with app.run_test() as pilot:
        app.sweep_sla()
        await wait_until_async(lambda: log_path().exists() and "on purpose" in log_path().read_text())
        await pilot.pause()
    text = log_path().read_text()
    assert "worker sla-sweep (group sla) failed" in text
    assert "Traceback" in text and "RuntimeError: the sweep broke on purpose" in text
