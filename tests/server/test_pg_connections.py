"""How the server uses its PostgreSQL connections: reads without a transaction, pooled connections pinged only after
sitting idle, and a dead one replaced without the request noticing."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import event, text

from agent_console.domain.clock import SystemClock
from agent_console.store import server_db
from agent_console.server.auth import principal_for
from agent_console.server.db import open_server_store
from agent_console.server.feed import changes_page
from tests.server.conftest import prepare_database
from tests.helpers import wait_until


@pytest.fixture
def pg_store(postgres_cluster, databases):
    url = databases.new("postgresql")
    tokens = prepare_database(url)
    store = open_server_store(url, clock=SystemClock())
    yield store, tokens
    store.dispose()


def _statements(engine) -> list[str]:
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_a: seen.append(statement.split()[0].upper()))
    return seen


def test_token_checks_and_feed_pages_run_outside_a_transaction(pg_store):
    store, tokens = pg_store
    with store.read_engine.connect() as conn:
        assert conn.connection.driver_connection.autocommit is True
        assert principal_for(conn, tokens["anna"], SystemClock().now()).login == "anna"
        changes_page(conn, 0, 10, None)
        # No transaction was opened, so nothing is left to roll back and no snapshot is held.
        assert conn.exec_driver_sql("SELECT now() = statement_timestamp()").scalar() is True
    with store.engine.connect() as conn:  # the default engine is left transactional
        assert conn.connection.driver_connection.autocommit is False


def test_a_connection_in_steady_use_is_not_pinged(pg_store):
    store, _tokens = pg_store
    pings = []
    original = store.engine.dialect.do_ping
    store.engine.dialect.do_ping = lambda dbapi_connection: pings.append(1) or original(dbapi_connection)
    try:
        for _ in range(5):
            with store.read_engine.connect() as conn:
                conn.execute(text("SELECT 1"))
    finally:
        store.engine.dialect.do_ping = original
    assert pings == []


def _pool_with_one_dropped_connection(store) -> int:
    """Leaves one connection in the pool, whose backend the database ended while it sat there; returns its pid."""
    import psycopg

    store.engine.dispose()
    with store.read_engine.connect() as conn:
        backend_pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    dsn = store.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as outside:  # not from the pool
        assert outside.execute("SELECT pg_terminate_backend(%s)", (backend_pid,)).fetchone()[0] is True
        deadline = time.monotonic() + 10
        while outside.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (backend_pid,)).fetchone()[0]:
            assert time.monotonic() < deadline, "the backend did not end"
            time.sleep(0.02)
    return backend_pid


def test_a_pooled_connection_the_database_dropped_while_idle_is_replaced(pg_store, monkeypatch):
    store, tokens = pg_store
    backend_pid = _pool_with_one_dropped_connection(store)
    monkeypatch.setattr(server_db, "IDLE_PING_SECONDS", 0.0)
    # The pool's only connection is the dropped one. Pinged, it is replaced.
    with store.read_engine.connect() as conn:
        assert principal_for(conn, tokens["anna"], SystemClock().now()).login == "anna"
        assert conn.exec_driver_sql("SELECT pg_backend_pid()").scalar() != backend_pid


def test_without_the_idle_ping_the_dropped_connection_would_fail(pg_store, monkeypatch):
    # The counterpart of the test above: it shows that test exercises a really dead connection.
    store, _tokens = pg_store
    _pool_with_one_dropped_connection(store)
    monkeypatch.setattr(server_db, "IDLE_PING_SECONDS", 3600.0)
    from sqlalchemy.exc import OperationalError

    with pytest.raises(OperationalError):
        with store.read_engine.connect() as conn:
            conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()


def test_a_failing_write_rolls_back_and_frees_the_write_lock(pg_store):
    from sqlalchemy.exc import ProgrammingError

    store, _tokens = pg_store
    with pytest.raises(ProgrammingError):
        with store.write_connection() as conn:
            conn.exec_driver_sql("INSERT INTO login_failures (key, at) VALUES ('login:x', now())")
            conn.exec_driver_sql("SELECT no_such_column FROM agents")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM login_failures").scalar() == 0
        # Nobody holds the write lock any more, and the pooled connection came back without a transaction.
        assert conn.exec_driver_sql(
            f"SELECT pg_try_advisory_xact_lock({server_db.WRITE_LOCK_KEY})").scalar() is True
    with store.write_connection() as conn:  # the next writer goes ahead
        conn.exec_driver_sql("INSERT INTO login_failures (key, at) VALUES ('login:y', now())")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT key FROM login_failures").scalars().all() == ["login:y"]


def test_a_write_whose_connection_dies_reports_the_database_error(pg_store):
    # The server answers an OperationalError with 503 and Retry-After; any other error would be a 500.
    import psycopg
    from sqlalchemy.exc import OperationalError

    store, _tokens = pg_store
    dsn = store.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with pytest.raises(OperationalError):
        with store.write_connection() as conn:
            backend_pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
            with psycopg.connect(dsn, autocommit=True) as outside:
                outside.execute("SELECT pg_terminate_backend(%s)", (backend_pid,))
                wait_until(lambda: not outside.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s",
                                                       (backend_pid,)).fetchone()[0],
                           message="the backend ends")
            conn.exec_driver_sql("SELECT 1")
    with store.write_connection() as conn:  # a fresh connection takes its place
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1
