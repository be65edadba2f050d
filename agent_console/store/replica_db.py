"""The console store's side of a sync round: the transactions a pull writes in (plain, or with bulk-load settings)
as DB-API cursors for the replica's writer (:mod:`agent_console.sync.replica`), and the raw statements the sync engine
runs on such a cursor."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def raw_cursor(session) -> Iterator:
    """A DB-API cursor on the connection of ``session``'s transaction (closed at the end of the block)."""
    cursor = session.connection().connection.driver_connection.cursor()
    try:
        yield cursor
    finally:
        cursor.close()


@contextmanager
def pull_transaction(store) -> Iterator:
    """A write transaction on the store, as a DB-API cursor."""
    with store.transaction() as session, raw_cursor(session) as cursor:
        yield cursor


@contextmanager
def bulk_pull_transaction(store, first_sync: bool) -> Iterator:
    """A write transaction for applying a long run of feed pages, as a DB-API cursor.

    For its duration only: no foreign-key checks (every reference a change carries is resolved to a local id, or
    the row is skipped as an orphan), a larger page cache, and the replies' search index
    updated once at the end. ``first_sync`` also sets the big tables' secondary indexes aside and rebuilds them at
    the end. Everything is put back inside the transaction, so an interrupted pull leaves the schema as it was.
    """
    from agent_console.store import bulk

    with store.write_engine.connect() as conn:
        raw = conn.connection.driver_connection
        # PRAGMA foreign_keys is a no-op inside a transaction: set it before BEGIN.
        settings = {name: raw.execute(f"PRAGMA {name}").fetchone()[0]
                    for name in ("foreign_keys", "cache_size")}
        # synchronous stays NORMAL: in WAL mode commits already skip fsync, and OFF would also skip it at
        # checkpoints, where an operating-system crash could then corrupt a store holding the agent's pending ops.
        raw.execute("PRAGMA foreign_keys = OFF")
        raw.execute("PRAGMA cache_size = -262144")
        try:
            with conn.begin():
                restore_indexes = bulk.drop_secondary_indexes(conn, keep_unique=True) if first_sync else None
                finish_search = bulk.defer_reply_search(conn)
                cursor = raw.cursor()
                try:
                    yield cursor
                finally:
                    cursor.close()
                if finish_search is not None:
                    finish_search()
                if restore_indexes is not None:
                    restore_indexes()
        finally:
            try:
                for name, value in settings.items():
                    raw.execute(f"PRAGMA {name} = {int(value)}")
            except Exception:  # noqa: BLE001 - a broken connection must not be reused with bulk settings
                conn.invalidate()


def write_state_on(cursor, key: str, value: str) -> None:
    """:func:`agent_console.store.sync_state.write_state` on the DB-API cursor of a pull's transaction."""
    cursor.execute("INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = "
                   "excluded.value", (key, value))


def set_case_key(cursor, case_uid: str, key: str) -> None:
    cursor.execute("UPDATE cases SET key = ? WHERE uid = ?", (key, case_uid))


def adopt_server_customer(cursor, case_uid: str, server_customer: str, local_customer: str) -> None:
    """The server knew the customer of a case made here by their contact already: the case belongs to the server's
    customer record (when this store has it), or the local record takes the server's uid."""
    found = cursor.execute("SELECT id FROM customers WHERE uid = ?", (server_customer,)).fetchone()
    if found:
        cursor.execute("UPDATE cases SET customer_id = ? WHERE uid = ?", (found[0], case_uid))
    else:
        cursor.execute("UPDATE customers SET uid = ? WHERE uid = ?", (server_customer, local_customer))
