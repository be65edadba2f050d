"""The case search index: ``case_fts`` and the triggers that write it in the same transaction as the rows.

One FTS5 row per case (rowid = minus the case's id: the case's head) and one per message or note (rowid = the
message's id). Each fact is indexed once:

* the head row holds what belongs to the case: ``subject`` (normalised in the case's language), ``people`` (the
  customer's name and e-mail address, normalised) and ``ids`` (the case key's words and number, the customer's phone
  number folded: ``functions.case_id_tokens``); its ``body`` is empty;
* a message row holds only ``body``: the message's text normalised in its case's language;
* every row holds ``case_tag``, one token naming its case (``_c42``, weight 0 in BM25).

A query whose words are split between the case and one of its messages ("Müller Rechnung": the customer's name and a
word she wrote) is put together at query time (``case_cross``), through the case tags. The subject and people columns map word by word
onto the original text (as in the KB index), so snippets and highlights are cut from the original.

Writes re-index only what they change: a message its own row (and a message moved to another case by a merge only
that row); a case's subject, key or customer, or a customer's name, address or number, only the head rows of that
case or customer; a case's language (the stemmer of its text) its head and its messages. SQLite only: the server on
PostgreSQL has its own index (``case_pg_schema``, searched by ``case_pg``).

The layout up to migration 0016 repeated the case's subject, customer and ids in every message row; migration 0025
re-creates the index in this layout.
"""

from __future__ import annotations

import sqlite3

from agent_console.store.search.functions import CASE_IDS_FUNCTION, NORMALISE_FUNCTION, register_functions
from agent_console.store.search.schema import _TOKENIZER


#: BM25 weights of (subject, body, people, ids); ``case_tag`` only ties a row to its case and weighs nothing.
CASE_WEIGHTS = (4.0, 1.0, 3.0, 5.0)
#: The columns of a head row (the case's own fields); a message row holds only ``body``.
HEAD_COLUMNS = ("subject", "people", "ids")
_N = NORMALISE_FUNCTION

#: The token of ``case_tag`` that every row of a case holds: tokens of words never contain "_", and these sort
#: apart from every word (the typo and prefix look-ups in case_fts_vocab start at a letter or digit).
CASE_TAG_PREFIX = "_c"

_CASE_TABLE = f"CREATE VIRTUAL TABLE case_fts USING fts5(subject, body, people, ids, case_tag, {_TOKENIZER})"
_CASE_RANK = ("INSERT INTO case_fts(case_fts, rank) VALUES ('rank', 'bm25({}, {}, {}, {}, 0.0)')"
              .format(*CASE_WEIGHTS))
_COLUMNS = "rowid, subject, body, people, ids, case_tag"
_TAG = f"'{CASE_TAG_PREFIX}' || c.id"
#: The head rows of the cases (filtered by a WHERE on ``c``), and the message rows (a WHERE on ``m`` or ``c``).
HEAD_ROWS = (f"SELECT -c.id, {_N}(c.subject, c.language), '', "
             f"{_N}(cu.name || ' ' || coalesce(cu.email, ''), c.language), {CASE_IDS_FUNCTION}(c.key, cu.phone), {_TAG} "
             "FROM cases c JOIN customers cu ON cu.id = c.customer_id")
MESSAGE_ROWS = (f"SELECT m.id, '', {_N}(m.body, c.language), '', '', {_TAG} "
                "FROM messages m JOIN cases c ON c.id = m.case_id")


def _index(rows: str, where: str) -> str:
    return f"INSERT INTO case_fts({_COLUMNS}) {rows} WHERE {where};"


# A sync upsert sets every column: re-index only when what the index holds changed.
_HEAD_CHANGED = ("old.id IS NOT new.id OR old.key IS NOT new.key OR old.subject IS NOT new.subject OR "
                 "old.language IS NOT new.language OR old.customer_id IS NOT new.customer_id")
#: The case's messages are normalised in its language: only a new language (or id) re-indexes them.
_MESSAGES_CHANGED = "(old.id IS NOT new.id OR old.language IS NOT new.language)"
_CUSTOMER_CHANGED = ("old.id IS NOT new.id OR old.name IS NOT new.name OR old.email IS NOT new.email OR "
                     "old.phone IS NOT new.phone")

MESSAGE_TRIGGER_PREFIX = "messages_case_search_"
CASE_TRIGGER_PREFIX = "cases_case_search_"

CASE_TRIGGER_STATEMENTS = (
    f"""CREATE TRIGGER IF NOT EXISTS {MESSAGE_TRIGGER_PREFIX}insert AFTER INSERT ON messages BEGIN
        {_index(MESSAGE_ROWS, "m.id = new.id")}
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {MESSAGE_TRIGGER_PREFIX}update AFTER UPDATE OF id, body, case_id ON messages
        WHEN old.id IS NOT new.id OR old.body IS NOT new.body OR old.case_id IS NOT new.case_id BEGIN
        DELETE FROM case_fts WHERE rowid = old.id;
        {_index(MESSAGE_ROWS, "m.id = new.id")}
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {MESSAGE_TRIGGER_PREFIX}delete AFTER DELETE ON messages BEGIN
        DELETE FROM case_fts WHERE rowid = old.id;
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {CASE_TRIGGER_PREFIX}insert AFTER INSERT ON cases BEGIN
        {_index(HEAD_ROWS, "c.id = new.id")}
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {CASE_TRIGGER_PREFIX}update AFTER UPDATE OF id, key, subject, language,
        customer_id ON cases WHEN {_HEAD_CHANGED} BEGIN
        DELETE FROM case_fts WHERE rowid = -old.id;
        {_index(HEAD_ROWS, "c.id = new.id")}
        DELETE FROM case_fts WHERE {_MESSAGES_CHANGED} AND rowid IN (SELECT id FROM messages WHERE case_id = old.id);
        {_index(MESSAGE_ROWS, f"m.case_id = new.id AND {_MESSAGES_CHANGED}")}
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {CASE_TRIGGER_PREFIX}delete AFTER DELETE ON cases BEGIN
        DELETE FROM case_fts WHERE rowid = -old.id;
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS customers_case_search_update AFTER UPDATE OF id, name, email, phone
        ON customers WHEN {_CUSTOMER_CHANGED} BEGIN
        DELETE FROM case_fts WHERE rowid IN (SELECT -id FROM cases WHERE customer_id = old.id);
        {_index(HEAD_ROWS, "c.customer_id = new.id")}
    END""",
)

CASE_TRIGGER_NAMES = (
    *(MESSAGE_TRIGGER_PREFIX + event for event in ("insert", "update", "delete")),
    *(CASE_TRIGGER_PREFIX + event for event in ("insert", "update", "delete")),
    "customers_case_search_update",
)
CASE_DROP_STATEMENTS = (
    *(f"DROP TRIGGER IF EXISTS {name}" for name in CASE_TRIGGER_NAMES),
    "DROP TABLE IF EXISTS case_fts_vocab",
    "DROP TABLE IF EXISTS case_fts",
)


# FTS5 appends a row to its pending terms only when its rowid is above the last one written; a lower rowid flushes
# them first (a segment per row). Head rows are minus the case's id, so they go in by descending case id.
_HEADS_IN_ROWID_ORDER = "ORDER BY c.id DESC"
_MESSAGES_IN_ROWID_ORDER = "ORDER BY m.id"


def fill_case_index(cursor: sqlite3.Cursor) -> int:
    """(Re)build case_fts from the rows (dropping and re-creating is far cheaper than deleting every row);
    returns how many rows it holds."""
    cursor.execute("DROP TABLE IF EXISTS case_fts")
    cursor.execute(_CASE_TABLE)
    cursor.execute(_CASE_RANK)
    cursor.execute(f"INSERT INTO case_fts({_COLUMNS}) {HEAD_ROWS} {_HEADS_IN_ROWID_ORDER}")
    heads = cursor.rowcount
    cursor.execute(f"INSERT INTO case_fts({_COLUMNS}) {MESSAGE_ROWS} {_MESSAGES_IN_ROWID_ORDER}")
    return heads + cursor.rowcount


def index_rows(cursor: sqlite3.Cursor, case_ids: str, message_ids: str) -> None:
    """Re-index the head rows of the cases and the message rows whose ids the two SELECTs return (a bulk load
    that set the triggers aside calls this once at its end)."""
    cursor.execute(f"DELETE FROM case_fts WHERE rowid IN (SELECT -id FROM ({case_ids}))")
    cursor.execute(f"DELETE FROM case_fts WHERE rowid IN ({message_ids})")
    cursor.execute(f"INSERT INTO case_fts({_COLUMNS}) {HEAD_ROWS} WHERE c.id IN ({case_ids}) {_HEADS_IN_ROWID_ORDER}")
    cursor.execute(
        f"INSERT INTO case_fts({_COLUMNS}) {MESSAGE_ROWS} WHERE m.id IN ({message_ids}) {_MESSAGES_IN_ROWID_ORDER}")


def create_case_schema(dbapi_connection: sqlite3.Connection) -> None:
    """Create case_fts, its vocabulary table and its triggers, filled from the current rows (idempotent)."""
    register_functions(dbapi_connection)
    cursor = dbapi_connection.cursor()
    try:
        fill_case_index(cursor)
        cursor.execute("CREATE VIRTUAL TABLE IF NOT EXISTS case_fts_vocab USING fts5vocab(case_fts, 'row')")
        for statement in CASE_TRIGGER_STATEMENTS:
            cursor.execute(statement)
    finally:
        cursor.close()


def recreate_case_schema(dbapi_connection: sqlite3.Connection) -> None:
    """Replace the case index and its triggers, whatever layout they had, by this module's (migration 0025)."""
    cursor = dbapi_connection.cursor()
    try:
        for statement in CASE_DROP_STATEMENTS:
            cursor.execute(statement)
    finally:
        cursor.close()
    create_case_schema(dbapi_connection)
