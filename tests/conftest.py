"""Fixtures shared by every test: a real store file, a frozen clock, a few agents, and the CLI.

A test that needs a component it cannot start calls ``require_component`` (skips locally, fails when ``CI=true``);
a test that waits for something uses ``wait_until`` / ``wait_until_async`` rather than a fixed sleep. Both live in
``tests/helpers.py`` and are re-exported here.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from agent_console.domain.clock import FrozenClock
from tests.helpers import require_component, wait_until, wait_until_async  # noqa: F401  (re-exported)

#: Monday 23 November 2026, 09:00 UTC: every test's "now" unless it moves the clock.
FROZEN_NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path_factory, monkeypatch):
    """No test reads the developer's settings or store, and every test sees the same zone and theme."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("AGENT_CONSOLE_CONFIG", str(home / "config.toml"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))  # the console's log file
    for name in list(os.environ):
        if name.startswith("AGENT_CONSOLE_") and name != "AGENT_CONSOLE_CONFIG":
            monkeypatch.delenv(name)
    monkeypatch.setenv("TZ", "UTC")
    yield
    # Process-wide settings a command under test may have applied (the CLI runs in-process in many tests).
    from agent_console.domain.phone_numbers import configure_region

    configure_region(None)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(FROZEN_NOW)


@pytest.fixture
def store_path(tmp_path) -> Path:
    return tmp_path / "store.db"


@pytest.fixture(scope="session")
def migrated_store_template(tmp_path_factory) -> Path:
    """An empty store migrated to head once per session: running every migration per test cost ~1 s of each."""
    from agent_console.store.db import open_store

    import sqlite3

    path = tmp_path_factory.mktemp("template") / "store.db"
    open_store(path).dispose()
    with sqlite3.connect(path) as con:  # everything in the main file, so copying it alone copies the store
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def store(store_path, migrated_store_template):
    import shutil

    from agent_console.store.db import open_store

    if not store_path.exists():
        shutil.copyfile(migrated_store_template, store_path)
        store_path.chmod(migrated_store_template.stat().st_mode)
    s = open_store(store_path)
    yield s
    s.dispose()


@pytest.fixture(scope="session")
def postgres_cluster():
    """One throw-away PostgreSQL cluster for the whole session (starting one takes seconds); each test that uses it
    makes a database of its own (``create_database``), so no test sees another's rows."""
    from tests.server import pg

    try:
        cluster = pg.start_cluster()
    except pg.PostgresUnavailable as exc:
        require_component("PostgreSQL", str(exc))
    yield cluster
    cluster.stop()


@pytest.fixture
def agents(store, clock):
    """Three agents: ``anna`` (tier 1), ``ben`` (tier 2), ``sue`` (supervisor, tier 3)."""
    from agent_console.domain.agents import upsert_agent

    anna, _ = upsert_agent(store, clock, login="anna", name="Anna Agent", role="agent", tier=1)
    ben, _ = upsert_agent(store, clock, login="ben", name="Ben Second", role="agent", tier=2)
    sue, _ = upsert_agent(store, clock, login="sue", name="Sue Supervisor", role="supervisor", tier=3)
    return {"anna": anna, "ben": ben, "sue": sue}


@pytest.fixture
def cli(store_path):
    """Run ``agent-console --db <store> ARGS`` in-process; returns the Click result."""
    from typer.testing import CliRunner

    from agent_console.cli.app import build_app

    runner = CliRunner()

    def run(*args: str, input: str | None = None, db: Path | None = None):
        return runner.invoke(build_app(), ["--db", str(db or store_path), *args], input=input,
                             catch_exceptions=False)

    return run
