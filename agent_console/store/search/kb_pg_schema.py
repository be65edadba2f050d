"""The knowledge base's search index on PostgreSQL (the server; the help center searches it): ``kb_fts``, one
``tsvector`` per article written by a trigger on ``kb_articles`` in the writer's transaction, folded and stemmed by
the case index's functions and configurations (``case_pg_schema``: ä→ae …, German or English by the article's
language, no stop words), with weights A the title, B the tags, D the body. Its vocabulary ``kb_fts_vocab``
(``pg_vocab``) gives the typo mode. Migration 0026 creates it; SQLite has its FTS5 ``kb_fts`` instead."""

from __future__ import annotations

from agent_console.store.search.case_pg_bulk import DEFERRING_TRIGGER_FUNCTIONS
from agent_console.store.search.pg_vocab import vocabulary_drop_statements, vocabulary_statements

#: The SQLite index's bm25 weights (title 6, body 1, tags 3: ``functions.KB_WEIGHTS``) as ts_rank weights {D, C, B, A}.
KB_PG_RANK_WEIGHTS = "{0.17, 0.0, 0.5, 1.0}"

_ARTICLE_DOC = ("setweight(to_tsvector(ac_search_config(a.language), ac_search_fold(a.title)), 'A') || "
                "setweight(to_tsvector(ac_search_config(a.language), ac_search_fold(replace(a.tags, ',', ' '))), "
                "'B') || setweight(to_tsvector(ac_search_config(a.language), ac_search_fold(a.body)), 'D')")
ARTICLE_ROWS = f"SELECT a.id, {_ARTICLE_DOC} FROM kb_articles a"

KB_PG_SCHEMA_STATEMENTS = (
    "CREATE TABLE kb_fts (article_id bigint PRIMARY KEY, doc tsvector NOT NULL)",
    "CREATE INDEX kb_fts_doc ON kb_fts USING gin (doc)",
    f"""CREATE FUNCTION ac_kb_fts_articles() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            DELETE FROM kb_fts WHERE article_id = old.id;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            INSERT INTO kb_fts (article_id, doc) {ARTICLE_ROWS} WHERE a.id = new.id;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER kb_articles_search_insert_delete AFTER INSERT OR DELETE ON kb_articles
        FOR EACH ROW EXECUTE FUNCTION ac_kb_fts_articles()""",
    """CREATE TRIGGER kb_articles_search_update AFTER UPDATE OF id, title, body, tags, language ON kb_articles
        FOR EACH ROW WHEN (old.id IS DISTINCT FROM new.id OR old.title IS DISTINCT FROM new.title
              OR old.body IS DISTINCT FROM new.body OR old.tags IS DISTINCT FROM new.tags
              OR old.language IS DISTINCT FROM new.language)
        EXECUTE FUNCTION ac_kb_fts_articles()""",
    f"INSERT INTO kb_fts (article_id, doc) {ARTICLE_ROWS}",
)

KB_PG_DROP_STATEMENTS = (
    "DROP TRIGGER IF EXISTS kb_articles_search_insert_delete ON kb_articles",
    "DROP TRIGGER IF EXISTS kb_articles_search_update ON kb_articles",
    "DROP FUNCTION IF EXISTS ac_kb_fts_articles()",
    "DROP TABLE IF EXISTS kb_fts",
)

def _case_trigger_functions_of_0019() -> tuple[str, ...]:
    from agent_console.store.search.case_pg_schema import PG_SCHEMA_STATEMENTS

    return tuple(statement.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)
                 for statement in PG_SCHEMA_STATEMENTS if statement.startswith("CREATE FUNCTION ac_case_fts_"))


#: Migration 0026 on PostgreSQL: pg_trgm, the vocabularies of both indexes, the knowledge base's index, the case
#: index's trigger functions that a bulk load can defer (``case_pg_bulk``).
SEARCH_PG_0026_STATEMENTS = (
    *DEFERRING_TRIGGER_FUNCTIONS,
    *vocabulary_statements("case_fts_vocab", "case_fts"),
    *KB_PG_SCHEMA_STATEMENTS[:2],
    *vocabulary_statements("kb_fts_vocab", "kb_fts"),
    *KB_PG_SCHEMA_STATEMENTS[2:],
)
SEARCH_PG_0026_DROP_STATEMENTS = (
    *KB_PG_DROP_STATEMENTS[:3],
    *vocabulary_drop_statements("kb_fts_vocab", "kb_fts"),
    *KB_PG_DROP_STATEMENTS[3:],
    *vocabulary_drop_statements("case_fts_vocab", "case_fts"),
    *_case_trigger_functions_of_0019(),
)
