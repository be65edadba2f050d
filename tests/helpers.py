"""Helpers every test may use: a real component that is missing, and waiting for a condition instead of sleeping.

``require_component`` is the one way a test gives up on a component it cannot start (PostgreSQL, tmux, a privileged
mount …): it skips on a developer's machine and fails in CI (``CI=true``), where every component must be there.
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Callable, NoReturn

import pytest

#: How long ``wait_until`` waits unless told otherwise: generous, because it returns as soon as the condition holds.
DEFAULT_TIMEOUT_S = 10.0


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def require_component(name: str, reason: str) -> NoReturn:
    """``name`` cannot be used here (``reason``): fail in CI, skip elsewhere."""
    message = f"{name} is not available: {reason}"
    if in_ci():
        pytest.fail(f"{message} (CI=true: a missing component fails the run instead of skipping)", pytrace=False)
    pytest.skip(message)


def wait_until(condition: Callable[[], object], timeout: float = DEFAULT_TIMEOUT_S, *, interval: float = 0.01,
               message: str | Callable[[], str] = "") -> object:
    """Poll ``condition`` until it gives something true and return that; fail after ``timeout`` seconds (``message``
    may be a function, called only then — e.g. to read a server's log)."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            message = message() if callable(message) else message
            pytest.fail(f"condition not met within {timeout} s{': ' + message if message else ''}")
        time.sleep(interval)


async def wait_until_async(condition: Callable[[], object], timeout: float = DEFAULT_TIMEOUT_S, *,
                           interval: float = 0.01, message: str = "") -> object:
    """``wait_until`` inside an event loop (a Textual pilot): the app keeps running while the test waits."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout} s{': ' + message if message else ''}")
        await asyncio.sleep(interval)


def frozen_sqlite_copy(built, frozen) -> None:
    """Write the SQLite database ``built`` into the new file ``frozen`` through SQLite's backup API: one consistent
    file (its log folded in when this closes it) that no connection ever opens again, so tests may copy it with plain
    file copies. Copying ``built`` itself is not safe: a connection to it that is closed late (by the garbage
    collector) checkpoints its write-ahead log into the main file, and a file copy taken meanwhile is torn (seen as
    "malformed database schema")."""
    import gc
    import sqlite3

    gc.collect()
    source = sqlite3.connect(built)
    target = sqlite3.connect(frozen)
    try:
        source.backup(target)
        # The stores run in WAL mode: a copy that starts in it never has to switch (which needs the file to itself).
        target.execute("PRAGMA journal_mode = WAL")
    finally:
        target.close()
        source.close()
