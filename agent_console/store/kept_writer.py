"""Many short write transactions of one thread on one kept SQLite connection.

A :class:`~agent_console.store.db.Store` opens a new SQLite connection for every session (``NullPool``), and on a
WAL store the closing of the last connection checkpoints the log: for a run of small transactions (the mail intake
of ``mail fetch`` / ``mail run``, one transaction per mail) opening, parsing the schema and checkpointing cost more
than the work. A :class:`KeptWriter` keeps one write connection and runs each transaction on it (``BEGIN IMMEDIATE``
as the store's writers do); each transaction commits or rolls back on its own, so nothing is held between them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session


class KeptWriter:
    """``transaction()`` like the store's, on one kept connection. For one thread at a time; :meth:`close` at the
    end. A transaction that fails drops the connection (the next one opens a new one)."""

    def __init__(self, store) -> None:
        self.store = store
        self._connection = None

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        connection = self._connection
        if connection is None or connection.closed or connection.invalidated:
            connection = self._connection = self.store.write_engine.connect()
        # The session begins the connection's transaction (the store's BEGIN IMMEDIATE) and ends it.
        with Session(bind=connection, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                self.close()
                raise

    def session(self):
        return self.store.session()

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()
            except Exception:  # noqa: BLE001 - a connection that already failed: nothing more to release
                pass


def writer_for(store):
    """A :class:`KeptWriter` for a console's SQLite store; the store itself for the team server's database (its
    writers take the server's locks, and PostgreSQL pools its connections)."""
    from agent_console.store.server_db import ServerStore

    if isinstance(store, ServerStore) or not store.url.startswith("sqlite"):
        return store
    return KeptWriter(store)
