"""The one bulk writer of the store: rows in ``executemany`` batches straight on SQLite's DB-API cursor, and bulk
loads (the demo seeder, an import, a console's first sync of a big floor) that set the big tables' secondary
indexes and the search index's per-row triggers aside and bring both back inside the same transaction.

Building an index once over all the rows is much faster than updating a dozen B-trees per inserted row, and the
search index is rebuilt once instead of per row. Everything runs in the caller's transaction, so an interrupted
load leaves indexes and triggers as they were. SQLite only, except the case index's deferral (``defer_search``),
which PostgreSQL has too; elsewhere these functions do nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timezone
from operator import itemgetter

from sqlalchemy import bindparam, func, insert, select, text, update

from agent_console.store.types import UTCDateTime

#: The tables that grow with the number of cases.
BULK_TABLES = ("cases", "messages", "sla_events", "handling_segments")
#: The page cache (in KiB, negative) of a bulk load's connection: keeps the many index B-trees in memory.
BULK_CACHE_KIB = 262144
_UTC = timezone.utc


def stored_time(value: datetime) -> str:
    """An aware datetime exactly as ``UTCDateTime`` stores it on SQLite: naive UTC ``YYYY-MM-DD HH:MM:SS.ffffff``."""
    if value.tzinfo is not _UTC:
        value = value.astimezone(_UTC)
    return value.isoformat(" ", "microseconds")[:26]


def next_id(conn, table) -> int:
    """The id after the table's highest: rows written with explicit ids continue from there."""
    return (conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1


def advance_id_sequence(conn, table) -> None:
    """Move PostgreSQL's id sequence of ``table`` past the highest id, after rows were written with explicit ids
    (``next_id``): the next row inserted without one (an ORM object, a trigger's row) would otherwise be given an id
    already taken. SQLite takes the next id from the table itself and needs nothing."""
    conn.execute(text(
        "SELECT setval(pg_get_serial_sequence(:table, 'id'), max_id) "
        f"FROM (SELECT max(id) AS max_id FROM {table.name}) AS top "
        "WHERE max_id IS NOT NULL AND pg_get_serial_sequence(:table, 'id') IS NOT NULL"), {"table": table.name})


def write_rows(cursor, sql: str, rows: Iterable[Sequence]) -> None:
    """One ``executemany`` of ``sql`` over rows already in their stored form, on a DB-API cursor of the caller's
    transaction (SQLite)."""
    cursor.executemany(sql, rows)


def insert_rows(conn, table, rows: list[dict]) -> int:
    """Insert dicts of column values into ``table`` inside the caller's transaction; returns how many.

    On SQLite the rows go straight to the DB-API cursor's ``executemany``: SQLAlchemy's own executemany builds and
    type-processes a parameter dict per row, which costs more than SQLite's insert itself at 100,000s of rows.
    Datetimes are written exactly as ``UTCDateTime`` writes them, so reads and comparisons see no difference. Rows
    may differ in the columns they give (written in groups of the same columns); a group that leaves out a column
    with a Python-side default goes through SQLAlchemy, which fills the default in. Other databases: SQLAlchemy.
    """
    if not rows:
        return 0
    groups: dict[tuple[str, ...], list[dict]] = {}
    for row in rows:
        groups.setdefault(tuple(row), []).append(row)
    if conn.dialect.name == "postgresql":
        for group in groups.values():
            conn.execute(insert(table), group)
        if "id" in table.c and any("id" in columns for columns in groups):
            advance_id_sequence(conn, table)
        return len(rows)
    for columns, group in groups.items():
        if conn.dialect.name != "sqlite" or any(
                c.default is not None and c.name not in columns for c in table.columns if not c.primary_key):
            conn.execute(insert(table), group)
            continue
        times = [i for i, name in enumerate(columns) if isinstance(table.c[name].type, UTCDateTime)]
        getter = itemgetter(*columns)

        def values(row: dict, getter=getter, times=times) -> list:
            out = list(getter(row)) if len(columns) > 1 else [getter(row)]
            for i in times:
                if out[i] is not None:
                    out[i] = stored_time(out[i])
            return out

        cursor = conn.connection.driver_connection.cursor()
        try:
            write_rows(cursor, f"INSERT INTO {table.name} ({', '.join(columns)}) "
                               f"VALUES ({', '.join('?' for _ in columns)})", map(values, group))
        finally:
            cursor.close()
    return len(rows)


def update_rows(conn, table, rows: list[dict]) -> int:
    """Update rows by id (``_id`` in each dict; the other keys are the new values), grouped by the columns they
    change into ``executemany`` batches; a table with a ``version`` column counts it up. Returns how many."""
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    for keys, group in groups.items():
        values = {k: bindparam(f"v_{k}") for k in keys if k != "_id"}
        if "version" in table.c:
            values["version"] = table.c.version + 1
        statement = update(table).where(table.c.id == bindparam("_id")).values(values)
        conn.execute(statement, [{"_id": r["_id"], **{f"v_{k}": v for k, v in r.items() if k != "_id"}}
                                 for r in group])
    return len(rows)


class BulkLoad:
    """A bulk load inside the caller's transaction: a big page cache for this connection, the search index's
    triggers set aside (``search``), and with ``drop_indexes`` the big tables' secondary indexes too. ``finish``
    (or ``finish_indexes`` then ``finish_search``, to report each step) brings everything back."""

    def __init__(self, conn, *, drop_indexes: bool, search: bool = True) -> None:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
        self._rebuild_search = suspend_search_triggers(conn) if search else None
        self._restore_indexes = drop_secondary_indexes(conn) if drop_indexes else None

    @property
    def indexes_dropped(self) -> bool:
        return self._restore_indexes is not None

    @property
    def search_suspended(self) -> bool:
        return self._rebuild_search is not None

    def finish_indexes(self) -> None:
        if self._restore_indexes is not None:
            self._restore_indexes()
            self._restore_indexes = None

    def finish_search(self) -> None:
        if self._rebuild_search is not None:
            self._rebuild_search()
            self._rebuild_search = None

    def finish(self) -> None:
        self.finish_indexes()
        self.finish_search()


def drop_secondary_indexes(conn, tables: tuple[str, ...] = BULK_TABLES, *,
                           keep_unique: bool = False) -> Callable[[], None] | None:
    """Drop the tables' indexes; returns the function that recreates them exactly.

    The ``CREATE INDEX`` statements are read back from ``sqlite_master``, so every index (from any migration) comes
    back as it was. ``keep_unique`` keeps unique indexes, for loads that upsert through them.
    """
    if conn.dialect.name != "sqlite":
        return None
    placeholders = ", ".join("?" for _ in tables)
    unique = " AND sql NOT LIKE 'CREATE UNIQUE%'" if keep_unique else ""
    indexes = conn.exec_driver_sql(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL{unique} "
        f"AND tbl_name IN ({placeholders})", tuple(tables)).all()
    for name, _sql in indexes:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')

    def restore() -> None:
        for _name, sql in indexes:
            conn.exec_driver_sql(sql)

    return restore


def suspend_search_triggers(conn) -> Callable[[], None] | None:
    """Drop the search index's triggers; returns the function that rebuilds the index and its triggers."""
    from agent_console.store import search

    if conn.dialect.name != "sqlite":
        return None
    has_index = conn.exec_driver_sql(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'kb_fts'").scalar()
    if not has_index:
        return None
    has_case_index = _has_table(conn, "case_fts")
    for statement in (*search.DROP_STATEMENTS, *(search.CASE_DROP_STATEMENTS if has_case_index else ())):
        if statement.upper().startswith("DROP TRIGGER"):
            conn.exec_driver_sql(statement)

    def rebuild() -> None:
        # The case index first: the replies' index is filled from its normalised bodies.
        if has_case_index:
            search.create_case_schema(conn.connection.driver_connection)
        search.create_schema(conn.connection.driver_connection)

    return rebuild


def _has_table(conn, name: str) -> bool:
    return bool(conn.exec_driver_sql(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).scalar())


#: The triggers that keep ``reply_fts`` in step with ``messages`` (store/search.py).
_REPLY_TRIGGER_PREFIX = "messages_reply_search_"
_TOUCHED = "bulk_touched_messages"


def _note_row(touched: str, row: str) -> str:
    """A trigger statement noting ``row.id`` once. Not ``INSERT OR IGNORE``: inside a trigger the outer statement's
    conflict handling wins, and the sync's upserts (``ON CONFLICT … DO UPDATE``) would make a second note of the same
    row fail the load."""
    return f"INSERT INTO {touched} SELECT {row}.id WHERE NOT EXISTS (SELECT 1 FROM {touched} WHERE id = {row}.id);"


def defer_reply_search(conn) -> Callable[[], None] | None:
    """Index the replies a bulk load writes once, at the end, instead of row by row.

    FTS5 flushes its pending terms at every statement that writes it through a trigger, so a row-by-row load of
    100,000s of messages spends most of its time there; rebuilding the whole index instead costs a pass over every
    message, however few the load added. Here the reply triggers are set aside, connection-local (TEMP) triggers
    note which messages the load inserts, updates or deletes, and the returned function re-indexes exactly those
    in one statement and puts the reply triggers back, all in the caller's transaction.
    """
    from agent_console.store import search

    if conn.dialect.name != "sqlite":
        return None
    triggers = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'messages' AND name LIKE ?",
        (_REPLY_TRIGGER_PREFIX + "%",)).all()
    if not triggers:
        return None
    for name, _sql in triggers:
        conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    before = conn.exec_driver_sql("SELECT coalesce(max(id), 0) FROM messages").scalar()
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{_TOUCHED}")
    conn.exec_driver_sql(f"CREATE TEMP TABLE {_TOUCHED} (id INTEGER PRIMARY KEY)")
    for event, rows in (("INSERT", ("new",)), ("UPDATE", ("old", "new")), ("DELETE", ("old",))):
        inserts = " ".join(_note_row(_TOUCHED, row) for row in rows)
        conn.exec_driver_sql(f"CREATE TEMP TRIGGER bulk_messages_{event.lower()} AFTER {event} ON main.messages "
                             f"BEGIN {inserts} END")

    def finish() -> None:
        for event in ("insert", "update", "delete"):
            conn.exec_driver_sql(f"DROP TRIGGER temp.bulk_messages_{event}")
        # Rows that existed before the load may have had an entry; rows it inserted cannot have one.
        conn.exec_driver_sql(f"DELETE FROM reply_fts WHERE rowid IN (SELECT id FROM temp.{_TOUCHED} WHERE id <= ?)",
                             (before,))
        # The same rows and text as the reply triggers index (store/search.py: outbound, not internal, normalised
        # in the case's language).
        conn.exec_driver_sql(
            f"INSERT INTO reply_fts(rowid, body) SELECT m.id, {search.NORMALISE_FUNCTION}(m.body, "
            "(SELECT language FROM cases WHERE id = m.case_id)) "
            f"FROM temp.{_TOUCHED} t JOIN messages m ON m.id = t.id WHERE m.direction = 'out' AND m.is_internal = 0")
        conn.exec_driver_sql(f"DROP TABLE temp.{_TOUCHED}")
        for _name, sql in triggers:
            conn.exec_driver_sql(sql)

    return finish


_CASE_TOUCHED = {"messages": "bulk_touched_case_messages", "cases": "bulk_touched_cases",
                 "customers": "bulk_touched_customers"}
#: Cases whose language (the stemmer of their messages) or id changed: their message rows are re-indexed too.
_CASE_RELANGUAGED = "bulk_relanguaged_cases"


def defer_search(conn) -> Callable[[], None] | None:
    """:func:`defer_reply_search` and the same for the case search index (``case_fts``): its triggers on messages,
    cases and customers are set aside, TEMP triggers note the rows the load writes, and the returned function
    re-indexes exactly those messages, the head rows of those cases and customers' cases (and the messages of a case
    whose language changed), and puts the triggers back. On PostgreSQL the case index's triggers only note the touched
    cases while the load runs (``case_pg_bulk``)."""
    finish_replies = defer_reply_search(conn)
    finish_cases = _defer_case_search(conn)
    if finish_replies is None and finish_cases is None:
        return None

    def finish() -> None:
        if finish_replies is not None:
            finish_replies()
        if finish_cases is not None:
            finish_cases()

    return finish


def _defer_case_search(conn) -> Callable[[], None] | None:
    from agent_console.store.search import case_schema

    if conn.dialect.name == "postgresql":
        from agent_console.store.search.case_pg_bulk import defer_case_search_pg

        return defer_case_search_pg(conn)
    if conn.dialect.name != "sqlite" or not _has_table(conn, "case_fts"):
        return None
    marks = ",".join("?" * len(case_schema.CASE_TRIGGER_NAMES))
    triggers = conn.exec_driver_sql(f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN ({marks})",
                                    case_schema.CASE_TRIGGER_NAMES).all()
    if not triggers:
        return None
    for name, _sql in triggers:
        conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    for table, touched in _CASE_TOUCHED.items():
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{touched}")
        conn.exec_driver_sql(f"CREATE TEMP TABLE {touched} (id INTEGER PRIMARY KEY)")
        for event, rows in (("INSERT", ("new",)), ("UPDATE", ("old", "new")), ("DELETE", ("old",))):
            inserts = " ".join(_note_row(touched, row) for row in rows)
            conn.exec_driver_sql(f"CREATE TEMP TRIGGER {touched}_{event.lower()} AFTER {event} ON main.{table} "
                                 f"BEGIN {inserts} END")
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{_CASE_RELANGUAGED}")
    conn.exec_driver_sql(f"CREATE TEMP TABLE {_CASE_RELANGUAGED} (id INTEGER PRIMARY KEY)")
    conn.exec_driver_sql(
        f"CREATE TEMP TRIGGER {_CASE_RELANGUAGED}_update AFTER UPDATE OF id, language ON main.cases "
        "WHEN old.id IS NOT new.id OR old.language IS NOT new.language "
        f"BEGIN {_note_row(_CASE_RELANGUAGED, 'old')} {_note_row(_CASE_RELANGUAGED, 'new')} END")

    def finish() -> None:
        for touched in _CASE_TOUCHED.values():
            for event in ("insert", "update", "delete"):
                conn.exec_driver_sql(f"DROP TRIGGER temp.{touched}_{event}")
        conn.exec_driver_sql(f"DROP TRIGGER temp.{_CASE_RELANGUAGED}_update")
        cases = (f"SELECT id FROM temp.{_CASE_TOUCHED['cases']} UNION SELECT id FROM cases WHERE customer_id IN "
                 f"(SELECT id FROM temp.{_CASE_TOUCHED['customers']})")
        messages = (f"SELECT id FROM temp.{_CASE_TOUCHED['messages']} UNION "
                    f"SELECT id FROM messages WHERE case_id IN (SELECT id FROM temp.{_CASE_RELANGUAGED})")
        cursor = conn.connection.driver_connection.cursor()
        try:
            case_schema.index_rows(cursor, cases, messages)
        finally:
            cursor.close()
        for touched in (*_CASE_TOUCHED.values(), _CASE_RELANGUAGED):
            conn.exec_driver_sql(f"DROP TABLE temp.{touched}")
        for _name, sql in triggers:
            conn.exec_driver_sql(sql)

    return finish
