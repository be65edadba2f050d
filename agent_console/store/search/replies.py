"""Search over resolved cases' outbound replies."""

from __future__ import annotations

import sqlite3
from typing import Any

from agent_console.store.search.functions import _dbapi
from agent_console.store.search.query import QueryTerm, match_expression, parse_query
from agent_console.store.search.snippets import ReplyHit, SearchResult, TokenMatcher, make_snippet
from agent_console.store.search.ranking import _search


#: Resolved cases whose replies are worth reusing.
ANSWERED_STATUSES = ("resolved", "closed")


def _reply_query(raw: sqlite3.Connection, terms: list[QueryTerm], operator: str, language: str | None,
                 limit: int) -> list[ReplyHit]:
    from agent_console.store.types import UTCDateTime

    statuses = ",".join(f"'{s}'" for s in ANSWERED_STATUSES)
    # Step 1 ranks with only the columns the filter needs; highlight() and the bodies are read for the top hits only.
    sql = (
        "SELECT f.rowid, f.rank FROM reply_fts f JOIN messages m ON m.id = f.rowid JOIN cases c ON c.id = m.case_id "
        f"WHERE reply_fts MATCH ? AND c.status IN ({statuses})"
    )
    params: list[Any] = [match_expression(terms, operator)]
    if language:
        sql += " AND c.language = ?"
        params.append(language)
    sql += " ORDER BY f.rank LIMIT ?"
    params.append(limit)
    ranked = raw.execute(sql, params).fetchall()
    if not ranked:
        return []
    ids = [rowid for rowid, _ in ranked]
    marks = ",".join("?" * len(ids))
    indexed = dict(raw.execute(f"SELECT rowid, body FROM reply_fts WHERE rowid IN ({marks})", ids))
    matcher = TokenMatcher.of(terms)
    rows = {row[0]: row for row in raw.execute(
        "SELECT m.id, m.case_id, c.key, c.subject, m.author_name, m.created_at, m.body, c.language "
        f"FROM messages m JOIN cases c ON c.id = m.case_id WHERE m.id IN ({marks})", ids)}
    decode = UTCDateTime().process_result_value
    hits = []
    for rowid, rank in ranked:
        row = rows.get(rowid)
        if row is None:
            continue
        _, case_id, key, subject, author, created, body, lang = row
        try:
            created_at = decode(created, None)
        except (TypeError, ValueError):
            created_at = None
        hits.append(ReplyHit(message_id=rowid, case_id=case_id, case_key=key, subject=subject,
                             author_name=author or "", created_at=created_at,
                             snippet=make_snippet(body, matcher.positions(indexed.get(rowid)),
                                                  word_count=TokenMatcher.token_count(indexed[rowid])
                                                  if rowid in indexed else None),
                             score=-rank, language=lang, body=body))
    return hits


def search_replies_detailed(session: Any, query: str | None, *, language: str | None = None, limit: int = 10,
                            prefix_last: bool = False) -> SearchResult:
    raw = _dbapi(session)
    language = (language or "").strip().lower() or None
    terms = parse_query(query, language, prefix_last=prefix_last)
    limit = max(1, min(int(limit), 500))
    return _search(raw, "reply_fts_vocab", terms,
                   lambda chosen, operator: _reply_query(raw, chosen, operator, language, limit))


def search_replies(session: Any, query: str | None, *, language: str | None = None,
                   limit: int = 10) -> list[ReplyHit]:
    """Outbound, non-internal replies of resolved or closed cases: how did we answer this before?"""
    return search_replies_detailed(session, query, language=language, limit=limit).hits
