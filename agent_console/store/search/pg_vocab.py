"""The vocabularies of the PostgreSQL search indexes (``case_fts_vocab``, ``kb_fts_vocab``) and the near terms of
a word typed wrong: the typo mode SQLite has from ``fts5vocab`` (``ranking._nearest_terms``), on PostgreSQL.

Each vocabulary is the set of lexemes its index holds, kept by a statement trigger on the index table in the
writer's own transaction (a row-by-row load adds its new lexemes per statement, a bulk index fill once). Adding a
known lexeme is ``ON CONFLICT DO NOTHING``, which takes no lock on the existing row, so writers of known words do
not wait for each other (only a lexeme new to the index, not yet committed by one writer, makes another writer of
the same lexeme wait for that commit; each statement adds its lexemes in sorted order). Lexemes are not removed when their last row goes (a count per lexeme would make every writer
of a common word wait for the others): a stale lexeme can only be offered as a correction that then finds nothing,
and the next mode is tried. Near terms are found by ``pg_trgm`` trigram similarity (a GIN index on the
vocabulary), among terms with the same first letter and a length within 3, as on SQLite.
"""

from __future__ import annotations

from typing import Any, Iterable

#: How many near terms replace a word typed wrong (SQLite: 3).
NEAR_TERMS = 3
#: The least trigram similarity of a near term (pg_trgm's own default threshold is 0.3).
MIN_SIMILARITY = 0.3


def vocabulary_statements(vocabulary: str, index_table: str) -> tuple[str, ...]:
    return (
        f"CREATE TABLE {vocabulary} (term text PRIMARY KEY)",
        f"CREATE INDEX {vocabulary}_trgm ON {vocabulary} USING gin (term gin_trgm_ops)",
        f"""CREATE FUNCTION ac_{vocabulary}_note() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO {vocabulary} (term) SELECT DISTINCT unnest(tsvector_to_array(doc)) FROM new_rows ORDER BY 1
                ON CONFLICT (term) DO NOTHING;
            RETURN NULL;
        END $$""",
        f"""CREATE TRIGGER {vocabulary}_note AFTER INSERT ON {index_table} REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION ac_{vocabulary}_note()""",
        f"""INSERT INTO {vocabulary} (term) SELECT DISTINCT unnest(tsvector_to_array(doc)) FROM {index_table}
            ON CONFLICT (term) DO NOTHING""",
    )


def vocabulary_drop_statements(vocabulary: str, index_table: str) -> tuple[str, ...]:
    return (
        f"DROP TRIGGER IF EXISTS {vocabulary}_note ON {index_table}",
        f"DROP FUNCTION IF EXISTS ac_{vocabulary}_note()",
        f"DROP TABLE IF EXISTS {vocabulary}",
    )


def known_terms(connection: Any, vocabulary: str, lexemes: Iterable[str]) -> set[str]:
    lexemes = sorted(set(lexemes))
    if not lexemes:
        return set()
    return set(connection.exec_driver_sql(f"SELECT term FROM {vocabulary} WHERE term = ANY(%s)",
                                          (lexemes,)).scalars())


def near_terms(connection: Any, vocabulary: str, lexemes: Iterable[str],
               limit: int = NEAR_TERMS) -> tuple[str, ...]:
    """The indexed terms nearest to any of ``lexemes`` (a word's stems), most similar first."""
    lexemes = sorted({lexeme for lexeme in lexemes if len(lexeme) >= 3})
    if not lexemes:
        return ()
    rows = connection.exec_driver_sql(
        f"SELECT v.term, max(similarity(v.term, q.word)) AS near FROM unnest(%s::text[]) AS q(word) "
        f"JOIN {vocabulary} v ON v.term %% q.word AND left(v.term, 1) = left(q.word, 1) "
        "AND abs(length(v.term) - length(q.word)) <= 3 AND v.term !~ '[_0-9]' "
        "GROUP BY v.term HAVING max(similarity(v.term, q.word)) >= %s ORDER BY near DESC, v.term LIMIT %s",
        (lexemes, MIN_SIMILARITY, limit))
    return tuple(term for term, _near in rows)
