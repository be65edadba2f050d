"""Bulk loads into the PostgreSQL case index, set-based (``bulk.defer_search`` on PostgreSQL).

The case index's trigger functions (``case_pg_schema``, redefined by migration 0026) look at the transaction-local
setting ``agent_console.defer_case_search``: while it is on, a trigger only notes which case (or customer) the
written row touches, in a temporary table of the loading connection, instead of folding, stemming and writing the
index row by row. ``finish`` then re-indexes exactly the noted cases with one ``INSERT … SELECT`` per kind of row
(and the vocabulary's statement trigger fires once), in the same transaction. Other connections keep indexing row
by row: the setting is local to the loading transaction.
"""

from __future__ import annotations

from collections.abc import Callable

from agent_console.store.search.case_pg_schema import HEAD_ROWS, MESSAGE_ROWS, case_trigger_function

DEFER_SETTING = "agent_console.defer_case_search"
TOUCHED_CASES = "bulk_touched_case_ids"
TOUCHED_CUSTOMERS = "bulk_touched_customer_ids"

_DEFERRED = f"coalesce(current_setting('{DEFER_SETTING}', true), '') = 'on'"


def _note(table: str, value: str) -> str:
    return f"INSERT INTO pg_temp.{table} (id) SELECT {value} WHERE {value} IS NOT NULL ON CONFLICT DO NOTHING;"


def _deferring(notes: str) -> str:
    return f"IF {_DEFERRED} THEN {notes} RETURN NULL; END IF;\n        "


#: The trigger functions of migration 0019, each first noting the touched ids while a bulk load defers the index.
DEFERRING_TRIGGER_FUNCTIONS = (
    case_trigger_function("ac_case_fts_messages", or_replace=True, first=_deferring(
        f"IF TG_OP <> 'INSERT' THEN {_note(TOUCHED_CASES, 'old.case_id')} END IF; "
        f"IF TG_OP <> 'DELETE' THEN {_note(TOUCHED_CASES, 'new.case_id')} END IF;")),
    case_trigger_function("ac_case_fts_cases", or_replace=True, first=_deferring(
        f"IF TG_OP <> 'INSERT' THEN {_note(TOUCHED_CASES, 'old.id')} END IF; "
        f"IF TG_OP <> 'DELETE' THEN {_note(TOUCHED_CASES, 'new.id')} END IF;")),
    case_trigger_function("ac_case_fts_customers", or_replace=True, first=_deferring(
        f"{_note(TOUCHED_CUSTOMERS, 'old.id')} {_note(TOUCHED_CUSTOMERS, 'new.id')}")),
)


def defer_case_search_pg(conn) -> Callable[[], None] | None:
    """Defer the case index in the caller's transaction on PostgreSQL; returns the function that indexes what the
    load wrote and ends the deferral (None when the store has no case index or its triggers predate 0026)."""
    deferring = conn.exec_driver_sql(
        "SELECT count(*) FROM pg_proc WHERE proname = 'ac_case_fts_messages' AND prosrc LIKE %s",
        (f"%{DEFER_SETTING}%",)).scalar()
    if not deferring:
        return None
    for table in (TOUCHED_CASES, TOUCHED_CUSTOMERS):
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS pg_temp.{table}")
        conn.exec_driver_sql(f"CREATE TEMP TABLE {table} (id bigint PRIMARY KEY) ON COMMIT DROP")
    conn.exec_driver_sql(f"SELECT set_config('{DEFER_SETTING}', 'on', true)")

    def finish() -> None:
        conn.exec_driver_sql(f"SELECT set_config('{DEFER_SETTING}', 'off', true)")
        conn.exec_driver_sql(f"INSERT INTO pg_temp.{TOUCHED_CASES} (id) SELECT id FROM cases WHERE customer_id IN "
                             f"(SELECT id FROM pg_temp.{TOUCHED_CUSTOMERS}) ON CONFLICT DO NOTHING")
        # A temporary table has no statistics until analysed: without them the planner guesses its size.
        conn.exec_driver_sql(f"ANALYZE pg_temp.{TOUCHED_CASES}")
        touched = f"(SELECT id FROM pg_temp.{TOUCHED_CASES})"
        conn.exec_driver_sql(f"DELETE FROM case_fts WHERE case_id IN {touched}")
        conn.exec_driver_sql(f"INSERT INTO case_fts (rowid, case_id, doc) {HEAD_ROWS} WHERE c.id IN {touched}")
        conn.exec_driver_sql(f"INSERT INTO case_fts (rowid, case_id, doc) {MESSAGE_ROWS} WHERE c.id IN {touched}")
        for table in (TOUCHED_CASES, TOUCHED_CUSTOMERS):
            conn.exec_driver_sql(f"DROP TABLE pg_temp.{table}")

    return finish
