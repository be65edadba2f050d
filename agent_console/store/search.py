"""Full-text search over knowledge-base articles and over resolved cases' outbound replies (SQLite FTS5).

Design:

* Matching happens on *normalised* text: every word is lower-cased, folded (ä→ae, ö→oe, ü→ue, ß→ss, other accents
  removed) and then stemmed with the Snowball stemmer of the row's language (German or English; other languages are
  only folded). Folding comes first on both sides, so "Straße"/"Strasse" and "Rückgabe"/"Rueckgabe" give the same
  token before the stemmer sees them.
* The FTS5 tables ``kb_fts`` (title, body, tags) and ``reply_fts`` (body) hold that normalised text, one normalised
  token per original word, separated by single spaces. Because the token sequence lines up one-to-one with the words
  of the original text, the positions of matched tokens in the stored normalised text (read by rowid for the top
  hits only; a quoted token matches by equality, ``"x" *`` by prefix, exactly as in FTS5) map straight back onto the
  original words: snippets are cut from the ORIGINAL text (with umlauts, capitals and punctuation) and carry
  highlight spans, without a second index, without re-stemming the hits in Python and without a second MATCH.
* Rows are normalised inside SQLite by the SQL function ``ac_search_norm(text, language)``, registered on every store
  connection (``on_sqlite_connect``) and called by triggers on ``kb_articles`` and ``messages``. So the index stays in
  step with any writer — ORM, Core bulk inserts by the seeder or importers, raw SQL — as long as the connection comes
  from :func:`agent_console.store.db.make_engine` (or had :func:`register_functions` called on it).
* Queries never reach the FTS5 query parser as user text: the input is split into words by the same tokenizer,
  every word is normalised and double-quoted, so ``AND``, ``NEAR(``, ``*``, ``"``, ``-``, ``^`` and ``col:`` are just
  words (or nothing). Without a language filter a word matches either its German or its English stem.
* Ranking is FTS5's bm25() (title weighs most). For a one-word query matching thousands of articles, only the
  articles that can score high (``kb_fts_boost``) are ranked, with a proof from the BM25 formula that no other
  article can reach the page (see ``_kb_ranked``); the page is the same as ranking every match.
* When nothing matches, unknown words are replaced by their nearest indexed terms (rapidfuzz over the ``fts5vocab``
  terms that share the first letter), and as a last resort any word may match (OR), still ranked by BM25.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
import sqlite3
import threading
import unicodedata
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable, Iterator

from agent_console.store.db import on_sqlite_connect

NORMALISE_FUNCTION = "ac_search_norm"
FACETS_FUNCTION = "ac_search_facets"
BOOST_FUNCTION = "ac_search_boost"
BOOST_INDEXED_FUNCTION = "ac_search_boost_indexed"
#: Weights of the kb_fts columns (title, body, tags, facets) in BM25; facets only filter.
KB_WEIGHTS = (6.0, 1.0, 3.0, 0.0)
#: Normalised tokens never contain "_", so facet tokens ("lang_de", "tag_gift_card") cannot collide with words.
_TOKENIZER = "tokenize = \"unicode61 remove_diacritics 0 tokenchars '_'\""
MAX_QUERY_TERMS = 24
MAX_QUERY_CHARS = 2000
SNIPPET_WORDS = 28
#: FTS5's built-in bm25() constants (fts5_aux.c); the ranking shortcut bounds scores with the same formula.
BM25_K1 = 1.2
BM25_B = 0.75
#: Articles shorter than this many indexed tokens put every word into ``kb_fts_boost`` (see ``_kb_ranked``).
SHORT_ARTICLE_TOKENS = 100
#: Weighted count from which a token is "strong" in kb_fts_boost (title and body: 6 + 1).
STRONG_WEIGHT = 7
#: Length buckets of kb_fts_boost: bucket k starts at SHORT_ARTICLE_TOKENS * SIZE_BUCKET_GROWTH ** k tokens.
SIZE_BUCKET_GROWTH = 1.25
MAX_SIZE_BUCKET = 40
#: One-word queries rank first the strong articles and the repeats in articles shorter than this share of the
#: average size: the bound for the rest then stays below what a title-and-body article of average size scores.
STRONG_LENGTH_FRACTION = 0.85
#: When the ranking shortcut is tried: queries of at most this many words (with more, the matches are few or the
#: candidates many: ranking every match was as fast or faster on the bench corpus), at least this many matches
#: expected, and this many per candidate.
SHORTCUT_MAX_WORDS = 1
SHORTCUT_MIN_MATCHES = 1000
SHORTCUT_MATCHES_PER_CANDIDATE = 1.5
_STEM_CACHE_LIMIT = 400_000

_WORD = re.compile(r"[^\W_]+")
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
_SNIPPET_SPACES = str.maketrans({"\n": " ", "\r": " ", "\t": " "})
_STEMMER_NAMES = {"de": "german", "en": "english"}
#: Resolved cases whose replies are worth reusing.
ANSWERED_STATUSES = ("resolved", "closed")


# --- normalisation ------------------------------------------------------------------------------------------------


def fold(word: str) -> str:
    """Lower-case, German umlauts and ß spelled out, any other diacritics removed."""
    folded = word.lower().translate(_FOLD)
    if folded.isascii():
        return folded
    stripped = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    return stripped or folded


def _language_key(language: str | None) -> str:
    code = (language or "").strip().lower()[:2]
    return code if code in _STEMMER_NAMES else ""


class _Normaliser(dict):
    """word -> folded stem, for one language; a cache because the Snowball stemmers are pure Python (~50 µs)."""

    def __init__(self, language: str) -> None:
        super().__init__()
        if language:
            import snowballstemmer

            self._stem = snowballstemmer.stemmer(_STEMMER_NAMES[language]).stemWord
        else:
            self._stem = None

    def __missing__(self, word: str) -> str:
        folded = fold(word)
        value = self._stem(folded) if self._stem is not None else folded
        # A stem is never empty, so every original word keeps exactly one token (the snippet mapping relies on it).
        value = value or folded
        if len(self) < _STEM_CACHE_LIMIT:
            self[word] = value
        return value


_normalisers: dict[str, _Normaliser] = {}


def _normaliser(language: str | None) -> _Normaliser:
    key = _language_key(language)
    found = _normalisers.get(key)
    if found is None:
        found = _normalisers[key] = _Normaliser(key)
    return found


def words(text: str | None) -> list[str]:
    return _WORD.findall(text or "")


def normalise(text: str | None, language: str | None = None) -> str:
    """The indexed form of ``text``: one folded, stemmed token per word, separated by single spaces."""
    if not text:
        return ""
    return " ".join(map(_normaliser(language).__getitem__, _WORD.findall(text)))


def normalise_word(word: str, language: str | None) -> str:
    return _normaliser(language)[word]


# --- per-connection SQL function ----------------------------------------------------------------------------------


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


def _sql_normalise(text: Any, language: Any) -> str:
    if text is None:
        return ""
    text = str(text)
    # The kb_fts and kb_fts_boost triggers of a row normalise the same columns one after the other.
    key = (text, language)
    found = _recently_normalised.get(key)
    if found is None:
        found = normalise(text, language if isinstance(language, str) else None)
        if len(_recently_normalised) >= 8:
            _recently_normalised.clear()
        _recently_normalised[key] = found
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


def register_functions(dbapi_connection: sqlite3.Connection) -> None:
    """Add ``ac_search_norm(text, language)`` and the other index functions to an SQLite connection (the index
    triggers call them)."""
    dbapi_connection.create_function(NORMALISE_FUNCTION, 2, _sql_normalise, deterministic=True)
    dbapi_connection.create_function(FACETS_FUNCTION, 2, _sql_facets, deterministic=True)
    dbapi_connection.create_function(BOOST_FUNCTION, 4, boost_tokens, deterministic=True)
    dbapi_connection.create_function(BOOST_INDEXED_FUNCTION, 4, boost_tokens_of_indexed, deterministic=True)


on_sqlite_connect(register_functions)


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


# --- schema (used by the migration and by reindex) ----------------------------------------------------------------

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


# --- query building -----------------------------------------------------------------------------------------------


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


@dataclass(frozen=True)
class QueryTerm:
    word: str
    #: Normalised forms any of which may match (German and English stems, or the filter language's stem).
    variants: tuple[str, ...]
    #: Also match indexed words starting with this (folded) prefix: the word still being typed.
    prefix: str | None = None

    def expression(self) -> str:
        parts = [_quote(v) for v in self.variants]
        if self.prefix:
            parts.append(_quote(self.prefix) + " *")
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


def parse_query(query: str | None, language: str | None = None, *, prefix_last: bool = False) -> list[QueryTerm]:
    """User input -> terms; never raises, whatever the input (operators and punctuation are not special)."""
    text = (query or "")[:MAX_QUERY_CHARS]
    found = _WORD.findall(text)
    terms: list[QueryTerm] = []
    seen: set[tuple[str, ...]] = set()
    languages = [language] if _language_key(language) else ["de", "en"]
    for index, word in enumerate(found[:MAX_QUERY_TERMS]):
        variants = tuple(dict.fromkeys(normalise_word(word, lang) for lang in languages))
        is_last = index == len(found) - 1
        prefix = None
        if prefix_last and is_last and not text[-1:].isspace():
            folded = fold(word)
            if len(folded) >= 2:
                prefix = folded
        key = variants + ((prefix,) if prefix else ())
        if key in seen:
            continue
        seen.add(key)
        terms.append(QueryTerm(word, variants, prefix))
    return terms


def match_expression(terms: Iterable[QueryTerm], operator: str = "AND") -> str:
    return f" {operator} ".join(term.expression() for term in terms)


# --- results ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Snippet:
    """Plain text (from the original, never markup) and the character ranges of matched words within it."""

    text: str
    spans: tuple[tuple[int, int], ...] = ()

    def highlighted(self) -> list[str]:
        return [self.text[a:b] for a, b in self.spans]


@dataclass(frozen=True)
class ArticleHit:
    id: int
    slug: str
    title: str
    snippet: Snippet
    #: Higher is better (the negated BM25 rank).
    score: float
    language: str
    tags: tuple[str, ...]
    helpful_votes: int = 0
    title_spans: tuple[tuple[int, int], ...] = ()

    def as_dict(self) -> dict:
        return {
            "id": self.id, "slug": self.slug, "title": self.title, "snippet": self.snippet.text,
            "highlights": [list(span) for span in self.snippet.spans], "score": round(self.score, 4),
            "language": self.language, "tags": list(self.tags), "helpful_votes": self.helpful_votes,
        }


@dataclass(frozen=True)
class ReplyHit:
    message_id: int
    case_id: int
    case_key: str
    subject: str
    author_name: str
    created_at: datetime | None
    snippet: Snippet
    score: float
    language: str
    body: str


@dataclass
class SearchResult:
    hits: list
    #: exact (all words), typo (some words replaced by nearest indexed terms), any (some words), empty (no words)
    mode: str = "exact"
    #: query word -> the indexed terms it was corrected to (typo mode)
    corrections: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class TokenMatcher:
    """Which indexed tokens a query's phrases match: FTS5 matches a quoted token by equality, ``"x" *`` by prefix."""

    tokens: frozenset[str]
    prefixes: tuple[str, ...] = ()

    @classmethod
    def of(cls, terms: Iterable[QueryTerm]) -> "TokenMatcher":
        terms = list(terms)
        return cls(frozenset(v for term in terms for v in term.variants),
                   tuple(term.prefix for term in terms if term.prefix))

    @staticmethod
    def token_count(normalised: str | None) -> int:
        return normalised.count(" ") + 1 if normalised else 0

    def positions(self, normalised: str | None) -> set[int]:
        """Token positions in a space-joined normalised column (as stored in the FTS table) that a phrase matches.

        The same positions FTS5's highlight() reports, without running the MATCH a second time.
        """
        if not normalised:
            return set()
        # str.find over " token " (whole tokens) or " prefix" (token starts), then the spaces before each hit give
        # its position: C-speed scans instead of a Python loop over every token of the body.
        padded = " " + normalised + " "
        found: set[int] = set()
        for needle in [f" {token} " for token in self.tokens] + [f" {prefix}" for prefix in self.prefixes]:
            at = padded.find(needle)
            counted, spaces = 0, 0
            while at >= 0:
                spaces += padded.count(" ", counted, at)
                counted = at
                found.add(spaces)
                at = padded.find(needle, at + len(needle) - 1)
        return found


def _spans_for(original: str, positions: set[int]) -> list[tuple[int, int]]:
    return [m.span() for i, m in enumerate(_WORD.finditer(original)) if i in positions]


def make_snippet(original: str, positions: set[int], width: int = SNIPPET_WORDS, *,
                 word_count: int | None = None) -> Snippet:
    """A window of ``width`` words of the original text with the most matched words, with their spans.

    ``word_count``, when the caller knows it (the number of tokens in the indexed text), saves a scan of the text.
    """
    original = original or ""
    if word_count is None:
        word_count = len(_WORD.findall(original))
    if not word_count:
        text = original[:200].translate(_SNIPPET_SPACES).strip()
        return Snippet(text)
    hits = sorted(p for p in positions if p < word_count)
    start = 0
    if hits:
        best, best_count, j = hits[0], 0, 0
        for i, first in enumerate(hits):
            while j < len(hits) and hits[j] < first + width:
                j += 1
            if j - i > best_count:
                best, best_count = first, j - i
        start = max(0, best - 3)
    end = min(word_count, start + width)
    start = max(0, min(start, end - width))
    # Spans of the window's words only, scanned from the nearer end of the text (a run of word characters reads
    # the same backwards): bodies run to hundreds of words, snippets to a few dozen.
    if start > word_count - end:
        size = len(original)
        backwards = itertools.islice(_WORD.finditer(original[::-1]), word_count - end, word_count - start)
        window = [(size - b, size - a) for a, b in reversed([m.span() for m in backwards])]
        misread = len(window) != end - start or (start == 0 and _WORD.search(original, 0, window[0][0]))
    else:
        window = [m.span() for m in itertools.islice(_WORD.finditer(original), start, end)]
        misread = len(window) != end - start or (end == word_count and _WORD.search(original, window[-1][1]))
    if misread:
        return make_snippet(original, positions, width)  # not the text the index was read from: count the words
    char_start = window[0][0] if start > 0 else 0
    char_end = window[-1][1] if end < word_count else len(original)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < word_count else ""
    body = original[char_start:char_end].replace("\n", " ").replace("\r", " ").replace("\t", " ")
    stripped = body.lstrip()
    offset = char_start + (len(body) - len(stripped)) - len(prefix)
    body = stripped.rstrip()
    text = prefix + body + suffix
    spans = tuple(
        (window[p - start][0] - offset, window[p - start][1] - offset) for p in hits if start <= p < end
    )
    return _tidy(text, spans)


_MARKUP = re.compile(r"[#*`]+")
_SPACE_RUN = re.compile(r"  +")


def _squash(text: str) -> str:
    """Markdown emphasis/heading characters dropped, runs of spaces collapsed, no leading space."""
    return _SPACE_RUN.sub(" ", _MARKUP.sub("", text)).lstrip(" ")


def _tidy(text: str, spans: tuple[tuple[int, int], ...]) -> Snippet:
    """Drop Markdown emphasis/heading characters and collapse runs of spaces, keeping the spans on their words."""
    if not text.startswith(" ") and "  " not in text and not _MARKUP.search(text):
        return Snippet(text.rstrip(), spans)
    # Whether a character is kept depends only on the characters before it, so the squashed length of a prefix is
    # where that prefix's end lands in the tidy text.
    return Snippet(_squash(text).rstrip(), tuple((len(_squash(text[:a])), len(_squash(text[:b]))) for a, b in spans))


# --- knowledge base -----------------------------------------------------------------------------------------------


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
              tags: tuple[str, ...], limit: int) -> list[ArticleHit]:
    # Step 1 ranks inside FTS5 alone (no join, no highlight): SQLite would otherwise compute the joined columns and
    # highlight() for every matching row before sorting. Filters are facet tokens in the same MATCH.
    filters = [f'facets : "{facet_token("lang", language)}"'] if language else []
    filters += [f'facets : "{facet_token("tag", tag)}"' for tag in tags if _WORD.search(tag)]
    if any(not _WORD.search(tag) for tag in tags):
        return []
    match = "(" + match_expression(terms, operator) + ")" + "".join(" AND " + f for f in filters)
    ranked = _kb_ranked(raw, terms, operator, match, limit)
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
    for rowid, rank in ranked:
        row = rows.get(rowid)
        if row is None:
            continue
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
    if len(corrected) > 1:
        hits = run(corrected, "OR")
        if hits:
            return SearchResult(hits, "any", corrections)
    return SearchResult([], "exact", corrections)


def search_kb(session: Any, query: str | None, *, language: str | None = None, tags: Iterable[str] = (),
              limit: int = 10, prefix_last: bool = False) -> SearchResult:
    """Search the articles; ``prefix_last`` also matches the last word as a prefix (results as you type)."""
    raw = _dbapi(session)
    language = (language or "").strip().lower() or None
    if isinstance(tags, str):
        tags = [tags]
    tag_filter = tuple(t.strip() for t in tags if t and t.strip())
    terms = parse_query(query, language, prefix_last=prefix_last)
    limit = max(1, min(int(limit), 500))
    with _read_snapshot(raw):
        return _search(raw, "kb_fts_vocab", terms,
                       lambda chosen, operator: _kb_query(raw, chosen, operator, language, tag_filter, limit))


def search_articles(session: Any, query: str | None, *, language: str | None = None, tags: Iterable[str] = (),
                    limit: int = 10) -> list[ArticleHit]:
    """The best ``limit`` articles for ``query`` by BM25 (title weighs most), with highlighted snippets."""
    return search_kb(session, query, language=language, tags=tags, limit=limit).hits


# --- resolved cases' replies --------------------------------------------------------------------------------------


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
