"""The log-in rate limit counts in the database: every server process sees the same failures."""

from __future__ import annotations


import pytest
from sqlalchemy import func, select

from agent_console.domain.clock import FrozenClock
from agent_console.server.db import open_server_store
from agent_console.server.ratelimit import LoginLimiter
from agent_console.store.models import LoginFailure
from tests.server.conftest import prepare_database


@pytest.fixture(params=["sqlite", "postgresql"])
def server_store(request, databases, clock):
    url = databases.new(request.param)
    prepare_database(url)
    store = open_server_store(url, clock=clock)
    yield store
    store.dispose()


def _rows(store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(LoginFailure.__table__)).scalar_one()


def test_five_failures_block_the_login_and_the_address_until_the_window_moves_on(server_store, clock):
    limiter = LoginLimiter(server_store, clock, max_failures=5, window_seconds=60)
    keys = ("login:anna", "addr:10.0.0.7")
    for n in range(5):
        assert limiter.retry_after(*keys) is None
        limiter.failed(*keys)
        clock.advance(10)
    # Failures at 0, 10, 20, 30, 40 s; now 50 s: the one at 0 s leaves the window at 60 s.
    assert limiter.retry_after(*keys) == 10
    assert limiter.retry_after("login:anna") == 10  # the right password from elsewhere waits too
    assert limiter.retry_after("login:ben", "addr:10.0.0.7") == 10  # and so does another login from that address
    assert limiter.retry_after("login:ben", "addr:10.0.0.8") is None
    clock.advance(10)
    assert limiter.retry_after(*keys) is None  # four failures left in the window


def test_two_server_processes_share_the_count(server_store, clock):
    first = LoginLimiter(server_store, clock, max_failures=5, window_seconds=60)
    second = LoginLimiter(server_store, clock, max_failures=5, window_seconds=60)  # another worker's
    for limiter in (first, second, first, second, first):
        limiter.failed("login:anna")
    assert first.retry_after("login:anna") == 60
    assert second.retry_after("login:anna") == 60


def test_a_successful_login_clears_the_login_but_not_the_address(server_store, clock):
    limiter = LoginLimiter(server_store, clock, max_failures=3, window_seconds=60)
    for _ in range(3):
        limiter.failed("login:anna", "addr:10.0.0.7")
    limiter.succeeded("login:anna")
    assert limiter.retry_after("login:anna") is None
    assert limiter.retry_after("addr:10.0.0.7") == 60


def test_failures_older_than_the_window_are_deleted(server_store, clock):
    limiter = LoginLimiter(server_store, clock, max_failures=5, window_seconds=60)
    for n in range(50):
        limiter.failed(f"login:guess{n}", "addr:10.0.0.9")
    assert _rows(server_store) == 100
    clock.advance(61)
    limiter.failed("login:anna", "addr:10.0.0.7")
    assert _rows(server_store) == 2
