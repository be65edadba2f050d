"""The server's store: the console's schema and Store, plus what a shared server needs on every write.

(The HTTP server wires its change-feed broadcaster in as the store's ``announcer``: see
:func:`agent_console.server.db.open_server_store`.)

Every write transaction of the server (``ServerStore.transaction``, and the op batches of :mod:`ops`) runs in a
:class:`ServerSession`, which

* serialises writers on PostgreSQL with a transaction-level advisory lock (SQLite already does with BEGIN IMMEDIATE),
  so the change feed's sequence numbers are assigned in commit order and a reader paging by cursor never skips a row
  that commits late;
* records every changed entity and, just before commit, appends its full current JSON to ``change_log``;
* drops outbox ops (the domain services queue them for a console's sync client; the server is where they go);
* tells the store's ``announcer`` after commit (and PostgreSQL listeners of other workers via NOTIFY).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
import threading
import time
from contextlib import contextmanager, nullcontext

from sqlalchemy import Connection, create_engine, event, exc, inspect as sa_inspect
from sqlmodel import Session

from agent_console.store.db import Store, StoreError, store_status, upgrade
from agent_console.store.models import OutboxOp
from agent_console.store.server_feed import (
    NOTIFY_AT_COMMIT as _NOTIFY_AT_COMMIT,
    NOTIFY_CHANNEL,
    TRACKED,
    append_change_log,
    serialise_changes,
)

#: Key of the PostgreSQL advisory lock that serialises the server's writers ("AgCo" + 1).
WRITE_LOCK_KEY = 0x4167436F + 1
#: Key of the advisory lock that serialises log-in attempts (the rate limit's count), apart from the feed's writers.
LOGIN_LOCK_KEY = 0x4167436F + 2


class ServerSession(Session):
    """A session of the server's write path (see the module docstring)."""


def _changed(session: Session) -> dict:
    return session.info.setdefault("changed", {})


@event.listens_for(ServerSession, "after_begin")
def _lock_writers(session, _transaction, connection) -> None:
    if connection.dialect.name == "postgresql" and not session.info.get("locked"):
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
        session.info["locked"] = True


@event.listens_for(ServerSession, "before_flush")
def _drop_outbox(session, _context, _instances) -> None:
    for obj in list(session.new):
        if isinstance(obj, OutboxOp):
            session.expunge(obj)


@event.listens_for(ServerSession, "after_flush")
def _record_changes(session, _context) -> None:
    changed = _changed(session)
    for obj in session.new:
        if type(obj) in TRACKED:
            changed[(type(obj), id(obj))] = obj
    for obj in session.dirty:
        if type(obj) in TRACKED and session.is_modified(obj, include_collections=False):
            changed[(type(obj), id(obj))] = obj
            left = sa_inspect(obj).attrs.queue.history.deleted if type(obj).__name__ == "Case" else ()
            if left:
                # Every queue the case left in this transaction (one flush may see several moves of it).
                session.info.setdefault("moved_cases", {}).setdefault(obj.uid, set()).update(left)
    for obj in session.deleted:
        if type(obj) in TRACKED:
            changed[(type(obj), id(obj))] = obj
            session.info.setdefault("deleted", set()).add(id(obj))


@event.listens_for(ServerSession, "before_commit")
def _write_change_log(session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the outermost commit writes the feed rows of the whole transaction
    session.flush()
    changed = session.info.pop("changed", {})
    moved = session.info.pop("moved_cases", {})
    deleted = session.info.pop("deleted", set())
    if not changed:
        return
    clock = session.info.get("clock")
    rows = serialise_changes(session, list(changed.values()), moved, deleted)
    if rows:
        session.info["last_seq"] = append_change_log(session, session.get_bind().dialect.name, rows, clock)


@event.listens_for(ServerSession, "after_commit")
def _announce(session) -> None:
    last_seq = session.info.pop("last_seq", None)
    session.info.pop("locked", None)
    announcer = session.info.get("announcer")
    if last_seq is not None and announcer is not None:
        announcer(last_seq)


@event.listens_for(ServerSession, "after_rollback")
def _forget(session) -> None:
    if not session.in_nested_transaction():
        session.info.pop("changed", None)
        session.info.pop("moved_cases", None)
        session.info.pop("deleted", None)
        session.info.pop("last_seq", None)
        session.info.pop("locked", None)


class ServerStore(Store):
    """A :class:`Store` whose write transactions are :class:`ServerSession`s."""

    def __init__(self, url: str, engine, clock=None) -> None:
        super().__init__(url, engine)
        self.clock = clock
        #: Called with the feed's newest sequence number after a write transaction of this process committed.
        self.announcer: Callable[[int], None] | None = None
        #: The sender of reply mails (``mail_from``): replies on e-mail cases applied here are queued to be mailed;
        #: empty: none are.
        self.mail_from = ""
        self._sqlite_writer = threading.Lock()
        #: For reads of one or a few statements that need no common snapshot (a token, a feed page): on PostgreSQL
        #: each statement commits by itself, which saves the BEGIN and ROLLBACK round trips of a transaction.
        self.read_engine = (engine.execution_options(isolation_level="AUTOCOMMIT") if engine.dialect.name == "postgresql"
                            else engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def write_session(self) -> ServerSession:
        session = ServerSession(self.write_engine, expire_on_commit=False)
        session.info["clock"] = self.clock
        session.info["announcer"] = self.announcer
        return session

    def announce(self, last_seq: int | None) -> None:
        """Tells this process's listeners that the feed advanced (a Core writer calls it after its block)."""
        if last_seq is not None and self.announcer is not None:
            self.announcer(last_seq)

    def _writer_lock(self):
        # On SQLite the server's own writers queue on a lock instead of SQLite's sleep-and-retry busy handler,
        # which under many concurrent requests starves some of them past the busy timeout.
        return self._sqlite_writer if self.dialect == "sqlite" else nullcontext()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self._writer_lock(), self.write_session() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise


    @contextmanager
    def write_connection(self, lock_key: int = WRITE_LOCK_KEY) -> Iterator[Connection]:
        """A Core connection in a write transaction, serialised with every other writer like :meth:`transaction`
        (committed at the end of the block, rolled back on an exception). It records no changes by itself: a writer
        appends its feed rows with :func:`append_change_log` and calls :meth:`announce` after the block.

        ``lock_key`` is the PostgreSQL advisory lock held for the transaction. Writers of the change feed share
        ``WRITE_LOCK_KEY`` (it orders the feed); a writer of rows that never reach the feed may pass a key of its own
        and so queue only behind its own kind. (SQLite has a single writer whatever the key.)"""
        if self.dialect != "postgresql":
            with self._writer_lock(), self.write_engine.connect() as conn, conn.begin():
                yield conn
            return
        # The write lock is held from the first round trip to the last, and every round trip in between makes every
        # other writer wait longer: BEGIN travels with taking the lock, and the feed's NOTIFY with the COMMIT. The
        # driver is in autocommit mode, so it sends neither on its own; closing the connection without the COMMIT
        # (an exception) rolls back.
        with self.read_engine.connect() as conn:
            conn.exec_driver_sql(f"BEGIN; SELECT pg_advisory_xact_lock({int(lock_key)})")
            # The dict itself: a connection invalidated meanwhile (the database went away) refuses access to
            # ``conn.info``, which would hide the real error behind its own.
            info = conn.info
            info[_NOTIFY_AT_COMMIT] = None
            try:
                yield conn
                last_seq = info.pop(_NOTIFY_AT_COMMIT, None)
                conn.exec_driver_sql("COMMIT" if last_seq is None else
                                     f"SELECT pg_notify('{NOTIFY_CHANNEL}', '{int(last_seq)}'); COMMIT")
            finally:
                info.pop(_NOTIFY_AT_COMMIT, None)


def _pooled_sqlite_engine(url: str):
    """The console's SQLite engine setup, but with a connection pool: a server opening and closing a connection per
    request would make SQLite checkpoint the WAL on every close."""
    from sqlalchemy.pool import QueuePool

    from agent_console.store import db as store_db

    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": store_db.BUSY_TIMEOUT_MS / 1000},
                           poolclass=QueuePool, pool_size=8, max_overflow=32, hide_parameters=True)
    event.listen(engine, "connect", store_db._configure_sqlite)
    event.listen(engine, "connect", lambda conn, _r: setattr(conn, "isolation_level", None))
    event.listen(engine, "begin", store_db._begin_sqlite)
    return engine


def open_server_store(url: str, *, clock=None, migrate: bool = False) -> ServerStore:
    """Open the server's database; it must be at the current schema unless ``migrate`` (then it is upgraded)."""
    if "://" not in url:
        from agent_console.store.db import sqlite_url

        url = sqlite_url(url)
    status = store_status(url)
    if status.state != "current":
        if not migrate:
            from agent_console.store.urls import display_url

            raise StoreError(
                f"the server database {display_url(url)} is {status.state} (schema {status.current or 'none'}, code "
                f"{status.head}); run `agent-console server db upgrade` on it"
            )
        upgrade(url)
    if url.startswith("sqlite"):
        engine = _pooled_sqlite_engine(url)
    else:
        engine = create_engine(url, pool_size=10, max_overflow=30, pool_recycle=1800, hide_parameters=True)
        event.listen(engine, "checkin", _note_checkin)
        event.listen(engine, "checkout", _idle_pinger(engine.dialect))
    return ServerStore(url, engine, clock)


#: A pooled PostgreSQL connection unused for longer than this is pinged before it is handed out.
IDLE_PING_SECONDS = 10.0


def _note_checkin(_dbapi_connection, record) -> None:
    record.info["checked_in"] = time.monotonic()


def _idle_pinger(dialect):
    # pool_pre_ping would cost a round trip on every checkout, i.e. on every request. A connection in steady use has
    # just proved itself; one that sat idle (the database may have restarted meanwhile) is pinged, and replaced if
    # dead. Should the database go away under load, the failing statement invalidates the whole pool.
    def ping_if_idle(dbapi_connection, record, _proxy) -> None:
        checked_in = record.info.get("checked_in")
        if checked_in is None or time.monotonic() - checked_in < IDLE_PING_SECONDS:
            return
        try:
            alive = dialect.do_ping(dbapi_connection)
        except Exception:  # noqa: BLE001 - any failure of the ping means the connection is gone
            alive = False
        if not alive:
            raise exc.DisconnectionError("the pooled connection was closed by the database")

    return ping_if_idle


def has_sla_policies(session) -> bool:
    """Whether the database has any SLA policy (a new server database has none until it is given its defaults)."""
    from sqlalchemy import select

    from agent_console.store.models import SlaPolicy

    return session.scalars(select(SlaPolicy.id).limit(1)).first() is not None
