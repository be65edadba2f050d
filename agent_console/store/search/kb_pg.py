"""The knowledge base's search on PostgreSQL (the server's help center and API): ``ranking.search_kb`` over the
``kb_fts`` index of ``kb_pg_schema``, with the same query parsing (stop words, synonyms, the word being typed), the
same modes (every word; near terms of words typed wrong; any word) and snippets cut from the original text by the
Python normaliser as on SQLite. Ranked by ``ts_rank`` with the SQLite index's column weights."""

from __future__ import annotations

from typing import Any, Iterable

from agent_console.store.search.case_pg import _LANGUAGES, _Stems, typo_corrections
from agent_console.store.search.kb_pg_schema import KB_PG_RANK_WEIGHTS
from agent_console.store.search.normalise import _language_key, normalise
from agent_console.store.search.query import QueryTerm, parse_query
from agent_console.store.search.snippets import ArticleHit, SearchResult, TokenMatcher, _spans_for, make_snippet

_VOCABULARY = "kb_fts_vocab"


def _tsquery(stems: _Stems, terms: list[QueryTerm], operator: str) -> str | None:
    words = [stems.expression(term) for term in terms]
    if operator == "OR":
        words = [word for word in words if word]
    if not words or None in words:
        return None
    return "(" + (" & " if operator == "AND" else " | ").join(words) + ")"


def _articles(connection: Any, stems: _Stems, terms: list[QueryTerm], operator: str, language: str | None,
              tags: tuple[str, ...], limit: int, public_only: bool, python_terms: list[QueryTerm]) -> list[ArticleHit]:
    tsquery = _tsquery(stems, terms, operator)
    if tsquery is None:
        return []
    conditions, params = ["f.doc @@ CAST(%s AS tsquery)"], [tsquery]
    if public_only:
        conditions.append("a.public")
    if language:
        conditions.append("lower(a.language) = %s")
        params.append(language)
    for tag in tags:
        conditions.append("%s = ANY(string_to_array(lower(replace(a.tags, ' ', '')), ','))")
        params.append(tag.lower().replace(" ", ""))
    rows = connection.exec_driver_sql(
        "SELECT a.id, a.slug, a.title, a.body, a.language, a.tags, a.helpful_votes, "
        "ts_rank(CAST(%s AS real[]), f.doc, CAST(%s AS tsquery)) AS rank "
        f"FROM kb_fts f JOIN kb_articles a ON a.id = f.article_id WHERE {' AND '.join(conditions)} "
        "ORDER BY rank DESC, a.helpful_votes DESC, a.id LIMIT %s",
        (KB_PG_RANK_WEIGHTS, tsquery, *params, limit)).all()
    matcher = TokenMatcher.of(python_terms)
    hits = []
    for article_id, slug, title, body, article_language, tag_text, votes, rank in rows:
        indexed_body = normalise(body, article_language)
        hits.append(ArticleHit(
            id=article_id, slug=slug, title=title,
            snippet=make_snippet(body, matcher.positions(indexed_body),
                                 word_count=TokenMatcher.token_count(indexed_body)),
            score=float(rank), language=article_language,
            tags=tuple(t.strip() for t in (tag_text or "").split(",") if t.strip()), helpful_votes=votes,
            title_spans=tuple(_spans_for(title, matcher.positions(normalise(title, article_language)))),
        ))
    return hits


def search_kb_postgresql(session: Any, query: str | None, *, language: str | None, tags: Iterable[str],
                         limit: int, prefix_last: bool, public_only: bool) -> SearchResult:
    connection = session.connection() if hasattr(session, "get_bind") else session
    language_key = _language_key(language)
    terms = parse_query(query, language, prefix_last=prefix_last)
    if not terms:
        return SearchResult([], "empty")
    tag_filter = tuple(t.strip() for t in tags if t and t.strip())
    stems = _Stems(connection, terms, (language_key,) if language_key in _LANGUAGES else _LANGUAGES)

    def run(chosen: list[QueryTerm], operator: str) -> list[ArticleHit]:
        return _articles(connection, stems, chosen, operator, language, tag_filter, limit, public_only, chosen)

    hits = run(terms, "AND")
    if hits:
        return SearchResult(hits, "exact")
    corrections = typo_corrections(connection, _VOCABULARY, stems, terms)
    corrected = [QueryTerm(term.word, corrections[term.word], term.prefix) if term.word in corrections else term
                 for term in terms]
    if corrections:
        stems.corrections = corrections
        hits = run(corrected, "AND")
        if hits:
            return SearchResult(hits, "typo", corrections)
        stems.corrections = {}
    if len(terms) > 1:
        hits = run(terms, "OR")
        if hits:
            return SearchResult(hits, "any")
    if corrections and len(terms) > 1:
        stems.corrections = corrections
        hits = run(corrected, "OR")
        if hits:
            return SearchResult(hits, "any", corrections)
    return SearchResult([], "exact", corrections)
