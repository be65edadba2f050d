"""The SQL functions the index triggers call (registered on every store connection by ``store/db.py``),
the articles' facet and boost tokens, and the raw connection behind a session."""

from __future__ import annotations

import bisect
import sqlite3
from collections import Counter
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Iterator

from agent_console.store.search.normalise import _WORD, fold, normalise


NORMALISE_FUNCTION = "ac_search_norm"
FACETS_FUNCTION = "ac_search_facets"
BOOST_FUNCTION = "ac_search_boost"
BOOST_INDEXED_FUNCTION = "ac_search_boost_indexed"
CASE_IDS_FUNCTION = "ac_search_case_ids"
#: Weights of the kb_fts columns (title, body, tags, facets) in BM25; facets only filter.
KB_WEIGHTS = (6.0, 1.0, 3.0, 0.0)
#: Articles shorter than this many indexed tokens put every word into ``kb_fts_boost`` (see ``_kb_ranked``).
SHORT_ARTICLE_TOKENS = 100
#: Weighted count from which a token is "strong" in kb_fts_boost (title and body: 6 + 1).
STRONG_WEIGHT = 7
#: Length buckets of kb_fts_boost: bucket k starts at SHORT_ARTICLE_TOKENS * SIZE_BUCKET_GROWTH ** k tokens.
SIZE_BUCKET_GROWTH = 1.25
MAX_SIZE_BUCKET = 40


def facet_token(kind: str, value: str) -> str:
    return kind + "_" + "_".join(_WORD.findall(fold(value)))


def facets(language: str | None, tags: str | None) -> str:
    """Filter tokens for the facets column: the language and every tag."""
    tokens = [facet_token("lang", language or "")]
    tokens += [facet_token("tag", tag) for tag in (tags or "").split(",") if _WORD.search(tag)]
    return " ".join(tokens)


def _sql_facets(language: Any, tags: Any) -> str:
    return facets(language if isinstance(language, str) else None, tags if isinstance(tags, str) else None)


_recently_normalised: dict[tuple[str, Any], str] = {}
_short_normalised: dict[tuple[str, Any], str] = {}
#: Texts up to this long (subjects, names and addresses: each case's head row normalises them) are remembered.
_SHORT_TEXT = 160
_SHORT_CACHE_LIMIT = 65_536


def _sql_normalise(text: Any, language: Any) -> str:
    if text is None:
        return ""
    text = str(text)
    key = (text, language)
    # A customer's name and address are in the head row of each of their cases, and subjects repeat; the kb_fts and
    # kb_fts_boost triggers of a row normalise the same columns one after the other.
    cache = _short_normalised if len(text) <= _SHORT_TEXT else _recently_normalised
    found = cache.get(key)
    if found is None:
        found = normalise(text, language if isinstance(language, str) else None)
        if len(cache) >= (_SHORT_CACHE_LIMIT if cache is _short_normalised else 8):
            cache.clear()
        cache[key] = found
    return found


#: Where kb_fts_boost's length buckets start (bucket k holds the articles from edge k up to edge k + 1).
SIZE_BUCKET_EDGES = tuple(SHORT_ARTICLE_TOKENS * SIZE_BUCKET_GROWTH ** k for k in range(MAX_SIZE_BUCKET + 1))


def _size_bucket(size: int) -> int:
    return max(0, bisect.bisect_right(SIZE_BUCKET_EDGES, size) - 1)


def boost_tokens(title: Any, body: Any, tags: Any, language: Any) -> str:
    """``kb_fts_boost``'s row for an article: which tokens can score more than a plain mention, and how much more.

    With ``a`` a token's weighted count (title 6, body 1, tags 3) and the article's size counted exactly as kb_fts
    stores it:

    * ``t`` for every token with a >= 2 (in title or tags, or twice in the body), every token of a short article;
    * ``x_t`` (strong) for a >= 7 (e.g. title and body), and every token of a short article;
    * ``dK_t`` for the other tokens with a >= 2, K being the article's length bucket (see ``_size_bucket``).

    Tokens never contain "_", so these cannot collide with words.
    """
    return boost_tokens_of_indexed(_sql_normalise(title, language), _sql_normalise(body, language),
                                   _sql_normalise(tags, language), _sql_facets(language, tags))


def boost_tokens_of_indexed(title: Any, body: Any, tags: Any, facet_tokens: Any) -> str:
    """``boost_tokens`` from a kb_fts row (the columns already normalised): what reindex reads back."""
    title_tokens, body_tokens, tag_tokens, facets_tokens = (
        column.split(" ") if isinstance(column, str) and column else [] for column in (title, body, tags, facet_tokens))
    size = len(title_tokens) + len(body_tokens) + len(tag_tokens) + len(facets_tokens)
    title_weight, body_weight, tag_weight = KB_WEIGHTS[:3]
    weighted: dict[str, float] = Counter(body_tokens)  # type: ignore[assignment]
    if body_weight != 1.0:
        weighted = {token: count * body_weight for token, count in weighted.items()}
    for tokens, weight in ((title_tokens, title_weight), (tag_tokens, tag_weight)):
        for token in tokens:
            weighted[token] = weighted.get(token, 0.0) + weight
    if size < SHORT_ARTICLE_TOKENS:
        return " ".join([*weighted, *("x_" + token for token in weighted)])
    bucket = f"d{_size_bucket(size)}_"
    chosen = [token for token, a in weighted.items() if a >= 2]
    return " ".join([*chosen, *(("x_" if weighted[token] >= STRONG_WEIGHT else bucket) + token for token in chosen)])


def case_id_tokens(key: Any, phone: Any) -> str:
    """The ``ids`` column of the case index: the case key's words, its number without leading zeros
    ("AC-000042" -> "ac 000042 42"), and the customer's phone number folded (``phones.phone_index_tokens``)."""
    return _case_id_tokens(key if isinstance(key, str) else None, phone if isinstance(phone, str) else None)


def _case_id_tokens(key: str | None, phone: str | None) -> str:
    tokens = [fold(word) for word in _WORD.findall(key)] if key else []
    tokens += [token.lstrip("0") for token in tokens if token.isdigit() and token.lstrip("0") not in ("", token)]
    return " ".join([*tokens, *_phone_tokens(phone)])


@lru_cache(maxsize=65_536)  # a customer's number is in the head row of each of their cases
def _phone_tokens(phone: str | None) -> tuple[str, ...]:
    from agent_console.store.search.phones import phone_index_tokens

    return tuple(phone_index_tokens(phone))


def register_functions(dbapi_connection: sqlite3.Connection) -> None:
    """Add ``ac_search_norm(text, language)`` and the other index functions to an SQLite connection (the index
    triggers call them)."""
    dbapi_connection.create_function(NORMALISE_FUNCTION, 2, _sql_normalise, deterministic=True)
    dbapi_connection.create_function(FACETS_FUNCTION, 2, _sql_facets, deterministic=True)
    dbapi_connection.create_function(BOOST_FUNCTION, 4, boost_tokens, deterministic=True)
    dbapi_connection.create_function(BOOST_INDEXED_FUNCTION, 4, boost_tokens_of_indexed, deterministic=True)
    dbapi_connection.create_function(CASE_IDS_FUNCTION, 2, case_id_tokens, deterministic=True)


@contextmanager
def _read_snapshot(raw: sqlite3.Connection) -> Iterator[None]:
    """One read transaction around a search, so that the ranking shortcut's bound, the ranking and the rows all see
    the same index. A Session's connection is in a transaction already; a bare sqlite3 connection may not be."""
    if raw.in_transaction:
        yield
        return
    raw.execute("BEGIN")
    try:
        yield
    finally:
        if raw.in_transaction:
            raw.rollback()  # it only read


def _dbapi(target: Any) -> sqlite3.Connection:
    """The raw sqlite3 connection behind a Session, Connection, sqlite3 connection (or a Store/Engine: a new one)."""
    if isinstance(target, sqlite3.Connection):
        return target
    if hasattr(target, "connection") and callable(getattr(target, "connection")):  # Session
        return target.connection().connection.dbapi_connection
    if hasattr(target, "connection") and hasattr(target.connection, "dbapi_connection"):  # Connection
        return target.connection.dbapi_connection
    raise TypeError(f"expected a Session or Connection, got {type(target).__name__}")
