"""Opening the store: engine, SQLite pragmas, schema version checks and migrations.

A store is an SQLite file (or, for the server, any SQLAlchemy URL) whose schema is managed by Alembic. The file is
stamped with an SQLite ``application_id`` so that a foreign database is recognised and refused, never overwritten.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from agent_console.store.schema_head import APPLICATION_ID, SCHEMA_HEAD  # noqa: F401  (re-exported)
from agent_console.store.urls import display_url

BUSY_TIMEOUT_MS = 5000
MIGRATIONS_DIR = Path(__file__).with_name("migrations")

_connection_hooks: list[Callable[[sqlite3.Connection], None]] = []


class StoreError(RuntimeError):
    """The store cannot be used as it is; the message says why and what to do."""


def on_sqlite_connect(hook: Callable[[sqlite3.Connection], None]) -> Callable[[sqlite3.Connection], None]:
    """Register a function run on every new SQLite connection (e.g. to add SQL functions the search index uses)."""
    if hook not in _connection_hooks:
        _connection_hooks.append(hook)
    return hook


def _configure_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()
    # Every store connection needs the SQL functions the search-index triggers call, whoever built the engine.
    from agent_console.store.search.functions import register_functions

    register_functions(dbapi_connection)
    for hook in _connection_hooks:
        hook(dbapi_connection)


def _begin_sqlite(conn) -> None:
    # Writers take the write lock up front: a deferred transaction that reads and then writes can fail with
    # SQLITE_BUSY when another process wrote in between, and busy_timeout does not help with that.
    immediate = conn.get_execution_options().get("sqlite_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


#: Mode of every file that holds a store's data (the store, its -wal/-shm, backups): the owner's alone.
PRIVATE_FILE_MODE = 0o600


def create_private_file(path: Path | str) -> Path:
    """Create ``path`` as an empty file only its owner can read and write (whatever the umask); raises
    FileExistsError if it exists. For anything holding a store's data: stores, backups, exports of it."""
    path = Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    try:
        os.fchmod(fd, PRIVATE_FILE_MODE)  # the umask can only have narrowed it; make it exact
    finally:
        os.close(fd)
    return path


def sqlite_url(path: Path | str) -> str:
    return f"sqlite:///{Path(path)}"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        # hide_parameters: SQLAlchemy's exception text would otherwise carry customer rows (see store/errors.py).
        engine = create_engine(
            url,
            hide_parameters=True,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
            poolclass=NullPool if ":memory:" not in url else None,
        )
        event.listen(engine, "connect", _configure_sqlite)
        # Let SQLAlchemy, not pysqlite, decide when transactions begin, so BEGIN IMMEDIATE works for writers.
        event.listen(engine, "connect", lambda conn, _r: setattr(conn, "isolation_level", None))
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


# --- migrations ---------------------------------------------------------------------------------------------------


def alembic_config(url: str):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def known_revisions() -> list[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return [rev.revision for rev in script.walk_revisions()]


@dataclass
class StoreStatus:
    url: str
    exists: bool
    current: str | None
    head: str
    #: empty | current | behind | ahead | foreign
    state: str
    counts: dict[str, int]


def _sqlite_path(url: str) -> Path | None:
    if url.startswith("sqlite:///") and ":memory:" not in url:
        return Path(url.removeprefix("sqlite:///"))
    return None


def _check_sqlite_file(path: Path) -> str:
    """'missing', 'empty' or 'ours'; raises StoreError for anything that is not an Agent Console store."""
    if not path.exists():
        return "missing"
    if path.is_dir():
        raise StoreError(f"{path} is a directory, not an Agent Console store")
    size = path.stat().st_size
    if size == 0:
        return "empty"
    with path.open("rb") as fh:
        header = fh.read(100)
    if not header.startswith(b"SQLite format 3\x00"):
        raise StoreError(f"{path} is not an Agent Console store (not an SQLite database); refusing to touch it")
    app_id = int.from_bytes(header[68:72], "big")
    if app_id == APPLICATION_ID:
        return "ours"
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    finally:
        con.close()
    if not tables:
        return "empty"
    raise StoreError(
        f"{path} is an SQLite database of another application (tables: {', '.join(sorted(tables)[:5])}); "
        "refusing to touch it"
    )


def _at_head(path: Path) -> bool:
    """True when the file is one of our stores already at SCHEMA_HEAD (read without SQLAlchemy or Alembic)."""
    try:
        if _check_sqlite_file(path) != "ours":
            return False
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            con.close()
    except (StoreError, sqlite3.Error):
        return False  # the slow path explains what is wrong
    return row is not None and row[0] == SCHEMA_HEAD


def store_status(url: str) -> StoreStatus:
    head = head_revision()
    path = _sqlite_path(url)
    if path is not None:
        kind = _check_sqlite_file(path)
        if kind in ("missing", "empty"):
            return StoreStatus(url, kind != "missing", None, head, "empty", {})
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            if "alembic_version" not in tables:
                if tables:
                    raise StoreError(f"{display_url(url)} holds tables but no Agent Console schema version; "
                                     "refusing to touch it")
                return StoreStatus(url, True, None, head, "empty", {})
            current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            counts = {}
            for table in ("agents", "customers", "cases", "messages", "kb_articles", "canned_responses"):
                if table in tables:
                    counts[table] = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
    finally:
        engine.dispose()
    if current == head:
        state = "current"
    elif current in known_revisions():
        state = "behind"
    else:
        state = "ahead"
    return StoreStatus(url, True, current, head, state, counts)


def upgrade(url: str, revision: str = "head") -> StoreStatus:
    """Create or migrate the store to ``revision``; refuses foreign databases and stores newer than this code."""
    from alembic import command

    status = store_status(url)
    if status.state == "ahead":
        raise StoreError(
            f"the store {display_url(url)} is at schema revision {status.current}, newer than this version of "
            f"Agent Console knows (head {status.head}); upgrade agent-console instead"
        )
    path = _sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            # SQLite gives the -wal and -shm files the mode of the database file: private from the start.
            create_private_file(path)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            if path is not None:
                conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
            config = alembic_config(url)
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
    finally:
        engine.dispose()
    return store_status(url)


# --- the opened store ---------------------------------------------------------------------------------------------


class KeptConnection:
    """One connection kept for many short reads: a Store hands out a new SQLite connection per session, and opening
    one (and parsing the schema) costs more than a small query. Each read is its own transaction, ended after it, so
    the next read sees every commit since and nothing holds a snapshot in between; a read that fails drops the
    connection and the next one opens a new one. For one thread at a time."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.connection = None

    def read(self, query, *args, **kwargs):
        """``query(connection, *args, **kwargs)`` on the kept connection."""
        connection = self.connection
        if connection is not None and (connection.closed or connection.invalidated):
            self.close()
            connection = None
        if connection is None:
            connection = self.connection = self.engine.connect()
        try:
            return query(connection, *args, **kwargs)
        except BaseException:
            self.close()
            raise
        finally:
            if self.connection is not None:
                self.connection.rollback()

    def close(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None:
            try:
                connection.close()
            except Exception:  # closing a connection that already failed: nothing more to release
                pass


class Store:
    """An opened, up-to-date store: hands out sessions. Create it with :func:`open_store`."""

    def __init__(self, url: str, engine: Engine) -> None:
        self.url = url
        self.engine = engine
        self.write_engine = engine.execution_options(sqlite_write=True)

    @property
    def path(self) -> Path | None:
        return _sqlite_path(self.url)

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed at the end of the block, or rolled back on any exception."""
        with Session(self.write_engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()


def open_store(target: Path | str, *, create: bool = True, migrate: bool = True) -> Store:
    """Open a store by file path or SQLAlchemy URL, creating or upgrading its schema as needed.

    A missing store is created when ``create`` is true; an older one is upgraded when ``migrate`` is true; a foreign
    database or one newer than this code raises :class:`StoreError`.
    """
    url = str(target) if "://" in str(target) else sqlite_url(target)
    path = _sqlite_path(url)
    if path is not None and _at_head(path):
        return Store(url, make_engine(url))
    status = store_status(url)
    if status.state == "ahead":
        upgrade(url)  # raises with the explanation
    if status.state == "empty":
        if not create:
            raise StoreError(f"no Agent Console store at {display_url(url)}; create it with `agent-console db init`")
        upgrade(url)
    elif status.state == "behind":
        if not migrate:
            raise StoreError(
                f"the store {display_url(url)} is at schema revision {status.current}, older than this code "
                f"({status.head}); "
                "run `agent-console db upgrade`"
            )
        upgrade(url)
    return Store(url, make_engine(url))
