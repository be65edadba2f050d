"""Knowledge-base search: BM25 ranking, the ranking shortcut for one-word queries, near terms."""

from __future__ import annotations

import bisect
import itertools
import math
import sqlite3
import threading
from dataclasses import dataclass
from typing import Any, Iterable

from agent_console.store.search.normalise import _WORD
from agent_console.store.search.functions import (
    KB_WEIGHTS, MAX_SIZE_BUCKET, SHORT_ARTICLE_TOKENS, SIZE_BUCKET_EDGES, STRONG_WEIGHT, _dbapi, _read_snapshot,
    facet_token,
)
from agent_console.store.search.query import QueryTerm, _quote, match_expression, parse_query
from agent_console.store.search.snippets import ArticleHit, SearchResult, TokenMatcher, _spans_for, make_snippet


#: FTS5's built-in bm25() constants (fts5_aux.c); the ranking shortcut bounds scores with the same formula.
BM25_K1 = 1.2
BM25_B = 0.75
#: One-word queries rank first the strong articles and the repeats in articles shorter than this share of the
#: average size: the bound for the rest then stays below what a title-and-body article of average size scores.
STRONG_LENGTH_FRACTION = 0.85
#: When the ranking shortcut is tried: queries of at most this many words (with more, the matches are few or the
#: candidates many: ranking every match was as fast or faster on the bench corpus), at least this many matches
#: expected, and this many per candidate.
SHORTCUT_MAX_WORDS = 1
SHORTCUT_MIN_MATCHES = 1000
SHORTCUT_MATCHES_PER_CANDIDATE = 1.5


def _tag_list(tags: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in (tags or "").split(",") if t.strip())


def _varints(data: bytes) -> list[int]:
    """SQLite's variable-length integers (1–9 bytes, big-endian, 7 bits a byte; the ninth byte carries 8)."""
    values: list[int] = []
    index, size = 0, len(data)
    while index < size:
        value = 0
        for step in range(9):
            if index >= size:
                return values
            byte = data[index]
            index += 1
            if step == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if byte < 0x80:
                break
        values.append(value)
    return values


@dataclass(frozen=True)
class _IndexState:
    rows: int
    average_size: float
    #: Changes whenever the index does: FTS5's averages and structure records (every flushed write, from any
    #: connection, rewrites the structure) and this connection's own not yet flushed writes.
    key: tuple


def _kb_state(raw: sqlite3.Connection) -> _IndexState | None:
    """kb_fts's row count and average row size in tokens: the figures FTS5's bm25() reads (its averages record)."""
    # FTS5 keeps the averages in the row with id 1 of its data table and the segment structure in id 10.
    blocks = dict(raw.execute("SELECT id, block FROM kb_fts_data WHERE id IN (1, 10)").fetchall())
    averages = blocks.get(1)
    values = _varints(averages) if isinstance(averages, bytes) else []
    if len(values) < 1 + len(KB_WEIGHTS) or values[0] <= 0:
        return None
    return _IndexState(values[0], sum(values[1:1 + len(KB_WEIGHTS)]) / values[0],
                       (raw.total_changes, averages, blocks.get(10)))


class _HitCounts:
    """Documents per token (what bm25() counts for its IDF) for the index states seen last.

    Counting walks the token's whole doclist, as long as ranking the candidates; agents' queries (and every
    keystroke of a query typed as you go) repeat their words, so the counts are kept until the index changes.
    """

    STATES = 4
    TOKENS = 20_000

    def __init__(self) -> None:
        self._by_state: dict[tuple, dict[tuple[str, str], int]] = {}
        self._lock = threading.Lock()  # searches run in worker threads

    def get(self, raw: sqlite3.Connection, state: _IndexState, tokens: list[str],
            table: str = "kb_fts") -> dict[str, int]:
        with self._lock:
            known = self._by_state.pop(state.key, None)
            if known is None or len(known) > self.TOKENS:
                known = {}
            self._by_state[state.key] = known  # most recently used last
            while len(self._by_state) > self.STATES:
                del self._by_state[next(iter(self._by_state))]
        missing = [token for token in tokens if (table, token) not in known]
        if missing:
            counts = raw.execute(
                "SELECT " + ", ".join(f"(SELECT count(*) FROM {table} WHERE {table} MATCH ?)" for _ in missing),
                [_quote(token) for token in missing]).fetchone()
            known.update(((table, token), count) for token, count in zip(missing, counts))
        return {token: known[table, token] for token in tokens}


_hit_counts = _HitCounts()


def _bm25_idf(rows: int, hits: int) -> float:
    idf = math.log((rows - hits + 0.5) / (hits + 0.5))
    return idf if idf > 0.0 else 1e-6


#: How many of the best matches a public (help-center) search ranks before keeping the public ones.
PUBLIC_RANKED = 500


def _kb_ranked(raw: sqlite3.Connection, terms: list[QueryTerm], operator: str, match: str,
               limit: int) -> list[tuple[int, float]]:
    """The ``limit`` best (rowid, rank) for ``match``, best first; ties by rowid. Exactly FTS5's BM25 order.

    bm25() costs about a microsecond per matching row (a column-size lookup per row), so a common word that
    matches a fifth of the articles would cost milliseconds. The shortcut ranks only *candidates* (kb_fts_boost):
    first the articles where the word is strong (title and body, ...) or repeated in an article shorter than about
    the average; failing that, every article with the word in title or tags, twice in the body, or short; plus
    articles holding two spellings of the word. Any other matching article has a weighted count and length that
    cap its BM25 (``_bm25_term`` of that count and length, times the IDF). When the candidates fill the page with
    scores above that cap, no other article can get in; otherwise every match is ranked, as without the shortcut.
    Used for one-word queries (SHORTCUT_MAX_WORDS), where it pays; the scores are FTS5's own either way.
    """
    if operator == "AND" and len(terms) <= SHORTCUT_MAX_WORDS and not any(term.prefix for term in terms):
        try:
            ranked = _kb_ranked_candidates(raw, terms, match, limit)
        except sqlite3.OperationalError:  # no kb_fts_boost (a store not migrated yet): rank every match
            ranked = None
        if ranked is not None:
            return ranked
    return raw.execute("SELECT rowid, rank FROM kb_fts WHERE kb_fts MATCH ? ORDER BY rank, rowid LIMIT ?",
                       (match, limit)).fetchall()


def _bm25_term(weighted_count: float, size: float, average_size: float) -> float:
    """FTS5's bm25() for one phrase, without the IDF factor (fts5_aux.c)."""
    return weighted_count * (BM25_K1 + 1.0) / (
        weighted_count + BM25_K1 * (1.0 - BM25_B + BM25_B * size / average_size))


def _kb_ranked_candidates(raw: sqlite3.Connection, terms: list[QueryTerm], match: str,
                          limit: int) -> list[tuple[int, float]] | None:
    state = _kb_state(raw)
    if state is None:
        return None
    rows, average_size = state.rows, state.average_size
    variants = sorted({variant for term in terms for variant in term.variants})
    hits = _hit_counts.get(raw, state, variants)
    idf_sum = 0.0
    for term in terms:
        present = [_bm25_idf(rows, hits[v]) for v in term.variants if hits[v] > 0]
        if not present:
            return []  # a word no article has: an AND query matches nothing
        idf_sum += max(present)
    # The shortcut pays when many articles match but few are candidates: typically one or two common words. Else
    # ranking every match is cheaper than the candidate filter (a guess from the counts; exactness never depends
    # on it).
    matches = rows * math.prod(min(1.0, sum(hits[v] for v in term.variants) / rows) for term in terms)
    if matches < SHORTCUT_MIN_MATCHES:
        return None
    present = [v for v in variants if hits[v] > 0]
    pairs = [f"({_quote(a)} AND {_quote(b)})" for term in terms
             for a, b in itertools.combinations([v for v in term.variants if hits[v] > 0], 2)]
    one_mention = _bm25_term(KB_WEIGHTS[1], SHORT_ARTICLE_TOKENS, average_size)
    if len(terms) == 1:
        # One word: first only its strong articles (title and body, ...) and its repeats in articles somewhat
        # shorter than the average. Any other article has the word at most once, or a weighted count below 7 and
        # at least SIZE_BUCKET_EDGES[first_excluded] tokens: bounded below what title-and-body articles score.
        first_excluded = bisect.bisect_left(SIZE_BUCKET_EDGES, STRONG_LENGTH_FRACTION * average_size)
        if first_excluded <= MAX_SIZE_BUCKET:
            bound = idf_sum * max(one_mention, _bm25_term(STRONG_WEIGHT - 1, SIZE_BUCKET_EDGES[first_excluded],
                                                          average_size))
            tiers = ["x_"] + [f"d{bucket}_" for bucket in range(first_excluded)]
            strong = " OR ".join(_quote(tier + variant) for variant in present for tier in tiers)
            ranked = _rank_candidates(raw, match, strong, pairs, limit, bound)
            if ranked is not None:
                return ranked
    candidates = sum(_hit_counts.get(raw, state, present, "kb_fts_boost").values())
    if candidates * SHORTCUT_MATCHES_PER_CANDIDATE > matches:
        return None
    return _rank_candidates(raw, match, " OR ".join(_quote(v) for v in present), pairs, limit,
                            idf_sum * one_mention)


def _rank_candidates(raw: sqlite3.Connection, match: str, boosted: str, pairs: list[str], limit: int,
                     bound: float) -> list[tuple[int, float]] | None:
    """The page ranked over the candidates only, if its last score beats what any other match can reach."""
    sources = ["SELECT rowid FROM kb_fts_boost WHERE kb_fts_boost MATCH ?"]
    params: list[Any] = [match, boosted]
    if pairs:
        sources.append("SELECT rowid FROM kb_fts WHERE kb_fts MATCH ?")
        params.append(" OR ".join(pairs))
    params.append(limit)
    # "+rowid" keeps the candidate filter away from FTS5's planner, which would otherwise restart the MATCH (and
    # recompute the IDFs) once per candidate.
    ranked = raw.execute(
        f"SELECT rowid, rank FROM kb_fts WHERE kb_fts MATCH ? AND +rowid IN ({' UNION ALL '.join(sources)}) "
        "ORDER BY rank, rowid LIMIT ?", params).fetchall()
    if len(ranked) < limit or -ranked[-1][1] <= bound * (1 + 1e-9):
        return None
    return ranked


def _kb_query(raw: sqlite3.Connection, terms: list[QueryTerm], operator: str, language: str | None,
              tags: tuple[str, ...], limit: int, public_only: bool = False) -> list[ArticleHit]:
    # Step 1 ranks inside FTS5 alone (no join, no highlight): SQLite would otherwise compute the joined columns and
    # highlight() for every matching row before sorting. Filters are facet tokens in the same MATCH.
    filters = [f'facets : "{facet_token("lang", language)}"'] if language else []
    filters += [f'facets : "{facet_token("tag", tag)}"' for tag in tags if _WORD.search(tag)]
    if any(not _WORD.search(tag) for tag in tags):
        return []
    match = "(" + match_expression(terms, operator) + ")" + "".join(" AND " + f for f in filters)
    # The public help center ranks a wider page and keeps its public articles: internal ones never reach it.
    ranked = _kb_ranked(raw, terms, operator, match, PUBLIC_RANKED if public_only else limit)
    if public_only and ranked:
        public = {row[0] for row in raw.execute(
            f"SELECT id FROM kb_articles WHERE public AND id IN ({','.join('?' * len(ranked))})",
            [rowid for rowid, _ in ranked])}
        ranked = [(rowid, rank) for rowid, rank in ranked if rowid in public][:limit]
    if not ranked:
        return []
    ids = [rowid for rowid, _ in ranked]
    marks = ",".join("?" * len(ids))
    # The indexed (normalised) title and body, one token per original word: the matched positions found in them
    # are the positions of the words to highlight in the original text.
    indexed = {rowid: (title, body) for rowid, title, body in raw.execute(
        f"SELECT rowid, title, body FROM kb_fts WHERE rowid IN ({marks})", ids)}
    matcher = TokenMatcher.of(terms)
    rows = {row[0]: row for row in raw.execute(
        f"SELECT id, slug, title, body, language, tags, helpful_votes FROM kb_articles WHERE id IN ({marks})", ids)}
    hits = []
    shown: set[int] = set()
    for rowid, rank in ranked:
        row = rows.get(rowid)
        if row is None or rowid in shown:  # an article is listed once, whatever matched it how often
            continue
        shown.add(rowid)
        _, slug, title, body, lang, tag_text, votes = row
        row_indexed = rowid in indexed
        indexed_title, indexed_body = indexed.get(rowid, ("", ""))
        hits.append(ArticleHit(
            id=rowid, slug=slug, title=title,
            snippet=make_snippet(body, matcher.positions(indexed_body),
                                 word_count=TokenMatcher.token_count(indexed_body) if row_indexed else None),
            score=-rank, language=lang, tags=_tag_list(tag_text), helpful_votes=votes,
            title_spans=tuple(_spans_for(title, matcher.positions(indexed_title))),
        ))
    return hits


def _nearest_terms(raw: sqlite3.Connection, vocab_table: str, term: QueryTerm, limit: int = 3) -> tuple[str, ...]:
    from rapidfuzz import fuzz, process

    variant = term.variants[0]
    if len(variant) < 3:
        return ()
    first = variant[0]
    rows = raw.execute(
        f"SELECT term, doc FROM {vocab_table} WHERE term >= ? AND term < ?", (first, chr(ord(first) + 1))
    ).fetchall()
    frequency = {t: d for t, d in rows if abs(len(t) - len(variant)) <= 3 and "_" not in t}
    if not frequency:
        return ()
    choices = list(frequency)
    scored: dict[str, float] = {}
    for candidate in term.variants:
        for found, score, _ in process.extract(candidate, choices, scorer=fuzz.ratio, limit=limit * 2,
                                               score_cutoff=72):
            scored[found] = max(score, scored.get(found, 0))
    best = sorted(scored, key=lambda t: (-scored[t], -frequency[t]))
    return tuple(best[:limit])


def _known(raw: sqlite3.Connection, vocab_table: str, term: QueryTerm) -> bool:
    marks = ",".join("?" * len(term.variants))
    return raw.execute(f"SELECT 1 FROM {vocab_table} WHERE term IN ({marks}) LIMIT 1", term.variants).fetchone() \
        is not None


def _search(raw: sqlite3.Connection, vocab_table: str, terms: list[QueryTerm], run) -> SearchResult:
    if not terms:
        return SearchResult([], "empty")
    hits = run(terms, "AND")
    if hits:
        return SearchResult(hits, "exact")
    corrections: dict[str, tuple[str, ...]] = {}
    corrected: list[QueryTerm] = []
    for term in terms:
        if not _known(raw, vocab_table, term):
            nearest = _nearest_terms(raw, vocab_table, term)
            if nearest:
                corrections[term.word] = nearest
                corrected.append(QueryTerm(term.word, nearest, term.prefix))
                continue
        corrected.append(term)
    if corrections:
        hits = run(corrected, "AND")
        if hits:
            return SearchResult(hits, "typo", corrections)
    if len(terms) > 1:
        # Some of the words as written before guessed replacements: in a customer's sentence an unknown word is
        # mostly a word no article uses ("cheaply"), and its nearest term ("cheap" → "check") is noise.
        hits = run(terms, "OR")
        if hits:
            return SearchResult(hits, "any")
    if corrections and len(corrected) > 1:
        hits = run(corrected, "OR")
        if hits:
            return SearchResult(hits, "any", corrections)
    return SearchResult([], "exact", corrections)


def _bind_dialect(session: Any) -> str | None:
    bind = session.get_bind() if hasattr(session, "get_bind") else getattr(session, "engine", None)
    return bind.dialect.name if bind is not None else None


def search_kb(session: Any, query: str | None, *, language: str | None = None, tags: Iterable[str] = (),
              limit: int = 10, prefix_last: bool = False, public_only: bool = False) -> SearchResult:
    """Search the articles; ``prefix_last`` also matches the last word as a prefix (results as you type);
    ``public_only`` finds only the articles of the public help center (among the best ``PUBLIC_RANKED`` matches).
    On PostgreSQL (the server) the same search runs over its own index (``kb_pg``)."""
    language = (language or "").strip().lower() or None
    if isinstance(tags, str):
        tags = [tags]
    tag_filter = tuple(t.strip() for t in tags if t and t.strip())
    limit = max(1, min(int(limit), 500))
    if not isinstance(session, sqlite3.Connection) and _bind_dialect(session) == "postgresql":
        from agent_console.store.search.kb_pg import search_kb_postgresql

        return search_kb_postgresql(session, query, language=language, tags=tag_filter, limit=limit,
                                    prefix_last=prefix_last, public_only=public_only)
    raw = _dbapi(session)
    terms = parse_query(query, language, prefix_last=prefix_last)
    with _read_snapshot(raw):
        return _search(raw, "kb_fts_vocab", terms,
                       lambda chosen, operator: _kb_query(raw, chosen, operator, language, tag_filter, limit,
                                                         public_only))


def search_articles(session: Any, query: str | None, *, language: str | None = None, tags: Iterable[str] = (),
                    limit: int = 10) -> list[ArticleHit]:
    """The best ``limit`` articles for ``query`` by BM25 (title weighs most), with highlighted snippets."""
    return search_kb(session, query, language=language, tags=tags, limit=limit).hits
