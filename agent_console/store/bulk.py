"""Bulk loads (the demo seeder, a console's first sync of a big floor): set the big tables' secondary indexes and
the search index's per-row triggers aside, and bring both back inside the same transaction.

Building an index once over all the rows is much faster than updating a dozen B-trees per inserted row, and the
search index is rebuilt once instead of per row. Everything runs in the caller's transaction, so an interrupted
load leaves indexes and triggers as they were. SQLite only; on other databases both functions do nothing.
"""

from __future__ import annotations

from collections.abc import Callable

#: The tables that grow with the number of cases.
BULK_TABLES = ("cases", "messages", "sla_events", "handling_segments")


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
    for statement in search.DROP_STATEMENTS:
        if statement.upper().startswith("DROP TRIGGER"):
            conn.exec_driver_sql(statement)

    def rebuild() -> None:
        search.create_schema(conn.connection.driver_connection)

    return rebuild
