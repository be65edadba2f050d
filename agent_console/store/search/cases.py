"""Search over every case an agent may see: keys, subjects, every message and note, customers' names, addresses and
phone numbers (``case_fts``, see ``case_schema``).

The query is the KB search's: words folded, stemmed in German and English, stop words and synonyms as there
(``query.parse_query``), near terms when nothing matches (``ranking._search``), snippets cut from the original text
(``snippets``). On top: filters (``status:open``, ``queue:billing``, ``channel:email``, ``customer:müller``,
``before:2026-12-01``, ``after:2026-11-01``) and phone numbers written any way (``phones``). A case is ranked by its
best row (BM25, the subject and ids weighing most); the caller may restrict the cases to some queues.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any, Iterable

from agent_console.store.search.case_cross import QueryPart, best_per_case, cross_rows
from agent_console.store.search.case_query import (
    MAX_CASE_LIMIT,
    RANK_AT_MOST,
    CaseMatch,
    CaseQuery,
    CaseSearchResult,
    case_matches,
    filter_sql,
    parse_case_query,
    phone_term,
)
from agent_console.store.search.functions import _dbapi, _read_snapshot
from agent_console.store.search.phones import phone_query_forms
from agent_console.store.search.query import QueryTerm, match_expression, parse_query
from agent_console.store.search.ranking import _search
from agent_console.store.search.snippets import Snippet

#: Rows read per case asked for: the best rows of one case often come first together.
_ROWS_PER_CASE = 4


def _case_rows(raw: sqlite3.Connection, match: str, filters: tuple[str, list[Any]], limit: int,
               estimated_rows: int) -> list[tuple[int, int, float]]:
    """(case id, best rowid, best rank) of the ``limit`` best cases that pass the filters, best first.

    Rows are ranked inside FTS5 alone (no join: SQLite would otherwise join every matching row before sorting),
    a page at a time; only the page's rows are mapped to their cases and filtered. A case is placed by its best row;
    pages grow until enough cases are found or the matches run out.
    """
    where, params = filters
    found: dict[int, tuple[int, int, float]] = {}
    offset, step = 0, limit * _ROWS_PER_CASE
    # bm25() costs about a microsecond per matching row: words in a large share of all rows are ordered newest
    # first instead (FTS5 walks rowids in order and stops at the page), so no query waits for the whole index.
    order = "rank" if estimated_rows <= RANK_AT_MOST else "rowid DESC"
    while True:
        rows = raw.execute(f"SELECT rowid, rank FROM case_fts WHERE case_fts MATCH ? ORDER BY {order} "
                           "LIMIT ? OFFSET ?", (match, step, offset)).fetchall()
        case_of = _cases_of(raw, [rowid for rowid, _ in rows], where, params)
        for rowid, rank in rows:
            case_id = case_of.get(rowid)
            if case_id is not None and case_id not in found:
                found[case_id] = (case_id, rowid, rank)
        if len(found) >= limit or len(rows) < step:
            return list(found.values())[:limit]
        offset += step
        step *= 4


def _term_rows(raw: sqlite3.Connection, terms: list[QueryTerm]) -> list[int]:
    """At most how many index rows each term matches (the sum over its variants), from the index's own counts
    (case_fts_vocab), in one look-up for all of them."""
    variants = sorted({variant for term in terms for variant in term.variants})
    rows = dict(raw.execute(f"SELECT term, doc FROM case_fts_vocab WHERE term IN ({','.join('?' * len(variants))})",
                            variants).fetchall()) if variants else {}
    counts = []
    for term in terms:
        count = sum(rows.get(variant, 0) for variant in term.variants)
        if term.prefix:  # the word still being typed: every indexed word it starts
            count += raw.execute("SELECT coalesce(sum(doc), 0) FROM case_fts_vocab WHERE term >= ? AND term < ?",
                                 (term.prefix, term.prefix + "\uffff")).fetchone()[0]
        counts.append(count)
    return counts


def _cases_of(raw: sqlite3.Connection, rowids: list[int], where: str, params: list[Any]) -> dict[int, int]:
    """rowid -> case id for the index rows whose case passes ``where`` (a head row is its case, a message row its
    message's case)."""
    if not rowids:
        return {}
    ids = json.dumps(rowids)
    case_of = {rowid: -rowid for rowid in rowids if rowid < 0}
    case_of.update(raw.execute("SELECT id, case_id FROM messages WHERE id IN (SELECT value FROM json_each(?))",
                               (ids,)).fetchall())
    if not where:
        return case_of
    wanted = json.dumps(sorted(set(case_of.values())))
    passing = {case_id for (case_id,) in raw.execute(
        f"SELECT c.id FROM cases c WHERE c.id IN (SELECT value FROM json_each(?)) AND {where}", [wanted, *params])}
    return {rowid: case_id for rowid, case_id in case_of.items() if case_id in passing}


def _query(raw: sqlite3.Connection, terms: list[QueryTerm], operator: str, parsed: CaseQuery,
           filters: tuple[str, list[Any]], limit: int, snippets: bool = True) -> list[CaseMatch]:
    parts: list[QueryPart] = []
    phone_terms = [phone_term(forms) for forms in parsed.phones if forms]
    term_rows = _term_rows(raw, [*terms, *phone_terms])
    if terms:
        if operator == "AND":
            parts += [QueryPart(term.expression(), rows=rows) for term, rows in zip(terms, term_rows)]
        else:
            parts.append(QueryPart("(" + match_expression(terms, operator) + ")", rows=sum(term_rows[:len(terms)])))
    parts += [QueryPart(term.expression(), rows=rows) for term, rows in zip(phone_terms, term_rows[len(terms):])]
    if parsed.customer:
        customer_terms = parse_query(parsed.customer)
        phones = [phone_term(phone_query_forms(parsed.customer))] if phone_query_forms(parsed.customer) else []
        if not customer_terms and not phones:
            return []
        parts.append(QueryPart("{people ids} : (" + match_expression(phones or customer_terms, "AND") + ")",
                               head_only=True))
    if not parts:
        return []
    estimated = (min(part.rows for part in parts[:len(terms)]) if operator == "AND" else parts[0].rows) \
        if terms and not phone_terms else 0
    ranked = _case_rows(raw, " AND ".join(part.expression for part in parts), filters, limit, estimated)
    if len(parts) > 1:
        ranked = best_per_case([*ranked, *cross_rows(raw, parts, filters)], limit,
                               newest_first=estimated > RANK_AT_MOST)
    if not ranked:
        return []
    if not snippets:
        return [CaseMatch(case_id=case_id, score=-rank, message_id=rowid if rowid > 0 else None, subject_spans=(),
                          snippet=Snippet(""), matched_in="") for case_id, rowid, rank in ranked]
    rowids = [rowid for _, rowid, _ in ranked]
    case_ids = [case_id for case_id, _, _ in ranked]
    wanted = json.dumps([*rowids, *(-case_id for case_id in case_ids)])
    stored = {row[0]: row[1:] for row in raw.execute(
        "SELECT rowid, subject, body, people, ids FROM case_fts WHERE rowid IN (SELECT value FROM json_each(?))",
        (wanted,))}
    # A message row holds only its body: the case's own columns come from its head row.
    indexed = {}
    for case_id, rowid, _ in ranked:
        subject, _, people, ids = stored.get(-case_id, ("", "", "", ""))
        indexed[rowid] = (subject, stored.get(rowid, ("", "", "", ""))[1] if rowid > 0 else "", people, ids)
    message_ids = [rowid for rowid in rowids if rowid > 0]
    messages = {row[0]: row[1:] for row in raw.execute(
        f"SELECT id, body, is_internal FROM messages WHERE id IN ({','.join('?' * len(message_ids))})",
        message_ids)} if message_ids else {}
    subjects = dict(raw.execute(
        f"SELECT id, subject FROM cases WHERE id IN ({','.join('?' * len(case_ids))})", case_ids))
    return case_matches(ranked, indexed, messages, subjects, [*terms, *phone_terms], bool(phone_terms))


def _dialect(target: Any) -> str:
    if isinstance(target, sqlite3.Connection):
        return "sqlite"
    bind = target.get_bind() if hasattr(target, "get_bind") else target
    return bind.dialect.name


def search_case_index(session: Any, query: str | CaseQuery | None, *, limit: int = 20,
                      allowed_queues: Iterable[str] | None = None, prefix_last: bool = False,
                      snippets: bool = True) -> CaseSearchResult:
    """The best ``limit`` cases for ``query`` (ranked by their best row), restricted to ``allowed_queues`` when
    given; with ``snippets`` False (SQLite) the matches carry no snippet, highlights or where they matched: the
    ranking alone. Raises FilterError for a filter that cannot be used."""
    parsed = query if isinstance(query, CaseQuery) else parse_case_query(query)
    terms = parse_query(parsed.text, prefix_last=prefix_last)
    limit = max(1, min(int(limit), MAX_CASE_LIMIT))
    if _dialect(session) == "postgresql":
        from agent_console.store.search.case_pg import search_postgresql

        return search_postgresql(session, parsed, terms, limit=limit, allowed_queues=allowed_queues)
    raw = _dbapi(session)
    filters = filter_sql(parsed, list(allowed_queues) if allowed_queues is not None else None)
    with _read_snapshot(raw):
        if not terms:
            matches = _query(raw, [], "AND", parsed, filters, limit, snippets)
            return CaseSearchResult(matches, "exact" if parsed.phones or parsed.customer else "empty")
        result = _search(raw, "case_fts_vocab", terms,
                         lambda chosen, operator: _query(raw, chosen, operator, parsed, filters, limit, snippets))
    return CaseSearchResult(result.hits, result.mode, result.corrections)
