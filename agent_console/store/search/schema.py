"""The search index's tables and triggers (used by the migrations, by bulk loads and by reindex)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from agent_console.store.search.functions import (
    BOOST_FUNCTION, BOOST_INDEXED_FUNCTION, FACETS_FUNCTION, KB_WEIGHTS, NORMALISE_FUNCTION, _dbapi,
    register_functions,
)


#: Normalised tokens never contain "_", so facet tokens ("lang_de", "tag_gift_card") cannot collide with words.
_TOKENIZER = "tokenize = \"unicode61 remove_diacritics 0 tokenchars '_'\""


_KB_ROW = (
    f"{NORMALISE_FUNCTION}(new.title, new.language), {NORMALISE_FUNCTION}(new.body, new.language), "
    f"{NORMALISE_FUNCTION}(new.tags, new.language), {FACETS_FUNCTION}(new.language, new.tags)"
)


_BOOST_ROW = f"{BOOST_FUNCTION}(new.title, new.body, new.tags, new.language)"
_REPLY_ROW = f"{NORMALISE_FUNCTION}(new.body, (SELECT language FROM cases WHERE id = new.case_id))"
_IS_REPLY = "new.direction = 'out' AND new.is_internal = 0"
# kb_fts_boost: per article, the tokens that can score more than one plain body mention (boost_tokens). Only a
# candidate set for the ranking shortcut, never ranked itself: detail=none and no column sizes keep it small.
_BOOST_TABLE = f"CREATE VIRTUAL TABLE kb_fts_boost USING fts5(tokens, detail=none, columnsize=0, {_TOKENIZER})"


def _follow_articles(trigger: str, table: str, columns: str, values: str) -> tuple[str, str, str]:
    """Triggers that keep ``table`` (rowid = article id) in step with kb_articles."""
    insert = f"INSERT INTO {table}(rowid, {columns}) VALUES (new.id, {values});"
    return (
        f"""CREATE TRIGGER IF NOT EXISTS {trigger}_insert AFTER INSERT ON kb_articles BEGIN
        {insert}
    END""",
        f"""CREATE TRIGGER IF NOT EXISTS {trigger}_update AFTER UPDATE OF id, title, body, tags, language
        ON kb_articles BEGIN
        DELETE FROM {table} WHERE rowid = old.id;
        {insert}
    END""",
        f"""CREATE TRIGGER IF NOT EXISTS {trigger}_delete AFTER DELETE ON kb_articles BEGIN
        DELETE FROM {table} WHERE rowid = old.id;
    END""",
    )


def _drop_triggers(trigger: str) -> tuple[str, str, str]:
    return tuple(f"DROP TRIGGER IF EXISTS {trigger}_{event}" for event in ("insert", "update", "delete"))


BOOST_SCHEMA_STATEMENTS = (
    _BOOST_TABLE.replace("TABLE", "TABLE IF NOT EXISTS", 1),
    *_follow_articles("kb_articles_boost", "kb_fts_boost", "tokens", _BOOST_ROW),
)


BOOST_DROP_STATEMENTS = (*_drop_triggers("kb_articles_boost"), "DROP TABLE IF EXISTS kb_fts_boost")


SCHEMA_STATEMENTS = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS kb_fts USING fts5(title, body, tags, facets, {_TOKENIZER})",
    "CREATE VIRTUAL TABLE IF NOT EXISTS kb_fts_vocab USING fts5vocab(kb_fts, 'row')",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS reply_fts USING fts5(body, {_TOKENIZER})",
    "CREATE VIRTUAL TABLE IF NOT EXISTS reply_fts_vocab USING fts5vocab(reply_fts, 'row')",
    "INSERT INTO kb_fts(kb_fts, rank) VALUES ('rank', 'bm25({}, {}, {}, {})')".format(*KB_WEIGHTS),
    *_follow_articles("kb_articles_search", "kb_fts", "title, body, tags, facets", _KB_ROW),
    *BOOST_SCHEMA_STATEMENTS,
    f"""CREATE TRIGGER IF NOT EXISTS messages_reply_search_insert AFTER INSERT ON messages WHEN {_IS_REPLY} BEGIN
        INSERT INTO reply_fts(rowid, body) VALUES (new.id, {_REPLY_ROW});
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS messages_reply_search_update AFTER UPDATE OF id, body, direction, is_internal,
        case_id ON messages BEGIN
        DELETE FROM reply_fts WHERE rowid = old.id;
        INSERT INTO reply_fts(rowid, body) SELECT new.id, {_REPLY_ROW} WHERE {_IS_REPLY};
    END""",
    """CREATE TRIGGER IF NOT EXISTS messages_reply_search_delete AFTER DELETE ON messages BEGIN
        DELETE FROM reply_fts WHERE rowid = old.id;
    END""",
)


DROP_STATEMENTS = (
    *_drop_triggers("kb_articles_search"),
    "DROP TRIGGER IF EXISTS messages_reply_search_insert",
    "DROP TRIGGER IF EXISTS messages_reply_search_update",
    "DROP TRIGGER IF EXISTS messages_reply_search_delete",
    "DROP TABLE IF EXISTS kb_fts_vocab",
    "DROP TABLE IF EXISTS reply_fts_vocab",
    "DROP TABLE IF EXISTS kb_fts",
    "DROP TABLE IF EXISTS reply_fts",
    *BOOST_DROP_STATEMENTS,
)


_KB_TABLE = f"CREATE VIRTUAL TABLE kb_fts USING fts5(title, body, tags, facets, {_TOKENIZER})"
_REPLY_TABLE = f"CREATE VIRTUAL TABLE reply_fts USING fts5(body, {_TOKENIZER})"
_KB_RANK = "INSERT INTO kb_fts(kb_fts, rank) VALUES ('rank', 'bm25({}, {}, {}, {})')".format(*KB_WEIGHTS)


def fill_boost(cursor: sqlite3.Cursor) -> None:
    """(Re)build kb_fts_boost from kb_fts's normalised columns: no second pass of the stemmers over the articles."""
    cursor.execute("DROP TABLE IF EXISTS kb_fts_boost")
    cursor.execute(_BOOST_TABLE)
    cursor.execute(f"INSERT INTO kb_fts_boost(rowid, tokens) SELECT rowid, "
                   f"{BOOST_INDEXED_FUNCTION}(title, body, tags, facets) FROM kb_fts")


def _fill(cursor: sqlite3.Cursor) -> tuple[int, int]:
    # Dropping and re-creating is far cheaper than DELETE on a full FTS5 table (which re-reads every row to remove
    # its tokens). The triggers and the fts5vocab tables refer to the tables by name and keep working.
    cursor.execute("DROP TABLE IF EXISTS kb_fts")
    cursor.execute(_KB_TABLE)
    cursor.execute(_KB_RANK)
    cursor.execute(
        f"INSERT INTO kb_fts(rowid, title, body, tags, facets) SELECT id, {_KB_ROW.replace('new.', '')} "
        "FROM kb_articles"
    )
    articles = cursor.rowcount
    fill_boost(cursor)
    cursor.execute("DROP TABLE IF EXISTS reply_fts")
    cursor.execute(_REPLY_TABLE)
    has_case_index = cursor.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'case_fts'").fetchone()[0]
    if has_case_index:
        # The case index holds every message body normalised exactly so (case_schema): no second stemmer pass.
        cursor.execute(
            "INSERT INTO reply_fts(rowid, body) SELECT m.id, f.body FROM messages m JOIN case_fts f "
            "ON f.rowid = m.id WHERE m.direction = 'out' AND m.is_internal = 0")
    else:
        cursor.execute(
            f"INSERT INTO reply_fts(rowid, body) SELECT m.id, {NORMALISE_FUNCTION}(m.body, c.language) "
            "FROM messages m JOIN cases c ON c.id = m.case_id WHERE m.direction = 'out' AND m.is_internal = 0"
        )
    replies = cursor.rowcount
    return articles, replies


def create_schema(dbapi_connection: sqlite3.Connection) -> None:
    """Create the FTS tables and triggers (idempotent) and fill them from the current rows."""
    register_functions(dbapi_connection)
    cursor = dbapi_connection.cursor()
    try:
        for statement in SCHEMA_STATEMENTS:
            cursor.execute(statement)
        _fill(cursor)
    finally:
        cursor.close()


@dataclass(frozen=True)
class ReindexResult:
    articles: int
    replies: int


def reindex(session_or_connection: Any) -> ReindexResult:
    """Rebuild both indexes from scratch inside the caller's transaction (the caller commits).

    Accepts a SQLModel/SQLAlchemy Session, a SQLAlchemy Connection, a raw sqlite3 connection, or a Store (which is
    reindexed in its own write transaction).
    """
    if hasattr(session_or_connection, "transaction") and hasattr(session_or_connection, "write_engine"):  # Store
        with session_or_connection.transaction() as session:
            return reindex(session)
    raw = _dbapi(session_or_connection)
    register_functions(raw)
    cursor = raw.cursor()
    try:
        articles, replies = _fill(cursor)
    finally:
        cursor.close()
    return ReindexResult(articles, replies)
