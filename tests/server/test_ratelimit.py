"""The log-in rate limit counts in the database: every server process sees the same failures, and simultaneous
attempts see each other."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

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


def _fail(limiter: LoginLimiter, *keys: str) -> None:
    """An attempt whose password turns out wrong: it stays counted."""
    assert limiter.attempt(*keys).retry_after is None


def test_five_failures_block_the_login_and_the_address_until_the_window_moves_on(server_store, clock):
    limiter = LoginLimiter(server_store, clock, max_failures=5, window_seconds=60)
    keys = ("login:anna", "addr:10.0.0.7")
    for _ in range(5):
        _fail(limiter, *keys)
        clock.advance(10)
    # Failures at 0, 10, 20, 30, 40 s; now 50 s: the one at 0 s leaves the window at 60 s.
    assert limiter.attempt(*keys).retry_after == 10
    assert limiter.attempt("login:anna").retry_after == 10  # the right password from elsewhere waits too
    assert limiter.attempt("login:ben", "addr:10.0.0.7").retry_after == 10  # another login from that address too
    assert limiter.attempt("login:ben", "addr:10.0.0.8").retry_after is None
    clock.advance(10)
    assert limiter.attempt(*keys).retry_after is None  # four failures were left in the window


def test_the_wait_ends_when_enough_failures_have_left_the_window(server_store, clock):
    # Seven failures (say, counted under a higher limit before a restart): the wait is until only four remain, i.e.
    # until the fifth newest leaves the window, not the oldest.
    with server_store.engine.begin() as conn:
        conn.execute(insert(LoginFailure.__table__), [
            {"key": "login:anna", "at": clock.now() - timedelta(seconds=seconds)} for seconds in (55, 50, 40, 30, 20, 10, 5)])
    limiter = LoginLimiter(server_store, clock, max_failures=5, window_seconds=60)
    assert limiter.attempt("login:anna").retry_after == 20  # the one from 40 s ago leaves in 20 s


def test_two_server_processes_share_the_count(server_store, clock):
    first = LoginLimiter(server_store, clock, max_failures=5, window_seconds=60)
    second = LoginLimiter(server_store, clock, max_failures=5, window_seconds=60)  # another worker's
    for limiter in (first, second, first, second, first):
        _fail(limiter, "login:anna")
    assert first.attempt("login:anna").retry_after == 60
    assert second.attempt("login:anna").retry_after == 60


def test_simultaneous_attempts_cannot_all_pass_before_the_first_is_counted(server_store, clock):
    limiter = LoginLimiter(server_store, clock, max_failures=5, window_seconds=60)
    start = threading.Barrier(12)
    outcomes: list[int | None] = []

    def guess() -> None:
        start.wait()
        outcomes.append(limiter.attempt("login:anna", "addr:10.0.0.7").retry_after)

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == 12
    assert outcomes.count(None) == 5
    assert _rows(server_store) == 10  # five attempts under two keys each


def test_a_successful_login_forgives_the_login_and_its_own_attempt_but_not_earlier_address_failures(
        server_store, clock):
    limiter = LoginLimiter(server_store, clock, max_failures=3, window_seconds=60)
    for _ in range(2):
        _fail(limiter, "login:anna", "addr:10.0.0.7")
    right = limiter.attempt("login:anna", "addr:10.0.0.7")
    assert right.retry_after is None
    limiter.succeeded(right, "login:anna")
    assert _rows(server_store) == 2  # the address's two earlier failures
    assert limiter.attempt("login:anna", "addr:10.0.0.7").retry_after is None  # the address's third failure
    assert limiter.attempt("login:ben", "addr:10.0.0.7").retry_after == 60


def test_failures_older_than_the_window_are_deleted(server_store, clock):
    limiter = LoginLimiter(server_store, clock, max_failures=5, window_seconds=60)
    for n in range(50):
        _fail(limiter, f"login:guess{n}", f"addr:10.0.{n}.9")
    assert _rows(server_store) == 100
    clock.advance(61)
    _fail(limiter, "login:anna", "addr:10.0.0.7")
    assert _rows(server_store) == 2
