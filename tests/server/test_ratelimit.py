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


def _fail(limiter: LoginLimiter, login: str, address: str) -> None:
    """An attempt whose password turns out wrong: it stays counted."""
    assert limiter.attempt(login, address).retry_after is None


def test_five_failures_block_the_login_from_that_address_until_the_window_moves_on(server_store, clock):
    limiter = LoginLimiter(server_store, clock, max_failures=5, window_seconds=60)
    for _ in range(5):
        _fail(limiter, "anna", "10.0.0.7")
        clock.advance(10)
    # Failures at 0, 10, 20, 30, 40 s; now 50 s: the one at 0 s leaves the window at 60 s.
    assert limiter.attempt("anna", "10.0.0.7").retry_after == 10
    assert limiter.attempt("Anna", "10.0.0.7").retry_after == 10  # logins are counted case-insensitively
    # Anna herself, from her own address, is not locked out by someone failing elsewhere.
    assert limiter.attempt("anna", "10.0.0.8").retry_after is None
    assert limiter.attempt("ben", "10.0.0.7").retry_after is None  # another account from that address may try
    clock.advance(10)
    assert limiter.attempt("anna", "10.0.0.7").retry_after is None  # four failures were left in the window


def test_one_address_trying_many_accounts_is_limited(server_store, clock):
    limiter = LoginLimiter(server_store, clock, max_failures=5, window_seconds=60, address_failures=8)
    for n in range(8):
        _fail(limiter, f"guess{n}", "10.0.0.7")
    assert limiter.attempt("anna", "10.0.0.7").retry_after == 60
    assert limiter.attempt("anna", "10.0.0.8").retry_after is None


def test_failures_from_many_addresses_lock_the_account_for_longer(server_store, clock):
    limiter = LoginLimiter(server_store, clock, max_failures=5, window_seconds=60, account_addresses=4,
                           account_window_seconds=900)
    for n in range(3):
        _fail(limiter, "anna", f"10.0.{n}.9")
        _fail(limiter, "anna", f"10.0.{n}.9")  # several failures from one address count as one address
    assert limiter.attempt("anna", "192.0.2.1").retry_after is None  # the fourth address: counted, not refused
    clock.advance(120)  # long past the short window
    assert limiter.attempt("anna", "198.51.100.7").retry_after == 780  # locked from any address
    assert limiter.attempt("ben", "198.51.100.7").retry_after is None  # only that account
    clock.advance(781)
    assert limiter.attempt("anna", "198.51.100.7").retry_after is None


def test_the_wait_ends_when_enough_failures_have_left_the_window(server_store, clock):
    # Seven failures (say, counted under a higher limit before a restart): the wait is until only four remain, i.e.
    # until the fifth newest leaves the window, not the oldest.
    with server_store.engine.begin() as conn:
        conn.execute(insert(LoginFailure.__table__), [
            {"key": "login:anna|addr:10.0.0.7", "at": clock.now() - timedelta(seconds=seconds)}
            for seconds in (55, 50, 40, 30, 20, 10, 5)])
    limiter = LoginLimiter(server_store, clock, max_failures=5, window_seconds=60)
    assert limiter.attempt("anna", "10.0.0.7").retry_after == 20  # the one from 40 s ago leaves in 20 s


def test_two_server_processes_share_the_count(server_store, clock):
    first = LoginLimiter(server_store, clock, max_failures=5, window_seconds=60)
    second = LoginLimiter(server_store, clock, max_failures=5, window_seconds=60)  # another worker's
    for limiter in (first, second, first, second, first):
        _fail(limiter, "anna", "10.0.0.7")
    assert first.attempt("anna", "10.0.0.7").retry_after == 60
    assert second.attempt("anna", "10.0.0.7").retry_after == 60


def test_simultaneous_attempts_cannot_all_pass_before_the_first_is_counted(server_store, clock):
    limiter = LoginLimiter(server_store, clock, max_failures=5, window_seconds=60)
    start = threading.Barrier(12)
    outcomes: list[int | None] = []

    def guess() -> None:
        start.wait()
        outcomes.append(limiter.attempt("anna", "10.0.0.7").retry_after)

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == 12
    assert outcomes.count(None) == 5
    assert _rows(server_store) == 15  # five attempts under three keys each


def test_a_successful_login_forgives_the_login_and_its_own_attempt_but_not_earlier_address_failures(
        server_store, clock):
    limiter = LoginLimiter(server_store, clock, max_failures=3, window_seconds=60, address_failures=3)
    for _ in range(2):
        _fail(limiter, "anna", "10.0.0.7")
    right = limiter.attempt("anna", "10.0.0.7")
    assert right.retry_after is None
    limiter.succeeded(right)
    assert _rows(server_store) == 2  # the address's two earlier failures
    assert limiter.attempt("anna", "10.0.0.7").retry_after is None  # the address's third failure
    assert limiter.attempt("ben", "10.0.0.7").retry_after == 60


def test_failures_older_than_the_window_are_deleted(server_store, clock):
    limiter = LoginLimiter(server_store, clock, max_failures=5, window_seconds=60, account_window_seconds=600)
    for n in range(50):
        _fail(limiter, f"guess{n}", f"10.0.{n}.9")
    assert _rows(server_store) == 150
    clock.advance(61)
    _fail(limiter, "anna", "10.0.0.7")
    assert _rows(server_store) == 53  # the account limit's rows stay for its longer window
    clock.advance(600)
    _fail(limiter, "anna", "10.0.0.7")
    assert _rows(server_store) == 3
